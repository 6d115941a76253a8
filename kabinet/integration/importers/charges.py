"""Начисления: the billing system's charges, keyed by account, period, service, kind
and zone (``kabinet.billing.services.charge_upsert``). The portal's own accrual is
not touched."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.billing.models import ZONE_CHOICES, Charge
from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import kopecks, month, number, text, word

KIND = "charges"
LABEL = gettext_lazy("начисления")

COLUMNS = [
    Column("account", "лицевой счёт", True, "номер лицевого счёта"),
    Column("period", "период", True, "месяц: 03.2026 или 2026-03"),
    Column("service", "услуга", True, "как в квитанции: «Отопление»"),
    Column("amount", "сумма", True, "рубли с копейками: 1234,56; перерасчёт может быть < 0"),
    Column("kind", "вид", False, "charge (по умолчанию), recalc, penalty, fee"),
    Column("zone", "зона", False, "пусто, total, day, night, peak, half_peak"),
    Column("volume", "объём", False, "число, до 4 знаков после запятой"),
    Column("unit", "единица", False, "Гкал, м³, кВт·ч"),
    Column("tariff", "тариф", False, "рубли за единицу: 3120,45"),
    Column("reason", "основание", False, "основание перерасчёта"),
]


def parse(values: dict) -> dict:
    raw_kind = text(values, "kind")
    kinds = dict(Charge.Kind.choices)
    zones = {code: label for code, label in ZONE_CHOICES if code}
    raw_zone = text(values, "zone")
    raw_volume = text(values, "volume")
    raw_tariff = text(values, "tariff")
    return {
        "account_number": text(values, "account"),
        "period": month(text(values, "period"), _("Период")),
        "service": text(values, "service"),
        "amount_kopecks": kopecks(text(values, "amount"), _("Сумма"), negative=True),
        "kind": word(raw_kind, kinds, _("Вид")) if raw_kind else Charge.Kind.CHARGE,
        "zone": word(raw_zone, zones, _("Зона")) if raw_zone else "",
        "volume": number(raw_volume, _("Объём"), places=4, negative=True) if raw_volume else None,
        "unit": text(values, "unit"),
        "tariff_kopecks": kopecks(raw_tariff, _("Тариф")) if raw_tariff else None,
        "reason": text(values, "reason"),
    }


def apply(rows):
    from kabinet.billing.services import charge_upsert

    return apply_each(rows, lambda v: charge_upsert(**v)[1])
