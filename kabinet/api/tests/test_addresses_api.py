"""The address registry through the API: what the outage search needs, without signing in."""

import pytest
from django.test import Client

from kabinet.premises.tests.factories import house, settlement, street

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    house("5")
    house("5", building="2")
    house("5", letter="А")
    house("10")
    house("3", street_name="Невский проспект")
    return street("Садовая улица"), settlement()


def test_settlements_streets_and_houses_lead_to_the_outage_search(registry):
    sadovaya, spb = registry
    client = Client()
    towns = client.get("/api/v1/addresses/settlements").json()
    assert towns == [{"id": spb.pk, "name": "Санкт-Петербург"}]
    streets = client.get("/api/v1/addresses/streets", {"settlement": spb.pk, "q": "сад"}).json()
    assert streets == [{"id": sadovaya.pk, "name": "Садовая улица"}]
    houses = client.get("/api/v1/addresses/houses", {"street": sadovaya.pk, "q": "5"}).json()
    assert [(h["number"], h["building"], h["letter"]) for h in houses] == [
        ("5", "", ""),
        ("5", "", "А"),
        ("5", "2", ""),
    ]
    assert houses[0]["label"] == "без корпуса и литеры" and houses[2]["label"] == "корп. 2"
    search = client.get(
        "/api/v1/outages/search",
        {"settlement": spb.pk, "street": sadovaya.pk, "number": "5", "building": "2"},
    )
    assert search.status_code == 200
    assert search.json()["house"]["id"] == houses[2]["id"]


def test_numbers_sort_naturally_and_unknown_ids_are_404(registry):
    sadovaya, spb = registry
    client = Client()
    numbers = [
        h["number"] for h in client.get("/api/v1/addresses/houses", {"street": sadovaya.pk}).json()
    ]
    assert numbers == ["5", "5", "5", "10"]
    missing = client.get("/api/v1/addresses/streets", {"settlement": 999999})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = client.get("/api/v1/addresses/houses", {"street": 0})
    assert bad.status_code == 422 and "street" in bad.json()["fields"]
