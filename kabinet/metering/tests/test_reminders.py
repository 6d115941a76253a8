"""The readings window reminders: on the opening day and two days before the close,
once a month to each customer with an active meter."""

from datetime import date

import pytest

from kabinet.metering import services
from kabinet.notifications.models import Notice

from . import factories as f

pytestmark = pytest.mark.django_db


def test_reminders_on_the_opening_day_and_before_the_close(alice, charlie):
    f.meter(f.account(owner=alice))
    f.meter(f.account(owner=alice))  # two accounts: still one notice
    removed = f.meter(f.account(owner=charlie))
    removed.state = removed.State.REMOVED
    removed.save()
    f.meter(f.account())  # not in any cabinet
    assert services.readings_window_remind(today=date(2026, 11, 15)) == 1
    assert services.readings_window_remind(today=date(2026, 11, 15)) == 1  # job again
    assert Notice.objects.filter(user=alice).count() == 1
    assert services.readings_window_remind(today=date(2026, 11, 16)) == 0
    assert services.readings_window_remind(today=date(2026, 11, 23)) == 1
    titles = list(Notice.objects.filter(user=alice).values_list("title", flat=True))
    assert len(titles) == 2 and any("до 25 ноября" in t for t in titles)
    assert not Notice.objects.filter(user=charlie).exists()
    assert services.readings_window_remind(today=date(2026, 11, 26)) == 0
