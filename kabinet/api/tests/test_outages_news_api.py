"""Отключения and Новости through the API: what the pages show, to whom, and the
writes (subscriptions, read marks) through the same services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from kabinet.news import services as news_services
from kabinet.news.models import News, NewsRead
from kabinet.outages.models import OutageSubscription
from kabinet.outages.services import MAX_SUBSCRIPTIONS
from kabinet.outages.tests import factories as f
from kabinet.premises.tests import factories as pf

pytestmark = pytest.mark.django_db

OUTAGES = "/api/v1/outages/"
NEWS = "/api/v1/news/"


@pytest.fixture
def alice_house(alice):
    house = f.house("5")
    f.account(alice, house)
    return house


@pytest.fixture
def outages(alice_house):
    today = timezone.localdate()
    current = f.outage(alice_house, start=today - timedelta(days=1), reason="Ремонт теплосети")
    upcoming = f.outage(alice_house, start=today + timedelta(days=10), service="heating")
    past = f.outage(alice_house, start=today - timedelta(days=30), days=2)
    return current, upcoming, past


# --- outages -------------------------------------------------------------------------------


def test_report_of_my_addresses(client, alice, outages):
    current, upcoming, past = outages
    client.force_login(alice)
    response = client.get(OUTAGES + "mine")
    assert response.status_code == 200
    body = response.json()
    assert [o["id"] for o in body["active"]] == [current.pk, upcoming.pk]
    assert [o["id"] for o in body["past"]] == [past.pk]
    assert body["active"][0]["state"] == "current"
    assert body["active"][0]["reason"] == "Ремонт теплосети"
    assert body["active"][1]["service_label"] == "отопление"
    assert body["active"][0]["starts_on"] == current.starts_on.isoformat()
    assert body["houses"][0]["address"] == current.house.address
    assert body["subscriptions"] == []
    detail = client.get(f"{OUTAGES}{current.pk}")
    assert detail.status_code == 200 and detail.json()["house"]["id"] == current.house_id


def test_stranger_sees_none_and_gets_404(client, charlie, outages):
    client.force_login(charlie)
    body = client.get(OUTAGES + "mine").json()
    assert body["active"] == [] and body["past"] == []
    for outage in outages:
        response = client.get(f"{OUTAGES}{outage.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_staff_per_visible_to(client, staff, outages):
    client.force_login(staff)
    for outage in outages:
        assert client.get(f"{OUTAGES}{outage.pk}").status_code == 200


def test_public_search_by_address_without_sign_in(client, outages, alice_house):
    query = {
        "settlement": alice_house.street.settlement_id,
        "street": alice_house.street_id,
        "number": "5",
    }
    response = client.get(OUTAGES + "search", query)
    assert response.status_code == 200
    body = response.json()
    assert body["house"]["id"] == alice_house.pk
    assert len(body["active"]) == 2 and len(body["past"]) == 1
    # An address outside the zone: 404 with the registry's Russian message by the field.
    response = client.get(OUTAGES + "search", {**query, "number": "999"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "number" in response.json()["fields"]
    response = client.get(OUTAGES + "search", {"number": "5"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation"


def test_anonymous_401_on_mine(client, outages):
    assert client.get(OUTAGES + "mine").status_code == 401
    assert client.get(f"{OUTAGES}{outages[0].pk}").status_code == 401
    assert (
        client.post(OUTAGES + "subscriptions", {"house": 1}, "application/json").status_code == 401
    )


def test_subscribe_and_unsubscribe(client, charlie, outages, alice_house):
    client.force_login(charlie)
    response = client.post(
        OUTAGES + "subscriptions", {"house": alice_house.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    sub = OutageSubscription.objects.get(user=charlie)
    assert response.json()["id"] == sub.pk
    again = client.post(
        OUTAGES + "subscriptions", {"house": alice_house.pk}, content_type="application/json"
    )
    assert again.status_code == 200
    assert OutageSubscription.objects.filter(user=charlie).count() == 1
    # Subscribed: the house's outages are now charlie's too.
    assert len(client.get(OUTAGES + "mine").json()["active"]) == 2
    assert client.get(f"{OUTAGES}{outages[0].pk}").status_code == 200
    assert client.delete(f"{OUTAGES}subscriptions/{sub.pk}").status_code == 204
    assert not OutageSubscription.objects.exists()


def test_subscription_of_another_is_404(client, alice, charlie, alice_house):
    sub = OutageSubscription.objects.create(user=alice, house=alice_house)
    client.force_login(charlie)
    assert client.delete(f"{OUTAGES}subscriptions/{sub.pk}").status_code == 404
    assert OutageSubscription.objects.filter(pk=sub.pk).exists()


def test_subscribe_refused(client, alice, staff):
    client.force_login(alice)
    response = client.post(
        OUTAGES + "subscriptions", {"house": 987654}, content_type="application/json"
    )
    assert response.status_code == 404
    response = client.post(
        OUTAGES + "subscriptions", {"house": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    houses = [pf.house(str(n)) for n in range(1, MAX_SUBSCRIPTIONS + 2)]
    for house in houses[:MAX_SUBSCRIPTIONS]:
        OutageSubscription.objects.create(user=alice, house=house)
    response = client.post(
        OUTAGES + "subscriptions", {"house": houses[-1].pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Отпишитесь" in response.json()["message"]
    assert OutageSubscription.objects.filter(user=alice).count() == MAX_SUBSCRIPTIONS
    client.force_login(staff)
    response = client.post(
        OUTAGES + "subscriptions", {"house": houses[-1].pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "сотрудников" in response.json()["message"]


# --- news ------------------------------------------------------------------------------------


@pytest.fixture
def items():
    old = news_services.news_publish(
        title="Новые тарифы", text="С 1 июля.", published_at=timezone.now() - timedelta(days=2)
    )
    new = news_services.news_publish(title="Оплата картой", text="Теперь без комиссии.")
    ahead = news_services.news_publish(
        title="Будущее", text="Позже.", published_at=timezone.now() + timedelta(days=3)
    )
    return old, new, ahead


def test_news_list_published_only_with_unread(client, alice, items):
    old, new, ahead = items
    client.force_login(alice)
    response = client.get(NEWS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [n["id"] for n in body["items"]] == [new.pk, old.pk]
    assert all(n["unread"] for n in body["items"])
    assert client.get(f"{NEWS}{ahead.pk}").status_code == 404
    detail = client.get(f"{NEWS}{old.pk}").json()
    assert detail["title"] == "Новые тарифы" and detail["text"] == "С 1 июля."
    page = client.get(NEWS, {"limit": 1, "offset": 1}).json()
    assert [n["id"] for n in page["items"]] == [old.pk]


def test_news_read_one_and_all(client, alice, charlie, items):
    old, new, _ahead = items
    client.force_login(alice)
    assert client.post(f"{NEWS}{old.pk}/read").status_code == 204
    assert NewsRead.objects.filter(user=alice, news=old).exists()
    unread = {n["id"]: n["unread"] for n in client.get(NEWS).json()["items"]}
    assert unread == {new.pk: True, old.pk: False}
    response = client.post(NEWS + "read")
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert not any(n["unread"] for n in client.get(NEWS).json()["items"])
    # Charlie's marks are his own.
    client.force_login(charlie)
    assert all(n["unread"] for n in client.get(NEWS).json()["items"])


def test_news_ahead_for_the_staff_who_write_them(client, items):
    _old, _new, ahead = items
    writer = make_user(login="writer", staff=True, role="operator")
    client.force_login(writer)
    assert client.get(f"{NEWS}{ahead.pk}").status_code == 200
    assert client.get(NEWS).json()["count"] == 3
    biller = make_user(login="biller", staff=True, role="billing")
    client.force_login(biller)
    assert client.get(f"{NEWS}{ahead.pk}").status_code == 404


def test_news_needs_sign_in(client, items):
    assert client.get(NEWS).status_code == 401
    assert client.post(NEWS + "read").status_code == 401
    assert not NewsRead.objects.exists()
    assert News.objects.count() == 3


def test_read_only_token_reads_but_never_writes(client, alice, alice_house, items):
    from kabinet.identity.services import api_token_issue

    # A real read-only token of alice's: it is tried before the session.
    _token, secret = api_token_issue(user=alice, name="только чтение", scope="read")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    sub = OutageSubscription.objects.create(user=alice, house=alice_house)
    client.force_login(alice)
    assert client.get(OUTAGES + "mine").status_code == 200
    assert client.get(NEWS).status_code == 200
    other = pf.house("7")
    responses = [
        client.post(OUTAGES + "subscriptions", {"house": other.pk}, "application/json"),
        client.delete(f"{OUTAGES}subscriptions/{sub.pk}"),
        client.post(NEWS + "read"),
        client.post(f"{NEWS}{items[0].pk}/read"),
    ]
    assert [r.status_code for r in responses] == [403] * 4
    assert list(OutageSubscription.objects.values_list("pk", flat=True)) == [sub.pk]
    assert not NewsRead.objects.exists()
