"""Outages: entered, changed (with history) and notified through the one service."""

from datetime import date, timedelta

import pytest
from django.core import mail

from kabinet.core.errors import DomainError
from kabinet.notifications.models import Notice
from kabinet.outages import selectors, services
from kabinet.outages.models import Outage, OutageEvent
from kabinet.premises.tests import factories as pf

from . import factories as f

pytestmark = pytest.mark.django_db


def test_new_outage_notifies_owners_followers_and_subscribers_once(
    alice, charlie, staff, django_capture_on_commit_callbacks
):
    from conftest import make_user

    house = f.house()
    f.account(alice, house)
    pf.follow(charlie, house)
    subscriber = make_user(email="sub@example.ru")
    services.outage_subscribe(user=subscriber, house=house)
    stranger = make_user(email="far@example.ru")
    services.outage_subscribe(user=stranger, house=f.house("7"))
    pf.follow(alice, house)  # an owner who also follows is notified once
    with django_capture_on_commit_callbacks(execute=True):
        outage = f.outage(house, by=staff)
    notices = Notice.objects.filter(kind="outage")
    assert sorted(n.user_id for n in notices) == sorted([alice.pk, charlie.pk, subscriber.pk])
    assert all(n.dedupe_key == f"outage-{outage.pk}" for n in notices)
    assert "15.11.2026 — 18.11.2026" in notices[0].title
    assert notices[0].url == f"/outages/mine/#outage-{outage.pk}"
    assert {m.to[0] for m in mail.outbox} >= {"alice@example.ru", "sub@example.ru"}
    assert not Notice.objects.filter(user__in=[stranger, staff]).exists()
    event = outage.events.get()
    assert (event.action, event.to_starts_on, event.by) == ("created", outage.starts_on, staff)


def test_change_of_dates_is_history_and_notified_again(alice, staff):
    house = f.house()
    f.account(alice, house)
    outage = f.outage(house)
    new_start = outage.starts_on + timedelta(days=2)
    services.outage_update(
        outage=outage, kind="planned", service="hot_water", starts_on=new_start,
        ends_on=new_start + timedelta(days=1), reason=outage.reason, by=staff, comment="перенос",
    )  # fmt: skip
    event = outage.events.get(action=OutageEvent.Action.DATES_CHANGED)
    assert (event.from_starts_on, event.from_ends_on) == (date(2026, 11, 15), date(2026, 11, 18))
    assert (event.to_starts_on, event.to_ends_on) == (date(2026, 11, 17), date(2026, 11, 18))
    assert event.by == staff and event.comment == "перенос"
    notices = Notice.objects.filter(user=alice).order_by("pk")
    assert len(notices) == 2
    assert notices[1].dedupe_key == f"outage-{outage.pk}-dates-{event.pk}"
    assert "Было: с 15.11.2026 по 18.11.2026" in notices[1].text
    # Moving them back is a second change, told again.
    services.outage_update(
        outage=outage, kind="planned", service="hot_water", starts_on=date(2026, 11, 15),
        ends_on=date(2026, 11, 18), reason=outage.reason, by=staff,
    )  # fmt: skip
    assert Notice.objects.filter(user=alice).count() == 3


def test_other_changes_are_history_without_notice(alice):
    house = f.house()
    f.account(alice, house)
    outage = f.outage(house)
    _o, changed = services.outage_update(
        outage=outage, kind="emergency", service="hot_water", starts_on=outage.starts_on,
        ends_on=outage.ends_on, reason="Авария на тепловой сети",
    )  # fmt: skip
    assert changed
    assert outage.events.filter(action="changed").count() == 1
    assert Notice.objects.filter(user=alice).count() == 1
    _o, changed = services.outage_update(
        outage=outage, kind="emergency", service="hot_water", starts_on=outage.starts_on,
        ends_on=outage.ends_on, reason="Авария на тепловой сети",
    )  # fmt: skip
    assert not changed and outage.events.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"ends_on": date(2026, 11, 1)}, "ends_on", "раньше даты начала (05.11.2026)"),
        ({"reason": "   "}, "reason", "причину"),
        ({"kind": "x"}, "kind", "плановое или аварийное"),
        ({"service": "gas"}, "service", "ГВС или отопление"),
    ],
)
def test_bad_outage_is_refused_in_russian(changes, field, words):
    data = {
        "house": f.house(), "kind": "planned", "service": "hot_water",
        "starts_on": date(2026, 11, 5), "ends_on": date(2026, 11, 6), "reason": "Ремонт",
    }  # fmt: skip
    data.update(changes)
    with pytest.raises(DomainError) as exc:
        services.outage_create(**data)
    assert exc.value.field == field and words in str(exc.value.message)
    assert not Outage.objects.exists()


def test_subscribe_twice_is_harmless_and_staff_cannot(alice, staff):
    house = f.house()
    sub, created = services.outage_subscribe(user=alice, house=house)
    again, created2 = services.outage_subscribe(user=alice, house=house)
    assert created and not created2 and sub == again
    with pytest.raises(DomainError):
        services.outage_subscribe(user=staff, house=house)


def test_report_orders_current_then_upcoming_then_past(alice):
    today = f.TODAY
    house = f.house()
    f.account(alice, house)
    upcoming_late = f.outage(house, start=today + timedelta(days=30))
    upcoming = f.outage(house, start=today + timedelta(days=3))
    current = f.outage(house, start=today - timedelta(days=1), service="heating")
    past = f.outage(house, start=today - timedelta(days=20))
    other = f.outage(f.house("99"), start=today)  # not one of alice's houses
    report = selectors.outage_report(user=alice, today=today)
    assert report.active == [current, upcoming, upcoming_late]
    assert report.past == [past]
    assert other not in report.active
    assert [h.pk for h in report.houses] == [house.pk]


def test_visible_to(alice, charlie, staff):
    mine, followed, subscribed, other = (f.house(n) for n in ("1", "2", "3", "4"))
    f.account(alice, mine)
    pf.follow(alice, followed)
    services.outage_subscribe(user=alice, house=subscribed)
    outages = [f.outage(h) for h in (mine, followed, subscribed, other)]
    assert set(Outage.objects.visible_to(alice)) == set(outages[:3])
    assert not Outage.objects.visible_to(charlie).exists()
    assert Outage.objects.visible_to(staff).count() == 4
