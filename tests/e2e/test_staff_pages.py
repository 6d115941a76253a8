"""Who may open the staff pages: staff see them, a customer gets 404 (no hint they exist),
a visitor who is not signed in is sent to sign in and brought back."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.identity.models import IssuedAccess, User
from tests.e2e.journeys import go, main_text, sign_in


@pytest.fixture
def demo(transactional_db):
    call_command("demo_data", quiet=True)


def staff_paths() -> list[str]:
    org = User.objects.get(login="0001234")
    access = IssuedAccess.objects.get(user=org)
    return [
        "/staff/",
        f"/staff/users/{org.uuid}/",
        "/staff/access/issue/",
        "/staff/access/contract-login/",
        f"/staff/access/{access.pk}/card/",
    ]


def test_a_customer_gets_not_found_on_staff_pages(page, demo):
    sign_in(page, "resident@example.ru")
    page.wait_for_url(page.base + "/")
    expect(page.get_by_role("link", name="Рабочее место")).to_have_count(0)
    for path in staff_paths():
        response = go(page, path)
        assert response.status == 404, path
        text = page.content()
        for secret in ("Тепло Плюс", "0001234", "Рабочее место", "Выдать доступ"):
            assert secret not in text, (path, secret)

    # Nor can a customer act on another cabinet by posting to a staff address.
    contract = User.objects.get(login="000456")
    response = page.request.post(
        page.base + f"/staff/users/{contract.uuid}/reset-first-password/",
        headers={"Referer": page.base + "/"},
        form={"csrfmiddlewaretoken": csrf_token(page)},
    )
    assert response.status == 404
    contract.refresh_from_db()
    assert not contract.check_password("Kabinet-2026") and contract.check_password("7728168971")


def csrf_token(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_a_visitor_is_sent_to_sign_in_and_returned(page, demo):
    org = User.objects.get(login="0001234")
    for path in staff_paths():
        response = go(page, path)
        assert response.status == 200
        url = urlsplit(page.url)
        assert url.path == "/login/", path
        assert parse_qs(url.query)["next"] == [path], path
        expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()

    # Signing in as staff goes on to the page asked for.
    path = f"/staff/users/{org.uuid}/"
    go(page, path)
    page.locator("[name=identifier]").fill("operator")
    page.get_by_label("Пароль").fill("Kabinet-2026")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(page.base + path)
    expect(page.get_by_role("heading", name="ООО «Тепло Плюс»")).to_be_visible()


def test_a_customer_signing_in_towards_a_staff_page_gets_not_found(page, demo):
    go(page, "/staff/")
    page.locator("[name=identifier]").fill("resident@example.ru")
    page.get_by_label("Пароль").fill("Kabinet-2026")
    with page.expect_response(lambda r: urlsplit(r.url).path == "/staff/") as staff_response:
        page.get_by_role("button", name="Войти").click()
    assert staff_response.value.status == 404
    go(page, "/")
    assert "Здравствуйте, Анна Сергеевна!" in main_text(page)


def test_staff_see_the_workplace_and_a_customer(page, demo):
    sign_in(page, "operator")
    page.wait_for_url(page.base + "/staff/")
    expect(page.get_by_role("heading", name="Рабочее место сотрудника")).to_be_visible()
    for name in ("Анна Сергеевна", "Игорь Олегович", "ООО «Тепло Плюс»", "АО «Городские бани»"):
        assert page.get_by_role("link", name=name).count() >= 1, name
    # Staff accounts are not listed among the customers.
    expect(page.get_by_role("link", name="Администратор")).to_have_count(0)

    page.get_by_label("Найти пользователя").fill("7707083893")
    page.get_by_role("button", name="Найти").click()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="ООО «Тепло Плюс»").click()
    org = User.objects.get(login="0001234")
    page.wait_for_url(page.base + f"/staff/users/{org.uuid}/")
    text = main_text(page)
    for expected in ("Активен", "Доступ выдан сотрудником", "0001234", "7707083893", "773601001"):
        assert expected in text, expected

    # A staff member's own page is not among the customers' pages.
    operator = User.objects.get(login="operator")
    assert go(page, f"/staff/users/{operator.uuid}/").status == 404
    assert go(page, "/staff/users/00000000-0000-0000-0000-000000000000/").status == 404
