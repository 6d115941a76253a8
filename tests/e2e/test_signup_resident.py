"""000 §2.1: a resident signs up by e-mail with their house picked from the registry."""

import pytest
from playwright.sync_api import expect

from kabinet.identity.models import User
from kabinet.premises.models import HouseFollow
from kabinet.premises.tests import factories as f
from tests.e2e.journeys import PASSWORD, go, mail_link, main_text


@pytest.fixture
def tek(settings):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_SIGNUP_MODES = []


def test_resident_signs_up_with_the_house_chosen_by_type_ahead(page, tek, transactional_db):
    home = f.house("5")
    f.house("10", street_name="улица Марата")

    go(page, "/signup/email/")
    page.get_by_label("Физическое лицо").check()
    page.get_by_label("Населённый пункт").select_option(label="Санкт-Петербург")
    page.get_by_role("button", name="Далее").click()
    page.get_by_label("Найти улицу").press_sequentially("сад", delay=40)
    page.locator(".address-suggest").get_by_role("button", name="Садовая улица").click()
    page.get_by_role("button", name="Далее").click()
    page.get_by_label("Номер дома").fill("5")
    page.get_by_role("button", name="Далее").click()
    expect(page.locator("main")).to_contain_text("Выбран дом: Санкт-Петербург, Садовая улица, д. 5")

    page.get_by_label("Фамилия").fill("Соколова")
    page.get_by_label("Имя", exact=True).fill("Мария")
    page.locator("[name=email]").fill("maria@example.ru")
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.get_by_label("Я даю согласие на обработку моих персональных данных").check()
    page.locator("[name=password2]").press("Enter")  # Enter signs up, not «Далее»
    expect(page.locator("main")).to_contain_text("maria@example.ru")

    user = User.objects.get(email="maria@example.ru")
    assert HouseFollow.objects.filter(user=user, house=home).exists()
    page.goto(mail_link("maria@example.ru"))
    page.locator("[name=identifier]").fill("maria@example.ru")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Мой дом").first.click()
    assert "Садовая улица, д. 5" in main_text(page)
