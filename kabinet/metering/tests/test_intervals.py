"""Interval storage: the field, ingest rules, selectors, access, partitions."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kabinet.contracts.tests.factories import contract
from kabinet.core.errors import DomainError
from kabinet.identity.models import Party
from kabinet.metering import selectors_intervals as sel
from kabinet.metering.fields import INT32_MIN, check_slots, pack_slots, unpack_slots
from kabinet.metering.models import (
    Channel,
    DeviceEvent,
    IntervalDay,
    IntervalRevision,
    IntervalSeries,
    RegisterReading,
)
from kabinet.metering.services import intervals as svc
from kabinet.metering.tests.factories import account, meter

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def m(alice):
    return meter(account(owner=alice), number="ЭЛ-1", unit="кВт·ч")


@pytest.fixture
def a_plus(m):
    return svc.interval_series_get_or_create(meter=m, channel=Channel.A_IMP)


@pytest.fixture
def r_plus(m):
    return svc.interval_series_get_or_create(meter=m, channel=Channel.R_IMP)


def day_points(day=DAY, values=None, estimated=()):
    values = values or [Decimal("0.5") + Decimal(h) / 10 for h in range(24)]
    return [svc.Point(at(day, h), v, h in estimated) for h, v in enumerate(values)]


# --- the field ---------------------------------------------------------------------------


def test_pack_round_trip():
    values = [None, 0, 1, -1, 2**31 - 1, *([None] * 19)]
    blob = pack_slots(values)
    assert len(blob) == 96
    assert unpack_slots(blob) == values
    with pytest.raises(ValueError):
        check_slots([INT32_MIN] + [None] * 23)


def test_field_round_trip_in_the_database(a_plus):
    values = [None] * 24
    values[0], values[5], values[23] = 0, 123456, 2**31 - 1
    row = IntervalDay(series=a_plus, day=DAY, values=values)
    row.recompute()
    IntervalDay.objects.bulk_create([row])
    stored = IntervalDay.objects.get(series=a_plus, day=DAY)
    assert stored.values == values
    assert (stored.total, stored.present, stored.night_total) == (0 + 123456 + 2**31 - 1, 3, 123456)
    stored.values[1] = 7
    stored.recompute()
    IntervalDay.objects.bulk_update([stored], ["values", "total", "present"])
    assert IntervalDay.objects.get(series=a_plus, day=DAY).values[1] == 7


# --- ingest ------------------------------------------------------------------------------


def test_ingest_is_idempotent(a_plus):
    first = svc.interval_ingest(series=a_plus, points=day_points(), source="test")
    assert (first.inserted, first.rejected) == (24, 0)
    again = svc.interval_ingest(series=a_plus, points=day_points(), source="test")
    assert (again.inserted, again.replaced, again.kept, again.unchanged) == (0, 0, 0, 24)
    assert IntervalDay.objects.filter(series=a_plus).count() == 1
    assert not IntervalRevision.objects.exists()
    a_plus.refresh_from_db()
    assert a_plus.last_value_at == at(DAY + timedelta(days=1), 0)


def test_correction_replaces_and_keeps_a_revision(a_plus):
    svc.interval_ingest(series=a_plus, points=day_points(), source="first")
    result = svc.interval_ingest(series=a_plus, points=[svc.Point(at(DAY, 3), "9.5")], source="fix")
    assert (result.replaced, result.inserted) == (1, 0)
    row = IntervalDay.objects.get(series=a_plus, day=DAY)
    assert row.values[3] == 9500
    rev = IntervalRevision.objects.get()
    assert (rev.slot, rev.old_value, rev.new_value, rev.source) == (3, 800, 9500, "fix")
    assert row.total == sum(row.values)


def test_estimate_never_overwrites_a_measurement(a_plus):
    svc.interval_ingest(series=a_plus, points=[svc.Point(at(DAY, 1), 1)], source="m")
    result = svc.interval_ingest(
        series=a_plus, points=[svc.Point(at(DAY, 1), 5, True), svc.Point(at(DAY, 2), 2, True)],
        source="est",
    )  # fmt: skip
    assert (result.kept, result.inserted) == (1, 1)
    row = IntervalDay.objects.get(series=a_plus, day=DAY)
    assert row.values[1] == 1000 and not row.is_estimated(1)
    assert row.values[2] == 2000 and row.is_estimated(2)
    # a measurement replaces an estimate
    result = svc.interval_ingest(series=a_plus, points=[svc.Point(at(DAY, 2), 3)], source="m")
    assert result.replaced == 1
    row.refresh_from_db()
    assert row.values[2] == 3000 and not row.is_estimated(2)


def test_bad_points_are_rejected_alone(a_plus):
    now = timezone.now()
    points = [
        svc.Point(at(DAY, 0), 1),
        svc.Point(at(DAY, 1) + timedelta(minutes=30), 1),  # not on the hour
        svc.Point(at(DAY, 2), -1),  # negative energy
        svc.Point(at(DAY, 3), 20000),  # past the plausible max
        svc.Point(at(DAY, 4), "abc"),
        svc.Point(now + timedelta(days=2), 1),  # future
        svc.Point(at(DAY, 0), 2),  # the same hour again, another value
        svc.Point(at(DAY, 5), None),  # no data: nothing to store
    ]
    result = svc.interval_ingest(series=a_plus, points=points, source="t")
    assert result.inserted == 1
    assert result.rejected == 6
    assert [r.index for r in result.rejections] == [1, 2, 3, 4, 5, 6]
    assert all(r.reason for r in result.rejections)
    assert IntervalDay.objects.get(series=a_plus, day=DAY).present == 1


def test_no_data_never_clears_a_value(a_plus):
    svc.interval_ingest(series=a_plus, points=[svc.Point(at(DAY, 1), 1)], source="m")
    svc.interval_ingest(series=a_plus, points=[svc.Point(at(DAY, 1), None)], source="m")
    assert IntervalDay.objects.get(series=a_plus, day=DAY).values[1] == 1000


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_copy_path_matches_the_orm_path(a_plus, r_plus):
    rows = [svc.DayRow(a_plus.pk, DAY + timedelta(days=i), [i] * 24, 0) for i in range(5)]
    first = svc.interval_days_ingest(rows=rows, source="bulk", fast=True)
    assert first.inserted == 120
    again = svc.interval_days_ingest(rows=rows, source="bulk", fast=True)
    assert (again.inserted, again.unchanged, again.replaced) == (0, 120, 0)
    changed = [svc.DayRow(a_plus.pk, DAY, [None] * 23 + [99], 1 << 23)]  # estimate: kept
    changed.append(svc.DayRow(a_plus.pk, DAY + timedelta(days=1), [None, 42] + [None] * 22, 0))
    result = svc.interval_days_ingest(rows=changed, source="fix", fast=True)
    assert (result.kept, result.replaced) == (1, 1)
    row = IntervalDay.objects.get(series=a_plus, day=DAY + timedelta(days=1))
    assert row.values[1] == 42 and row.total == 42 + 23
    assert IntervalRevision.objects.get().new_value == 42


def test_register_and_events_upserts(m):
    readings = [
        {"day": DAY, "register": "a_imp", "zone": "t1", "value": "1234.5"},
        {"day": DAY, "register": "a_imp", "zone": "t2", "value": "321"},
        {"day": DAY, "register": "x", "zone": "t2", "value": "1"},
    ]
    result = svc.register_upsert(meter=m, readings=readings, source="t")
    assert (result.created, len(result.rejections)) == (2, 1)
    result = svc.register_upsert(meter=m, readings=readings[:2], source="t")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    readings[0]["value"] = "1235"
    assert svc.register_upsert(meter=m, readings=readings[:1]).updated == 1
    assert RegisterReading.objects.get(zone="t1").value == Decimal("1235.000")

    events = [
        {"occurred_at": at(DAY, 3), "code": "power_off", "severity": "warning"},
        {"occurred_at": at(DAY, 4), "code": "power_on"},
        {"occurred_at": at(DAY, 5), "code": "nonsense"},
    ]
    result = svc.device_events_upsert(meter=m, events=events, source="t")
    assert (result.created, len(result.rejections)) == (2, 1)
    assert svc.device_events_upsert(meter=m, events=events[:2]).created == 0
    assert DeviceEvent.objects.count() == 2


# --- selectors ---------------------------------------------------------------------------


def test_gaps_stay_none_and_totals(a_plus):
    values = [Decimal(1)] * 24
    points = [p for p in day_points(values=values, estimated={7}) if p.ts.hour not in (2, 3)]
    svc.interval_ingest(series=a_plus, points=points, source="t")
    hourly = sel.interval_values(series=a_plus, start=DAY, end=DAY + timedelta(days=1))
    assert len(hourly) == 48
    assert hourly[2].value is None and hourly[3].value is None
    assert hourly[1].value == Decimal("1.000")
    assert hourly[7].estimated and not hourly[6].estimated
    assert all(v.value is None for v in hourly[24:])  # a day without data: no zeros
    daily = sel.interval_daily(series=a_plus, start=DAY, end=DAY + timedelta(days=1))
    assert daily[0].value == Decimal(22) and daily[0].present == 22 and not daily[0].complete
    assert daily[0].estimated == 1
    assert daily[1].value is None and daily[1].present == 0
    monthly = sel.interval_monthly(series=a_plus, start=date(2026, 2, 1), end=date(2026, 3, 31))
    assert [m.value for m in monthly] == [None, Decimal(22)]
    assert monthly[1].expected == 31 * 24
    summary = sel.interval_summary(series=a_plus, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (summary.value, summary.present) == (Decimal(22), 22)


def test_power_min_max(m, a_plus, r_plus):
    a = [Decimal(1)] * 24
    r = [Decimal(0)] * 24
    a[18], r[18] = Decimal(3), Decimal(4)  # S = 5 at 18:00
    a[4] = Decimal("0.2")
    svc.interval_ingest(series=a_plus, points=day_points(values=a), source="t")
    svc.interval_ingest(series=r_plus, points=day_points(values=r), source="t")
    power = sel.interval_power(meter=m, start=DAY, end=DAY)
    assert (power.active.max_value, power.active.max_at) == (Decimal(3), at(DAY, 18))
    assert (power.active.min_value, power.active.min_at) == (Decimal("0.2"), at(DAY, 4))
    assert power.apparent.max_value == Decimal(5)
    assert power.apparent.max_at == at(DAY, 18)
    assert power.reactive.min_value == 0
    empty = sel.interval_power(meter=m, start=DAY + timedelta(days=1), end=DAY + timedelta(days=1))
    assert empty.active.max_value is None and empty.apparent.hours == 0


def test_period_bounds(a_plus, m):
    with pytest.raises(DomainError, match="93"):
        sel.interval_values(series=a_plus, start=DAY, end=DAY + timedelta(days=93))
    sel.interval_values(series=a_plus, start=DAY, end=DAY + timedelta(days=92))
    with pytest.raises(DomainError, match="3 года"):
        sel.interval_daily(series=a_plus, start=DAY, end=DAY + timedelta(days=3 * 366))
    with pytest.raises(DomainError, match="позже"):
        sel.interval_daily(series=a_plus, start=DAY, end=DAY - timedelta(days=1))
    with pytest.raises(DomainError):
        sel.interval_power(meter=m, start=DAY, end=DAY + timedelta(days=100))


def test_register_profile_and_events_selectors(m):
    svc.register_upsert(
        meter=m, readings=[{"day": DAY, "register": "a_imp", "zone": "total", "value": 5}]
    )
    rows = sel.register_profile(meter=m, start=DAY, end=DAY)
    assert rows[0].value == Decimal(5) and rows[0].register_label.startswith("A+")
    svc.device_events_upsert(meter=m, events=[{"occurred_at": at(DAY, 3), "code": "tamper"}])
    events = sel.device_events(meter=m, start=DAY, end=DAY)
    assert [e.label for e in events] == ["Вмешательство"]
    assert (
        sel.device_events(meter=m, start=DAY + timedelta(days=1), end=DAY + timedelta(days=1)) == []
    )


def test_heat_daily_series_and_temperature_means(alice):
    c = contract(party=Party.objects.get(user=alice))
    unit = c.units.get()
    t1 = svc.interval_series_get_or_create(unit=unit, channel=Channel.T1_C, step_minutes=1440)
    q = svc.interval_series_get_or_create(unit=unit, channel=Channel.Q_GCAL, step_minutes=1440)
    svc.interval_ingest(
        series=t1, points=[(DAY, "90.5"), (DAY + timedelta(days=1), "89.5")], source="t"
    )
    svc.interval_ingest(series=q, points=[(DAY, "12.3456")], source="t")
    bad = svc.interval_ingest(series=q, points=[(at(DAY, 5), 1)], source="t")
    assert bad.rejected == 1
    monthly = sel.interval_monthly(series=t1, start=DAY, end=DAY + timedelta(days=1))
    assert monthly[0].value == Decimal("90.00")
    daily = sel.interval_daily(series=q, start=DAY, end=DAY)
    assert daily[0].value == Decimal("12.3456") and daily[0].complete


# --- access ------------------------------------------------------------------------------


def test_visible_to(alice, charlie, staff, a_plus):
    c = contract(party=Party.objects.get(user=alice))
    unit_series = svc.interval_series_get_or_create(unit=c.units.get(), channel=Channel.Q_GCAL)
    assert set(IntervalSeries.objects.visible_to(alice)) == {a_plus, unit_series}
    assert not IntervalSeries.objects.visible_to(charlie).exists()
    assert set(IntervalSeries.objects.visible_to(staff)) == {a_plus, unit_series}
    from django.contrib.auth.models import AnonymousUser

    assert not IntervalSeries.objects.visible_to(AnonymousUser()).exists()


def test_series_needs_one_parent(m):
    with pytest.raises(DomainError):
        svc.interval_series_get_or_create(channel=Channel.A_IMP)
    assert svc.interval_series_get_or_create(meter=m, channel="a_imp") == (
        svc.interval_series_get_or_create(meter=m, channel="a_imp")
    )


def test_deleting_a_series_deletes_its_days(a_plus):
    svc.interval_ingest(series=a_plus, points=day_points(), source="t")
    a_plus.delete()
    assert not IntervalDay.objects.exists()


# --- PostgreSQL partitions ---------------------------------------------------------------


def test_the_partitions_task_is_scheduled_monthly_on_the_first_at_three(settings):
    from kabinet.metering.tasks import intervals_ensure_partitions

    entry = settings.CELERY_BEAT_SCHEDULE["intervals-partitions"]
    assert entry["task"] == intervals_ensure_partitions.name
    assert intervals_ensure_partitions.name == "metering.intervals_ensure_partitions"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {3} and schedule.minute == {0}
    assert intervals_ensure_partitions.apply().get() >= 0


def test_partitions_and_timescale_detection():
    created = svc.intervals_ensure_partitions(ahead=5)
    assert svc.intervals_ensure_partitions(ahead=5) == []
    assert svc.timescale_available() is False
    if connection.vendor != "postgresql":
        assert created == []
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'metering_intervalday'::regclass"
        )
        assert cursor.fetchone()[0] >= 18


def test_building_meter_series_and_events_follow_the_house(alice, charlie, staff):
    from kabinet.metering.tests.factories import house
    from kabinet.premises.models import BuildingMeter, HouseFollow

    h = house()
    HouseFollow.objects.create(user=alice, house=h)
    odpu = BuildingMeter.objects.create(house=h, number="ОДПУ-1")
    series = svc.interval_series_get_or_create(
        building_meter=odpu, channel=Channel.Q_GCAL, step_minutes=1440
    )
    svc.device_events_upsert(
        building_meter=odpu, events=[{"occurred_at": at(DAY, 1), "code": "abnormal"}]
    )
    assert list(IntervalSeries.objects.visible_to(alice)) == [series]
    assert list(IntervalSeries.objects.visible_to(staff)) == [series]
    assert not IntervalSeries.objects.visible_to(charlie).exists()
    assert DeviceEvent.objects.visible_to(alice).count() == 1
    assert not DeviceEvent.objects.visible_to(charlie).exists()


def test_register_readings_visible_to_the_meter_owner(m, alice, charlie):
    svc.register_upsert(
        meter=m, readings=[{"day": DAY, "register": "a_imp", "zone": "total", "value": 1}]
    )
    assert RegisterReading.objects.visible_to(alice).count() == 1
    assert not RegisterReading.objects.visible_to(charlie).exists()


@pytest.mark.parametrize("fast", [False, True])
def test_both_paths_merge_alike(a_plus, fast):
    """The ORM path (also forced on PostgreSQL) and the COPY path (PostgreSQL only;
    elsewhere it falls back to the ORM) give the same counts and rows."""
    rows = [svc.DayRow(a_plus.pk, DAY, [1000] * 24, 0)]
    assert svc.interval_days_ingest(rows=rows, source="a", fast=fast).inserted == 24
    assert svc.interval_days_ingest(rows=rows, source="a", fast=fast).unchanged == 24
    values = [None] * 24
    values[0], values[1] = 5, 7
    update = [svc.DayRow(a_plus.pk, DAY, values, 1 << 1)]  # slot 1 an estimate: kept
    result = svc.interval_days_ingest(rows=update, source="b", fast=fast)
    assert (result.replaced, result.kept, result.inserted) == (1, 1, 0)
    row = IntervalDay.objects.get(series=a_plus, day=DAY)
    assert row.values[:2] == [5, 1000] and row.total == 5 + 23 * 1000
    assert row.estimated_mask == 0
    assert IntervalRevision.objects.get().source == "b"
    empty = [svc.DayRow(a_plus.pk, DAY + timedelta(days=1), [None] * 24, 0)]
    assert svc.interval_days_ingest(rows=empty, source="c", fast=fast).changed == 0
    assert IntervalDay.objects.filter(series=a_plus).count() == 1


def test_archive_puts_channels_side_by_side(alice):
    c = contract(party=Party.objects.get(user=alice))
    unit = c.units.get()
    q = svc.interval_series_get_or_create(unit=unit, channel=Channel.Q_GCAL)
    t1 = svc.interval_series_get_or_create(unit=unit, channel=Channel.T1_C)
    svc.interval_ingest(series=q, points=[(at(DAY, 1), "0.1234")], source="t")
    svc.interval_ingest(series=t1, points=[(at(DAY, 1), "90.1"), (at(DAY, 2), "90")], source="t")
    archive = sel.interval_archive(series=[q, t1], start=DAY, end=DAY)
    assert [col.unit_label for col in archive.columns] == ["Гкал", "°C"]
    assert len(archive.rows) == 24
    assert archive.rows[1].values == [Decimal("0.1234"), Decimal("90.10")]
    assert archive.rows[2].values == [None, Decimal("90.00")]
    daily = svc.interval_series_get_or_create(unit=unit, channel=Channel.Q_GCAL, step_minutes=1440)
    with pytest.raises(DomainError):
        sel.interval_archive(series=[q, daily], start=DAY, end=DAY)


def test_sqlite_table_has_no_rowid():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite layout")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'metering_intervalday'")
        assert "WITHOUT ROWID" in cursor.fetchone()[0].upper()
