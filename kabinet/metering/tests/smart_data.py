"""Interval data for the ИСУ page and heat archive tests (unit, browser, screenshots)."""

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kabinet.contracts.tests import factories as cf
from kabinet.metering.interval_models import (
    Channel,
    DeviceEvent,
    IntervalDay,
    IntervalSeries,
    RegisterReading,
)
from kabinet.metering.tests import factories as f

UNITS = {
    Channel.A_IMP: ("кВт·ч", 3),
    Channel.R_IMP: ("квар·ч", 3),
    Channel.Q_GCAL: ("Гкал", 4),
    Channel.T1_C: ("°C", 2),
    Channel.T2_C: ("°C", 2),
    Channel.M1_T: ("т", 3),
    Channel.M2_T: ("т", 3),
    Channel.HOURS_OK: ("ч", 2),
    Channel.HOURS_OUT: ("ч", 2),
}


def series(parent: dict, channel, *, step=60) -> IntervalSeries:
    label, scale = UNITS[channel]
    return IntervalSeries.objects.create(
        **parent, channel=channel, unit_label=label, scale=scale, step_minutes=step
    )


def fill(s, first, n_days, value, *, skip_days=(), estimated_hours=(), estimated_days=None):
    """A row per day with ``value(day, hour)`` in every hour (None: no data); the
    ``estimated_hours`` are estimates on ``estimated_days`` (every day if None)."""
    for k in range(n_days):
        d = first + timedelta(days=k)
        if d in skip_days:
            continue
        values = [None if (v := value(d, h)) is None else s.to_stored(v) for h in range(24)]
        mask = sum(1 << h for h in estimated_hours)
        mask = mask if estimated_days is None or d in estimated_days else 0
        row = IntervalDay(series=s, day=d, values=values, estimated_mask=mask)
        row.recompute()
        row.save()
    s.last_value_at = timezone.make_aware(datetime.combine(first + timedelta(days=n_days), time()))
    s.save(update_fields=["last_value_at"])


def _household(d: date, h: int) -> Decimal:
    """A flat's hourly load: low at night, peaks in the morning and the evening."""
    base = 0.25 + 0.35 * math.exp(-((h - 8) ** 2) / 4) + 0.9 * math.exp(-((h - 20) ** 2) / 6)
    wobble = 0.1 * math.sin(d.toordinal() * 1.7 + h)
    return Decimal(f"{base + wobble + (0.15 if d.weekday() >= 5 else 0):.3f}")


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hh, mm)))


def smart_meter(owner, today: date, *, gap_day: date, realistic=False, number="ИСУ-0001"):
    """A flat's smart meter with 41 days of hourly A+ and R+ (a whole day missing, hour
    03:00 estimated), ten days of registers and two events."""
    acc = f.account(owner=owner)
    m = f.meter(acc, number=number, model_name="Милур 307", zones=f.Meter.Zones.TWO)
    a = series({"meter": m}, Channel.A_IMP)
    r = series({"meter": m}, Channel.R_IMP)
    first = today - timedelta(days=40)
    if realistic:
        after_gap = {gap_day + timedelta(days=1)}  # the head-end estimated the night after
        fill(a, first, 41, _household, skip_days={gap_day}, estimated_hours=range(6),
             estimated_days=after_gap)  # fmt: skip
        fill(r, first, 41, lambda d, h: _household(d, h) / 4)
    else:
        fill(a, first, 41, lambda d, h: Decimal("0.5") + Decimal(h % 5) / 10,
             skip_days={gap_day}, estimated_hours=(3,))  # fmt: skip
        fill(r, first, 41, lambda d, h: Decimal("0.2"))
    t1, t2 = Decimal("8412.345"), Decimal("3120.5")
    for k in range(9, -1, -1):
        d = today - timedelta(days=k)
        if realistic:  # the 00:00 registers: day (T1) and night (T2) add up to the total
            used = sum(_household(d - timedelta(days=1), h) for h in range(24))
            t1, t2 = t1 + used * Decimal("0.7"), t2 + used * Decimal("0.3")
            values = (("t1", t1), ("t2", t2), ("total", t1 + t2))
        else:
            values = (("t1", 900 - 10 * k), ("t2", 950 - 5 * k), ("total", 850 - 15 * k))
        for zone, v in values:
            RegisterReading.objects.create(
                meter=m,
                day=d,
                register="a_imp",
                zone=zone,
                value=Decimal(v).quantize(Decimal("0.001")),
            )
    two_days_ago = today - timedelta(days=2)
    DeviceEvent.objects.create(
        meter=m, occurred_at=at(two_days_ago, 3, 15), code=DeviceEvent.Code.POWER_OFF,
        severity="warning", text="Пропало напряжение",
    )  # fmt: skip
    DeviceEvent.objects.create(
        meter=m, occurred_at=at(two_days_ago, 9), code=DeviceEvent.Code.COVER_OPEN,
        severity="alarm",
    )  # fmt: skip
    return m


def heat_unit(owner, today: date, *, gap_day: date, realistic=False):
    """A КУУТЭ of the owner's organisation with 11 days of hourly Q, T1, T2, M1 (Q missing
    on ``gap_day``), a daily Q archive and one abnormal situation."""
    contract = cf.contract(party=cf.organisation(owner))
    unit = contract.units.get()
    first = today - timedelta(days=10)
    parent = {"unit": unit}

    def wave(mean, amp):
        return lambda d, h: Decimal(f"{mean + amp * math.sin((h - 6) / 24 * 2 * math.pi):.2f}")

    q = series(parent, Channel.Q_GCAL)
    if realistic:
        fill(q, first, 11, lambda d, h: Decimal(f"{0.012 + 0.004 * math.cos(h / 24 * 6.28):.4f}"),
             skip_days={gap_day})  # fmt: skip
        fill(series(parent, Channel.T1_C), first, 11, wave(92, 4))
        fill(series(parent, Channel.T2_C), first, 11, wave(61, 2))
        fill(series(parent, Channel.M1_T), first, 11, wave(2.4, 0.2))
        fill(series(parent, Channel.M2_T), first, 11, wave(2.3, 0.2))
        stop = today - timedelta(days=3)  # the calculator was off 02:00–05:00 that night

        def out(d, h):
            return Decimal(1 if d == stop and 2 <= h < 5 else 0)

        fill(series(parent, Channel.HOURS_OUT), first, 11, out)
        fill(series(parent, Channel.HOURS_OK), first, 11, lambda d, h: 1 - out(d, h))
    else:
        fill(q, first, 11, lambda d, h: Decimal("0.0125"), skip_days={gap_day})
        fill(series(parent, Channel.T1_C), first, 11, lambda d, h: Decimal("92.5"))
        fill(series(parent, Channel.T2_C), first, 11, lambda d, h: Decimal("61"))
        fill(series(parent, Channel.M1_T), first, 11, lambda d, h: Decimal("2.4"))
    daily = series(parent, Channel.Q_GCAL, step=1440)
    for k in range(11):
        row = IntervalDay(series=daily, day=first + timedelta(days=k), values=[3000] + [None] * 23)
        row.recompute()
        row.save()
    DeviceEvent.objects.create(
        unit=unit, occurred_at=at(today - timedelta(days=3), 2), code=DeviceEvent.Code.DT_LOW,
        severity="warning", text="ΔT < 3 °C",
    )  # fmt: skip
    return unit
