"""Profile: a new e-mail or phone confirmed by a code, a password change that ends the
other sessions, signing out everywhere, and the one-time code from an app (TOTP)."""

import re

import pyotp
import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.identity.models import User, UserSession
from tests.e2e.journeys import (
    NEW_PASSWORD,
    PASSWORD,
    alert,
    attempts_left,
    field_error,
    go,
    mail_code,
    mail_to,
    main_text,
    messages,
    sign_in,
    sign_out,
    sms_code,
)

RESIDENT = "resident@example.ru"


@pytest.fixture
def demo(transactional_db):
    call_command("demo_data", quiet=True)


@pytest.fixture
def resident(page, demo):
    sign_in(page, RESIDENT)
    page.wait_for_url(page.base + "/")
    return User.objects.get(email=RESIDENT)


def open_profile(page) -> None:
    page.get_by_role("link", name="Профиль", exact=True).click()
    page.wait_for_url(page.base + "/profile/")


def is_signed_out(page) -> bool:
    go(page, "/profile/")
    return page.url.startswith(page.base + "/login/")


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_change_email_with_the_code_sent_to_the_new_address(page, resident):
    open_profile(page)
    page.get_by_role("link", name="Изменить e-mail").click()
    expect(page.get_by_role("heading", name="Смена e-mail")).to_be_visible()

    # The current address and one taken by someone else are refused.
    page.get_by_label("Новый e-mail").fill(RESIDENT)
    page.get_by_role("button", name="Получить код").click()
    assert field_error(page, "email").inner_text() == "Это ваш текущий e-mail."
    page.get_by_label("Новый e-mail").fill("buh@teplo-plus.example.ru")
    page.get_by_role("button", name="Получить код").click()
    assert field_error(page, "email").inner_text() == "Этот e-mail уже зарегистрирован."
    assert mail.outbox == []

    page.get_by_label("Новый e-mail").fill("Anna.New@Example.ru")
    page.get_by_role("button", name="Получить код").click()
    assert "мы отправили код на anna.new@example.ru" in main_text(page).lower()
    letter = mail_to("anna.new@example.ru")
    assert letter.subject == "Подтвердите новый e-mail"
    code = mail_code("anna.new@example.ru")
    # Until the code is entered the old address stays.
    assert User.objects.get(pk=resident.pk).email == RESIDENT

    page.get_by_label("Код из сообщения").fill(wrong(code))
    page.get_by_role("button", name="Подтвердить").click()
    assert attempts_left(field_error(page, "code").inner_text()) == 4
    page.get_by_label("Код из сообщения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(page.base + "/profile/")
    assert "E-mail изменён." in messages(page).inner_text()
    assert "anna.new@example.ru" in main_text(page)

    resident.refresh_from_db()
    assert resident.email == "anna.new@example.ru" and resident.email_verified

    # The new address signs in; the old one no longer does.
    sign_out(page)
    sign_in(page, RESIDENT)
    assert alert(page).inner_text() == "Неверный логин или пароль."
    sign_in(page, "anna.new@example.ru")
    page.wait_for_url(page.base + "/")


def test_another_address_can_be_chosen_before_the_code_is_entered(page, resident):
    go(page, "/profile/email/")
    page.get_by_label("Новый e-mail").fill("typo@example.ru")
    page.get_by_role("button", name="Получить код").click()
    assert "Мы отправили код на typo@example.ru" in main_text(page)
    page.get_by_role("button", name="Указать другой").click()
    assert page.get_by_label("Новый e-mail").input_value() == ""
    page.get_by_label("Новый e-mail").fill("anna.new@example.ru")
    page.get_by_role("button", name="Получить код").click()
    page.get_by_label("Код из сообщения").fill(mail_code("anna.new@example.ru"))
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(page.base + "/profile/")
    assert User.objects.get(pk=resident.pk).email == "anna.new@example.ru"


def test_change_phone_with_the_sms_code(page, resident, sms_outbox):
    open_profile(page)
    assert "+7 911 000-00-01" in main_text(page)
    page.get_by_role("link", name="Изменить телефон").click()
    expect(page.get_by_role("heading", name="Смена телефона")).to_be_visible()

    page.get_by_label("Новый телефон").fill("+7 900 123-45-67")  # the ИП's phone
    page.get_by_role("button", name="Получить код").click()
    assert field_error(page, "phone").inner_text() == "Этот телефон уже зарегистрирован."

    page.get_by_label("Новый телефон").fill("8 (921) 111-22-33")
    page.get_by_role("button", name="Получить код").click()
    assert "Мы отправили SMS с кодом на +79211112233" in main_text(page)
    assert len(sms_outbox) == 1 and "Код для смены телефона" in sms_outbox[0]["text"]
    code = sms_code(sms_outbox, "+79211112233")

    page.get_by_label("Код из сообщения").fill(wrong(code))
    page.get_by_role("button", name="Подтвердить").click()
    assert attempts_left(field_error(page, "code").inner_text()) == 4
    assert User.objects.get(pk=resident.pk).phone == "+79110000001"

    page.get_by_label("Код из сообщения").fill(code)
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(page.base + "/profile/")
    assert "Телефон изменён." in messages(page).inner_text()
    assert "+7 921 111-22-33" in main_text(page)
    resident.refresh_from_db()
    assert resident.phone == "+79211112233" and resident.phone_verified

    sign_out(page)
    sign_in(page, "89211112233")
    page.wait_for_url(page.base + "/")


def test_change_password_needs_the_current_one_and_ends_other_sessions(page, new_page, resident):
    phone = new_page()
    sign_in(phone, RESIDENT)
    phone.wait_for_url(phone.base + "/")
    assert UserSession.objects.filter(user=resident).count() == 2

    open_profile(page)
    page.get_by_role("link", name="Сменить пароль").click()
    assert "После смены пароля все другие сеансы будут завершены." in main_text(page)

    page.get_by_label("Текущий пароль").fill("Not-My-Password-1")
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сменить пароль").click()
    assert field_error(page, "current_password").inner_text() == "Текущий пароль введён неверно."
    assert not is_signed_out(phone)

    go(page, "/profile/password/")
    page.get_by_label("Текущий пароль").fill(PASSWORD)
    page.locator("[name=password1]").fill("простой")
    page.locator("[name=password2]").fill("простой")
    page.get_by_role("button", name="Сменить пароль").click()
    assert "латинские буквы" in field_error(page, "password1").inner_text()

    page.get_by_label("Текущий пароль").fill(PASSWORD)
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сменить пароль").click()
    page.wait_for_url(page.base + "/profile/")
    assert "Пароль изменён. Другие сеансы завершены." in messages(page).inner_text()
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)

    # The other browser is signed out; this one goes on, and is still listed as open.
    assert is_signed_out(phone)
    go(page, "/profile/")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    sessions = page.locator("section", has=page.get_by_role("heading", name="Открытые сеансы"))
    expect(sessions.locator("tbody tr")).to_have_count(1)
    expect(sessions.get_by_text("этот сеанс")).to_be_visible()
    assert UserSession.objects.filter(user=resident).count() == 1

    # A later change made elsewhere ends this session too.
    sign_in(phone, RESIDENT, NEW_PASSWORD)
    phone.wait_for_url(phone.base + "/")
    go(phone, "/profile/password/")
    phone.get_by_label("Текущий пароль").fill(NEW_PASSWORD)
    phone.locator("[name=password1]").fill("Third-Pass-2029")
    phone.locator("[name=password2]").fill("Third-Pass-2029")
    phone.get_by_role("button", name="Сменить пароль").click()
    phone.wait_for_url(phone.base + "/profile/")
    assert is_signed_out(page)


def test_sign_out_on_all_other_devices(page, new_page, resident):
    others = [new_page(), new_page()]
    for other in others:
        sign_in(other, RESIDENT)
        other.wait_for_url(other.base + "/")
    open_profile(page)
    sessions = page.locator("section", has=page.get_by_role("heading", name="Открытые сеансы"))
    expect(sessions.locator("tbody tr")).to_have_count(3)

    page.get_by_role("button", name="Выйти на всех других устройствах").click()
    page.wait_for_url(page.base + "/profile/")
    assert "Завершено других сеансов: 2." in messages(page).inner_text()
    expect(sessions.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("button", name="Выйти на всех других устройствах")).to_have_count(0)
    assert all(is_signed_out(other) for other in others)
    assert not is_signed_out(page)
    assert UserSession.objects.filter(user=resident).count() == 1


def test_totp_enabled_then_sign_in_asks_for_the_code(page, resident):
    open_profile(page)
    page.get_by_role("link", name="Включить вход с кодом из приложения").click()
    expect(page.get_by_role("heading", name="Вход с кодом из приложения")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    totp = pyotp.TOTP(secret)

    page.get_by_label("Код из приложения").fill(wrong(totp.now()))
    page.get_by_role("button", name="Включить").click()
    assert "Неверный код из приложения" in field_error(page, "code").inner_text()
    # The same secret is offered again, so the app set up a moment ago still fits.
    assert page.get_by_test_id("totp-secret").inner_text() == secret
    assert not User.objects.get(pk=resident.pk).totp_enabled

    page.get_by_label("Код из приложения").fill(totp.now())
    page.get_by_role("button", name="Включить").click()
    page.wait_for_url(page.base + "/profile/")
    assert "Вход с одноразовым кодом включён." in messages(page).inner_text()
    expect(page.get_by_role("link", name="Вход с кодом из приложения: включён")).to_be_visible()
    resident.refresh_from_db()
    assert resident.totp_enabled and resident.totp_secret == secret

    sign_out(page)
    sign_in(page, RESIDENT)
    page.wait_for_url(re.compile(r".*/login/code/.*"))
    expect(page.get_by_role("heading", name="Код подтверждения входа")).to_be_visible()
    # The password alone does not open the cabinet.
    go(page, "/profile/")
    assert page.url.startswith(page.base + "/login/")

    sign_in(page, RESIDENT)
    page.get_by_label("Код из приложения").fill(wrong(totp.now()))
    page.get_by_role("button", name="Подтвердить").click()
    assert field_error(page, "code").inner_text() == "Неверный код."
    page.get_by_label("Код из приложения").fill(totp.now())
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(page.base + "/")
    assert "Здравствуйте, Анна Сергеевна!" in main_text(page)

    # Turning it off needs the password.
    go(page, "/profile/two-factor/")
    page.get_by_label("Пароль").fill("Not-My-Password-1")
    page.get_by_role("button", name="Отключить").click()
    assert field_error(page, "password").inner_text() == "Пароль введён неверно."
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Отключить").click()
    assert "Вход с одноразовым кодом отключён." in messages(page).inner_text()
    sign_out(page)
    sign_in(page, RESIDENT)
    page.wait_for_url(page.base + "/")
