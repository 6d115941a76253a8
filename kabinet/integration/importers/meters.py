"""Приборы учёта: a meter keyed by its account and number; a new one is registered,
a known one changed with its history (``kabinet.metering.services.meters.meter_upsert``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import day, integer, number, text, word
from kabinet.metering.models import Meter
from kabinet.metering.services.meters import meter_upsert

KIND = "meters"
LABEL = gettext_lazy("приборы учёта")

COLUMNS = [
    Column("account", "лицевой счёт", True, "номер лицевого счёта"),
    Column("meter", "заводской номер", True, "номер счётчика", ("счётчик",)),
    Column("model", "тип счётчика", False, "например «Меркурий 201.8»"),
    Column("service", "услуга", False, ""),
    Column("unit", "единица", False, "кВт·ч (по умолчанию), м³, Гкал"),
    Column("zones", "тарифные зоны", False, "single (сутки), two (день/ночь), three"),
    Column("digits", "разрядность", False, "знаков до запятой, 1–12"),
    Column("decimals", "знаков после запятой", False, "0–4"),
    Column("coefficient", "коэффициент", False, "расчётный коэффициент, > 0"),
    Column("installed_on", "дата установки", False, "ДД.ММ.ГГГГ"),
    Column("verified_until", "дата поверки", False, "дата следующей поверки, ДД.ММ.ГГГГ"),
]


def parse(values: dict) -> dict:
    result = {
        "account_number": text(values, "account"),
        "number": text(values, "meter"),
        "model_name": text(values, "model") or None,
        "service": text(values, "service") or None,
        "unit": text(values, "unit") or None,
    }
    raw = text(values, "zones")
    zones = {code: label for code, label in Meter.Zones.choices}
    result["zones"] = word(raw, zones, _("Тарифные зоны")) if raw else None
    for col, label in (("digits", _("Разрядность")), ("decimals", _("Знаков после запятой"))):
        raw = text(values, col)
        result[col] = integer(raw, str(label)) if raw else None
    raw = text(values, "coefficient")
    result["coefficient"] = number(raw, _("Коэффициент"), places=4) if raw else None
    dates = (("installed_on", _("Дата установки")), ("verified_until", _("Дата поверки")))
    for col, label in dates:
        raw = text(values, col)
        result[col] = day(raw, str(label)) if raw else None
    return result


def apply(rows):
    return apply_each(rows, lambda v: meter_upsert(**v)[1])
