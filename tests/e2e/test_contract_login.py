"""Login = contract number, first password = ИНН (003 §2): staff create it, the customer
must change the password at the first sign-in, staff can return it to the first one."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.core.models import AuditEntry
from kabinet.identity.models import Party, User, UserSession
from tests.e2e.journeys import (
    NEW_PASSWORD,
    alert,
    field_error,
    go,
    main_text,
    messages,
    sign_in,
    sign_out,
)

INN = "7702070139"
CONTRACT = "0009876"


@pytest.fixture
def demo(transactional_db):
    call_command("demo_data", quiet=True)


def create_contract_login(page) -> None:
    go(page, "/staff/")
    page.get_by_role("link", name="Создать вход по номеру договора").click()
    expect(page.get_by_role("heading", name="Вход по номеру договора")).to_be_visible()
    page.get_by_label("Наименование потребителя").fill("ТСЖ «Невский 100»")
    page.get_by_label("ИНН").fill(INN)
    page.get_by_label("Номер договора").fill(CONTRACT)
    page.get_by_role("button", name="Создать вход").click()
    page.wait_for_load_state()


def change_forced_password(page, current: str, new: str = NEW_PASSWORD) -> None:
    page.get_by_label("Текущий пароль").fill(current)
    page.locator("[name=password1]").fill(new)
    page.locator("[name=password2]").fill(new)
    page.get_by_role("button", name="Сменить пароль").click()
    page.wait_for_load_state()


def assert_forced_change(page) -> None:
    page.wait_for_url(page.base + "/profile/password/")
    assert "Вы вошли с первым паролем. Чтобы продолжить работу, задайте новый пароль." in (
        main_text(page)
    )
    # No way round it: any other page comes back here.
    for path in ("/", "/profile/", "/profile/email/"):
        go(page, path)
        assert page.url == page.base + "/profile/password/", path
    expect(page.get_by_role("link", name="Отмена")).to_have_count(0)


def test_contract_login_first_password_is_the_inn_and_must_be_changed(page, new_page, demo):
    sign_in(page, "operator")
    create_contract_login(page)
    assert f"Вход создан: логин {CONTRACT}, первый пароль — ИНН." in messages(page).inner_text()
    expect(page.get_by_role("heading", name="ТСЖ «Невский 100»")).to_be_visible()
    assert "Логин — номер договора" in main_text(page)
    user = User.objects.get(login=CONTRACT)
    assert user.status == "active" and user.signup_mode == "contract"
    assert user.must_change_password
    assert Party.objects.get(user=user).inn == INN
    assert AuditEntry.objects.filter(subject=user, action="contract_login_create").exists()
    staff_user_url = page.url

    customer = new_page()
    # Without the leading zeros it is another login.
    sign_in(customer, CONTRACT.lstrip("0"), INN)
    assert alert(customer).inner_text() == "Неверный логин или пароль."

    sign_in(customer, CONTRACT, INN)
    assert_forced_change(customer)

    # The new password must differ from the ИНН, and the current one must be right.
    change_forced_password(customer, INN, INN)
    assert field_error(customer, "password1").inner_text() == (
        "Новый пароль должен отличаться от текущего."
    )
    change_forced_password(customer, "7700000000")
    assert field_error(customer, "current_password").inner_text() == (
        "Текущий пароль введён неверно."
    )

    change_forced_password(customer, INN)
    customer.wait_for_url(customer.base + "/profile/")
    assert "Пароль изменён." in messages(customer).inner_text()
    go(customer, "/")
    assert "Здравствуйте, ТСЖ «Невский 100»!" in main_text(customer)
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)

    sign_out(customer)
    sign_in(customer, CONTRACT, INN)
    assert alert(customer).inner_text() == "Неверный логин или пароль."
    sign_in(customer, CONTRACT, NEW_PASSWORD)
    customer.wait_for_url(customer.base + "/")
    assert UserSession.objects.filter(user=user).count() == 1

    # The customer forgot the password: staff return it to the ИНН. The session ends.
    page.goto(staff_user_url)
    page.get_by_role("button", name="Сбросить на первый пароль (ИНН)").click()
    assert "Пароль сброшен на первый (ИНН). При входе его нужно будет сменить." in (
        messages(page).inner_text()
    )
    assert "Пароль сброшен на первый (ИНН)" in page.locator("table").last.inner_text()
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(INN)
    assert not UserSession.objects.filter(user=user).exists()

    go(customer, "/profile/")
    assert customer.url.startswith(customer.base + "/login/")
    sign_in(customer, CONTRACT, INN)
    assert_forced_change(customer)
    change_forced_password(customer, INN, "Second-Pass-2028")
    customer.wait_for_url(customer.base + "/profile/")


def test_staff_reset_also_lifts_a_lock_out(page, new_page, demo):
    sign_in(page, "operator")
    create_contract_login(page)
    staff_user_url = page.url

    customer = new_page()
    for _ in range(5):
        sign_in(customer, CONTRACT, "Wrong-Guess-1")
    sign_in(customer, CONTRACT, INN)
    assert "Слишком много неудачных попыток входа" in alert(customer).inner_text()

    page.goto(staff_user_url)
    page.get_by_role("button", name="Сбросить на первый пароль (ИНН)").click()
    assert "Пароль сброшен на первый (ИНН)." in messages(page).inner_text()
    sign_in(customer, CONTRACT, INN)
    assert_forced_change(customer)


def test_reset_to_first_password_is_only_for_contract_logins(page, demo):
    sign_in(page, "operator")
    resident = User.objects.get(email="resident@example.ru")
    go(page, f"/staff/users/{resident.uuid}/")
    expect(page.get_by_role("heading", name="Анна Сергеевна")).to_be_visible()
    expect(page.get_by_role("button", name="Сбросить на первый пароль (ИНН)")).to_have_count(0)


def test_contract_login_form_refuses_a_taken_number_and_a_bad_inn(page, demo):
    sign_in(page, "operator")
    go(page, "/staff/access/contract-login/")
    page.get_by_label("Наименование потребителя").fill("ТСЖ «Невский 100»")
    page.get_by_label("ИНН").fill("123")
    page.get_by_label("Номер договора").fill("000456")
    page.get_by_role("button", name="Создать вход").click()
    assert "ИНН состоит из 10 цифр" in field_error(page, "inn").inner_text()
    page.get_by_label("ИНН").fill(INN)
    page.get_by_role("button", name="Создать вход").click()
    assert "Кабинет с логином 000456 уже существует." in (
        field_error(page, "contract_number").inner_text()
    )
    assert page.get_by_label("Наименование потребителя").input_value() == "ТСЖ «Невский 100»"
