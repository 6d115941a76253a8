"""000 §2.1: a resident signs up with their house chosen step by step from the registry."""

import pytest

from kabinet.identity.models import User
from kabinet.premises.models import HouseFollow
from kabinet.premises.tests.factories import house

pytestmark = pytest.mark.django_db

PERSON = {
    "kind": "person",
    "last_name": "Соколова",
    "first_name": "Мария",
    "email": "maria@example.ru",
    "password1": "Kabinet-2026",
    "password2": "Kabinet-2026",
    "consent": "on",
}


@pytest.fixture
def tek(settings):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_SIGNUP_MODES = []


def test_the_house_is_picked_step_by_step_inside_the_sign_up_form(client, tek):
    home = house("5")
    town, street = home.street.settlement, home.street
    page = client.get("/signup/email/").content.decode()
    assert "Ваш дом" in page and 'name="address-settlement"' in page

    # Each «Далее» keeps what was typed and shows no errors yet.
    step = client.post(
        "/signup/email/",
        {
            **PERSON,
            "address-settlement": town.pk,
            "address-at": "settlement",
            "address-action": "next",
        },
    ).content.decode()
    assert 'name="address-street"' in step
    assert 'value="Соколова"' in step and "Обязательное поле" not in step
    step = client.post(
        "/signup/email/",
        {
            **PERSON,
            "address-settlement": town.pk,
            "address-street": street.pk,
            "address-at": "street",
            "address-action": "next",
        },
    ).content.decode()
    assert 'name="address-number"' in step
    done = client.post(
        "/signup/email/",
        {
            **PERSON,
            "address-settlement": town.pk,
            "address-street": street.pk,
            "address-number": "5",
            "address-at": "number",
            "address-action": "next",
        },
    ).content.decode()
    assert "Выбран дом: Санкт-Петербург, Садовая улица, д. 5" in done

    response = client.post(
        "/signup/email/",
        {
            **PERSON,
            "address-settlement": town.pk,
            "address-street": street.pk,
            "address-number": "5",
            "address-at": "done",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="maria@example.ru")
    assert HouseFollow.objects.filter(user=user, house=home).exists()


def test_an_address_outside_the_zone_is_refused_and_nothing_is_saved(client, tek):
    home = house("5")
    response = client.post(
        "/signup/email/",
        {
            **PERSON,
            "address-settlement": home.street.settlement.pk,
            "address-street": home.street.pk,
            "address-number": "77",
            "address-at": "number",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "вне зоны теплоснабжения" in page or "Дом выбран не до конца" in page
    assert not User.objects.exists()


def test_the_house_may_be_left_for_later(client, tek):
    house("5")
    assert client.post("/signup/email/", PERSON).status_code == 302
    user = User.objects.get(email="maria@example.ru")
    assert not HouseFollow.objects.filter(user=user).exists()
