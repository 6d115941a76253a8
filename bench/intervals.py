"""Interval (smart metering) storage: one year of hourly values for N meters, loaded
through the service's bulk path into the series-day layout (``metering_intervalday``,
24 slots a row), against a plain row-per-hour table as the baseline.

    createdb -h 127.0.0.1 -U postgres bench_intervals
    .venv/bin/python bench/intervals.py --meters 10000 --baseline-meters 1000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_intervals
    # SQLite (the ORM path of the same service):
    .venv/bin/python bench/intervals.py --meters 1000 --baseline-meters 0 \\
        --database-url sqlite:////tmp/bench_intervals.sqlite3

Steps (each timed):

1. migrate; make ``--meters`` accounts, meters and one A+ hourly series each;
   create the monthly partitions of the year (PostgreSQL).
2. load: one "day file" per day of ``--year`` (every meter's 24 values of that day,
   a few gaps and estimates) through ``interval_days_ingest`` — the bulk path (COPY
   on PostgreSQL, the ORM on SQLite), one transaction per day file, as a daily import
   runs. Reports values/s.
3. re-ingest ``--again-days`` day files unchanged (all no-ops), and one day file with
   1 % of its values corrected (revisions written).
4. size: ``pg_total_relation_size`` of every partition (table + PK index + TOAST), in
   bytes per stored value; on SQLite the page count of the table (dbstat when present).
5. reads for ``--samples`` random meters: one month hourly (the selector), one year of
   daily totals (the selector), one year of every hourly value (one SQL range scan),
   p50/p95 in ms.
6. the alert-scan proxy: the 7-day night totals of every series (one GROUP BY).
7. baseline (PostgreSQL, ``--baseline-meters``): table ``bench_hourly`` (series_id,
   ts, value) PRIMARY KEY (series_id, ts), loaded the same way (COPY into a temp table
   + INSERT … ON CONFLICT DO UPDATE per day file), its size per value and the same
   reads (month hourly, year daily via GROUP BY, year hourly).
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"


def setup(database_url: str) -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "KABINET_DEBUG": "1",
            "KABINET_TESTING": "1",
            "KABINET_VAR_DIR": str(VAR),
            "KABINET_DATABASE_URL": database_url,
            "KABINET_SMS_OUTBOX_DIR": "",
            "DJANGO_SETTINGS_MODULE": "kabinet.settings",
        }
    )
    import django

    django.setup()


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


# --- data ---------------------------------------------------------------------------------

# A flat's hourly load in Wh: low at night, a morning and a larger evening peak.
SHAPE = [
    150, 120, 110, 100, 100, 120, 250, 450, 400, 300, 250, 250,
    280, 260, 250, 280, 350, 500, 650, 700, 650, 550, 400, 250,
]  # fmt: skip


def profiles(n: int, rng: random.Random) -> list[list[int]]:
    """A pool of day profiles (lists of 24 ints); meters pick from it, so the load
    measures the storage and not Python's random number generator."""
    pool = []
    for _ in range(n):
        k = rng.uniform(0.4, 2.5)
        pool.append([int(v * k * rng.uniform(0.7, 1.3)) for v in SHAPE])
    return pool


def day_rows(series_ids: list[int], day: date, pool: list[list[int]], ordinal: int):
    from kabinet.metering.services.intervals import DayRow

    rows = []
    npool = len(pool)
    for i, sid in enumerate(series_ids):
        values = pool[(i * 7919 + ordinal * 31) % npool]
        mask = 0
        r = (i * 131 + ordinal * 17) % 1000
        if r == 0:  # a gap of a few hours
            values = list(values)
            values[10:14] = [None] * 4
        elif r == 1:  # estimated hours
            mask = 0b111 << 12
        rows.append(DayRow(sid, day, values, mask))
    return rows


def make_series(count: int) -> list[int]:
    from django.db import connection

    from kabinet.customer_accounts.models import PersonalAccount
    from kabinet.metering.models import IntervalSeries, Meter

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE metering_intervalday, metering_intervalrevision")
        else:
            cursor.execute("DELETE FROM metering_intervalday")
            cursor.execute("DELETE FROM metering_intervalrevision")
    IntervalSeries.objects.all().delete()
    Meter.objects.filter(account__number__startswith="8").delete()
    PersonalAccount.objects.filter(number__startswith="8").delete()
    accounts = PersonalAccount.objects.bulk_create(
        [PersonalAccount(number=f"8{n:08d}") for n in range(count)], batch_size=5000
    )
    meters = Meter.objects.bulk_create(
        [Meter(account=a, number=f"ИСУ-{n:07d}") for n, a in enumerate(accounts)],
        batch_size=5000,
    )
    series = IntervalSeries.objects.bulk_create(
        [IntervalSeries(meter=m, channel="a_imp", unit_label="кВт·ч", scale=3) for m in meters],
        batch_size=5000,
    )
    return [s.pk for s in series]


# --- the series-day layout --------------------------------------------------------------


def load(series_ids, days, pool, *, fast) -> tuple[float, int, object]:
    from kabinet.metering.services.intervals import IngestResult, interval_days_ingest

    step_of = dict.fromkeys(series_ids, 60)
    total = IngestResult()
    started = time.perf_counter()
    for n, day in enumerate(days):
        rows = day_rows(series_ids, day, pool, n)
        total.add(interval_days_ingest(rows=rows, source="bench", fast=fast, step_of=step_of))
        if n % 30 == 0:
            elapsed = time.perf_counter() - started
            log(f"  day {n + 1}/{len(days)}: {total.inserted} values, {elapsed:.0f} s")
    return time.perf_counter() - started, total.inserted, total


def size_days(vendor: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits"
                " WHERE inhparent = 'metering_intervalday'::regclass"
            )
            return int(cursor.fetchone()[0])
        try:
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'metering_intervalday%'")
            return int(cursor.fetchone()[0] or 0)
        except Exception:  # noqa: BLE001 - dbstat is optional in SQLite builds
            return -1


def timed(fn, samples) -> list[float]:
    out = []
    for s in samples:
        t = time.perf_counter()
        fn(s)
        out.append((time.perf_counter() - t) * 1000)
    return out


def reads_days(series_ids, year_start, year_end, samples):
    from django.db import connection

    from kabinet.metering import selectors_intervals as sel
    from kabinet.metering.models import IntervalSeries

    objs = {s.pk: s for s in IntervalSeries.objects.filter(pk__in=samples)}
    month_start = date(year_start.year, 6, 1)
    month_end = date(year_start.year, 6, 30)

    def month_hourly(sid):
        assert len(sel.interval_values(series=objs[sid], start=month_start, end=month_end)) == 720

    def month_sql(sid):
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT day, "values", estimated_mask FROM metering_intervalday'
                " WHERE series_id = %s AND day >= %s AND day <= %s ORDER BY day",
                [sid, month_start, month_end],
            )
            assert len(cursor.fetchall()) == 30

    def year_daily(sid):
        n = len(sel.interval_daily(series=objs[sid], start=year_start, end=year_end))
        assert n == (year_end - year_start).days + 1

    def year_hourly(sid):
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT day, "values", estimated_mask FROM metering_intervalday'
                " WHERE series_id = %s AND day >= %s AND day <= %s ORDER BY day",
                [sid, year_start, year_end],
            )
            rows = cursor.fetchall()
            if connection.vendor != "postgresql":
                from kabinet.metering.fields import unpack_slots

                rows = [(d, unpack_slots(v), m) for d, v, m in rows]
            assert len(rows) == (year_end - year_start).days + 1

    return {
        "month hourly (selector)": timed(month_hourly, samples),
        "month hourly (SQL)": timed(month_sql, samples),
        "year daily totals (selector)": timed(year_daily, samples),
        "year hourly (SQL range scan)": timed(year_hourly, samples),
    }


def alert_scan(day: date) -> float:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT series_id, sum(night_total), sum(total) FROM metering_intervalday"
            " WHERE day > %s AND day <= %s GROUP BY series_id",
            [day - timedelta(days=7), day],
        )
        cursor.fetchall()
    return time.perf_counter() - t


# --- the row-per-hour baseline ----------------------------------------------------------


def baseline(series_ids, days, pool, samples, year_start, year_end, report):
    from django.db import connection, transaction
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_hourly")
        cursor.execute(
            "CREATE TABLE bench_hourly (series_id bigint NOT NULL, ts timestamptz NOT NULL,"
            " value integer, estimated boolean NOT NULL DEFAULT false,"
            " PRIMARY KEY (series_id, ts))"
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_hourly_in (series_id bigint,"
            " ts timestamptz, value integer, estimated boolean)"
        )
    started = time.perf_counter()
    stored = 0
    for n, day in enumerate(days):
        rows = day_rows(series_ids, day, pool, n)
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        stamps = [(midnight + timedelta(hours=h)).isoformat() for h in range(24)]
        buf = io.StringIO()
        for r in rows:
            for h, v in enumerate(r.values):
                if v is not None:
                    est = "t" if r.estimated_mask >> h & 1 else "f"
                    buf.write(f"{r.series_id}\t{stamps[h]}\t{v}\t{est}\n")
                    stored += 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_hourly_in")
            with cursor.cursor.copy(
                "COPY bench_hourly_in (series_id, ts, value, estimated) FROM STDIN"
            ) as copy:
                copy.write(buf.getvalue())
            cursor.execute(
                "INSERT INTO bench_hourly SELECT * FROM bench_hourly_in"
                " ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value,"
                " estimated = EXCLUDED.estimated WHERE (bench_hourly.value, bench_hourly.estimated)"
                " IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.estimated)"
            )
        if n % 60 == 0:
            log(f"  baseline day {n + 1}/{len(days)}: {stored} values")
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_hourly")
        cursor.execute("SELECT pg_total_relation_size('bench_hourly')")
        size = int(cursor.fetchone()[0])
    report["baseline_load_s"] = elapsed
    report["baseline_values"] = stored
    report["baseline_bytes"] = size
    log(
        f"baseline load: {stored} values in {elapsed:.1f} s = {stored / elapsed:,.0f} values/s;"
        f" size {size / 2**20:.1f} MiB = {size / stored:.1f} B/value"
    )
    y0 = datetime(year_start.year, year_start.month, year_start.day, tzinfo=tz)
    y1 = datetime(year_end.year, year_end.month, year_end.day, tzinfo=tz) + timedelta(days=1)
    m0 = datetime(year_start.year, 6, 1, tzinfo=tz)
    m1 = datetime(year_start.year, 7, 1, tzinfo=tz)

    def q(sql, params, check):
        def run(sid):
            with connection.cursor() as cursor:
                cursor.execute(sql, [sid, *params])
                assert check(cursor.fetchall())

        return run

    month = q(
        "SELECT ts, value, estimated FROM bench_hourly WHERE series_id = %s AND ts >= %s"
        " AND ts < %s ORDER BY ts",
        [m0, m1],
        lambda rows: len(rows) >= 700,
    )
    tzname = str(tz)

    def daily_run(sid):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (ts AT TIME ZONE %s)::date AS d, sum(value), count(*) FROM bench_hourly"
                " WHERE series_id = %s AND ts >= %s AND ts < %s GROUP BY 1 ORDER BY 1",
                [tzname, sid, y0, y1],
            )
            assert len(cursor.fetchall()) == (year_end - year_start).days + 1

    year = q(
        "SELECT ts, value, estimated FROM bench_hourly WHERE series_id = %s AND ts >= %s"
        " AND ts < %s ORDER BY ts",
        [y0, y1],
        lambda rows: len(rows) >= 20 * ((year_end - year_start).days + 1),
    )
    return {
        "month hourly (SQL)": timed(month, samples),
        "year daily totals (GROUP BY)": timed(daily_run, samples),
        "year hourly (SQL range scan)": timed(year, samples),
    }


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--baseline-meters", type=int, default=1_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--days", type=int, default=365, help="days of the year to load")
    parser.add_argument("--again-days", type=int, default=7)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--reuse",
        type=float,
        default=0,
        help="skip the load: reuse the loaded database; the value is the earlier load's"
        " seconds (for the re-ingest ratio)",
    )
    args = parser.parse_args()

    setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from kabinet.metering.services.intervals import (
        interval_days_ingest,
        intervals_ensure_partitions,
    )

    vendor = connection.vendor
    log(f"database: {vendor}; meters {args.meters}; year {args.year}, {args.days} days")
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    year_start = date(args.year, 1, 1)
    days = [year_start + timedelta(days=n) for n in range(args.days)]
    year_end = days[-1]
    created = intervals_ensure_partitions(since=year_start, ahead=3)
    log(f"partitions created: {len(created)}")
    pool = profiles(5000, rng)
    report: dict = {}
    fast = vendor == "postgresql"
    if args.reuse:
        from kabinet.metering.models import IntervalDay, IntervalSeries

        series_ids = list(IntervalSeries.objects.order_by("pk").values_list("pk", flat=True))
        elapsed = args.reuse
        inserted = sum(IntervalDay.objects.values_list("present", flat=True).iterator(50_000))
        log(f"reusing {len(series_ids)} loaded series, {inserted:,} values")
    else:
        t = time.perf_counter()
        series_ids = make_series(args.meters)
        log(f"{len(series_ids)} meters and series in {time.perf_counter() - t:.1f} s")
        elapsed, inserted, total = load(series_ids, days, pool, fast=fast)
        report.update(load_s=elapsed, values=inserted)
        log(
            f"LOAD: {inserted:,} values ({len(series_ids) * len(days):,} day rows) in"
            f" {elapsed:.1f} s = {inserted / elapsed:,.0f} values/s"
        )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE metering_intervalday")
    size = size_days(vendor)
    log(f"SIZE: {size / 2**20:,.1f} MiB = {size / inserted:.2f} B/value (table + PK index)")

    # re-ingest unchanged day files
    step_of = dict.fromkeys(series_ids, 60)
    again = list(enumerate(days))[-args.again_days :]
    t = time.perf_counter()
    for n, day in again:
        r = interval_days_ingest(
            rows=day_rows(series_ids, day, pool, n), source="bench", fast=fast, step_of=step_of
        )
        assert r.changed == 0, r
    per_day_again = (time.perf_counter() - t) / len(again)
    per_day_load = elapsed / len(days)
    log(
        f"AGAIN: {per_day_again:.2f} s per unchanged day file"
        f" (load: {per_day_load:.2f} s per day file) = {per_day_again / per_day_load:.2f}x"
    )
    # 1 % corrections in one day file
    rows = day_rows(series_ids, days[0], pool, 0)
    fixes = 0
    bump = 1 + int(time.time()) % 997
    corrected = []
    for i, row in enumerate(rows):
        values = list(row.values)
        if i % 4 == 0:  # 1 % of the values: one hour in every 4th meter-day
            h = i % 24
            if values[h] is not None:
                values[h] += bump  # differs from any earlier run's correction
                fixes += 1
        corrected.append(row._replace(values=values))
    t = time.perf_counter()
    r = interval_days_ingest(rows=corrected, source="bench-fix", fast=fast, step_of=step_of)
    log(
        f"FIX: {fixes} corrected values ({fixes / (len(rows) * 24):.1%}) in"
        f" {time.perf_counter() - t:.2f} s; replaced {r.replaced}"
    )

    samples = rng.sample(series_ids, min(args.samples, len(series_ids)))
    for name, ms in reads_days(series_ids, year_start, year_end, samples).items():
        log(f"READ {name:34s} p50 {pct(ms, 50):7.2f} ms   p95 {pct(ms, 95):7.2f} ms")
    scan = alert_scan(year_end)
    log(f"ALERT SCAN (7-day night totals of {len(series_ids)} series): {scan:.2f} s")

    if vendor == "postgresql" and args.baseline_meters:
        ids = series_ids[: args.baseline_meters]
        log(f"baseline: row per hour, {len(ids)} meters")
        base_samples = rng.sample(ids, min(args.samples, len(ids)))
        reads = baseline(ids, days, pool, base_samples, year_start, year_end, report)
        for name, ms in reads.items():
            log(f"BASE {name:34s} p50 {pct(ms, 50):7.2f} ms   p95 {pct(ms, 95):7.2f} ms")


if __name__ == "__main__":
    main()
