"""Отключения: outages of hot water and heating by house, keyed by the billing (or
dispatch) system's code; a known code with other dates changes the outage, keeps the
history and tells the house's customers (``kabinet.outages.services.outages_load``)."""

from collections import Counter

from django.utils.translation import gettext_lazy

from kabinet.integration.importers import Column
from kabinet.integration.importers.houses import ADDRESS

KIND = "outages"
LABEL = gettext_lazy("отключения")

COLUMNS = [
    Column("id", "код отключения", True, "код в биллинге или диспетчерской, до 64 знаков"),
    *ADDRESS,
    Column("kind", "вид", True, "плановое или аварийное (planned, emergency)"),
    Column("service", "услуга", True, "ГВС или отопление (hot_water, heating)"),
    Column("start", "дата начала", True, "ДД.ММ.ГГГГ"),
    Column("end", "дата окончания", True, "ДД.ММ.ГГГГ, не раньше начала"),
    Column("reason", "причина", True, "до 500 символов"),
]


def parse(values: dict) -> dict:
    # outages_load reads and checks every field itself.
    return {column.name: values.get(column.name, "") for column in COLUMNS}


def apply(rows):
    from kabinet.outages.services import outages_load

    report = outages_load(rows=[row.values for row in rows])
    rejected = [(rows[number - 1], why) for number, why in report.rejected]
    counts = Counter(created=report.created, updated=report.changed, unchanged=report.unchanged)
    return counts, rejected
