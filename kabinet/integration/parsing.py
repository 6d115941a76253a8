"""Reading the billing system's files (CSV and XLSX) into rows with their line numbers.

A file is refused as a whole only when it cannot be read or a required column is
missing; a bad row is a ``Row`` with ``error`` set, so the rest is kept.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError

# Columns of each kind: (required, optional). Documented in docs/integration.md.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "readings": (("account", "meter", "period", "value"), ("zone", "source", "taken_at")),
}


@dataclass
class Row:
    line: int  # of the file; the header is line 1
    data: dict  # the row as read, every value a string (JSON-safe)
    values: dict | None = None  # normalised for the service, when the row is good
    error: str = ""


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


def _csv_records(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(_("Файл не в кодировке UTF-8.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for record in reader:
        yield reader.line_num, record


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise DomainError(_("Файл не читается как XLSX.")) from exc
    try:
        sheet = book.worksheets[0]
        for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(record)
    finally:
        book.close()


_TAKEN_AT = (
    (r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$", (1, 2, 3)),
    (r"^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$", (3, 2, 1)),
)


def _taken_at(text: str) -> datetime:
    for pattern, (y, m, d) in _TAKEN_AT:
        match = re.match(pattern, text)
        if match:
            try:
                moment = datetime.combine(
                    date(int(match[y]), int(match[m]), int(match[d])),
                    time(int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)),
                )
            except ValueError:
                break
            return timezone.make_aware(moment)
    raise DomainError(_("Дата показания «%(d)s» не распознана.") % {"d": text})


def _readings_values(data: dict) -> dict:
    values = {k: data[k] for k in ("account", "meter", "period")}
    try:
        values["value"] = Decimal(data["value"].replace(" ", "").replace(",", "."))
    except ArithmeticError as exc:
        raise DomainError(_("Показание «%(v)s» не число.") % {"v": data["value"]}) from exc
    if not values["value"].is_finite():
        raise DomainError(_("Показание «%(v)s» не число.") % {"v": data["value"]})
    for optional in ("zone", "source"):
        if data.get(optional):
            values[optional] = data[optional]
    if data.get("taken_at"):
        values["taken_at"] = _taken_at(data["taken_at"])
    return values


NORMALISERS = {"readings": _readings_values}


def parse_rows(*, kind: str, fmt: str, content: bytes) -> Iterator[Row]:
    """The rows of a file of ``kind``; raises ``DomainError`` if the file is unreadable
    or a required column is missing (the whole file is refused)."""
    required, optional = COLUMNS[kind]
    records = _xlsx_records(content) if fmt == "xlsx" else _csv_records(content)
    header = None
    for line, record in records:
        cells = [_text(cell) for cell in record]
        if header is None:
            if not any(cells):
                continue
            header = [cell.lower() for cell in cells]
            missing = [column for column in required if column not in header]
            if missing:
                raise DomainError(
                    _("В файле нет обязательных столбцов: %(c)s. Нужны: %(all)s.")
                    % {"c": ", ".join(missing), "all": ", ".join(required)}
                )
            continue
        if not any(cells):
            continue  # blank lines are not rows
        data = {
            name: (cells[i] if i < len(cells) else "")
            for i, name in enumerate(header)
            if name in required or name in optional
        }
        if len(cells) > len(header) and any(cells[len(header) :]):
            yield Row(line, data, error=_("В строке больше значений, чем столбцов."))
            continue
        empty = [column for column in required if not data.get(column)]
        if empty:
            yield Row(line, data, error=_("Не заполнено: %(c)s.") % {"c": ", ".join(empty)})
            continue
        try:
            yield Row(line, data, values=NORMALISERS[kind](data))
        except DomainError as exc:
            yield Row(line, data, error=str(exc.message))
    if header is None:
        raise DomainError(_("Файл пуст: нет строки заголовка."))
