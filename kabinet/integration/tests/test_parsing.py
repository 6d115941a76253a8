"""Reading CSV and XLSX files of the billing system into rows with line numbers."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from kabinet.core.errors import DomainError
from kabinet.integration.parsing import parse_rows


def _csv(text: str, *, bom=False) -> bytes:
    return (("\ufeff" if bom else "") + text).encode("utf-8")


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_rows_with_line_numbers(sep, bom):
    text = sep.join(["account", "meter", "zone", "period", "value", "taken_at"]) + "\n"
    text += sep.join(["200000001", "M1", "", "2026-03", "1234.5", "20.03.2026 10:15"]) + "\n"
    text += "\n"
    text += sep.join(["200000001", "M1", "", "03.2026", "abc", ""]) + "\n"
    rows = list(parse_rows(kind="readings", fmt="csv", content=_csv(text, bom=bom)))
    assert [r.line for r in rows] == [2, 4]
    good, bad = rows
    assert not good.error and good.values["value"] == Decimal("1234.5")
    assert "zone" not in good.values
    assert good.values["taken_at"].date() == date(2026, 3, 20)
    assert "не число" in bad.error and bad.data["value"] == "abc"


def test_csv_decimal_comma_with_semicolons():
    text = "account;meter;period;value\n1;M;2026-03;1 234,5\n"
    (row,) = parse_rows(kind="readings", fmt="csv", content=_csv(text))
    assert row.values["value"] == Decimal("1234.5")


def test_missing_required_column_refuses_the_file():
    text = "account;meter;period\n1;M;2026-03\n"
    with pytest.raises(DomainError, match="нет обязательных столбцов: value"):
        list(parse_rows(kind="readings", fmt="csv", content=_csv(text)))


def test_empty_required_value_and_bad_date_are_row_rejections():
    text = "account;meter;period;value;taken_at\n1;;2026-03;5;\n1;M;2026-03;5;31.02.2026\n"
    first, second = parse_rows(kind="readings", fmt="csv", content=_csv(text))
    assert first.line == 2 and "Не заполнено: meter" in first.error
    assert second.line == 3 and "не распознана" in second.error


def test_not_utf8_is_refused():
    with pytest.raises(DomainError, match="UTF-8"):
        list(parse_rows(kind="readings", fmt="csv", content="счёт;".encode("cp1251")))


def test_xlsx_rows():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Account", "Meter", "Zone", "Period", "Value"])
    sheet.append([200000001, "M1", "day", date(2026, 3, 1), 1234.5])
    sheet.append([200000001, "M1", None, "2026-03", None])
    buffer = io.BytesIO()
    book.save(buffer)
    good, bad = parse_rows(kind="readings", fmt="xlsx", content=buffer.getvalue())
    assert good.line == 2 and good.values["account"] == "200000001"
    assert good.values["zone"] == "day" and good.values["value"] == Decimal("1234.5")
    assert good.values["period"] == "2026-03-01"
    assert bad.line == 3 and "value" in bad.error


def test_not_an_xlsx_is_refused():
    with pytest.raises(DomainError, match="XLSX"):
        list(parse_rows(kind="readings", fmt="xlsx", content=b"not a zip"))


def test_the_documented_example_is_read_without_rejections():
    from pathlib import Path

    from django.conf import settings

    content = (Path(settings.BASE_DIR) / "docs" / "integration" / "readings.csv").read_bytes()
    rows = list(parse_rows(kind="readings", fmt="csv", content=content))
    assert len(rows) == 4 and not [r.error for r in rows if r.error]
    assert rows[0].values["value"] == Decimal("1234.5")
