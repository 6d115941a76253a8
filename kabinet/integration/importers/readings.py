"""Принятые показания: readings the billing system accepted, loaded as accepted
readings through ``kabinet.metering.services.readings_load_accepted`` — in bulk, a
handful of queries per chunk."""

from collections import Counter
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.errors import DomainError
from kabinet.integration.importers import Column
from kabinet.integration.importers.fields import moment
from kabinet.metering.services import readings_load_accepted

KIND = "readings"
LABEL = gettext_lazy("принятые показания")
CHUNK_SIZE = 5000
TAKEN_AT_UNREAD = gettext_lazy("Дата показания «%(d)s» не распознана.")

COLUMNS = [
    Column("account", "лицевой счёт", True, "номер лицевого счёта"),
    Column("meter", "заводской номер", True, "номер счётчика на этом счёте", ("счётчик",)),
    Column("period", "период", True, "месяц: 2026-03, 03.2026 или дата"),
    Column("value", "показание", True, "число, 1234,5; не отрицательное, ≤ 4 знаков"),
    Column("zone", "зона", False, "total (по умолчанию), day, night, peak, half_peak"),
    Column("source", "источник", False, "billing (по умолчанию), customer, iku, grid, …"),
    Column("taken_at", "дата показания", False, "20.03.2026 [10:15] или 2026-03-20"),
]


def parse(data: dict) -> dict:
    values = {k: data[k] for k in ("account", "meter", "period")}
    raw = data["value"].replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        values["value"] = Decimal(raw)
    except (ArithmeticError, InvalidOperation) as exc:
        raise DomainError(_("Показание «%(v)s» не число.") % {"v": data["value"]}) from exc
    if not values["value"].is_finite():
        raise DomainError(_("Показание «%(v)s» не число.") % {"v": data["value"]})
    for optional in ("zone", "source"):
        if data.get(optional):
            values[optional] = data[optional]
    if data.get("taken_at"):
        values["taken_at"] = moment(data["taken_at"], TAKEN_AT_UNREAD)
    return values


def apply(rows) -> tuple[Counter, list]:
    report = readings_load_accepted(rows=[row.values for row in rows])
    rejected = [(rows[number - 1], why) for number, why in report.rejected]
    counts = Counter(created=report.created, updated=report.updated, unchanged=report.unchanged)
    return counts, rejected
