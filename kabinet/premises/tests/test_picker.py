"""The address picker without JavaScript: one GET per step, then a POST adds the house."""

import re

import pytest
from django.urls import reverse

from kabinet.core.errors import DomainError
from kabinet.premises import selectors
from kabinet.premises.forms import AddressPickerForm
from kabinet.premises.models import HouseFollow
from kabinet.premises.tests.conftest import login

pytestmark = pytest.mark.django_db
ADD = "/houses/add/"


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def options(response, name: str) -> list[str]:
    html = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


@pytest.fixture
def spb(registry):
    return registry["sadovaya5"].street.settlement


def test_first_step_lists_settlements(client, alice, registry):
    login(client, alice)
    r = client.get(ADD)
    assert r.status_code == 200
    assert options(r, "settlement") == ["— выберите —", "Колпино", "Санкт-Петербург"]
    assert 'name="street"' not in r.content.decode()


def test_steps_without_javascript_then_post_adds_the_house(client, alice, registry, spb):
    login(client, alice)
    sadovaya = registry["sadovaya5"].street

    r = client.get(ADD, {"settlement": spb.pk, "at": "settlement"})
    page = text(r)
    assert 'name="street_q"' in page and "Найти" in page
    assert options(r, "street")[1:] == ["Невский проспект", "Садовая улица", "улица Марата"]
    assert "Санкт-Петербург" in page  # the step taken, with its "изменить" link
    assert f'href="?settlement={spb.pk}"' not in page and 'href="?"' in page

    # The text filter narrows the list (the JS-less type-ahead).
    r = client.get(
        ADD, {"settlement": spb.pk, "street_q": "сад", "action": "filter", "at": "street"}
    )
    assert options(r, "street")[1:] == ["Садовая улица"]

    r = client.get(ADD, {"settlement": spb.pk, "street": sadovaya.pk, "at": "street"})
    page = text(r)
    assert 'name="number"' in page
    assert '<option value="5">' in page and '<option value="7">' in page  # datalist

    r = client.get(
        ADD, {"settlement": spb.pk, "street": sadovaya.pk, "number": "5", "at": "number"}
    )
    page = text(r)
    assert "Санкт-Петербург, Садовая улица, д. 5" in page
    assert 'method="post"' in page and "Добавить в «Мой дом»" in page
    assert not HouseFollow.objects.exists()  # GET steps never write

    r = client.post(
        ADD,
        {"settlement": spb.pk, "street": sadovaya.pk, "number": "5", "at": "done"},
    )
    house = registry["sadovaya5"]
    assert r.status_code == 302 and r["Location"] == reverse("premises:detail", args=[house.pk])
    assert HouseFollow.objects.filter(user=alice, house=house).exists()


def test_building_step_when_the_number_has_several_korpusa(client, alice, registry, spb):
    login(client, alice)
    street = registry["sadovaya7k1"].street
    base = {"settlement": spb.pk, "street": street.pk, "number": "7"}
    r = client.get(ADD, {**base, "at": "number"})
    assert options(r, "building") == ["1", "2"]
    assert 'name="letter"' not in r.content.decode()  # no литера at this house
    assert "Выберите" not in text(r).split("Корпус")[1][:200]  # no error on arrival

    r = client.get(ADD, {**base, "building": "2", "at": "variant"})
    assert "Санкт-Петербург, Садовая улица, д. 7, корп. 2" in text(r)
    r = client.post(ADD, {**base, "building": "2", "at": "done"})
    assert r.status_code == 302
    assert HouseFollow.objects.get(user=alice).house == registry["sadovaya7k2"]


def test_letter_step(client, alice, registry, spb):
    login(client, alice)
    street = registry["marata10a"].street
    base = {"settlement": spb.pk, "street": street.pk, "number": "10"}
    r = client.get(ADD, {**base, "at": "number"})
    assert options(r, "letter") == ["А", "Б"]
    assert 'name="building"' not in r.content.decode()
    r = client.get(ADD, {**base, "letter": "Б", "at": "variant"})
    assert "улица Марата, д. 10, лит. Б" in text(r)


def test_number_is_matched_case_insensitively(client, alice, registry, spb):
    login(client, alice)
    h = selectors.house_find(
        settlement_id=spb.pk,
        street_id=registry["marata10a"].street_id,
        number=" 10 ",
        letter="б",
    )
    assert h == registry["marata10b"]


def test_address_outside_the_zone_is_refused_and_nothing_saved(client, alice, registry, spb):
    login(client, alice)
    street = registry["sadovaya5"].street
    data = {"settlement": spb.pk, "street": street.pk, "number": "99"}
    r = client.get(ADD, {**data, "at": "number"})
    page = text(r)
    assert "вне зоны теплоснабжения" in page
    assert 'id="id_number_error"' in page  # next to the field
    assert "Добавить в «Мой дом»" not in page
    # A forged final POST is checked again.
    r = client.post(ADD, {**data, "at": "done"})
    assert r.status_code == 200 and "вне зоны теплоснабжения" in text(r)
    assert not HouseFollow.objects.exists()


def test_house_find_says_which_field_is_wrong(registry, spb):
    street = registry["sadovaya7k1"].street
    with pytest.raises(DomainError) as exc:
        selectors.house_find(settlement_id=spb.pk, street_id=street.pk, number="77")
    assert exc.value.field == "number" and "вне зоны теплоснабжения" in exc.value.message
    with pytest.raises(DomainError) as exc:
        selectors.house_find(settlement_id=spb.pk, street_id=street.pk, number="7", building="3")
    assert exc.value.field == "building"
    kolpino = registry["kolpino"].street.settlement
    with pytest.raises(DomainError) as exc:  # a street of another settlement
        selectors.house_find(settlement_id=kolpino.pk, street_id=street.pk, number="5")
    assert exc.value.field == "street"


def test_submitting_an_empty_step_says_what_to_choose(client, alice, registry, spb):
    login(client, alice)
    r = client.get(ADD, {"settlement": "", "at": "settlement"})
    assert "Выберите населённый пункт." in text(r)
    r = client.get(ADD, {"settlement": spb.pk, "street": "", "at": "street"})
    assert "Выберите улицу из списка." in text(r)
    street = registry["sadovaya5"].street
    r = client.get(ADD, {"settlement": spb.pk, "street": street.pk, "number": "", "at": "number"})
    assert "Укажите номер дома." in text(r)


def test_street_of_another_settlement_goes_back_to_the_street_step(client, alice, registry):
    login(client, alice)
    kolpino = registry["kolpino"].street.settlement
    r = client.get(
        ADD, {"settlement": kolpino.pk, "street": registry["sadovaya5"].street_id, "at": "street"}
    )
    assert options(r, "street")[1:] == ["улица Труда"]
    assert 'id="id_street_error"' in r.content.decode()


def test_filter_with_no_match_says_so(client, alice, registry, spb):
    login(client, alice)
    r = client.get(ADD, {"settlement": spb.pk, "street_q": "Ы", "action": "filter", "at": "street"})
    assert "начинается с «Ы»" in text(r)


def test_form_with_prefix_for_reuse(registry, spb):
    """The sign-up embeds the picker with a prefix in its own POST form."""
    street = registry["sadovaya5"].street
    data = {"address-settlement": spb.pk, "address-street": street.pk, "address-number": "5"}
    picker = AddressPickerForm(data, prefix="address")
    assert picker.is_valid() and picker.done and picker.house == registry["sadovaya5"]
    assert ("address-number", "5") in picker.hidden_values


def test_anonymous_is_sent_to_login(client):
    r = client.get(ADD)
    assert r.status_code == 302 and r["Location"].startswith(reverse("identity:login"))
