"""Load outages (отключения ГВС и отопления) from the billing or dispatch system's CSV.

    manage.py load_outages outages.csv

Columns (a header row, `;` or `,` separated, UTF-8): id, settlement, street, house,
building, letter, kind (плановое / аварийное), service (ГВС / отопление), start, end
(ДД.ММ.ГГГГ) and reason. The id is the source's code: a repeated load changes nothing,
a known id with other dates changes the outage (kept in its history, customers
notified again). Every rejected row is reported with its line number and the good rows
are kept.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.outages.services import outages_load


class Command(BaseCommand):
    help = "Загружает отключения ГВС и отопления из CSV."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"Нет файла {path}")
        text = path.read_text(encoding="utf-8-sig")
        lines = text.splitlines()
        if not lines:
            raise CommandError(f"Файл {path} пуст")
        dialect = csv.Sniffer().sniff(lines[0], delimiters=";,")
        rows = list(csv.DictReader(lines, dialect=dialect))
        report = outages_load(rows=rows)
        self.stdout.write(
            f"Новых: {report.created}, изменено: {report.changed}, "
            f"без изменений: {report.unchanged}, отклонено: {len(report.rejected)}"
        )
        for number, why in report.rejected:
            # Line numbers of the file: the header is line 1.
            self.stdout.write(f"  строка {number + 1}: {why}")
