"""Recovery: a new password by a code sent by e-mail or SMS, a forgotten login mailed,
and links that no longer work explained with a way to get a new one."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.identity.models import ThrottleHit, User, VerificationCode
from tests.e2e.journeys import (
    NEW_PASSWORD,
    PASSWORD,
    alert,
    attempts_left,
    field_error,
    go,
    mail_code,
    mail_link,
    mail_to,
    main_text,
    messages,
    sign_in,
    sms_code,
)


@pytest.fixture
def demo(transactional_db):
    call_command("demo_data", quiet=True)


def time_passes(seconds: int) -> None:
    """Move every counted send back in time, as if ``seconds`` had passed."""
    ThrottleHit.objects.update(at=timezone.now() - timedelta(seconds=seconds))


def request_code(page, identifier: str, channel: str) -> None:
    go(page, "/recovery/")
    page.get_by_role("link", name=re.compile("Забыли пароль")).click()
    expect(page.get_by_role("heading", name="Восстановление пароля")).to_be_visible()
    page.locator("[name=identifier]").fill(identifier)
    page.get_by_label(channel).check()
    page.get_by_role("button", name="Получить код").click()
    page.wait_for_url(page.base + "/recovery/password/code/")
    expect(page.get_by_role("heading", name="Новый пароль")).to_be_visible()


def set_new_password(page, code: str, password: str = NEW_PASSWORD) -> None:
    page.get_by_label("Код из сообщения").fill(code)
    page.locator("[name=password1]").fill(password)
    page.locator("[name=password2]").fill(password)
    page.get_by_role("button", name="Сменить пароль").click()
    page.wait_for_load_state()


def test_reset_password_by_email_code(page, new_page, demo):
    # The resident is signed in on another device; the reset ends that session.
    other = new_page()
    sign_in(other, "resident@example.ru")
    other.wait_for_url(other.base + "/")

    request_code(page, "resident@example.ru", "На e-mail")
    letter = mail_to("resident@example.ru")
    assert letter.subject == "Код для восстановления пароля"
    code = mail_code("resident@example.ru")

    # A wrong code says how many tries are left and changes nothing.
    wrong = "000000" if code != "000000" else "111111"
    set_new_password(page, wrong)
    assert attempts_left(field_error(page, "code").inner_text()) == 4
    # A password that breaks the utility's rules is explained next to the field.
    set_new_password(page, code, "короткий")
    assert "латинские буквы" in field_error(page, "password1").inner_text()

    set_new_password(page, code)
    page.wait_for_url(page.base + "/login/")
    assert "Пароль изменён. Войдите с новым паролем." in messages(page).inner_text()

    sign_in(page, "resident@example.ru", PASSWORD)
    assert alert(page).inner_text() == "Неверный логин или пароль."
    sign_in(page, "resident@example.ru", NEW_PASSWORD)
    page.wait_for_url(page.base + "/")
    assert "Здравствуйте, Анна Сергеевна!" in main_text(page)

    other.goto(other.base + "/profile/")
    assert other.url.startswith(other.base + "/login/")

    # The code works once.
    page.context.clear_cookies()
    time_passes(120)
    request_code(page, "resident@example.ru", "На e-mail")
    set_new_password(page, code, "Another-Pass-2028")
    assert "Неверный код" in field_error(page, "code").inner_text()


def test_reset_password_by_sms_code(page, demo, sms_outbox):
    request_code(page, "8 900 123-45-67", "В SMS на телефон")
    assert len(sms_outbox) == 1
    assert "Код для восстановления пароля" in sms_outbox[0]["text"]
    set_new_password(page, sms_code(sms_outbox, "+79001234567"))
    page.wait_for_url(page.base + "/login/")
    assert "Пароль изменён." in messages(page).inner_text()
    assert mail.outbox == []

    sign_in(page, "+79001234567", NEW_PASSWORD)
    page.wait_for_url(page.base + "/")
    assert "Здравствуйте, Игорь Олегович!" in main_text(page)


def test_reset_by_login_sends_the_code_to_the_email(page, demo):
    request_code(page, "0001234", "На e-mail")
    set_new_password(page, mail_code("buh@teplo-plus.example.ru"))
    page.wait_for_url(page.base + "/login/")
    sign_in(page, "0001234", NEW_PASSWORD)
    page.wait_for_url(page.base + "/")


def test_reset_for_an_unknown_user_reads_the_same_and_sends_nothing(page, demo, sms_outbox):
    request_code(page, "nobody@example.ru", "На e-mail")
    assert "Если такой пользователь есть, ему отправлен код" in main_text(page)
    assert mail.outbox == [] and sms_outbox == []
    set_new_password(page, "123456")
    assert "Неверный код." in field_error(page, "code").inner_text()


def test_reset_code_requests_are_throttled(page, demo):
    request_code(page, "resident@example.ru", "На e-mail")
    go(page, "/recovery/password/")
    page.locator("[name=identifier]").fill("resident@example.ru")
    page.get_by_role("button", name="Получить код").click()
    assert re.search(r"Новый код можно запросить через \d+ с\.", alert(page).inner_text())
    assert page.locator("[name=identifier]").input_value() == "resident@example.ru"
    assert len(mail.outbox) == 1


def test_expired_reset_code_asks_for_a_new_one(page, demo):
    request_code(page, "resident@example.ru", "На e-mail")
    code = mail_code("resident@example.ru")
    VerificationCode.objects.filter(purpose="reset").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    set_new_password(page, code)
    assert "Срок действия кода или ссылки истёк." in main_text(page)
    page.get_by_role("link", name="Запросить код заново").click()
    page.wait_for_url(page.base + "/recovery/password/")


def test_forgotten_login_is_mailed(page, demo):
    go(page, "/login/")
    page.get_by_role("link", name="Забыли логин?").click()
    expect(page.get_by_role("heading", name="Напоминание логина")).to_be_visible()
    page.get_by_label(re.compile("E-mail, указанный при регистрации")).fill(
        "Buh@Teplo-Plus.example.ru"
    )
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url(page.base + "/login/")
    said = "Если этот e-mail зарегистрирован, на него отправлено письмо с вашим логином."
    assert said in messages(page).inner_text()
    letter = mail_to("buh@teplo-plus.example.ru")
    assert letter.subject == "Напоминание логина"
    assert "Логин: 0001234" in letter.body

    # An unknown address gets the same answer and no letter.
    go(page, "/recovery/login/")
    page.get_by_label(re.compile("E-mail, указанный при регистрации")).fill("nobody@example.ru")
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url(page.base + "/login/")
    assert said in messages(page).inner_text()
    assert len(mail.outbox) == 1

    # A mistyped address is explained next to the field.
    go(page, "/recovery/login/")
    page.get_by_label(re.compile("E-mail, указанный при регистрации")).fill("buh-at-example")
    page.get_by_role("button", name="Отправить").click()
    assert re.search("[а-яА-Я]", field_error(page, "email").inner_text())


# --- links that no longer work --------------------------------------------------------------


def sign_up_by_email(page, email: str) -> None:
    go(page, "/signup/email/")
    page.get_by_label("Физическое лицо").check()
    page.get_by_label("Фамилия").fill("Соколова")
    page.get_by_label("Имя", exact=True).fill("Мария")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.get_by_label(re.compile("согласие")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    page.wait_for_url(page.base + "/signup/email/sent/")


def test_expired_confirmation_link_offers_a_new_letter(page, transactional_db):
    sign_up_by_email(page, "maria@example.ru")
    link = mail_link("maria@example.ru")
    # Days pass: the link runs out.
    VerificationCode.objects.filter(purpose="signup_email").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    time_passes(3 * 86400)
    page.context.clear_cookies()

    response = page.goto(link)
    assert response.status == 410
    expect(page.get_by_role("heading", name="Ссылка недействительна")).to_be_visible()
    assert "Срок действия кода или ссылки истёк." in main_text(page)
    page.get_by_role("link", name="Получить новое письмо").click()
    expect(page.get_by_role("heading", name="Подтвердите e-mail")).to_be_visible()
    page.get_by_label("E-mail").fill("maria@example.ru")
    page.get_by_role("button", name="Отправить письмо ещё раз").click()
    assert "Письмо отправлено ещё раз." in messages(page).inner_text()
    assert len(mail.outbox) == 2

    new_link = mail_link("maria@example.ru")
    assert new_link != link
    page.goto(new_link)
    assert "E-mail подтверждён." in messages(page).inner_text()
    assert User.objects.get(email="maria@example.ru").status == User.Status.ACTIVE

    # The expired link stays refused.
    assert page.goto(link).status == 410


def test_a_replaced_confirmation_link_points_to_the_latest_letter(page, transactional_db):
    sign_up_by_email(page, "maria@example.ru")
    first = mail_link("maria@example.ru")
    time_passes(120)
    page.get_by_role("button", name="Отправить письмо ещё раз").click()
    assert "Письмо отправлено ещё раз." in messages(page).inner_text()
    page.goto(first)
    assert "заменены более новыми. Используйте последнее сообщение." in main_text(page)
    expect(page.get_by_role("link", name="Получить новое письмо")).to_be_visible()
    page.goto(mail_link("maria@example.ru"))
    assert "E-mail подтверждён." in messages(page).inner_text()


def test_a_damaged_link_is_explained(page, transactional_db):
    response = go(page, "/confirm/00000000-0000-0000-0000-000000000000/nonsense/")
    assert response.status == 404
    assert "Ссылка неверна или повреждена." in main_text(page)
    page.get_by_role("link", name="Перейти ко входу").click()
    page.wait_for_url(page.base + "/login/")
