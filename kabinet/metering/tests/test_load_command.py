"""manage.py load_readings: the billing system's accepted readings from CSV."""

from io import StringIO

import pytest
from django.core.management import call_command

from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_reports_bad_lines(tmp_path):
    meter = f.meter(f.account(), decimals=2)
    csv_file = tmp_path / "readings.csv"
    csv_file.write_text(
        "account;meter;zone;period;value\n"
        f"{meter.account.number};{meter.number};;2026-03;1234,5\n"
        f"{meter.account.number};НЕТ-ТАКОГО;;2026-03;10\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("load_readings", str(csv_file), stdout=out)
    assert "Принято новых: 1" in out.getvalue()
    assert "строка 3:" in out.getvalue()
    assert Reading.objects.filter(meter=meter, status="accepted").count() == 1

    again = StringIO()
    call_command("load_readings", str(csv_file), stdout=again)
    assert "Принято новых: 0" in again.getvalue() and "без изменений: 1" in again.getvalue()
    assert Reading.objects.filter(meter=meter).count() == 1
