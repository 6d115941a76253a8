"""Выгрузка таблиц (PDF, CSV, XLSX): one table object behind a page and its downloads.

A page builds a ``Table`` once (usually in a selector) and hands the same object to its
template (``{% include "_table.html" %}``) and, when ``?format=`` asks for a file, to
``export_response``. Rows, totals and the text of every cell therefore come from one
place, so a download cannot show other figures than the page (issue 4).

Values stay typed in the rows (money as integer kopecks, dates as ``date``) and are
turned into text or cells per format:

- page and PDF: ``Table.display`` (``1 234,56 ₽``, ``31.10.2026``, ``Октябрь 2026``);
- CSV: the same text, but numbers plain (``-1234,56``: no ₽, no group spaces, comma
  decimal) so that Russian Excel reads them as numbers;
- XLSX: real numbers (roubles) and dates with number formats, so a sheet sums them.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.money import format_period, format_quantity, format_rub, from_kopecks

KINDS = {"text", "money", "date", "period", "quantity", "int"}
NUMERIC = {"money", "quantity", "int"}  # right-aligned on the page and in the PDF


@dataclass(frozen=True)
class Column:
    """A column: the row key it shows, its Russian title and the kind of its values."""

    key: str
    title: str
    kind: str = "text"
    link: str = ""  # the row key of a URL: the page shows the cell as a link to it

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Column {self.key!r}: kind must be one of {sorted(KINDS)}")

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


class Cell(NamedTuple):
    """A cell as the template shows it: its text, its column's title, right-aligned?"""

    text: str
    label: str
    num: bool
    href: str | None = None


class RowCells(list):
    """A row's cells; ``subtotal`` marks a group's «Итого» (kabinet.core.tables)."""

    def __init__(self, cells, *, subtotal: bool = False):
        super().__init__(cells)
        self.subtotal = subtotal


@dataclass(frozen=True)
class Table:
    """A table of a page: rows are dicts keyed by ``Column.key``; ``totals`` holds the
    «Итого» values by key (the first column carries the word «Итого» itself)."""

    title: str
    columns: list[Column]
    rows: list[dict]
    totals: dict | None = None
    subtitle: str = ""

    def __post_init__(self) -> None:
        if self.totals:
            keys = {c.key for c in self.columns[1:]}
            if not set(self.totals) <= keys:
                raise ValueError("totals: keys of columns other than the first only")

    def display(self, row: dict, column: Column) -> str:
        """The text the page (and the PDF) shows for one cell; None shows as nothing."""
        value = row.get(column.key)
        if value is None:
            return ""
        if column.kind == "money":
            return format_rub(int(value))
        if column.kind == "date":
            return value.strftime("%d.%m.%Y")
        if column.kind == "period":
            return format_period(value)
        if column.kind in ("quantity", "int"):
            return format_quantity(Decimal(value))
        return str(value)

    @property
    def display_rows(self) -> list[list[Cell]]:
        return [
            RowCells(self._cells(row), subtotal=bool(row.get("_subtotal"))) for row in self.rows
        ]

    @property
    def display_totals(self) -> list[Cell] | None:
        """The «Итого» row as cells, or None when the table has no totals."""
        if not self.totals:
            return None
        cells = self._cells(self.totals)
        return [cells[0]._replace(text=_("Итого"), label=""), *cells[1:]]

    def _cells(self, row: dict) -> list[Cell]:
        return [
            Cell(self.display(row, c), str(c.title), c.numeric, row.get(c.link) if c.link else None)
            for c in self.columns
        ]


def export_query(request: HttpRequest) -> str:
    """The page's query string without ``format``: export links keep the page's filters."""
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


# CSV ------------------------------------------------------------------------------------


def _plain(value: Decimal, places: bool) -> str:
    """Decimal("-1234.5") → "-1234,50" (money) or "-1234,5": what Russian Excel parses."""
    text = f"{value:.2f}" if places else format(value, "f")
    if not places and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _csv_value(table: Table, row: dict, column: Column) -> str:
    value = row.get(column.key)
    if value is None:
        return ""
    if column.kind == "money":
        return _plain(from_kopecks(int(value)), places=True)
    if column.kind in ("quantity", "int"):
        return _plain(Decimal(value), places=False)
    text = table.display(row, column)
    # A cell such as "=HYPERLINK(...)" would run as a formula in Excel (CSV injection).
    return "'" + text if column.kind == "text" and text[:1] in ("=", "+", "-", "@") else text


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM and ``;``: Excel with Russian settings opens it without a wizard."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(table, row, c) for c in table.columns])
    if table.totals:
        writer.writerow(
            [_("Итого")] + [_csv_value(table, table.totals, c) for c in table.columns[1:]]
        )
    return out.getvalue().encode("utf-8-sig")


# XLSX -----------------------------------------------------------------------------------


def _xlsx_cell(row: dict, column: Column) -> tuple[Any, str]:
    """A value Excel can sum or sort, with its number format. Formats are written in the
    file's neutral notation ("," groups, "." decimals): Russian Excel shows 1 234,56."""
    value = row.get(column.key)
    if value is None or column.kind == "text":
        return (None if value is None else str(value)), "General"
    if column.kind == "money":
        return from_kopecks(int(value)), "#,##0.00"
    if column.kind in ("quantity", "int"):
        places = max(-int(Decimal(value).normalize().as_tuple().exponent), 0)
        number = int(value) if column.kind == "int" else Decimal(value)
        return number, "#,##0" + ("." + "0" * places if places else "")  # 12,5 not 12,500
    return value, "DD.MM.YYYY" if column.kind == "date" else "[$-419]MMMM YYYY"


def to_xlsx(table: Table) -> bytes:
    """A sheet with real numbers and dates: title row, bold frozen header, bold totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", str(table.title))[:31].strip() or "Table"
    sheet.append([str(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    if table.subtitle:
        sheet.append([str(table.subtitle)])
    sheet.append([])
    sheet.append([str(c.title) for c in table.columns])
    header = sheet.max_row
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    lines = [(row, False) for row in table.rows]
    if table.totals:
        lines.append((table.totals, True))
    for number, (row, is_total) in enumerate(lines, start=header + 1):
        for index, column in enumerate(table.columns, start=1):
            value, number_format = _xlsx_cell(row, column)
            if is_total and index == 1:
                value, number_format = _("Итого"), "General"
            cell = sheet.cell(row=number, column=index, value=value)
            cell.number_format = number_format
            if cell.data_type == "f":
                cell.data_type = "s"  # text that starts with "=" stays text, not a formula
    for cell in [*sheet[header], *(sheet[sheet.max_row] if table.totals else [])]:
        cell.font = Font(bold=True)
    shown = [*table.display_rows, *([table.display_totals] if table.totals else [])]
    for index, column in enumerate(table.columns, start=1):
        width = max(len(t) for t in [str(column.title), *(r[index - 1].text for r in shown)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    if table.rows:
        sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(table.columns))}{header}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# PDF ------------------------------------------------------------------------------------


def to_pdf(table: Table) -> bytes:
    """The table printed by Typst (core/typst/table.typ) with the page's own cell text."""
    from kabinet.core.pdf import render_pdf
    from kabinet.core.utility import get_utility

    totals = table.display_totals
    today = timezone.localdate().strftime("%d.%m.%Y")
    return render_pdf(
        "core/table",
        {
            "title": str(table.title),
            "subtitle": str(table.subtitle),
            "issuer": get_utility().short_name,
            "generated": _("Сформировано %(date)s") % {"date": today},
            "header": [str(c.title) for c in table.columns],
            "align": ["right" if c.numeric else "left" for c in table.columns],
            "rows": [[cell.text for cell in row] for row in table.display_rows],
            "totals": [cell.text for cell in totals] if totals else None,
            "empty": _("Нет данных за выбранный период."),
        },
    )


# HTTP -----------------------------------------------------------------------------------

FORMATS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (to_pdf, "application/pdf"),
}
_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
    "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
], strict=True))  # fmt: skip


def _ascii_name(name: str) -> str:
    """A transliterated fallback for clients that ignore ``filename*``."""
    latin = "".join(
        _LATIN.get(ch.lower(), ch).capitalize() if ch.isupper() else _LATIN.get(ch, ch)
        for ch in name
    )
    return re.sub(r"[^A-Za-z0-9.-]+", "_", latin).strip("_") or "export"


def export_response(table: Table, fmt: str, filename_stem: str) -> HttpResponse:
    """The table as a download in ``fmt`` ("csv", "xlsx", "pdf"); 404 for anything else."""
    if fmt not in FORMATS:
        raise Http404(f"Unknown export format {fmt!r}")
    render, content_type = FORMATS[fmt]
    stem = re.sub(r'[\x00-\x1f"\\/:*?<>|]+', "_", filename_stem).strip(" ._") or "export"
    response = HttpResponse(render(table), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{_ascii_name(stem)}.{fmt}"; '
        f"filename*=UTF-8''{quote(f'{stem}.{fmt}', safe='')}"
    )
    return response
