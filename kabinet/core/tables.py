"""Search, sort and group any page table (001: «фильтровать, осуществлять поиск,
сгруппировать по колонке»), on the ``exports.Table`` itself, so that the page and
its PDF, CSV and XLSX show the same arranged rows with the same subtotals.

The rows are a customer's own (a few hundred at most), so this is done in Python,
which also folds Cyrillic case the same way on SQLite and PostgreSQL.
"""

from dataclasses import replace
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.exports import Table

SUBTOTAL = "_subtotal"  # a row key: this row is a group's «Итого», shown in bold


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold().replace("ё", "е")


def _sort_key(value):
    # None last; numbers, dates and text each compare among themselves.
    if value is None or value == "":
        return (2, "")
    if isinstance(value, int | float | date):
        return (0, value)
    return (1, _fold(str(value)))


def arrange(table: Table, *, q: str = "", sort: str = "", group: str = "") -> Table:
    """The table with only the rows matching ``q`` (in any cell's text), sorted by a
    column key (``-key`` descending) and grouped by a column with a subtotal after each
    group. Unknown keys are ignored; the totals are recomputed over what is left."""
    keys = {c.key: c for c in table.columns}
    rows = list(table.rows)
    if q.strip():
        wanted = _fold(q)
        rows = [r for r in rows if any(wanted in _fold(table.display(r, c)) for c in table.columns)]
    descending = sort.startswith("-")
    sort_key = sort.lstrip("-")
    if sort_key in keys:
        rows.sort(key=lambda r: _sort_key(r.get(sort_key)), reverse=descending)
    # A total that is the sum of its column is recomputed over the rows left; one that is
    # not (a running balance's closing value) stays as it was, and groups do not show it.
    summed = [
        k
        for k, v in (table.totals or {}).items()
        if k in keys and v == sum(r.get(k) or 0 for r in table.rows)
    ]
    totals = None
    if table.totals:
        totals = {**table.totals, **{k: sum(r.get(k) or 0 for r in rows) for k in summed}}
        if q.strip():
            totals = {k: v for k, v in totals.items() if k in summed}
    if group in keys:
        rows = _grouped(table, rows, group, summed)
    return replace(table, rows=rows, totals=totals)


def _grouped(table: Table, rows: list[dict], group: str, summed: list[str]) -> list[dict]:
    column = next(c for c in table.columns if c.key == group)
    order: list[str] = []
    groups: dict[str, list[dict]] = {}
    for r in rows:  # stable: groups in the order of their first row
        label = table.display(r, column)
        if label not in groups:
            order.append(label)
            groups[label] = []
        groups[label].append(r)
    first = table.columns[0].key
    out = []
    for label in order:
        members = groups[label]
        out.extend(members)
        subtotal = {k: sum(m.get(k) or 0 for m in members) for k in summed if k != first}
        subtotal[first] = _("Итого: %(group)s") % {"group": label or "—"}
        subtotal[SUBTOTAL] = True
        out.append(subtotal)
    return out


class TableControlsForm(forms.Form):
    """Поиск, сортировка и группировка (a GET form beside a table)."""

    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Поиск"))
    sort = forms.ChoiceField(required=False, label=gettext_lazy("Сортировать по"))
    group = forms.ChoiceField(required=False, label=gettext_lazy("Группировать по"))

    def __init__(self, *args, table: Table, **kwargs):
        super().__init__(*args, **kwargs)
        sort_choices = [("", _("как есть"))]
        for c in table.columns:
            sort_choices += [(c.key, f"{c.title} ↑"), (f"-{c.key}", f"{c.title} ↓")]
        self.fields["sort"].choices = sort_choices
        self.fields["group"].choices = [("", _("без группировки"))] + [
            (c.key, c.title) for c in table.columns if not c.numeric
        ]

    def apply(self, table: Table) -> Table:
        if not self.is_bound or not self.is_valid():
            return table
        d = self.cleaned_data
        return arrange(table, q=d["q"], sort=d["sort"], group=d["group"])
