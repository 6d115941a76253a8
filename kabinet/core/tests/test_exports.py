"""Выгрузки таблиц: the page, its CSV, XLSX and PDF come from one Table and show the same
rows and totals (issue 4)."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from kabinet.core.exports import (
    Column,
    Table,
    export_query,
    export_response,
    to_csv,
    to_pdf,
    to_xlsx,
)

COLUMNS = [
    Column("period", "Период", "period"),
    Column("service", "Услуга"),
    Column("day", "Дата начисления", "date"),
    Column("volume", "Объём", "quantity"),
    Column("count", "Дней", "int"),
    Column("amount", "Сумма", "money"),
]
ROWS = [
    {
        "period": date(2026, 10, 1),
        "service": "Отопление (ёмкость «Щ»)",
        "day": date(2026, 10, 31),
        "volume": Decimal("12345.5000"),
        "count": 31,
        "amount": 123_456_789_01,  # 123 456 789,01 ₽
    },
    {
        "period": date(2026, 11, 1),
        "service": "Перерасчёт за горячую воду",
        "day": date(2026, 11, 30),
        "volume": Decimal("-0.125"),
        "count": 0,
        "amount": -4_250_50,
    },
    {
        "period": date(2026, 12, 1),
        "service": "Пени",
        "day": None,
        "volume": Decimal("0"),
        "count": 1,
        "amount": 0,
    },
]
TOTALS = {"volume": Decimal("12345.375"), "amount": 123_452_538_51}


@pytest.fixture(autouse=True)
def russian():
    """The pages are Russian first; another test may have left English switched on."""
    with translation.override("ru"):
        yield


@pytest.fixture
def table():
    return Table(
        "Начисления по лицевому счёту 000123456",
        COLUMNS,
        ROWS,
        TOTALS,
        subtitle="г. Санкт-Петербург, ул. Щукина, д. 1, кв. 5",
    )


def page_rows(table: Table) -> list[list[str]]:
    rows = [[cell.text for cell in row] for row in table.display_rows]
    return rows + [[cell.text for cell in table.display_totals]]


def plain(text: str) -> str:
    """The documented CSV convention for numbers: no ₽, no group spaces, ASCII minus."""
    return text.replace("\u00a0₽", "").replace("\u00a0", "").replace("−", "-")


def test_display_is_the_russian_way(table):
    first, second, third = page_rows(table)[:3]
    assert first == [
        "Октябрь 2026",
        "Отопление (ёмкость «Щ»)",
        "31.10.2026",
        "12\u00a0345,5",
        "31",
        "123\u00a0456\u00a0789,01\u00a0₽",
    ]
    assert second[3:] == ["−0,125", "0", "−4\u00a0250,50\u00a0₽"]
    assert third[2:] == ["", "0", "1", "0,00\u00a0₽"]
    assert page_rows(table)[-1] == [
        "Итого",
        "",
        "",
        "12\u00a0345,375",
        "",
        "123\u00a0452\u00a0538,51\u00a0₽",
    ]


def test_csv_has_the_page_rows_with_plain_numbers(table):
    data = to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert read[0] == [c.title for c in COLUMNS]
    numeric = [c.numeric for c in COLUMNS]
    expected = [
        [plain(t) if n else t for t, n in zip(row, numeric, strict=True)]
        for row in page_rows(table)
    ]
    assert read[1:] == expected
    assert read[1][5] == "123456789,01" and read[2][5] == "-4250,50"
    assert read[-1][0] == "Итого"


def test_in_english_the_totals_row_and_months_are_english(table):
    with translation.override("en"):
        read = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert read[1][0] == "October 2026" and read[-1][0] == "Total"


def test_csv_text_that_excel_would_run_as_a_formula_is_quoted():
    table = Table("Т", [Column("t", "Текст")], [{"t": '=HYPERLINK("http://x")'}, {"t": "Щ"}])
    read = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert read[1:] == [['\'=HYPERLINK("http://x")'], ["Щ"]]


def test_xlsx_has_numbers_dates_and_totals(table):
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == table.title
    assert values[1][0] == table.subtitle
    header = values.index([c.title for c in COLUMNS]) + 1
    assert sheet.freeze_panes == f"A{header + 1}"
    assert all(cell.font.b for cell in sheet[header])
    first, second, third, totals = values[header:]
    assert first[0] == datetime(2026, 10, 1) and first[2] == datetime(2026, 10, 31)
    assert first[1] == "Отопление (ёмкость «Щ»)"
    assert first[3] == pytest.approx(12345.5) and isinstance(first[3], float)
    assert first[4] == 31 and isinstance(first[4], int)
    assert first[5] == pytest.approx(123456789.01)
    assert second[3] == pytest.approx(-0.125) and second[5] == pytest.approx(-4250.50)
    assert third[2] is None and third[5] == 0
    assert totals[0] == "Итого" and totals[5] == pytest.approx(123452538.51)
    assert totals[3] == pytest.approx(12345.375)
    assert all(cell.font.b for cell in sheet[header + 4])
    row = sheet[header + 1]
    assert row[5].number_format == "#,##0.00" and row[2].number_format == "DD.MM.YYYY"
    assert row[3].number_format == "#,##0.0"  # as many decimals as the value has
    assert sheet.column_dimensions["F"].width >= len("123 456 789,01 ₽")


def test_xlsx_text_is_never_a_formula():
    table = Table("Т", [Column("t", "Текст")], [{"t": "=1+1"}])
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1"]
    assert cells and cells[0].data_type == "s"


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def test_pdf_has_every_display_string_and_the_totals(table):
    pdf = to_pdf(table)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in [table.title, table.subtitle, "ГУП «ТЭК СПб»", "Сформировано"]:
        assert expected in text
    for row in page_rows(table):
        for cell in row:
            assert re.sub(r"\s+", " ", cell) in text, cell
    assert re.search(r"Итого 12 345,375 123 452 538,51 ₽", text)


def test_pdf_is_landscape_for_more_than_five_columns_and_repeats_the_header():
    many = [Column(f"c{i}", f"Колонка {i}") for i in range(6)]
    rows = [{f"c{i}": f"строка {n}" for i in range(6)} for n in range(120)]
    pages = PdfReader(io.BytesIO(to_pdf(Table("Широкая", many, rows)))).pages
    assert len(pages) > 1
    assert all(page.mediabox.width > page.mediabox.height for page in pages)
    assert all("Колонка 5" in page.extract_text() for page in pages)
    narrow = PdfReader(io.BytesIO(to_pdf(Table("Узкая", many[:5], rows[:3])))).pages
    assert narrow[0].mediabox.width < narrow[0].mediabox.height


def test_page_template_shows_the_same_cells_and_the_export_links(table):
    html = render_to_string("_table.html", {"table": table, "export_query": "meter=7&from=2026-10"})
    for column in COLUMNS:
        css = ' class="num"' if column.numeric else ""
        assert f'<th scope="col"{css}>{column.title}</th>' in html
    for row in page_rows(table):
        for cell in row:
            assert f">{cell}<" in html or f"<strong>{cell}</strong>" in html, cell
    assert '<td data-label="Сумма" class="num">123\u00a0456\u00a0789,01\u00a0₽</td>' in html
    assert "<tfoot>" in html and "<strong>Итого</strong>" in html
    for fmt in ("pdf", "csv", "xlsx"):
        assert f'href="?meter=7&amp;from=2026-10&amp;format={fmt}"' in html


def test_page_template_without_rows_says_so():
    html = render_to_string("_table.html", {"table": Table("Пусто", COLUMNS, [])})
    assert "Нет данных за выбранный период." in html
    assert "<table" not in html


def test_export_query_drops_only_format():
    request = RequestFactory().get("/", {"meter": "7", "format": "pdf", "q": "Щукина"})
    assert export_query(request) == "meter=7&q=%D0%A9%D1%83%D0%BA%D0%B8%D0%BD%D0%B0"


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_export_response_is_a_download(table, fmt, content_type, magic):
    response = export_response(table, fmt, "Начисления 000123456 октябрь")
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="Nachisleniya_000123456_oktyabr.{fmt}"' in disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == f"Начисления 000123456 октябрь.{fmt}"
    assert disposition.isascii()


def test_export_response_filename_cannot_break_the_header(table):
    response = export_response(table, "csv", 'a"b\r\nSet-Cookie: x')
    assert "\n" not in response["Content-Disposition"]
    assert 'filename="a_b_Set-Cookie_x.csv"' in response["Content-Disposition"]


def test_unknown_format_is_404(table):
    with pytest.raises(Http404):
        export_response(table, "rtf", "x")


def test_columns_and_totals_are_checked():
    with pytest.raises(ValueError):
        Column("x", "Икс", "float")
    with pytest.raises(ValueError):
        Table("Т", COLUMNS, [], totals={"period": date(2026, 1, 1)})
    with pytest.raises(ValueError):
        Table("Т", COLUMNS, [], totals={"nope": 1})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=20))
def test_csv_money_reads_back_to_the_same_kopecks(amounts):
    table = Table("Суммы", [Column("n", "№", "int"), Column("sum", "Сумма", "money")],
                  [{"n": i, "sum": k} for i, k in enumerate(amounts)])  # fmt: skip
    read = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert [Decimal(row[1].replace(",", ".")) * 100 for row in read[1:]] == amounts
