"""The JSON type-ahead behind the picker: prefix match, Cyrillic, at most 20 results."""

import pytest

from kabinet.premises.tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/houses/lookup/"


def labels(client, **params) -> list:
    r = client.get(URL, params)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/json"
    return [item["label"] for item in r.json()["results"]]


def test_at_most_twenty_streets(client):
    for i in range(25):
        f.street(f"Линия {i:02d}")
    spb = f.settlement()
    assert len(labels(client, step="street", settlement=spb.pk, q="")) == 20
    assert len(labels(client, step="street", settlement=spb.pk, q="лин")) == 20
    assert labels(client, step="street", settlement=spb.pk, q="Линия 1") == [
        f"Линия {i}" for i in range(10, 20)
    ]


def test_prefix_match_is_case_insensitive_in_cyrillic(client, registry):
    spb = f.settlement()
    f.street("Ёлочная улица")
    for q in ("сад", "САД", "Сад", "садовая у"):
        assert labels(client, step="street", settlement=spb.pk, q=q) == ["Садовая улица"]
    # The proper name need not be first: "мар" finds "улица Марата".
    assert labels(client, step="street", settlement=spb.pk, q="мар") == ["улица Марата"]
    assert labels(client, step="street", settlement=spb.pk, q="ул") == [
        "улица Марата",  # the name starts with it: first
        "Ёлочная улица",
        "Садовая улица",
    ]
    # Not a match in the middle of a word.
    assert labels(client, step="street", settlement=spb.pk, q="адов") == []
    # ё and е are the same letter to a person typing.
    assert labels(client, step="street", settlement=spb.pk, q="елоч") == ["Ёлочная улица"]


def test_streets_of_the_chosen_settlement_only(client, registry):
    kolpino = registry["kolpino"].street.settlement
    assert labels(client, step="street", settlement=kolpino.pk, q="ул") == ["улица Труда"]


def test_values_are_ids_for_streets_and_numbers_for_houses(client, registry):
    spb = f.settlement()
    r = client.get(URL, {"step": "street", "settlement": spb.pk, "q": "нев"})
    assert r.json() == {
        "results": [{"value": registry["nevsky"].street_id, "label": "Невский проспект"}]
    }
    street = registry["sadovaya5"].street
    for n in ("10", "2", "10А", "12"):
        f.house(n)
    assert labels(client, step="house", street=street.pk, q="") == [
        "2",
        "5",
        "7",
        "10",
        "10А",
        "12",
    ]
    assert labels(client, step="house", street=street.pk, q="1") == ["10", "10А", "12"]
    assert labels(client, step="house", street=street.pk, q="10а") == ["10А"]


def test_bad_requests_are_400_with_a_message(client, registry):
    for params in (
        {},
        {"step": "nope"},
        {"step": "street"},
        {"step": "street", "settlement": "x"},
        {"step": "street", "settlement": 99999},
        {"step": "house", "street": "-1"},
    ):
        r = client.get(URL, params)
        assert r.status_code == 400, params
        assert r.json()["error"]


def test_post_is_not_allowed(client, registry):
    assert client.post(URL, {"step": "street"}).status_code == 405
