"""Write the API's OpenAPI document to docs/api/openapi.json, or check that it is current.

    python manage.py api_schema           # regenerate the file
    python manage.py api_schema --check   # exit 1 when the file differs from the code

The document is built in Russian (the descriptions are lazy and are rendered here), with keys
sorted, so the file changes only when the API does.
"""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def current_schema_text() -> str:
    from kabinet.api.main import api

    with translation.override("ru"):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
        # Through JSON once: status codes become strings, as they are in the served document,
        # so the keys sort.
        plain = json.loads(json.dumps(schema, default=str))
        return json.dumps(plain, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Записать docs/api/openapi.json (или проверить его: --check)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only compare, exit 1 if stale")

    def handle(self, *args, check=False, **options):
        text = current_schema_text()
        if check:
            on_disk = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
            if on_disk != text:
                self.stderr.write(
                    f"{SCHEMA_FILE} is out of date: run `python manage.py api_schema`."
                )
                sys.exit(1)
            self.stdout.write(f"{SCHEMA_FILE} is current.")
            return
        SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {SCHEMA_FILE}.")
