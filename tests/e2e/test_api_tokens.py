"""«Профиль → Доступ к API»: a resident creates a token, sees it once, a program calls the
API with it, the resident revokes it and the same call is refused at once."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.identity.models import ApiToken, User
from tests.e2e.journeys import field_error, go, main_text, messages, sign_in

RESIDENT = "resident@example.ru"


@pytest.fixture
def resident(page, transactional_db):
    call_command("demo_data", quiet=True)
    sign_in(page, RESIDENT)
    page.wait_for_url(page.base + "/")
    return User.objects.get(email=RESIDENT)


def call_me(page, token: str):
    # page.request shares the browser's cookies: the session goes along, and a dead token
    # must still be refused.
    return page.request.get(page.base + "/api/v1/me/", headers={"Authorization": f"Bearer {token}"})


def test_resident_creates_uses_and_revokes_a_token(page, resident):
    go(page, "/profile/")
    page.get_by_role("link", name="Доступ к API").click()
    page.wait_for_url(page.base + "/profile/api/")
    expect(page.get_by_role("heading", name="Доступ к API", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Описание API")).to_have_attribute("href", "/api/v1/docs")
    assert "Токенов пока нет" in main_text(page)

    # No name: the message is next to the field and the chosen rights stay chosen.
    page.get_by_label("Чтение и изменение", exact=False).check()
    page.get_by_role("button", name="Создать токен").click()
    expect(field_error(page, "name")).to_contain_text("Назовите токен")
    expect(page.get_by_label("Чтение и изменение", exact=False)).to_be_checked()
    assert not ApiToken.objects.exists()

    page.get_by_label("Название").fill("Домашний скрипт")
    page.get_by_role("button", name="Создать токен").click()
    created = page.get_by_test_id("token-created")
    expect(created).to_contain_text("Токен «Домашний скрипт» создан")
    expect(created).to_contain_text("показывается только один раз")
    token = page.get_by_label("Ваш токен").input_value()
    row = ApiToken.objects.get(user=resident)
    assert token.startswith(f"kab_{row.prefix}_")
    assert row.scope == "full"
    # The copy button appears with the script and copies into the field's selection.
    expect(page.get_by_role("button", name="Копировать")).to_be_visible()

    answer = call_me(page, token)
    assert answer.status == 200
    assert answer.json()["email"] == RESIDENT

    # Shown once: the page again lists only its beginning.
    go(page, "/profile/api/")
    assert token not in page.content()
    listed = page.locator(f"tr[data-token='{row.prefix}']")
    expect(listed).to_contain_text("Домашний скрипт")
    expect(listed).to_contain_text(f"kab_{row.prefix}_…")
    expect(listed).to_contain_text("Чтение и изменение")
    expect(listed).to_contain_text("Действует")

    listed.get_by_text("Отозвать", exact=True).click()
    expect(listed).to_contain_text("сразу потеряют доступ")
    listed.get_by_role("button", name="Да, отозвать").click()
    page.wait_for_url(page.base + "/profile/api/")
    expect(messages(page)).to_contain_text("Токен «Домашний скрипт» отозван")
    expect(page.locator(f"tr[data-token='{row.prefix}']")).to_contain_text("Отозван ")

    refused = call_me(page, token)
    assert refused.status == 401
    assert refused.json()["code"] == "unauthorized"
