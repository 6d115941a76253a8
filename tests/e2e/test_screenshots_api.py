"""«Профиль → Доступ к API» at 1280 and 360 px: the list of tokens (live, read-only, revoked)
and the page right after a token is created, with the token shown once."""

from django.core.management import call_command

from conftest import PASSWORD
from kabinet.identity.models import User
from kabinet.identity.services import api_token_issue, api_token_revoke


def test_api_token_pages(page, shoot):
    call_command("demo_data", quiet=True)
    resident = User.objects.get(email="resident@example.ru")
    api_token_issue(user=resident, name="Мобильное приложение", scope="full")
    old, _raw = api_token_issue(user=resident, name="Старый ноутбук", scope="full")
    api_token_revoke(user=resident, token=old)
    api_token_issue(user=resident, name="Таблица показаний", scope="read")

    page.context.clear_cookies()
    page.goto(page.base + "/login/")
    page.locator("[name=identifier]").fill("resident@example.ru")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(page.base + "/")

    page.goto(page.base + "/profile/api/")
    shoot("api-tokens")

    page.get_by_label("Название").fill("Домашний скрипт")
    page.get_by_label("Только чтение", exact=False).check()
    page.get_by_label("Срок действия").select_option("90")
    page.get_by_role("button", name="Создать токен").click()
    page.get_by_test_id("token-created").wait_for()
    shoot("api-token-created")
