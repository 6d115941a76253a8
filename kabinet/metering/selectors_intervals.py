"""Reads of interval (smart metering) data for pages, exports and the API.

Every function takes a period of whole local days (``start`` and ``end`` inclusive),
checks its length (hourly values ≤ 93 days, daily and longer ≤ 3 years, monthly ≤ 10
years) and returns plain dataclasses with ``Decimal`` values in the series' unit. A
missing hour is ``None`` — never 0 — and a day or month without data has ``value=None``.
Access is the caller's business: start from ``IntervalSeries.objects.visible_to(user)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.metering.fields import SLOTS
from kabinet.metering.interval_models import (
    Channel,
    DeviceEvent,
    IntervalDay,
    IntervalSeries,
    RegisterReading,
)

MAX_HOURLY_DAYS = 93
MAX_DAILY_DAYS = 3 * 366
MAX_MONTHLY_DAYS = 10 * 366
# Interval data exists only for these years; a date outside is a mistake, not a query.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def check_period(start: date, end: date, *, max_days: int) -> None:
    """DomainError (in Russian, ``field="end"``) for a reversed or too long period."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise DomainError(_("Укажите начало и конец периода."), field="start")
    for value, field in ((start, "start"), (end, "end")):
        if not EARLIEST <= value <= LATEST:
            raise DomainError(_("Укажите дату с 01.01.2000 по 31.12.2099."), field=field)
    if end < start:
        raise DomainError(_("Начало периода позже его конца."), field="start")
    if (end - start).days + 1 > max_days:
        if max_days <= MAX_HOURLY_DAYS:
            msg = _("Почасовые данные можно показать не более чем за %(n)s дня.")
        elif max_days <= MAX_DAILY_DAYS:
            msg = _("Суточные данные можно показать не более чем за 3 года.")
        else:
            msg = _("Помесячные данные можно показать не более чем за 10 лет.")
        raise DomainError(msg % {"n": max_days}, field="end")


def _days(series: IntervalSeries, start: date, end: date) -> dict[date, IntervalDay]:
    rows = IntervalDay.objects.filter(series=series, day__gte=start, day__lte=end).only(
        "series", "day", "values", "estimated_mask", "total", "present"
    )
    return {row.day: row for row in rows}


def _aware(day: date, slot: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(slot)), timezone.get_default_timezone())


def _each_day(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotValue:
    """One interval: ``start`` (aware, local zone) of the hour, or of the day for a daily
    series; ``value`` in the series' unit, None = no data; ``estimated`` = оценка."""

    start: datetime
    value: Decimal | None
    estimated: bool


def interval_values(*, series: IntervalSeries, start: date, end: date) -> list[SlotValue]:
    """Every interval of the period at the series' step, gaps included as ``None``.
    Hourly series: ≤ 93 days (24 per day); daily series: ≤ 3 years (1 per day)."""
    hourly = series.step_minutes == IntervalSeries.Step.HOUR
    check_period(start, end, max_days=MAX_HOURLY_DAYS if hourly else MAX_DAILY_DAYS)
    stored = _days(series, start, end)
    slots = range(SLOTS) if hourly else range(1)
    out = []
    for day in _each_day(start, end):
        row = stored.get(day)
        for slot in slots:
            value = row.values[slot] if row else None
            out.append(
                SlotValue(
                    start=_aware(day, slot),
                    value=series.to_decimal(value),
                    estimated=bool(row and value is not None and row.is_estimated(slot)),
                )
            )
    return out


# --- totals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayTotal:
    """A day: ``value`` is the sum of the present intervals (for temperatures, their
    mean); ``present``/``expected`` intervals with data; ``estimated`` intervals."""

    day: date
    value: Decimal | None
    present: int
    expected: int
    estimated: int

    @property
    def complete(self) -> bool:
        return self.present == self.expected


def _day_value(series: IntervalSeries, total: int, present: int) -> Decimal | None:
    if not present:
        return None
    if series.is_additive:
        return series.to_decimal(total)
    mean = Decimal(total) / present
    return (mean / series.factor).quantize(Decimal(1).scaleb(-series.scale))


def interval_daily(*, series: IntervalSeries, start: date, end: date) -> list[DayTotal]:
    """One total a day over ≤ 3 years, days without data included (``value=None``)."""
    check_period(start, end, max_days=MAX_DAILY_DAYS)
    stored = {
        day: (total, present, mask)
        for day, total, present, mask in IntervalDay.objects.filter(
            series=series, day__gte=start, day__lte=end
        ).values_list("day", "total", "present", "estimated_mask")
    }
    expected = series.slots_per_day
    out = []
    for day in _each_day(start, end):
        total, present, mask = stored.get(day, (0, 0, 0))
        out.append(
            DayTotal(
                day=day,
                value=_day_value(series, total, present),
                present=present,
                expected=expected,
                estimated=mask.bit_count(),
            )
        )
    return out


@dataclass(frozen=True)
class MonthTotal:
    """A calendar month (``period`` = its first day) clipped to the asked period."""

    period: date
    value: Decimal | None
    present: int
    expected: int
    estimated: int

    @property
    def complete(self) -> bool:
        return self.present == self.expected


def interval_monthly(*, series: IntervalSeries, start: date, end: date) -> list[MonthTotal]:
    """One total a month over ≤ 10 years (sums of the stored day totals; for
    temperatures the mean of the present intervals)."""
    check_period(start, end, max_days=MAX_MONTHLY_DAYS)
    acc: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # total, present, exp, est
    for day in _each_day(start, end):
        acc[day.replace(day=1)][2] += series.slots_per_day
    rows = IntervalDay.objects.filter(series=series, day__gte=start, day__lte=end).values_list(
        "day", "total", "present", "estimated_mask"
    )
    for day, total, present, mask in rows:
        a = acc[day.replace(day=1)]
        a[0] += total
        a[1] += present
        a[3] += mask.bit_count()
    out = []
    for period in sorted(acc):
        total, present, expected, estimated = acc[period]
        if not present:
            value = None
        elif series.is_additive:
            value = series.to_decimal(total)
        else:
            q = Decimal(1).scaleb(-series.scale)
            value = (Decimal(total) / present / series.factor).quantize(q)
        out.append(MonthTotal(period, value, present, expected, estimated))
    return out


@dataclass(frozen=True)
class PeriodSummary:
    value: Decimal | None  # sum (mean for temperatures) of the present intervals
    present: int
    expected: int
    estimated: int
    first_day: date
    last_day: date


def interval_summary(*, series: IntervalSeries, start: date, end: date) -> PeriodSummary:
    """The whole period in one number, with how complete it is (≤ 10 years)."""
    months = interval_monthly(series=series, start=start, end=end)
    present = sum(m.present for m in months)
    estimated = sum(m.estimated for m in months)
    expected = sum(m.expected for m in months)
    if not present:
        value = None
    elif series.is_additive:
        value = sum((m.value or Decimal(0) for m in months), Decimal(0))
    else:
        weighted = sum((m.value * m.present for m in months if m.value is not None), Decimal(0))
        value = (weighted / present).quantize(Decimal(1).scaleb(-series.scale))
    return PeriodSummary(value, present, expected, estimated, start, end)


# --- power -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extreme:
    """Max and min of a power over the period with the start of their hours."""

    kind: str  # "P" (кВт), "Q" (квар), "S" (кВ·А)
    unit_label: str
    max_value: Decimal | None
    max_at: datetime | None
    min_value: Decimal | None
    min_at: datetime | None
    hours: int  # hours the figures are computed over


@dataclass(frozen=True)
class PowerSummary:
    active: Extreme
    reactive: Extreme
    apparent: Extreme


def _extreme(kind: str, label: str, values: dict[datetime, Decimal]) -> Extreme:
    if not values:
        return Extreme(kind, label, None, None, None, None, 0)
    max_at = max(values, key=lambda t: (values[t], -t.timestamp()))
    min_at = min(values, key=lambda t: (values[t], t.timestamp()))
    return Extreme(kind, label, values[max_at], max_at, values[min_at], min_at, len(values))


def _hourly_map(series: IntervalSeries | None, start: date, end: date) -> dict[datetime, Decimal]:
    if series is None:
        return {}
    return {
        v.start: v.value
        for v in interval_values(series=series, start=start, end=end)
        if v.value is not None
    }


def interval_power(*, meter, start: date, end: date, export: bool = False) -> PowerSummary:
    """Максимальная и минимальная активная (P), реактивная (Q) и полная (S) мощность of a
    meter over ≤ 93 days, from hourly energy: the mean power of an hour is its energy
    (кВт·ч → кВт), S = √(P² + Q²) over the hours that have both. ``export`` reads A−/R−."""
    check_period(start, end, max_days=MAX_HOURLY_DAYS)
    a_channel, r_channel = (
        (Channel.A_EXP, Channel.R_EXP) if export else (Channel.A_IMP, Channel.R_IMP)
    )
    series = {
        s.channel: s
        for s in IntervalSeries.objects.filter(
            meter=meter, channel__in=[a_channel, r_channel], step_minutes=IntervalSeries.Step.HOUR
        )
    }
    p = _hourly_map(series.get(a_channel), start, end)
    q = _hourly_map(series.get(r_channel), start, end)
    s = {}
    for at in p.keys() & q.keys():
        apparent = math.sqrt(float(p[at]) ** 2 + float(q[at]) ** 2)
        s[at] = Decimal(str(round(apparent, 3)))
    return PowerSummary(
        active=_extreme("P", _("кВт"), p),
        reactive=_extreme("Q", _("квар"), q),
        apparent=_extreme("S", _("кВ·А"), s),
    )


# --- register profile and events ---------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    day: date
    register: str
    register_label: str
    zone: str
    zone_label: str
    value: Decimal


def register_profile(
    *, meter, start: date, end: date, register: str | None = None
) -> list[RegisterRow]:
    """Суточный профиль показаний: the meter's registers at 00:00 of each day (≤ 3 years),
    by day, register (A+/A−/R+/R−) and zone; one register if ``register`` is given."""
    check_period(start, end, max_days=MAX_DAILY_DAYS)
    rows = RegisterReading.objects.filter(meter=meter, day__gte=start, day__lte=end)
    if register:
        rows = rows.filter(register=register)
    return [
        RegisterRow(
            day=r.day,
            register=r.register,
            register_label=r.get_register_display(),
            zone=r.zone,
            zone_label=r.get_zone_display(),
            value=r.value,
        )
        for r in rows.order_by("day", "register", "zone")
    ]


@dataclass(frozen=True)
class EventRow:
    occurred_at: datetime
    code: str
    label: str
    severity: str
    severity_label: str
    text: str


def device_events(
    *,
    start: date,
    end: date,
    meter=None,
    unit=None,
    building_meter=None,
    severity: str | None = None,
) -> list[EventRow]:
    """Журнал событий of one device over ≤ 3 years, newest first; one severity if given."""
    check_period(start, end, max_days=MAX_DAILY_DAYS)
    parent = {"meter": meter, "unit": unit, "building_meter": building_meter}
    parent = {k: v for k, v in parent.items() if v is not None}
    if len(parent) != 1:
        raise DomainError(_("Укажите один прибор: счётчик, КУУТЭ или ОДПУ."))
    rows = DeviceEvent.objects.filter(
        **parent,
        occurred_at__gte=_aware(start, 0),
        occurred_at__lt=_aware(end + timedelta(days=1), 0),
    )
    if severity:
        rows = rows.filter(severity=severity)
    return [
        EventRow(
            occurred_at=e.occurred_at,
            code=e.code,
            label=e.get_code_display(),
            severity=e.severity,
            severity_label=e.get_severity_display(),
            text=e.text,
        )
        for e in rows.order_by("-occurred_at", "-id")
    ]


def series_of(*, meter=None, unit=None, building_meter=None) -> list[IntervalSeries]:
    """The interval series of one device (empty: the device sends no interval data)."""
    parent = {"meter": meter, "unit": unit, "building_meter": building_meter}
    parent = {k: v for k, v in parent.items() if v is not None}
    if len(parent) != 1:
        raise DomainError(_("Укажите один прибор: счётчик, КУУТЭ или ОДПУ."))
    return list(IntervalSeries.objects.filter(**parent).order_by("step_minutes", "channel"))


# --- a device's archive: several channels side by side -----------------------------------


@dataclass(frozen=True)
class ArchiveColumn:
    series: IntervalSeries
    channel: str
    label: str
    unit_label: str


@dataclass(frozen=True)
class ArchiveRow:
    start: datetime  # the hour (or the day, for a daily archive), aware, local zone
    values: list[Decimal | None]  # one per column, None = no data
    estimated: list[bool]


@dataclass(frozen=True)
class Archive:
    step_minutes: int
    columns: list[ArchiveColumn]
    rows: list[ArchiveRow]


def interval_archive(*, series: list[IntervalSeries], start: date, end: date) -> Archive:
    """Архив (час/сутки) of a КУУТЭ or an ОДПУ: the given series (one step) side by side,
    one row per interval, gaps as None. Hourly ≤ 93 days, daily ≤ 3 years."""
    steps = {s.step_minutes for s in series}
    if len(steps) > 1:
        raise DomainError(_("В одном архиве все каналы должны иметь один интервал."))
    step = steps.pop() if steps else IntervalSeries.Step.HOUR
    columns = [ArchiveColumn(s, s.channel, s.get_channel_display(), s.unit_label) for s in series]
    per_series = [interval_values(series=s, start=start, end=end) for s in series]
    if not series:
        hourly = step == IntervalSeries.Step.HOUR
        check_period(start, end, max_days=MAX_HOURLY_DAYS if hourly else MAX_DAILY_DAYS)
        return Archive(step, [], [])
    rows = [
        ArchiveRow(
            start=slots[0].start,
            values=[v.value for v in slots],
            estimated=[v.estimated for v in slots],
        )
        for slots in zip(*per_series, strict=True)
    ]
    return Archive(step, columns, rows)
