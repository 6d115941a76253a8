"""Тарифы: prices of services from a date, keyed by service, zone and start date
(``kabinet.billing.services.tariff_upsert``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.billing.models import ZONE_CHOICES, Tariff
from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import day, kopecks, number, text, word

KIND = "tariffs"
LABEL = gettext_lazy("тарифы")

COLUMNS = [
    Column("service", "услуга", True, "как в квитанции: «Отопление»"),
    Column("unit", "единица", True, "Гкал, м³, кВт·ч"),
    Column("price", "цена", True, "рубли за единицу: 3120,45"),
    Column("valid_from", "действует с", True, "ДД.ММ.ГГГГ"),
    Column("zone", "зона", False, "пусто (без зон), total, day, night, peak, half_peak"),
    Column("valid_to", "действует по", False, "ДД.ММ.ГГГГ; пусто — до следующего тарифа"),
    Column("norm", "норматив", False, "норматив в месяц, до 6 знаков после запятой"),
    Column("norm_basis", "норматив считается", False, "m2 (на 1 м²) или person"),
    Column("months", "месяцы начисления", False, "номера месяцев через запятую: 1,2,3,10,11,12"),
    Column("basis", "основание", False, "приказ, постановление"),
]


def parse(values: dict) -> dict:
    zones = {code: label for code, label in ZONE_CHOICES if code}
    raw_zone, raw_to = text(values, "zone"), text(values, "valid_to")
    raw_norm, raw_basis = text(values, "norm"), text(values, "norm_basis")
    return {
        "service": text(values, "service"),
        "unit": text(values, "unit"),
        "price_kopecks": kopecks(text(values, "price"), _("Цена")),
        "valid_from": day(text(values, "valid_from"), _("Действует с")),
        "zone": word(raw_zone, zones, _("Зона")) if raw_zone else "",
        "valid_to": day(raw_to, _("Действует по")) if raw_to else None,
        "norm": number(raw_norm, _("Норматив"), places=6) if raw_norm else None,
        "norm_basis": (
            word(raw_basis, dict(Tariff.NormBasis.choices), _("Норматив считается"))
            if raw_basis
            else ""
        ),
        "months": text(values, "months"),
        "basis_document": text(values, "basis"),
    }


def apply(rows):
    from kabinet.billing.services import tariff_upsert

    return apply_each(rows, lambda v: tariff_upsert(**v)[1])
