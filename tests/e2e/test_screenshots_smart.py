"""The ИСУ pages and a heat unit's archive at 1280 and 360 px (``--screenshots`` writes
docs/screenshots/smart-*.png and heat-archive-*.png)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from kabinet.metering.tests import smart_data
from tests.e2e.journeys import go, sign_in


def test_smart_meter_pages(page, shoot):
    user = make_user(email="isu@example.ru")
    today = timezone.localdate()
    m = smart_data.smart_meter(user, today, gap_day=today - timedelta(days=3), realistic=True)
    unit = smart_data.heat_unit(user, today, gap_day=today - timedelta(days=4), realistic=True)
    sign_in(page, "isu@example.ru")
    base = reverse("metering:smart", args=[m.uuid])
    for name, query in [
        ("smart-energy", "?tab=energy"),
        ("smart-power", "?tab=power&preset=week"),
        ("smart-registers", "?tab=registers&preset=week"),
        ("smart-events", "?tab=events"),
    ]:
        go(page, base + query)
        shoot(name)
    go(page, reverse("metering:unit_archive", args=[unit.uuid]))
    shoot("heat-archive")
