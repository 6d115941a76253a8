"""The demo: outages of the resident's house and two news items, one unread."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from kabinet.identity.models import User
from kabinet.news.models import News
from kabinet.outages import selectors

pytestmark = pytest.mark.django_db


def test_demo_has_outages_and_one_unread_news_item():
    call_command("demo_data", quiet=True)
    resident = User.objects.get(email="resident@example.ru")
    today = timezone.localdate()
    report = selectors.outage_report(user=resident, today=today)
    assert [(o.kind, o.service) for o in report.active] == [("planned", "hot_water")]
    assert report.active[0].starts_on.month != today.month
    assert [(o.kind, o.service) for o in report.past] == [("emergency", "heating")]
    assert News.objects.unread_by(resident).count() == 1
    assert News.objects.count() == 2
