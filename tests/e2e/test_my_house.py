"""«Мой дом»: a resident picks a house step by step with type-ahead and sees its archive."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import make_user
from kabinet.premises.models import HouseFollow
from kabinet.premises.tests import factories as f
from tests.e2e.journeys import go, main_text, messages, sign_in

EMAIL = "house-resident@example.ru"


@pytest.fixture
def registry(transactional_db):
    f.house("5")
    f.house("7", building="1")
    home = f.house("7", building="2")
    f.house("10", street_name="улица Марата", letter="А")
    f.house("3", street_name="улица Труда", town="Колпино")
    f.meter(home, "УУТЭ-2002", months=12, last=date(2026, 11, 1))
    f.debt(home, date(2026, 11, 1), 12345678)
    make_user(email=EMAIL, phone="+79110000077")
    return home


def test_resident_adds_a_house_with_type_ahead_and_sees_its_archive(page, registry):
    sign_in(page, EMAIL)
    go(page, "/houses/")
    expect(page.locator("main")).to_contain_text("ещё не добавили ни одного дома")
    page.get_by_role("link", name="Добавить дом").click()

    # Step 1: населённый пункт.
    page.get_by_label("Населённый пункт").select_option(label="Санкт-Петербург")
    page.get_by_role("button", name="Далее").click()

    # Step 2: the street field is a type-ahead list fed by /houses/lookup/.
    street_q = page.get_by_label("Найти улицу")
    street_q.press_sequentially("сад", delay=40)
    suggestions = page.locator(".address-suggest")
    expect(suggestions.get_by_role("button")).to_have_count(1)
    suggestions.get_by_role("button", name="Садовая улица").click()
    expect(page.get_by_label("Улица", exact=True)).to_have_value(str(registry.street_id))
    expect(page.get_by_role("button", name="Далее")).to_be_focused()
    page.get_by_role("button", name="Далее").click()

    # Step 3: the house number, also with type-ahead.
    page.get_by_label("Номер дома").press_sequentially("7")
    page.locator(".address-suggest").get_by_role("button", name="7", exact=True).click()
    page.get_by_role("button", name="Далее").click()

    # Step 4: корпус (this house has two).
    page.get_by_label("Корпус").select_option("2")
    page.get_by_role("button", name="Далее").click()
    expect(page.locator("main")).to_contain_text("Санкт-Петербург, Садовая улица, д. 7, корп. 2")
    page.get_by_role("button", name="Добавить в «Мой дом»").click()

    # The house page: ИКУ, the meter's archive and the debt.
    page.wait_for_url(re.compile(rf"/houses/{registry.pk}/$"))
    expect(messages(page)).to_contain_text("добавлен в раздел «Мой дом»")
    text = main_text(page)
    assert "ООО «Жилкомсервис № 1»" in text
    assert "УУТЭ № УУТЭ-2002" in text
    assert "Ноябрь 2026" in text and "Декабрь 2025" in text
    assert "100,250" in text
    assert "123\u00a0456,78\u00a0₽" in page.locator("main").inner_text()
    assert HouseFollow.objects.filter(user__email=EMAIL, house=registry).exists()

    # «Мой дом» lists it.
    page.get_by_role("link", name="Мой дом").first.click()
    expect(page.locator("main")).to_contain_text("Садовая улица, д. 7, корп. 2")
