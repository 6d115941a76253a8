"""The physical layout of ``metering_intervalday`` (docs/intervals.md).

PostgreSQL: the table Django created in 0003 is empty; it is replaced by the same columns
(ordered for alignment, fixed-width first) ``PARTITION BY RANGE (day)``, one partition a
month from 13 months back to 3 months ahead plus a DEFAULT partition. The monthly beat
task ``metering.intervals_ensure_partitions`` keeps creating months ahead.

SQLite: the table is rebuilt ``WITHOUT ROWID`` so the (series_id, day) key is the table
itself (no second B-tree). A later migration that remakes the table on SQLite loses that
option; it is only a size optimisation.

Other databases keep Django's plain table.
"""

from datetime import date

from django.db import migrations

TABLE = "metering_intervalday"

PG_CREATE = f"""
DROP TABLE {TABLE};
CREATE TABLE {TABLE} (
    series_id bigint NOT NULL
        CONSTRAINT metering_intervalday_series_fk REFERENCES metering_intervalseries (id)
        DEFERRABLE INITIALLY DEFERRED,
    total bigint NOT NULL,
    night_total bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    day date NOT NULL,
    estimated_mask integer NOT NULL,
    present smallint NOT NULL,
    "values" integer[] NOT NULL,
    PRIMARY KEY (series_id, day)
) PARTITION BY RANGE (day);
CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT;
"""


def _month(d: date, shift: int) -> date:
    n = d.year * 12 + d.month - 1 + shift
    return date(n // 12, n % 12 + 1, 1)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
        today = date.today()
        for shift in range(-13, 4):
            start, end = _month(today, shift), _month(today, shift + 1)
            schema_editor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE}_p{start:%Y%m} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [TABLE])
            (sql,) = cursor.fetchone()
        if "WITHOUT ROWID" not in sql.upper():
            schema_editor.execute(f'DROP TABLE "{TABLE}"')
            schema_editor.execute(sql + " WITHOUT ROWID")


class Migration(migrations.Migration):
    dependencies = [("metering", "0003_intervals")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
