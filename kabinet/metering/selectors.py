"""Reads of meters and readings that are more than a filter.

Every function here makes a fixed number of queries, however many meters or months
it covers: the last accepted reading comes from a window function, the rest from one
range query reduced in Python.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering.models import Meter, Reading


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def consumption_between(meter: Meter, old: Decimal, new: Decimal) -> Decimal | None:
    """Counter units used from ``old`` to ``new``; through zero when the counter rolled
    over (``old`` in its top tenth, ``new`` in its bottom tenth); None when ``new`` is
    lower and a rollover is not plausible."""
    if new >= old:
        return new - old
    modulus = Decimal(meter.modulus)
    share = Decimal("0.1")
    if old >= modulus * (1 - share) and new < modulus * share:
        return modulus - old + new
    return None


def last_accepted(
    *, meters: Iterable[Meter], before: date | None = None
) -> dict[tuple[int, str], Reading]:
    """The last accepted reading of each meter and zone (before a period if given):
    one query."""
    qs = Reading.objects.accepted().filter(meter__in=list(meters))
    if before is not None:
        qs = qs.filter(period__lt=before)
    qs = qs.annotate(
        row=Window(
            RowNumber(),
            partition_by=[F("meter_id"), F("zone")],
            order_by=[F("period").desc(), F("submitted_at").desc(), F("id").desc()],
        )
    ).filter(row=1)
    return {(r.meter_id, r.zone): r for r in qs}


def accepted_since(*, meters: Iterable[Meter], since: date, until: date | None = None):
    """Accepted readings of the meters from a period on, grouped by (meter, zone) in
    period order: one query."""
    qs = Reading.objects.accepted().filter(meter__in=list(meters), period__gte=since)
    if until is not None:
        qs = qs.filter(period__lte=until)
    grouped: dict[tuple[int, str], list[Reading]] = defaultdict(list)
    for r in qs.order_by("period", "submitted_at", "id"):
        grouped[(r.meter_id, r.zone)].append(r)
    return grouped


def account_meters(*, account: PersonalAccount) -> list[Meter]:
    """The account's meters, the active ones first."""
    return sorted(account.meters.all(), key=lambda m: (m.is_removed, m.number))


@dataclass
class HistoryRow:
    """One meter, zone and period: what the customer passed and what was accepted."""

    meter: Meter
    zone: str
    period: date
    submitted: list[Reading] = field(default_factory=list)  # newest first
    accepted: Reading | None = None

    @property
    def zone_label(self) -> str:
        return Reading.Zone(self.zone).label

    @property
    def last_submitted(self) -> Reading | None:
        return self.submitted[0] if self.submitted else None


def account_history(
    *,
    account: PersonalAccount,
    meter: Meter | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> list[HistoryRow]:
    """Readings of an account, newest period first, the customer's submissions and the
    accepted value side by side: one query."""
    qs = Reading.objects.filter(meter__account=account).select_related("meter")
    if meter is not None:
        qs = qs.filter(meter=meter)
    if period_from is not None:
        qs = qs.filter(period__gte=period_of(period_from))
    if period_to is not None:
        qs = qs.filter(period__lte=period_of(period_to))
    rows: dict[tuple[int, str, date], HistoryRow] = {}
    zone_order = {z: i for i, z in enumerate(Reading.Zone.values)}
    for r in qs.order_by("-period", "meter__number", "-submitted_at", "-id"):
        key = (r.meter_id, r.zone, r.period)
        row = rows.get(key)
        if row is None:
            row = rows[key] = HistoryRow(meter=r.meter, zone=r.zone, period=r.period)
        if r.status == Reading.Status.ACCEPTED:
            row.accepted = r
        if r.source == Reading.Source.CUSTOMER:
            row.submitted.append(r)
    return sorted(
        rows.values(),
        key=lambda row: (-row.period.toordinal(), row.meter.number, zone_order[row.zone]),
    )


@dataclass
class SeriesPoint:
    period: date
    consumption: Decimal | None  # None: no accepted reading that month


@dataclass
class MeterSeries:
    meter: Meter
    points: list[SeriesPoint]

    @property
    def peak(self) -> Decimal:
        return max((p.consumption or Decimal(0) for p in self.points), default=Decimal(0))


def consumption_series(
    *,
    account: PersonalAccount,
    months: int = 12,
    today: date | None = None,
    meters: list[Meter] | None = None,
) -> list[MeterSeries]:
    """Monthly consumption of each meter (all zones, times its coefficient) over the
    last ``months`` periods up to the current one: three queries at most.

    A month's consumption is its accepted reading less the previous accepted one; when
    months were missed, the whole difference falls in the month that has the reading.
    """
    from django.utils import timezone

    end = period_of(today or timezone.localdate())
    start = add_months(end, -(months - 1))
    if meters is None:
        meters = account_meters(account=account)
    baseline = last_accepted(meters=meters, before=start)
    grouped = accepted_since(meters=meters, since=start, until=end)
    result = []
    for meter in meters:
        per_period: dict[date, Decimal] = {}
        for zone in meter.zone_codes:
            previous = baseline.get((meter.pk, zone))
            for r in grouped.get((meter.pk, zone), []):
                if previous is not None:
                    used = consumption_between(meter, previous.value, r.value)
                    if used is not None:
                        per_period[r.period] = (
                            per_period.get(r.period, Decimal(0)) + used * meter.coefficient
                        )
                previous = r
        points = [
            SeriesPoint(period=p, consumption=per_period.get(p))
            for p in (add_months(start, i) for i in range(months))
        ]
        result.append(MeterSeries(meter=meter, points=points))
    return result
