"""Sign-in as a customer does it: with whichever identifier they hold, remembered or
not; a wrong password and an unknown user read the same; repeated failures lock."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from conftest import make_user
from kabinet.identity.models import Party, SignInEvent, User
from tests.e2e.journeys import PASSWORD, alert, go, messages, sign_in, sign_out

LOCKED = re.compile(r"Слишком много неудачных попыток входа\. Повторите через 15 минут\.")


@pytest.fixture
def olga(transactional_db):
    """A customer who holds every identifier: e-mail, phone, login and an ИНН."""
    user = make_user(
        email="olga@example.ru", phone="+79215550011", login="0001234", display_name="Ольга"
    )
    Party.objects.filter(user=user).update(inn="500100732259")
    return user


def signed_in_as(page, name: str) -> None:
    expect(page).to_have_url(page.base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Здравствуйте, {name}!")


@pytest.mark.parametrize(
    "identifier",
    [
        "olga@example.ru",
        "Olga@Example.RU",  # e-mail in any case
        "+7 921 555-00-11",
        "89215550011",  # the phone as people write it at home
        "0001234",  # the login (contract number)
        "500100732259",  # the ИНН
    ],
)
def test_sign_in_by_every_identifier(page, olga, identifier):
    go(page, "/login/")
    identifier_field = page.get_by_label("Номер договора, e-mail, телефон, ИНН")
    identifier_field.fill(identifier)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    signed_in_as(page, "Ольга")
    assert SignInEvent.objects.filter(user=olga, success=True).count() == 1
    olga.refresh_from_db()
    assert olga.last_login is not None

    sign_out(page)
    expect(messages(page)).to_contain_text("Вы вышли из личного кабинета.")
    go(page, "/profile/")
    expect(page).to_have_url(page.base + "/login/?next=/profile/")


def session_cookie(page) -> dict:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    return cookie


def test_remember_me_keeps_the_cookie_after_the_browser_closes(page, olga, settings):
    sign_in(page, "olga@example.ru")
    signed_in_as(page, "Ольга")
    # Not remembered: the cookie ends with the browser.
    assert session_cookie(page)["expires"] == -1
    sign_out(page)

    sign_in(page, "olga@example.ru", remember=True)
    signed_in_as(page, "Ольга")
    cookie = session_cookie(page)
    days = (cookie["expires"] - time.time()) / 86400
    assert settings.SESSION_COOKIE_AGE / 86400 - 1 < days <= settings.SESSION_COOKIE_AGE / 86400
    session = Session.objects.get(session_key=cookie["value"]).get_decoded()
    assert session["kb_remember"] is True


def test_wrong_password_and_unknown_user_get_the_same_message(page, olga):
    sign_in(page, "olga@example.ru", "Kabinet-2025")
    expect(alert(page)).to_have_text("Неверный логин или пароль.")
    # What was typed stays, the password does not.
    expect(page.locator("[name=identifier]")).to_have_value("olga@example.ru")
    expect(page.get_by_label("Пароль")).to_have_value("")
    wrong_password = page.locator("main").inner_text()

    sign_in(page, "nobody@example.ru", "Kabinet-2025")
    expect(alert(page)).to_have_text("Неверный логин или пароль.")
    unknown_user = page.locator("main").inner_text()
    assert unknown_user.replace("nobody@example.ru", "") == wrong_password.replace(
        "olga@example.ru", ""
    )
    assert "_auth_user_id" not in str([s.get_decoded() for s in Session.objects.all()])
    assert SignInEvent.objects.filter(user=olga, success=False).count() == 1


def test_five_failures_lock_the_account_even_for_the_right_password(page, olga):
    for attempt in range(5):
        sign_in(page, "olga@example.ru", f"Wrong-{attempt}")
        expect(alert(page)).to_have_text("Неверный логин или пароль.")

    sign_in(page, "olga@example.ru", PASSWORD)
    expect(alert(page)).to_have_text(LOCKED)
    expect(page).to_have_url(page.base + "/login/")
    # The lock is on the account, so its other identifiers are refused too.
    sign_in(page, "89215550011", PASSWORD)
    expect(alert(page)).to_have_text(LOCKED)
    assert SignInEvent.objects.filter(user=olga, success=True).count() == 0

    # Another customer from the same address still signs in.
    make_user(email="petr@example.ru", display_name="Пётр")
    sign_in(page, "petr@example.ru")
    signed_in_as(page, "Пётр")


def test_unknown_identifier_locks_the_same_way(page, transactional_db):
    for attempt in range(5):
        sign_in(page, "ghost@example.ru", f"Wrong-{attempt}")
        expect(alert(page)).to_have_text("Неверный логин или пароль.")
    sign_in(page, "ghost@example.ru", f"Wrong-{attempt}")
    expect(alert(page)).to_have_text(LOCKED)
    assert not User.objects.exists()


def test_signed_in_user_is_sent_on_from_the_login_page(page, olga):
    sign_in(page, "olga@example.ru")
    signed_in_as(page, "Ольга")
    go(page, "/login/")
    signed_in_as(page, "Ольга")
    # A sign-in that started elsewhere returns there.
    sign_out(page)
    go(page, "/profile/")
    page.get_by_label("Номер договора, e-mail, телефон, ИНН").fill("0001234")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(page.base + "/profile/")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
