"""Договоры through the API, read-only: the organisation's cabinet sees its contracts
with their debt, a stranger gets 404, staff per ``visible_to``."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kabinet.contracts.tests.factories import OTHER_INN, contract, organisation
from kabinet.customer_accounts.tests.factories import charge, payment

pytestmark = pytest.mark.django_db

BASE = "/api/v1/contracts/"


@pytest.fixture
def con(alice):
    c = contract(party=organisation(alice))
    closed = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    charge(c.account, closed, 150_000)
    charge(c.account, closed, 2_345, kind="penalty", service="Пени")
    payment(c.account, closed, 50_000)
    return c


def test_list_with_debts(client, alice, con):
    other = contract(party=organisation(alice, inn=OTHER_INN, name="ООО «Лютик»"))
    client.force_login(alice)
    response = client.get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["number"] for c in body["items"]] == sorted([con.number, other.number])
    mine = next(c for c in body["items"] if c["uuid"] == str(con.uuid))
    assert Decimal(mine["debt"]) == Decimal("1023.45")
    assert Decimal(mine["penalties"]) == Decimal("23.45")
    assert mine["state_label"] == "заключён"
    assert Decimal(body["total_debt"]) == Decimal("1023.45")
    page = client.get(BASE, {"limit": 1, "offset": 1}).json()
    assert len(page["items"]) == 1 and page["count"] == 2


def test_detail(client, alice, con):
    client.force_login(alice)
    response = client.get(f"{BASE}{con.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == con.number and body["can_act"] is True
    assert body["curators"][0]["full_name"] == "Хлынова Ирина Владимировна"
    assert body["payment_terms"][0]["day"] == 18
    assert body["objects"][0]["name"] == "Административное здание"
    unit = con.units.get()
    assert body["units"][0]["uuid"] == str(unit.uuid)
    assert body["points"][0]["unit"] == str(unit.uuid)
    assert body["signed_on"] == date(2015, 10, 1).isoformat()


def test_stranger_and_staff(client, charlie, staff, con):
    client.force_login(charlie)
    assert client.get(BASE).json()["count"] == 0
    response = client.get(f"{BASE}{con.uuid}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(staff)
    body = client.get(BASE).json()
    assert body["count"] == 1 and body["total_debt"] is None
    detail = client.get(f"{BASE}{con.uuid}").json()
    assert detail["can_act"] is False


def test_anonymous_and_utilities_without_contracts(client, alice, con, settings):
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}{con.uuid}").status_code == 401
    settings.KABINET_UTILITY = "gorseti_tomsk"
    client.force_login(alice)
    assert client.get(BASE).status_code == 404


def test_list_queries_do_not_grow_with_contracts(client, alice, con):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    client.get(BASE)  # the first request after signing in also saves the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(BASE).status_code == 200
    party = con.party
    for _ in range(4):
        contract(party=party)
    with CaptureQueriesContext(connection) as five:
        assert client.get(BASE).json()["count"] == 5
    assert len(five) == len(one)
