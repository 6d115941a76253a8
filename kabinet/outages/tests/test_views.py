"""Outage pages: the public search, the customer's report, subscriptions, staff screens."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kabinet.notifications.models import Notice
from kabinet.outages.models import Outage, OutageSubscription
from kabinet.premises.tests import factories as pf

from . import factories as f

pytestmark = pytest.mark.django_db


def picker_query(house) -> dict:
    return {
        "settlement": house.street.settlement_id,
        "street": house.street_id,
        "number": house.number,
        "at": "number",
    }


def test_public_search_needs_no_sign_in(client):
    house = f.house()
    f.outage(house, start=timezone.localdate(), reason="Плановый ремонт теплосети")
    response = client.get(reverse("outages:search"), picker_query(house))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Плановый ремонт теплосети" in text
    assert timezone.localdate().strftime("%d.%m.%Y") in text
    assert "Войдите в личный кабинет" in text
    assert client.get(reverse("outages:search")).status_code == 200


def test_public_search_outside_the_zone_says_so_next_to_the_field(client):
    house = f.house()
    q = picker_query(house) | {"number": "404"}
    text = client.get(reverse("outages:search"), q).content.decode()
    assert "вне зоны теплоснабжения" in text and 'value="404"' in text


def test_customer_subscribes_to_any_house_and_is_notified(client, alice, staff):
    house = f.house("9")
    client.force_login(alice)
    page = client.get(reverse("outages:search"), picker_query(house)).content.decode()
    assert "Подписаться на уведомления" in page
    response = client.post(reverse("outages:subscribe"), picker_query(house) | {"at": "done"})
    assert response.status_code == 302 and response.url == reverse("outages:mine")
    assert OutageSubscription.objects.filter(user=alice, house=house).exists()
    page = client.get(reverse("outages:search"), picker_query(house)).content.decode()
    assert "Вы подписаны" in page
    outage = f.outage(house, by=staff)
    assert Notice.objects.filter(user=alice, dedupe_key=f"outage-{outage.pk}").exists()
    mine = client.get(reverse("outages:mine")).content.decode()
    assert f'id="outage-{outage.pk}"' in mine and house.address in mine


def test_own_house_needs_no_subscription(client, alice):
    house = f.house()
    f.account(alice, house)
    client.force_login(alice)
    page = client.get(reverse("outages:search"), picker_query(house)).content.decode()
    assert "без подписки" in page and "Подписаться на уведомления" not in page


def test_subscription_access(client, alice, charlie, staff):
    from kabinet.outages import services

    sub, _ = services.outage_subscribe(user=alice, house=f.house())
    url = reverse("outages:unsubscribe", args=[sub.pk])
    client.force_login(charlie)
    assert client.post(url).status_code == 404
    assert OutageSubscription.objects.filter(pk=sub.pk).exists()
    assert client.get(reverse("outages:mine")).content.decode().count("Отписаться") == 0
    client.force_login(alice)
    assert client.post(url).status_code == 302
    assert not OutageSubscription.objects.filter(pk=sub.pk).exists()
    sub, _ = services.outage_subscribe(user=alice, house=f.house())
    client.force_login(staff)
    assert client.post(reverse("outages:unsubscribe", args=[sub.pk])).status_code == 302


def test_mine_needs_sign_in(client):
    response = client.get(reverse("outages:mine"))
    assert response.status_code == 302 and "/login/" in response.url


def test_mine_query_count_does_not_grow_with_houses(client, alice, charlie):
    from kabinet.outages import services

    today = timezone.localdate()

    def build(user, n: int, base: int):
        for i in range(n):
            house = f.house(str(base + i))
            f.account(user, house, number=str(200000000 + base + i))
            pf.follow(user, house)
            services.outage_subscribe(user=user, house=f.house(f"{base + i}А"))
            f.outage(house, start=today + timedelta(days=i))
            f.outage(house, start=today - timedelta(days=30 + i))

    build(alice, 1, 100)
    build(charlie, 6, 200)

    def count(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("outages:mine"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    # Each user's first page after signing in also does once-only work (the session,
    # the footer's cached values): compare the pages after it.
    count(alice), count(charlie)
    assert count(alice) == count(charlie)
    text = client.get(reverse("outages:mine")).content.decode()
    assert text.count('id="outage-') == 12


def test_staff_pages_are_404_for_customers(client, alice):
    outage = f.outage(f.house())
    client.force_login(alice)
    for url in (
        reverse("outages_staff:list"),
        reverse("outages_staff:create"),
        reverse("outages_staff:edit", args=[outage.pk]),
    ):
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(reverse("outages_staff:list")).status_code == 302


def test_staff_enter_an_outage_by_address(client, staff, alice):
    house = f.house()
    f.account(alice, house)
    client.force_login(staff)
    page = client.get(reverse("outages_staff:create"), picker_query(house)).content.decode()
    assert "Внести отключение" in page and house.address in page
    data = picker_query(house) | {
        "at": "done", "kind": "planned", "service": "hot_water",
        "starts_on": "2026-12-01", "ends_on": "2026-11-20", "reason": "Испытания",
    }  # fmt: skip
    response = client.post(reverse("outages_staff:create"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Дата окончания не может быть раньше даты начала (01.12.2026)" in text
    assert "Испытания" in text and 'value="2026-12-01"' in text
    assert not Outage.objects.exists()
    response = client.post(reverse("outages_staff:create"), data | {"ends_on": "14.12.2026"})
    outage = Outage.objects.get()
    assert response.url == reverse("outages_staff:edit", args=[outage.pk])
    assert outage.created_by == staff and str(outage.ends_on) == "2026-12-14"
    assert Notice.objects.filter(user=alice).count() == 1
    assert "14.12.2026" in client.get(reverse("outages_staff:list")).content.decode()


def test_staff_change_dates_keeps_history(client, staff, alice):
    house = f.house()
    f.account(alice, house)
    outage = f.outage(house)
    client.force_login(staff)
    url = reverse("outages_staff:edit", args=[outage.pk])
    data = {
        "kind": "planned", "service": "hot_water", "starts_on": "2026-11-16",
        "ends_on": "2026-11-19", "reason": outage.reason, "comment": "по просьбе УК",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "15.11.2026 — 18.11.2026 → 16.11.2026 — 19.11.2026" in page
    assert "по просьбе УК" in page and str(staff) in page
    assert Notice.objects.filter(user=alice).count() == 2
