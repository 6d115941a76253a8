"""Every write of interval (smart metering) data: hourly/daily archives, register
profiles and device event logs; PostgreSQL partitions of the day table.

Ingest rules (docs/intervals.md):

- Idempotent per series and hour: the same points twice change nothing.
- A different value for a stored hour replaces it and writes an ``IntervalRevision``.
- An estimated value (оценка) never overwrites a measured one (counted as ``kept``);
  a measured value does replace an estimate.
- A point that fails validation (not on the hour, in the future, negative energy, above
  the plausible maximum, not a number, a different value for the same hour twice) is
  rejected alone, with its reason; the good points of the call are stored.
- ``None`` as a value means "no data": it never clears a stored value.

One ``transaction.atomic`` per call; stored days are locked (``select_for_update``)
before they are merged. On PostgreSQL day rows go through ``COPY`` into a temporary
table and one ``INSERT … ON CONFLICT DO NOTHING``; only days that already exist and
differ are fetched (locked) and merged in Python, so a repeated load costs one
comparison query. On SQLite the same merge runs over the ORM (bulk_create/bulk_update).
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.metering.fields import INT32_MAX, INT32_MIN, SLOTS
from kabinet.metering.interval_models import (
    ADDITIVE_CHANNELS,
    CHANNEL_DEFAULTS,
    NIGHT_SLOTS,
    Channel,
    DeviceEvent,
    IntervalDay,
    IntervalRevision,
    IntervalSeries,
    RegisterReading,
)

log = logging.getLogger(__name__)

FAST_CHUNK_ROWS = 20000

# The largest plausible value of one hour, in the channel's unit (a daily step allows
# 24 times as much). Beyond it a point is a meter or transfer error, not consumption.
PLAUSIBLE_HOURLY_MAX: dict[str, Decimal] = {
    Channel.A_IMP: Decimal(10000),
    Channel.A_EXP: Decimal(10000),
    Channel.R_IMP: Decimal(10000),
    Channel.R_EXP: Decimal(10000),
    Channel.Q_GCAL: Decimal(500),
    Channel.M1_T: Decimal(10000),
    Channel.M2_T: Decimal(10000),
    Channel.V1_M3: Decimal(10000),
    Channel.V2_M3: Decimal(10000),
    Channel.T1_C: Decimal(200),
    Channel.T2_C: Decimal(200),
    Channel.HOURS_OK: Decimal(1),
    Channel.HOURS_OUT: Decimal(1),
}
TEMPERATURE_MIN = Decimal(-60)


# --- results -----------------------------------------------------------------------------


class Point(NamedTuple):
    """One interval value: ``ts`` is the start of the hour (aware, or naive local time;
    a ``date`` for a daily series), ``value`` in the series' unit or ``None``."""

    ts: datetime | date
    value: Any
    estimated: bool = False


class DayRow(NamedTuple):
    """One series-day in stored form: 24 scaled integers (``None`` = not given) and the
    estimated bits. The wide file format (one row per meter-day) maps onto it."""

    series_id: int
    day: date
    values: list[int | None]
    estimated_mask: int = 0


@dataclass
class IngestResult:
    inserted: int = 0  # a value where there was none
    replaced: int = 0  # a different value replaced the stored one (revision written)
    unchanged: int = 0  # the same value again (or "no data" where there is none)
    kept: int = 0  # the stored value stays: an estimate does not overwrite a measurement
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.inserted + self.replaced

    def add(self, other: IngestResult) -> None:
        self.inserted += other.inserted
        self.replaced += other.replaced
        self.unchanged += other.unchanged
        self.kept += other.kept
        self.rejected += other.rejected
        self.rejections.extend(other.rejections)

    def reject(self, index: int, ts: Any, reason: str) -> None:
        self.rejected += 1
        self.rejections.append(Rejection(index=index, ts=ts, reason=reason))


class Rejection(NamedTuple):
    index: int  # position of the point in the call (0-based)
    ts: Any
    reason: str


# --- series ------------------------------------------------------------------------------


def interval_series_get_or_create(
    *,
    channel: str,
    step_minutes: int = IntervalSeries.Step.HOUR,
    meter=None,
    unit=None,
    building_meter=None,
    source: str = "",
) -> IntervalSeries:
    """The series of a device's channel at a step, created on first use with the
    channel's unit and scale."""
    if sum(x is not None for x in (meter, unit, building_meter)) != 1:
        raise DomainError(_("Укажите один прибор: счётчик, КУУТЭ или ОДПУ."))
    if channel not in CHANNEL_DEFAULTS:
        raise DomainError(_("Неизвестный канал: %(c)s.") % {"c": channel}, field="channel")
    if step_minutes not in IntervalSeries.Step.values:
        raise DomainError(_("Интервал должен быть 60 или 1440 минут."), field="step")
    label, scale = CHANNEL_DEFAULTS[channel]
    parent = {"meter": meter, "unit": unit, "building_meter": building_meter}
    parent = {k: v for k, v in parent.items() if v is not None}
    series, _created = IntervalSeries.objects.get_or_create(
        **parent,
        channel=channel,
        step_minutes=step_minutes,
        defaults={"unit_label": label, "scale": scale, "source": source},
    )
    return series


# --- validation --------------------------------------------------------------------------


def _local(ts: datetime | date) -> datetime:
    if isinstance(ts, datetime):
        if timezone.is_aware(ts):
            return timezone.localtime(ts, timezone.get_default_timezone()).replace(tzinfo=None)
        return ts
    return datetime.combine(ts, time())


def _slot_of(series: IntervalSeries, ts: datetime | date) -> tuple[date, int]:
    """(local day, slot) of a point, or DomainError with the reason."""
    if not isinstance(ts, (datetime, date)):
        raise DomainError(_("Время не указано или указано неверно."))
    local = _local(ts)
    if local.minute or local.second or local.microsecond:
        raise DomainError(_("Время должно быть началом часа."))
    if series.step_minutes == IntervalSeries.Step.DAY:
        if local.hour:
            raise DomainError(_("Для суточного архива время должно быть 00:00."))
        return local.date(), 0
    return local.date(), local.hour


def _scaled(series: IntervalSeries, raw: Any, plausible_max: Decimal | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Значение не является числом.")) from None
    if not value.is_finite():
        raise DomainError(_("Значение не является числом."))
    if series.channel in ADDITIVE_CHANNELS and value < 0:
        raise DomainError(_("Отрицательное значение."))
    if series.channel in (Channel.T1_C, Channel.T2_C) and value < TEMPERATURE_MIN:
        raise DomainError(_("Температура ниже допустимой."))
    limit = plausible_max
    if limit is None:
        limit = PLAUSIBLE_HOURLY_MAX[series.channel]
        if series.step_minutes == IntervalSeries.Step.DAY and series.is_additive:
            limit *= 24
    if value > limit:
        raise DomainError(
            _("Значение больше правдоподобного максимума (%(max)s %(unit)s).")
            % {"max": limit, "unit": series.unit_label}
        )
    stored = int((value * series.factor).to_integral_value())
    if not INT32_MIN < stored <= INT32_MAX:
        raise DomainError(_("Значение слишком велико для хранения."))
    return stored


def points_to_rows(
    *,
    series: IntervalSeries,
    points: Iterable[Point | tuple | Mapping],
    result: IngestResult,
    plausible_max: Decimal | None = None,
    now: datetime | None = None,
) -> list[DayRow]:
    """Validate points and fold them into day rows; rejected points go into ``result``."""
    horizon = _local(now or timezone.now())
    days: dict[date, tuple[list[int | None], int]] = {}
    seen: dict[tuple[date, int], tuple[int | None, bool]] = {}
    for index, raw in enumerate(points):
        if isinstance(raw, Mapping):
            ts, value, estimated = raw.get("ts"), raw.get("value"), raw.get("estimated", False)
        else:
            ts, value, *rest = raw
            estimated = rest[0] if rest else False
        estimated = bool(estimated)
        try:
            day, slot = _slot_of(series, ts)
            start = datetime.combine(day, time(slot))
            if start > horizon:
                raise DomainError(_("Время в будущем."))
            stored = _scaled(series, value, plausible_max)
        except DomainError as exc:
            result.reject(index, ts, str(exc.message))
            continue
        key = (day, slot)
        if key in seen:
            if seen[key] != (stored, estimated):
                result.reject(index, ts, _("Этот час уже передан в пакете с другим значением."))
            else:
                result.unchanged += stored is not None
            continue
        seen[key] = (stored, estimated)
        if stored is None:
            result.unchanged += 1
            continue
        values, mask = days.get(day) or ([None] * SLOTS, 0)
        values[slot] = stored
        if estimated:
            mask |= 1 << slot
        days[day] = (values, mask)
    return [DayRow(series.pk, day, values, mask) for day, (values, mask) in sorted(days.items())]


# --- merging -----------------------------------------------------------------------------


def _totals(values: list[int | None]) -> tuple[int, int, int]:
    present = [v for v in values if v is not None]
    return sum(present), len(present), sum(values[h] or 0 for h in NIGHT_SLOTS)


def _merge(
    old_values: list[int | None],
    old_mask: int,
    row: DayRow,
    result: IngestResult,
    revisions: list[IntervalRevision] | None,
    *,
    source: str,
    batch,
    now: datetime,
) -> tuple[list[int | None], int] | None:
    """Merge an incoming day into a stored one slot by slot. Returns the new
    (values, mask) or None when nothing changed."""
    values = list(old_values)
    mask = old_mask
    changed = False
    for slot, new in enumerate(row.values):
        if new is None:
            continue
        new_est = bool(row.estimated_mask >> slot & 1)
        old = values[slot]
        old_est = bool(old_mask >> slot & 1)
        if old is None:
            result.inserted += 1
        elif old == new and old_est == new_est:
            result.unchanged += 1
            continue
        elif new_est and not old_est:
            result.kept += 1
            continue
        else:
            result.replaced += 1
            if revisions is not None:
                revisions.append(
                    IntervalRevision(
                        series_id=row.series_id,
                        day=row.day,
                        slot=slot,
                        old_value=old,
                        old_estimated=old_est,
                        new_value=new,
                        new_estimated=new_est,
                        source=source,
                        batch=batch,
                        replaced_at=now,
                    )
                )
        values[slot] = new
        mask = (mask | 1 << slot) if new_est else (mask & ~(1 << slot))
        changed = True
    return (values, mask) if changed else None


def _last_hour(row: DayRow, step_minutes: int) -> datetime | None:
    last = max((s for s, v in enumerate(row.values) if v is not None), default=None)
    if last is None:
        return None
    start = datetime.combine(row.day, time(last))
    end = start + timedelta(minutes=step_minutes)
    return timezone.make_aware(end, timezone.get_default_timezone())


def _touch_series(latest: dict[int, datetime]) -> None:
    """Move ``last_value_at`` forward (never back) for the series given."""
    if not latest:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE metering_intervalseries s SET last_value_at = v.at"
                " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at)"
                " WHERE s.id = v.id AND (s.last_value_at IS NULL OR s.last_value_at < v.at)",
                [list(latest), list(latest.values())],
            )
        return
    by_time: dict[datetime, list[int]] = defaultdict(list)
    for series_id, at in latest.items():
        by_time[at].append(series_id)
    for at, ids in by_time.items():
        for start in range(0, len(ids), 500):
            IntervalSeries.objects.filter(pk__in=ids[start : start + 500]).filter(
                Q(last_value_at__isnull=True) | Q(last_value_at__lt=at)
            ).update(last_value_at=at)


# --- the ORM path (both databases) -------------------------------------------------------


def _apply_orm(rows: list[DayRow], *, source: str, batch, now: datetime) -> IngestResult:
    result = IngestResult()
    by_series: dict[int, list[DayRow]] = defaultdict(list)
    for row in rows:
        by_series[row.series_id].append(row)
    new_days: dict[tuple[int, date], IntervalDay] = {}
    changed_days: dict[tuple[int, date], IntervalDay] = {}
    revisions: list[IntervalRevision] = []
    # Stored days of the rows: one locked query per 500 series over the rows' day range.
    stored_days: dict[tuple[int, date], IntervalDay] = {}
    ids = list(by_series)
    first, last = min(r.day for r in rows), max(r.day for r in rows)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        query = IntervalDay.objects.select_for_update().filter(
            series_id__in=part, day__gte=first, day__lte=last
        )
        for d in query:
            stored_days[d.series_id, d.day] = d
    for series_id, series_rows in by_series.items():
        existing = {
            r.day: stored_days[series_id, r.day]
            for r in series_rows
            if (series_id, r.day) in stored_days
        }
        for row in series_rows:
            stored = existing.get(row.day)
            if stored is None:
                merged = _merge(
                    [None] * SLOTS, 0, row, result, None, source=source, batch=batch, now=now
                )
                if merged is None:
                    continue
                values, mask = merged
                day = IntervalDay(
                    series_id=series_id,
                    day=row.day,
                    values=values,
                    estimated_mask=mask,
                    updated_at=now,
                )
                day.recompute()
                new_days[series_id, row.day] = day
                existing[row.day] = day
                continue
            merged = _merge(
                stored.values, stored.estimated_mask, row, result, revisions,
                source=source, batch=batch, now=now,
            )  # fmt: skip
            if merged is None:
                continue
            stored.values, stored.estimated_mask = merged
            stored.recompute()
            stored.updated_at = now
            if (series_id, row.day) not in new_days:
                changed_days[series_id, row.day] = stored
    IntervalDay.objects.bulk_create(new_days.values(), batch_size=500)
    IntervalDay.objects.bulk_update(
        list(changed_days.values()),
        ["values", "estimated_mask", "total", "present", "night_total", "updated_at"],
        batch_size=200,
    )
    IntervalRevision.objects.bulk_create(revisions, batch_size=1000)
    return result


# --- the PostgreSQL COPY path ------------------------------------------------------------


def _pg_array(values: list[int | None]) -> str:
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _copy_rows(cursor, table: str, rows: Iterable[tuple]) -> None:
    """COPY rows (series_id, day, values, mask, total, present, night, updated_at)."""
    buf = io.StringIO()
    for sid, day, values, mask, total, present, night, at in rows:
        buf.write(
            f"{sid}\t{day.isoformat()}\t{_pg_array(values)}\t{mask}\t{total}\t{present}\t{night}\t{at}\n"
        )
    with cursor.copy(
        f'COPY {table} (series_id, day, "values", estimated_mask, total, present, night_total,'
        " updated_at) FROM STDIN"
    ) as copy:
        copy.write(buf.getvalue())


def _apply_pg_copy(rows: list[DayRow], *, source: str, batch, now: datetime) -> IngestResult:
    result = IngestResult()
    at = now.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _interval_in (series_id bigint, day date,"
            ' "values" integer[], estimated_mask integer, total bigint, present smallint,'
            " night_total bigint, updated_at timestamptz) ON COMMIT DELETE ROWS"
        )
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper: COPY needs it
        for start in range(0, len(rows), FAST_CHUNK_ROWS):
            chunk = rows[start : start + FAST_CHUNK_ROWS]
            incoming = {(r.series_id, r.day): r for r in chunk}
            if len(incoming) != len(chunk):
                raise DomainError(_("Сутки прибора повторяются в загрузке."))
            cursor.execute("TRUNCATE _interval_in")
            _copy_rows(
                raw,
                "_interval_in",
                (
                    (r.series_id, r.day, r.values, r.estimated_mask, *_totals(r.values), at)
                    for r in chunk
                ),
            )
            cursor.execute(
                'INSERT INTO metering_intervalday (series_id, day, "values", estimated_mask,'
                " total, present, night_total, updated_at)"
                ' SELECT series_id, day, "values", estimated_mask, total, present, night_total,'
                " updated_at FROM _interval_in ON CONFLICT (series_id, day) DO NOTHING"
                " RETURNING series_id, day"
            )
            inserted = {(sid, day) for sid, day in cursor.fetchall()}
            conflicts = 0
            for key, row in incoming.items():
                if key in inserted:
                    result.inserted += sum(v is not None for v in row.values)
                else:
                    conflicts += 1
            if not conflicts:
                continue
            # Days already stored: only those that differ need a merge. The constant day
            # bounds let PostgreSQL prune the partitions the chunk cannot touch.
            first = min(r.day for r in chunk)
            last = max(r.day for r in chunk)
            cursor.execute("ANALYZE _interval_in")
            cursor.execute(
                'SELECT d.series_id, d.day, d."values", d.estimated_mask'
                " FROM metering_intervalday d JOIN _interval_in t"
                " ON d.series_id = t.series_id AND d.day = t.day"
                " WHERE d.day >= %s AND d.day <= %s"
                ' AND (d."values" IS DISTINCT FROM t."values"'
                " OR d.estimated_mask <> t.estimated_mask) FOR UPDATE OF d",
                [first, last],
            )
            differing = {(sid, day): (values, mask) for sid, day, values, mask in cursor.fetchall()}
            revisions: list[IntervalRevision] = []
            updates = []
            for key, row in incoming.items():
                if key in inserted:
                    continue
                if key not in differing:
                    result.unchanged += sum(v is not None for v in row.values)
                    continue
                old_values, old_mask = differing[key]
                merged = _merge(
                    list(old_values), old_mask, row, result, revisions,
                    source=source, batch=batch, now=now,
                )  # fmt: skip
                if merged is not None:
                    values, mask = merged
                    updates.append((row.series_id, row.day, values, mask, *_totals(values), at))
            if updates:
                cursor.execute("TRUNCATE _interval_in")
                _copy_rows(raw, "_interval_in", updates)
                cursor.execute(
                    'UPDATE metering_intervalday d SET "values" = t."values",'
                    " estimated_mask = t.estimated_mask, total = t.total, present = t.present,"
                    " night_total = t.night_total, updated_at = t.updated_at"
                    " FROM _interval_in t WHERE d.series_id = t.series_id AND d.day = t.day"
                    " AND d.day >= %s AND d.day <= %s",
                    [first, last],
                )
            IntervalRevision.objects.bulk_create(revisions, batch_size=2000)
        cursor.execute("TRUNCATE _interval_in")
    return result


# --- the public write functions ----------------------------------------------------------


def interval_days_ingest(
    *,
    rows: list[DayRow],
    source: str,
    batch=None,
    fast: bool | None = None,
    step_of: Mapping[int, int] | None = None,
) -> IngestResult:
    """Store whole series-days (already scaled and validated, e.g. a wide file or a bulk
    load). ``fast`` forces (True) or forbids (False) the PostgreSQL COPY path, used by
    default on PostgreSQL: its ``INSERT … ON CONFLICT`` is also safe against a concurrent
    load of the same new day, which the ORM path (SQLite, whose writers queue) is not.
    A day row without any value is skipped. ``step_of`` maps
    series ids to their step (for ``last_value_at``); read from the database if omitted."""
    now = timezone.now()
    for row in rows:
        if len(row.values) != SLOTS:
            raise DomainError(_("В сутках должно быть %(n)s значений.") % {"n": SLOTS})
    rows = [row for row in rows if any(v is not None for v in row.values)]
    if not rows:
        return IngestResult()
    if fast is None:
        fast = connection.vendor == "postgresql"
    if fast and connection.vendor != "postgresql":
        fast = False
    with transaction.atomic():
        if fast:
            result = _apply_pg_copy(rows, source=source, batch=batch, now=now)
        else:
            result = _apply_orm(rows, source=source, batch=batch, now=now)
        if step_of is None:
            ids = {r.series_id for r in rows}
            step_of = dict(
                IntervalSeries.objects.filter(pk__in=ids).values_list("pk", "step_minutes")
            )
        latest: dict[int, datetime] = {}
        for row in rows:
            at = _last_hour(row, step_of.get(row.series_id, 60))
            if at is not None and (row.series_id not in latest or latest[row.series_id] < at):
                latest[row.series_id] = at
        _touch_series(latest)
    return result


def interval_ingest(
    *,
    series: IntervalSeries,
    points: Iterable[Point | tuple | Mapping],
    source: str,
    batch=None,
    plausible_max: Decimal | None = None,
) -> IngestResult:
    """Store interval points of one series; see the module's rules. Never raises for a
    bad point: it is counted in ``rejected`` with its reason in ``rejections``."""
    result = IngestResult()
    rows = points_to_rows(series=series, points=points, result=result, plausible_max=plausible_max)
    if rows:
        result.add(
            interval_days_ingest(
                rows=rows, source=source, batch=batch, step_of={series.pk: series.step_minutes}
            )
        )
    return result


# --- register profile and event log ------------------------------------------------------


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)


def register_upsert(*, meter, readings: Iterable[Mapping], source: str = "") -> UpsertResult:
    """Daily register snapshots ``{"day", "register", "zone", "value"}`` of a meter:
    a new one is created, a different value replaces the stored one, the same is a no-op."""
    result = UpsertResult()
    wanted: dict[tuple[date, str, str], Decimal] = {}
    for index, item in enumerate(readings):
        day, register, zone = item.get("day"), item.get("register"), item.get("zone", "total")
        try:
            if isinstance(day, datetime):
                day = _local(day).date()
            if not isinstance(day, date):
                raise DomainError(_("Дата не указана."))
            if register not in RegisterReading.Register.values:
                raise DomainError(_("Неизвестная шкала: %(r)s.") % {"r": register})
            if zone not in RegisterReading.Zone.values:
                raise DomainError(_("Неизвестная тарифная зона: %(z)s.") % {"z": zone})
            try:
                value = Decimal(str(item.get("value")).replace(",", ".")).quantize(Decimal("0.001"))
            except (InvalidOperation, ValueError):
                raise DomainError(_("Значение не является числом.")) from None
            if not value.is_finite() or value < 0 or value >= Decimal(10) ** 11:
                raise DomainError(_("Показание вне допустимого диапазона."))
        except DomainError as exc:
            result.rejections.append(Rejection(index, day, str(exc.message)))
            continue
        wanted[(day, register, zone)] = value
    if not wanted:
        return result
    with transaction.atomic():
        days = {k[0] for k in wanted}
        stored = {
            (r.day, r.register, r.zone): r
            for r in RegisterReading.objects.select_for_update().filter(meter=meter, day__in=days)
        }
        new, changed = [], []
        now = timezone.now()
        for key, value in wanted.items():
            row = stored.get(key)
            if row is None:
                new.append(
                    RegisterReading(
                        meter=meter, day=key[0], register=key[1], zone=key[2], value=value,
                        source=source, received_at=now,
                    )
                )  # fmt: skip
            elif row.value != value:
                row.value, row.source, row.received_at = value, source, now
                changed.append(row)
            else:
                result.unchanged += 1
        RegisterReading.objects.bulk_create(new, batch_size=1000)
        RegisterReading.objects.bulk_update(changed, ["value", "source", "received_at"], 500)
        result.created, result.updated = len(new), len(changed)
    return result


def device_events_upsert(
    *, events: Iterable[Mapping], meter=None, unit=None, building_meter=None, source: str = ""
) -> UpsertResult:
    """A device's event log ``{"occurred_at", "code", "severity"?, "text"?, "raw"?}``; a
    re-sent event (same time and code) is a no-op."""
    if sum(x is not None for x in (meter, unit, building_meter)) != 1:
        raise DomainError(_("Укажите один прибор: счётчик, КУУТЭ или ОДПУ."))
    parent = {"meter": meter, "unit": unit, "building_meter": building_meter}
    parent = {k: v for k, v in parent.items() if v is not None}
    result = UpsertResult()
    wanted: dict[tuple[datetime, str], dict] = {}
    for index, item in enumerate(events):
        at, code = item.get("occurred_at"), item.get("code")
        try:
            if not isinstance(at, datetime):
                raise DomainError(_("Время события не указано."))
            if timezone.is_naive(at):
                at = timezone.make_aware(at, timezone.get_default_timezone())
            if code not in DeviceEvent.Code.values:
                raise DomainError(_("Неизвестный код события: %(c)s.") % {"c": code})
            severity = item.get("severity") or DeviceEvent.Severity.INFO
            if severity not in DeviceEvent.Severity.values:
                raise DomainError(_("Неизвестная важность события: %(s)s.") % {"s": severity})
        except DomainError as exc:
            result.rejections.append(Rejection(index, at, str(exc.message)))
            continue
        wanted[(at, code)] = {
            "severity": severity,
            "text": str(item.get("text") or "")[:300],
            "raw": item.get("raw") or {},
        }
    if not wanted:
        return result
    with transaction.atomic():
        times = {k[0] for k in wanted}
        stored = set(
            DeviceEvent.objects.filter(**parent, occurred_at__in=times).values_list(
                "occurred_at", "code"
            )
        )
        new = [
            DeviceEvent(**parent, occurred_at=at, code=code, source=source, **extra)
            for (at, code), extra in wanted.items()
            if (at, code) not in stored
        ]
        DeviceEvent.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        result.created = len(new)
        result.unchanged = len(wanted) - len(new)
    return result


# --- PostgreSQL partitions and TimescaleDB detection -------------------------------------


def _month_start(d: date, shift: int = 0) -> date:
    n = d.year * 12 + d.month - 1 + shift
    return date(n // 12, n % 12 + 1, 1)


def intervals_ensure_partitions(*, ahead: int = 3, since: date | None = None) -> list[str]:
    """Create the monthly partitions of ``metering_intervalday`` from ``since`` (default:
    this month) to ``ahead`` months ahead; existing ones are left alone. A month whose
    rows already sit in the DEFAULT partition is skipped (and logged): moving them is an
    operator's job. Returns the names created. No-op outside PostgreSQL."""
    if connection.vendor != "postgresql":
        return []
    today = timezone.localdate()
    first = _month_start(since or today)
    last = _month_start(today, ahead)
    created = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('metering_intervalday_default') IS NOT NULL")
        has_default = cursor.fetchone()[0]
        month = first
        while month <= last:
            name = f"metering_intervalday_p{month:%Y%m}"
            nxt = _month_start(month, 1)
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if not cursor.fetchone()[0]:
                if has_default:
                    cursor.execute(
                        "SELECT EXISTS (SELECT 1 FROM metering_intervalday_default"
                        " WHERE day >= %s AND day < %s)",
                        [month, nxt],
                    )
                    if cursor.fetchone()[0]:
                        log.warning("intervals: rows of %s are in the DEFAULT partition", month)
                        month = nxt
                        continue
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF metering_intervalday"
                    f" FOR VALUES FROM ('{month.isoformat()}') TO ('{nxt.isoformat()}')"
                )
                created.append(name)
            month = nxt
    return created


def timescale_available() -> bool:
    """Whether the TimescaleDB extension could be installed on this PostgreSQL server
    (it is optional; see docs/intervals.md)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
        return cursor.fetchone() is not None
