"""Load the readings the billing system accepted, from its CSV export.

    manage.py load_readings readings.csv

Columns (a header row, `;` or `,` separated, UTF-8): account, meter, zone, period,
value, and optionally source and taken_at. A repeated load changes nothing; every
rejected row is reported with its line number and the good rows are kept.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.metering.services import readings_load_accepted


class Command(BaseCommand):
    help = "Загружает принятые биллингом показания из CSV."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"Нет файла {path}")
        text = path.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
        rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
        for row in rows:
            row["value"] = (row.get("value") or "").replace(",", ".")
            if not row.get("zone"):
                row.pop("zone", None)
        report = readings_load_accepted(rows=rows)
        self.stdout.write(
            f"Принято новых: {report.created}, подтверждено: {report.confirmed}, "
            f"без изменений: {report.unchanged}, отклонено: {len(report.rejected)}"
        )
        for number, why in report.rejected:
            # Line numbers of the file: the header is line 1.
            self.stdout.write(f"  строка {number + 1}: {why}")
