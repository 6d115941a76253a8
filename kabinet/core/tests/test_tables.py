"""Search, sort and group a table: the same arranged rows for the page and its files."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kabinet.core.exports import Column, Table, to_csv
from kabinet.core.tables import SUBTOTAL, TableControlsForm, arrange

COLUMNS = [
    Column("service", "Услуга"),
    Column("day", "Дата", "date"),
    Column("amount", "Сумма", "money"),
    Column("balance", "Долг", "money"),
]
ROWS = [
    {"service": "Отопление", "day": date(2026, 1, 31), "amount": 100, "balance": 100},
    {"service": "ГВС", "day": date(2026, 2, 28), "amount": 50, "balance": 150},
    {"service": "Отопление", "day": None, "amount": 25, "balance": 175},
]
TABLE = Table("Т", COLUMNS, ROWS, totals={"amount": 175, "balance": 175})


def test_search_folds_cyrillic_case_and_recomputes_sums_only():
    t = arrange(TABLE, q="отопл")
    assert [r["amount"] for r in t.rows] == [100, 25]
    assert t.totals == {"amount": 125}  # the closing balance cannot be summed: dropped


def test_sort_both_ways_with_empty_values_last():
    assert [r["amount"] for r in arrange(TABLE, sort="day").rows] == [100, 50, 25]
    assert [r["amount"] for r in arrange(TABLE, sort="-amount").rows] == [100, 50, 25]
    assert [r["service"] for r in arrange(TABLE, sort="service").rows][0] == "ГВС"


def test_group_adds_subtotals_and_keeps_the_balance_total():
    t = arrange(TABLE, group="service")
    subtotals = [r for r in t.rows if r.get(SUBTOTAL)]
    assert [(r["service"], r["amount"]) for r in subtotals] == [
        ("Итого: Отопление", 125),
        ("Итого: ГВС", 50),
    ]
    assert all("balance" not in r for r in subtotals)
    assert t.totals == {"amount": 175, "balance": 175}
    assert "Итого: ГВС;;0,50" in to_csv(t).decode("utf-8-sig")
    assert [row.subtotal for row in t.display_rows].count(True) == 2


def test_unknown_keys_change_nothing():
    assert arrange(TABLE, sort="nope", group="nope").rows == ROWS


def test_form_offers_every_column_and_ignores_bad_input():
    form = TableControlsForm({"sort": "-amount", "group": "service", "q": ""}, table=TABLE)
    assert [r["amount"] for r in form.apply(TABLE).rows if not r.get(SUBTOTAL)] == [100, 25, 50]
    assert "amount" not in dict(form.fields["group"].choices)  # money is not grouped by
    bad = TableControlsForm({"sort": "drop table"}, table=TABLE)
    assert bad.apply(TABLE) is TABLE


@given(st.lists(st.integers(-(10**9), 10**9), max_size=30), st.text(max_size=3))
def test_filtered_totals_are_the_sum_of_the_rows_shown(amounts, q):
    rows = [{"service": f"у{i}", "amount": a} for i, a in enumerate(amounts)]
    table = Table("Т", COLUMNS[:1] + [COLUMNS[2]], rows, totals={"amount": sum(amounts)})
    t = arrange(table, q=q)
    assert t.totals["amount"] == sum(r["amount"] for r in t.rows)
