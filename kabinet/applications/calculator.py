"""Калькулятор стоимости технологического присоединения (002 §4.6.3) и подключения к
системе теплоснабжения (000 §4, «Определить стоимость услуги по подключению с помощью
„Калькулятора“»): an estimate from the rate table in force today (``RateTable``/``Rate``,
as the tariff authority set them), shown on the public page ``/connection/calculator/``.

The formula (a decision; the rules leave the details to the tariff authority's order):

* по стандартизированным тарифным ставкам = С1 + С2–С7 × L × n + С8, where
  С1 is the rate for the connection itself (организационные мероприятия), С2–С7 the
  rate per km of line, С8 the rate per metering point; L is the distance to the
  network *beyond* ``RateTable.free_distance_m`` (002: «до 150 м расстояние не имеет
  значения»), in km — nothing when the object is closer; n is the number of lines: 2 for
  reliability categories I and II (two independent sources of supply), 1 for III and
  for heat;
* по ставке за единицу мощности = P × ставка за кВт (за Гкал/ч for heat), P being the
  power (heat load) asked for.

The row is the one of the table's rows for the chosen voltage (blank for heat) whose band
holds the power: power_from < P ≤ power_to, a band from 0 holding 0 too. Amounts are
integer kopecks; each product is a ``Decimal`` rounded half up to the kopeck.

The table in force is the one with the latest ``valid_from`` among those in force on the
day that have rows for the kind (rows with a voltage for electricity, rows without one
for heat), so one database can hold both kinds' tables.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.applications.models import Rate, RateTable
from kabinet.core.errors import DomainError

ELECTRIC = "tc_electric"
HEAT = "tc_heat"
KM = Decimal("1000")
# Reliability categories (категория надёжности электроснабжения) fed by two lines.
TWO_SOURCES = frozenset({1, 2})


def calculator_kind() -> str | None:
    """Which connection the public calculator estimates: the utility's own kind when
    it takes in such applications, else the other connection kind it takes in, else
    none (the calculator is not offered)."""
    from kabinet.applications.kinds import enabled_kinds
    from kabinet.core.utility import get_utility

    enabled = {k.code for k in enabled_kinds()}
    preferred = (HEAT, ELECTRIC) if get_utility().kind == "heat" else (ELECTRIC, HEAT)
    return next((code for code in preferred if code in enabled), None)


def table_in_force(*, heat: bool, day: date | None = None) -> RateTable | None:
    """The rate table in force on ``day`` (today by default) with rows for the kind."""
    day = day or timezone.localdate()
    rows = Q(rates__voltage="") if heat else ~Q(rates__voltage="")
    return (
        RateTable.objects.in_force(day)
        .filter(rows)
        .distinct()
        .order_by("-valid_from", "-id")
        .first()
    )


def voltages(table: RateTable | None) -> list[str]:
    """The voltages of a table's rows (as stored: "0.23", "0.4", "6"…), lowest first."""
    if table is None:
        return []
    found = {v for v in table.rates.exclude(voltage="").values_list("voltage", flat=True)}

    def value(text: str) -> Decimal:
        try:
            return Decimal(text.replace(",", "."))
        except ArithmeticError:
            return Decimal("Infinity")

    return sorted(found, key=lambda v: (value(v), v))


def _kopecks(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Estimate:
    """A calculated estimate, with its parts to show where the sum comes from."""

    table: RateTable
    rate: Rate
    power: Decimal
    distance_m: Decimal
    line_km: Decimal  # the distance that counts, km
    lines: int
    c1_kopecks: int
    line_kopecks: int
    c8_kopecks: int
    standardized_kopecks: int  # по стандартизированным тарифным ставкам
    per_unit_kopecks: int  # по ставке за кВт (Гкал/ч)


def no_rate_message(*, heat: bool) -> str:
    if heat:
        return _(
            "Для такой нагрузки ставки не утверждены — рассчитаем стоимость при "
            "рассмотрении заявки."
        )
    return _(
        "Для такой мощности ставки не утверждены — рассчитаем стоимость при рассмотрении заявки."
    )


def cost_estimate(
    *,
    power: Decimal,
    distance_m: Decimal,
    voltage: str = "",
    reliability: int = 3,
    heat: bool = False,
    day: date | None = None,
) -> Estimate:
    """Ориентировочная стоимость присоединения (подключения) by the formula above.

    Raises ``DomainError`` (for the ``power`` field) when no table is in force or no
    row holds this voltage and power."""
    power = Decimal(power)
    distance_m = Decimal(distance_m)
    if power <= 0:
        raise DomainError(_("Укажите мощность больше нуля."), field="power")
    if distance_m < 0:
        raise DomainError(_("Расстояние не может быть отрицательным."), field="distance")
    table = table_in_force(heat=heat, day=day)
    rate = None
    if table is not None:
        band = (Q(power_from__lt=power) | Q(power_from=0)) & Q(power_to__gte=power)
        rate = (
            table.rates.filter(band, voltage="" if heat else voltage)
            .order_by("power_from", "id")
            .first()
        )
    if table is None or rate is None:
        raise DomainError(no_rate_message(heat=heat), field="power")
    lines = 2 if not heat and reliability in TWO_SOURCES else 1
    line_km = max(Decimal("0"), distance_m - table.free_distance_m) / KM
    line = _kopecks(line_km * rate.per_km_kopecks * lines)
    standardized = rate.c1_kopecks + line + rate.c8_kopecks
    return Estimate(
        table=table,
        rate=rate,
        power=power,
        distance_m=distance_m,
        line_km=line_km,
        lines=lines,
        c1_kopecks=rate.c1_kopecks,
        line_kopecks=line,
        c8_kopecks=rate.c8_kopecks,
        standardized_kopecks=standardized,
        per_unit_kopecks=_kopecks(power * rate.per_unit_kopecks),
    )


# --- demo rates ------------------------------------------------------------------------

DEMO_ELECTRIC_TITLE = (
    "Приказ Департамента тарифного регулирования Томской области от 26.12.2025 № 6-ТП "
    "(демонстрационные ставки)"
)
DEMO_HEAT_TITLE = (
    "Плата за подключение к системе теплоснабжения на 2026 год (демонстрационные ставки)"
)
DEMO_VALID_FROM = date(2026, 1, 1)

# voltage, power from, power to (kW), С1, С2–С7 per km, С8, per kW — roubles. 15 kW at
# 0.4 kV within 150 m, category III: С1 + С8 = 7 520,00 + 5 682,00 = 13 202,00 and
# 15 × 699,44 = 10 491,60 (002 рисунок 15).
DEMO_ELECTRIC = [
    ("0.23", "0", "15", "7520.00", "980000.00", "4310.00", "612.70"),
    ("0.23", "15", "150", "12850.00", "1260000.00", "24600.00", "5380.00"),
    ("0.23", "150", "670", "48300.00", "2250000.00", "126500.00", "4910.00"),
    ("0.23", "670", "10000", "96500.00", "3310000.00", "180500.00", "4420.00"),
    ("0.4", "0", "15", "7520.00", "1150000.00", "5682.00", "699.44"),
    ("0.4", "15", "150", "12850.00", "1480000.00", "31250.00", "6120.00"),
    ("0.4", "150", "670", "48300.00", "2650000.00", "148900.00", "5480.00"),
    ("0.4", "670", "10000", "96500.00", "3900000.00", "212400.00", "4950.00"),
    ("6", "0", "15", "9840.00", "2310000.00", "86400.00", "1960.00"),
    ("6", "15", "150", "15200.00", "2480000.00", "96300.00", "7450.00"),
    ("6", "150", "670", "52600.00", "3120000.00", "184700.00", "6230.00"),
    ("6", "670", "10000", "104800.00", "4370000.00", "265900.00", "5610.00"),
    ("10", "0", "15", "9840.00", "2420000.00", "86400.00", "2040.00"),
    ("10", "15", "150", "15200.00", "2590000.00", "98100.00", "7620.00"),
    ("10", "150", "670", "52600.00", "3280000.00", "189300.00", "6370.00"),
    ("10", "670", "10000", "104800.00", "4560000.00", "271200.00", "5740.00"),
]
# Гкал/ч bands; up to 0,1 Гкал/ч the fee is the fixed 550 roubles of ПП РФ № 2115.
DEMO_HEAT = [
    ("", "0", "0.1", "550.00", "0.00", "0.00", "5500.00"),
    ("", "0.1", "1.5", "38400.00", "14200000.00", "0.00", "3950000.00"),
    ("", "1.5", "100", "96000.00", "28500000.00", "0.00", "3100000.00"),
]


def _rub(text: str) -> int:
    return _kopecks(Decimal(text) * 100)


def _demo_table(title: str, rows) -> RateTable:
    table, created = RateTable.objects.get_or_create(
        title=title, defaults={"valid_from": DEMO_VALID_FROM, "free_distance_m": 150}
    )
    if created:
        Rate.objects.bulk_create(
            Rate(
                table=table,
                voltage=voltage,
                power_from=Decimal(low),
                power_to=Decimal(high),
                c1_kopecks=_rub(c1),
                per_km_kopecks=_rub(per_km),
                c8_kopecks=_rub(c8),
                per_unit_kopecks=_rub(per_unit),
            )
            for voltage, low, high, c1, per_km, c8, per_unit in rows
        )
    return table


def demo_rate_tables(profile) -> list[RateTable]:
    """Demo rate tables for the connection kinds the profile takes in: the electricity
    table (Томская область, from 2026-01-01) and the heat one. Idempotent: a table that
    is already there (by title) is left as it is, with any edits made in the admin."""
    kinds = set(profile.application_kinds)
    tables = []
    with transaction.atomic():
        if ELECTRIC in kinds:
            tables.append(_demo_table(DEMO_ELECTRIC_TITLE, DEMO_ELECTRIC))
        if HEAT in kinds:
            tables.append(_demo_table(DEMO_HEAT_TITLE, DEMO_HEAT))
    return tables
