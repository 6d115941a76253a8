"""Loading accepted readings from the billing system: Kabinet's import against
PostgreSQL's own COPY of the same rows into the same table, the ceiling.

    createdb -h 127.0.0.1 -U postgres bench_import
    .venv/bin/python bench/import_readings.py --rows 1000000 --meters 50000 \
        --database-url postgres://postgres@127.0.0.1:5432/bench_import
    dropdb -h 127.0.0.1 -U postgres bench_import

It migrates the database, makes ``--meters`` personal accounts with one single-zone
meter each (bulk_create), and writes a CSV of ``--rows`` accepted readings (each meter
``rows / meters`` consecutive months) in the documented format. Then, on an empty
metering_reading table each time:

(a) Kabinet: ``import_upload`` (the file is kept as a staff upload would be), the
    preview only with ``--preview`` (a dry run of the same work, rolled back), and
    ``import_apply`` — chunks of the readings importer's CHUNK_SIZE, each one
    transaction with the batch's progress, exactly as the Celery task runs it;
(a') with ``--again``: the same file imported once more, every row «без изменений»;
(b) PostgreSQL: ``COPY metering_reading FROM STDIN`` through psycopg's
    ``cursor.copy``, fed from the same CSV (the account and meter numbers mapped to
    meter ids with one dict built beforehand), in one transaction.

Prints rows per second for each. Needs PostgreSQL (COPY).
"""

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from datetime import date
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
            "KABINET_INTEGRATION_UPLOADS_DIR": tempfile.mkdtemp(prefix="bench-import-"),
            "KABINET_SMS_OUTBOX_DIR": "",
            "DJANGO_SETTINGS_MODULE": "kabinet.settings",
        }
    )
    import django

    django.setup()


def month(index: int) -> date:
    """The index-th month from January 2015."""
    return date(2015 + index // 12, index % 12 + 1, 1)


def make_meters(count: int) -> None:
    from django.db import connection

    from kabinet.customer_accounts.models import PersonalAccount
    from kabinet.metering.models import Meter

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metering_reading, metering_readingevent, metering_meterevent,"
            " metering_meter CASCADE"
        )
    PersonalAccount.objects.filter(number__startswith="9").delete()
    accounts = PersonalAccount.objects.bulk_create(
        [PersonalAccount(number=f"9{n:08d}") for n in range(count)], batch_size=10_000
    )
    Meter.objects.bulk_create(
        [
            Meter(account=a, number=f"B-{a.number}", unit="м³", digits=6, decimals=3)
            for a in accounts
        ],
        batch_size=10_000,
    )


def write_csv(path: Path, *, rows: int, meters: int) -> None:
    months = -(-rows // meters)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["account", "meter", "zone", "period", "value", "source", "taken_at"])
        for m in range(months):
            period = month(m)
            taken = f"20.{period.month:02d}.{period.year}"
            for n in range(meters):
                if written == rows:
                    return
                number = f"9{n:08d}"
                value = f"{(m + 1) * 3 + n % 7},{n % 1000:03d}"
                out.writerow([number, f"B-{number}", "", f"{period:%Y-%m}", value, "", taken])
                written += 1


def truncate_readings() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE metering_reading, metering_readingevent")


def count_readings() -> int:
    from kabinet.metering.models import Reading

    return Reading.objects.count()


def kabinet_import(path: Path, *, preview: bool) -> tuple[float, float]:
    from django.core.files import File

    from kabinet.integration import services, tasks
    from kabinet.integration.models import ImportBatch

    tasks.import_preview_task.delay = lambda *a, **k: None  # run here, timed
    start = time.perf_counter()
    with path.open("rb") as handle:
        batch = services.import_upload(
            staff=None,
            kind="readings",
            upload=File(handle, name=path.name),
            source=ImportBatch.Source.SCHEDULE,
        )
    uploaded = time.perf_counter()
    if preview:
        batch = services.import_preview(batch=batch)
        assert batch.status == "previewed", batch.error
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PREVIEWED)
        batch.refresh_from_db()
    previewed = time.perf_counter()
    batch = services.import_apply(batch=batch)
    done = time.perf_counter()
    assert batch.status == "applied", batch.error
    print(
        f"  batch: created {batch.created}, updated {batch.updated}, "
        f"unchanged {batch.unchanged}, rejected {batch.rejected}"
    )
    print(
        f"  upload {uploaded - start:.1f} s, preview {previewed - uploaded:.1f} s, "
        f"apply {done - previewed:.1f} s"
    )
    return done - start, done - previewed


def postgres_copy(path: Path) -> float:
    from django.db import connection, transaction

    from kabinet.metering.models import Meter

    start = time.perf_counter()
    meters = {
        (account, number): pk
        for pk, account, number in Meter.objects.values_list("pk", "account__number", "number")
    }
    now = "2026-11-24 00:00:00+00"
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor
        sql = (
            "COPY metering_reading (meter_id, zone, period, value, submitted_at, source,"
            " status, reject_reason, decided_at) FROM STDIN"
        )
        with raw.copy(sql) as copy, path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            next(reader)
            block = []
            for account, meter, zone, period, value, source, taken in reader:
                d, m, y = taken.split(".")
                block.append(
                    f"{meters[(account, meter)]}\t{zone or 'total'}\t{period}-01\t"
                    f"{value.replace(',', '.')}\t{y}-{m}-{d} 00:00:00+03\t{source or 'billing'}"
                    f"\taccepted\t\t{now}\n"
                )
                if len(block) == 10_000:
                    copy.write("".join(block))
                    block = []
            if block:
                copy.write("".join(block))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--meters", type=int, default=50_000)
    parser.add_argument("--preview", action="store_true", help="time the preview as well")
    parser.add_argument(
        "--again", action="store_true", help="then import the same file again (all unchanged)"
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_import")
    args = parser.parse_args()
    setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("COPY needs PostgreSQL")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    make_meters(args.meters)
    path = VAR / f"readings-{args.rows}.csv"
    write_csv(path, rows=args.rows, meters=args.meters)
    size = path.stat().st_size / 2**20
    print(
        f"{args.meters} meters and a CSV of {args.rows} rows ({size:.0f} MiB) "
        f"in {time.perf_counter() - start:.0f} s"
    )

    truncate_readings()
    total, apply = kabinet_import(path, preview=args.preview)
    assert count_readings() == args.rows
    print(
        f"(a) Kabinet import   {total:7.1f} s  {args.rows / total:9.0f} rows/s"
        f"  (apply alone {args.rows / apply:.0f} rows/s)"
    )

    if args.again:
        again, _apply = kabinet_import(path, preview=False)
        assert count_readings() == args.rows
        print(f"(a') the same again  {again:7.1f} s  {args.rows / again:9.0f} rows/s (unchanged)")

    truncate_readings()
    took = postgres_copy(path)
    assert count_readings() == args.rows
    print(f"(b) PostgreSQL COPY  {took:7.1f} s  {args.rows / took:9.0f} rows/s")
    print(f"ratio: Kabinet takes {total / took:.1f}× the time of COPY")
    path.unlink()
    shutil.rmtree(os.environ["KABINET_INTEGRATION_UPLOADS_DIR"])  # the batches' copies


if __name__ == "__main__":
    main()
