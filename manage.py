#!/usr/bin/env python
import os
import sys

# Commands that only compare the models with the migration files, or write the API's
# OpenAPI document, read no secret and touch no database: they run without the
# production environment. Every other command
# (and the WSGI server) still refuses to start without KABINET_SECRET_KEY and the rest.
SCHEMA_ONLY = {"makemigrations", "api_schema"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kabinet.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SCHEMA_ONLY:
        os.environ.setdefault("KABINET_DEBUG", "1")
        os.environ.setdefault("KABINET_DATABASE_URL", "sqlite://:memory:")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
