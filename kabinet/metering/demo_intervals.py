"""Demo interval data: the resident's smart electricity meter (ИСУ) and the business
customer's heat metering unit (КУУТЭ) get archives, so the ИСУ pages have something
to show; the building meter (ОДПУ) of the resident's house has one that stopped three
days ago, so «Счётчики ИСУ без данных» in the readings queue has a row. Deterministic
(a fixed seed) and bulk: a few hundred day rows."""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kabinet.metering.interval_models import Channel, DeviceEvent, IntervalSeries
from kabinet.metering.services.intervals import (
    DayRow,
    device_events_upsert,
    interval_days_ingest,
    interval_series_get_or_create,
    register_upsert,
)

ELECTRIC_DAYS = 90
HEAT_DAYS = 60
HOUSE_DAYS = 30
HOUSE_SILENT_DAYS = 3  # the house's ОДПУ stopped reporting this many days ago

# A flat's hourly load in kWh: night low, a morning and a larger evening peak.
FLAT_SHAPE = [
    0.18, 0.14, 0.13, 0.12, 0.12, 0.14, 0.28, 0.45, 0.40, 0.30, 0.26, 0.25,
    0.28, 0.27, 0.26, 0.29, 0.36, 0.52, 0.68, 0.74, 0.70, 0.58, 0.42, 0.27,
]  # fmt: skip


def _at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def build_demo_intervals(*, resident, org) -> None:
    from kabinet.contracts.models import MeteringUnit
    from kabinet.metering.models import Meter
    from kabinet.premises.models import BuildingMeter

    today = timezone.localdate()
    meter = (
        Meter.objects.filter(account__owner=resident, unit="кВт·ч").order_by("pk").first()
        or Meter.objects.filter(account__owner=resident).order_by("pk").first()
    )
    if meter is not None:
        _electricity(meter, today)
    unit = MeteringUnit.objects.filter(contract__party__user=org).order_by("number", "pk").first()
    if unit is not None:
        _heat({"unit": unit}, today, days=HEAT_DAYS, seed=1234)
    house_meter = (
        BuildingMeter.objects.filter(house__housefollow__user=resident).order_by("pk").first()
    )
    if house_meter is not None:
        _heat(
            {"building_meter": house_meter},
            today - timedelta(days=HOUSE_SILENT_DAYS),
            days=HOUSE_DAYS,
            seed=5678,
        )


def _electricity(meter, today: date) -> None:
    rng = random.Random(4578)  # noqa: S311 - demo data
    a_plus = interval_series_get_or_create(meter=meter, channel=Channel.A_IMP, source="ИСУ")
    r_plus = interval_series_get_or_create(meter=meter, channel=Channel.R_IMP, source="ИСУ")
    first = today - timedelta(days=ELECTRIC_DAYS)
    a_rows, r_rows, registers = [], [], []
    t1 = Decimal("8123.450")  # day zone (07–23) register, кВт·ч
    t2 = Decimal("3310.120")  # night zone (23–07)
    r_total = Decimal("1520.300")
    for n in range(ELECTRIC_DAYS):
        day = first + timedelta(days=n)
        weekend = day.weekday() >= 5
        k = rng.uniform(0.85, 1.2) * (1.15 if weekend else 1.0)
        a = [int(v * k * rng.uniform(0.8, 1.25) * 1000) for v in FLAT_SHAPE]
        r = [int(v * rng.uniform(0.25, 0.4)) for v in a]
        mask = 0
        if n == ELECTRIC_DAYS - 20:  # the meter did not answer for a few hours
            a[9:14] = [None] * 5
            r[9:14] = [None] * 5
        if n == ELECTRIC_DAYS - 35:  # hours restored by estimate (оценка)
            mask = 0b111 << 2
        a_rows.append(DayRow(a_plus.pk, day, a, mask))
        r_rows.append(DayRow(r_plus.pk, day, r, mask))
        registers += [
            {"day": day, "register": "a_imp", "zone": "t1", "value": t1},
            {"day": day, "register": "a_imp", "zone": "t2", "value": t2},
            {"day": day, "register": "a_imp", "zone": "total", "value": t1 + t2},
            {"day": day, "register": "r_imp", "zone": "total", "value": r_total},
        ]
        t1 += Decimal(sum(v or 0 for v in a[7:23])) / 1000
        t2 += Decimal(sum(v or 0 for v in a[:7] + a[23:])) / 1000
        r_total += Decimal(sum(v or 0 for v in r)) / 1000
    interval_days_ingest(rows=a_rows + r_rows, source="ИСУ")
    register_upsert(meter=meter, readings=registers, source="ИСУ")
    gap_day = first + timedelta(days=ELECTRIC_DAYS - 20)
    device_events_upsert(
        meter=meter,
        source="ИСУ",
        events=[
            {"occurred_at": _at(first + timedelta(days=3), 4, 12), "code": "clock_set",
             "text": "Время прибора скорректировано на +14 с"},
            {"occurred_at": _at(gap_day, 9, 3), "code": "power_off", "severity": "warning",
             "text": "Пропало напряжение сети"},
            {"occurred_at": _at(gap_day, 13, 58), "code": "power_on"},
            {"occurred_at": _at(first + timedelta(days=41), 19, 40), "code": "voltage",
             "severity": "warning", "text": "Напряжение фазы A 253 В"},
            {"occurred_at": _at(first + timedelta(days=62), 2, 17), "code": "cover_open",
             "severity": "alarm", "text": "Вскрыта крышка клеммной колодки"},
        ],
    )  # fmt: skip


def _heat(parent: dict, today: date, *, days: int, seed: int) -> None:
    """A heat meter's hourly and daily archive (a КУУТЭ or an ОДПУ: ``parent``) for the
    ``days`` before ``today``, with one night of нештатная ситуация."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    channels = [
        Channel.Q_GCAL, Channel.M1_T, Channel.M2_T, Channel.T1_C, Channel.T2_C,
        Channel.HOURS_OK, Channel.HOURS_OUT,
    ]  # fmt: skip
    hourly = {
        c: interval_series_get_or_create(**parent, channel=c, source="ВКТ-7") for c in channels
    }
    daily = {
        c: interval_series_get_or_create(
            **parent, channel=c, step_minutes=IntervalSeries.Step.DAY, source="ВКТ-7"
        )
        for c in channels
    }
    first = today - timedelta(days=days)
    abnormal_day = first + timedelta(days=days - 12)
    rows = []
    for n in range(days):
        day = first + timedelta(days=n)
        outdoor = -2 - 6 * math.sin(n / 9) + rng.uniform(-2, 2)
        slots: dict[str, list] = {c: [] for c in channels}
        for h in range(24):
            out = day == abnormal_day and 2 <= h < 5
            t_out = outdoor - 3 * math.cos((h - 4) / 24 * 2 * math.pi)
            t1 = 70 + (18 - t_out) * 0.9 + rng.uniform(-0.6, 0.6)
            t2 = 45 + (18 - t_out) * 0.4 + rng.uniform(-0.5, 0.5)
            m1 = 2.4 + rng.uniform(-0.05, 0.05)
            m2 = m1 * rng.uniform(0.975, 0.99)
            q = m1 * (t1 - t2) / 1000
            if out:  # НС: ΔT below the minimum, heat not counted, hours out of service
                for c in (Channel.Q_GCAL, Channel.M1_T, Channel.M2_T):
                    slots[c].append(None)
                slots[Channel.T1_C].append(round(t1 * 100))
                slots[Channel.T2_C].append(round((t1 - 1.5) * 100))
                slots[Channel.HOURS_OK].append(0)
                slots[Channel.HOURS_OUT].append(100)
                continue
            slots[Channel.Q_GCAL].append(round(q * 10**4))
            slots[Channel.M1_T].append(round(m1 * 1000))
            slots[Channel.M2_T].append(round(m2 * 1000))
            slots[Channel.T1_C].append(round(t1 * 100))
            slots[Channel.T2_C].append(round(t2 * 100))
            slots[Channel.HOURS_OK].append(100)
            slots[Channel.HOURS_OUT].append(0)
        for c in channels:
            rows.append(DayRow(hourly[c].pk, day, slots[c], 0))
            present = [v for v in slots[c] if v is not None]
            if c in (Channel.T1_C, Channel.T2_C):
                value = round(sum(present) / len(present))
            else:
                value = sum(present)
            rows.append(DayRow(daily[c].pk, day, [value] + [None] * 23, 0))
    interval_days_ingest(rows=rows, source="ВКТ-7")
    device_events_upsert(
        **parent,
        source="ВКТ-7",
        events=[
            {"occurred_at": _at(abnormal_day, 2, 0), "code": DeviceEvent.Code.DT_LOW,
             "severity": "alarm",
             "text": "Нештатная ситуация: разность температур ниже 3 °C, учёт остановлен"},
            {"occurred_at": _at(abnormal_day, 5, 0), "code": DeviceEvent.Code.ABNORMAL,
             "severity": "info", "text": "Нештатная ситуация устранена, учёт восстановлен"},
        ],
    )  # fmt: skip
