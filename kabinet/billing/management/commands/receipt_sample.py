"""Write the demo receipt (``receipts.sample_snapshot()``) as a PNG picture.

    manage.py receipt_sample docs/screenshots/receipt.png [--ppi 110]

The picture in docs/screenshots is made with it, so the documentation shows what
the template really prints.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from kabinet.billing.receipts import render_receipt_png, sample_snapshot


class Command(BaseCommand):
    help = "Сохраняет образец квитанции в PNG."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--ppi", type=int, default=110)

    def handle(self, *args, out: Path, ppi: int, **options):
        out.write_bytes(render_receipt_png(sample_snapshot(), ppi=ppi))
        self.stdout.write(f"Квитанция сохранена в {out}")
