"""The daily refresh from the billing system's inbox, by hand or from cron.

    manage.py integration_refresh [--force]

Applies every ``<kind>.csv`` / ``<kind>.xlsx`` in ``KABINET_INTEGRATION_INBOX_DIR`` and
moves it to ``done/<date>/``; does nothing when today's run is done, unless ``--force``.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from kabinet.integration.refresh import integration_refresh_run


class Command(BaseCommand):
    help = "Ежедневное обновление: применяет файлы биллинга из входящего каталога."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="запустить, даже если сегодня уже запускалось"
        )

    def handle(self, *args, force: bool = False, **options):
        run = integration_refresh_run(force=force)
        if run is None:
            day = timezone.localdate().strftime("%d.%m.%Y")
            self.stdout.write(
                f"Обновление за {day} уже выполнено; --force, чтобы запустить ещё раз."
            )
            return
        self.stdout.write(f"{run.get_status_display().capitalize()}.")
        for entry in run.files:
            line = f"  {entry['name']}: {entry['status']}"
            if entry.get("batch"):
                line += f" (загрузка {entry['batch']})"
            if entry.get("error"):
                line += f" — {entry['error']}"
            self.stdout.write(line)
        if run.error:
            self.stderr.write(run.error)
