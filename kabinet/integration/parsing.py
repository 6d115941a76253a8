"""Reading the billing system's files (CSV and XLSX) into rows with their line numbers.

A file is refused as a whole only when it cannot be read or a required column is
missing; a bad row is a ``Row`` with ``error`` set, so the rest is kept. The file is
read as a stream: a CSV of a million rows is never held in memory whole.

Each kind's columns and the normalising of a row (``parse``) live in its importer,
``kabinet.integration.importers.<kind>``.
"""

import csv
import io
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain
from typing import BinaryIO

from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError


@dataclass
class Row:
    line: int  # of the file; the header is line 1
    data: dict  # the row as read, every value a string (JSON-safe)
    values: dict | None = None  # normalised for the service, when the row is good
    error: str = ""


def fold(text: str) -> str:
    """A header cell or a word compared case-, space- and ё-insensitively."""
    return " ".join((text or "").split()).casefold().replace("ё", "е")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _binary(source: bytes | BinaryIO) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def _csv_records(source: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        reader = csv.reader(chain([first], text), delimiter=delimiter)
        for record in reader:
            yield reader.line_num, [cell.strip() for cell in record]
    except UnicodeDecodeError as exc:
        raise DomainError(_("Файл не в кодировке UTF-8.")) from exc
    finally:
        with suppress(ValueError):  # already closed
            text.detach()  # the caller closes the file


def _xlsx_records(source: BinaryIO) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise DomainError(_("Файл не читается как XLSX.")) from exc
    try:
        sheet = book.worksheets[0]
        for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_text(cell) for cell in record]
    finally:
        book.close()


def parse_rows(*, kind: str, fmt: str, content: bytes | BinaryIO) -> Iterator[Row]:
    """The rows of a file of ``kind`` (bytes or a binary file); raises ``DomainError``
    if the file is unreadable or a required column is missing (the whole file is
    refused). A header cell is a column's code or its Russian name, in any case."""
    from kabinet.integration.importers import importer

    imp = importer(kind)
    names = {}
    for column in imp.COLUMNS:
        names[fold(column.name)] = column.name
        names[fold(column.label)] = column.name
        for alias in column.aliases:
            names[fold(alias)] = column.name
    required = [column.name for column in imp.COLUMNS if column.required]
    labels = {column.name: column.label for column in imp.COLUMNS}
    source = _binary(content)
    records = _xlsx_records(source) if fmt == "xlsx" else _csv_records(source)
    header = None
    for line, cells in records:
        if header is None:
            if not any(cells):
                continue
            header = [names.get(fold(cell)) for cell in cells]
            missing = [column for column in required if column not in header]
            if missing:
                raise DomainError(
                    _("В файле нет обязательных столбцов: %(c)s. Нужны: %(all)s.")
                    % {
                        "c": ", ".join(f"{c} ({labels[c]})" for c in missing),
                        "all": ", ".join(required),
                    }
                )
            continue
        if not any(cells):
            continue  # blank lines are not rows
        data = {
            name: (cells[i] if i < len(cells) else "")
            for i, name in enumerate(header)
            if name is not None
        }
        if len(cells) > len(header) and any(cells[len(header) :]):
            yield Row(line, data, error=_("В строке больше значений, чем столбцов."))
            continue
        empty = [column for column in required if not data.get(column)]
        if empty:
            yield Row(line, data, error=_("Не заполнено: %(c)s.") % {"c": ", ".join(empty)})
            continue
        try:
            yield Row(line, data, values=imp.parse(data))
        except DomainError as exc:
            yield Row(line, data, error=str(exc.message))
    if header is None:
        raise DomainError(_("Файл пуст: нет строки заголовка."))
