"""Session timeouts as the customer meets them: after the idle limit (or the absolute one)
the next page asks to sign in again and says why, then returns to where they were.

Other devices signed out by a password change or on request: test_profile.py."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from conftest import make_user
from kabinet.identity import middleware
from kabinet.identity.models import UserSession
from tests.e2e.journeys import NEW_PASSWORD, PASSWORD, go, messages, sign_in

EMAIL = "irina@example.ru"


@pytest.fixture
def irina(transactional_db):
    return make_user(email=EMAIL, phone="+79215550022", display_name="Ирина")


def at_home(page) -> None:
    expect(page).to_have_url(page.base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Здравствуйте, Ирина!")


def asked_to_sign_in(page, path: str) -> None:
    """On the sign-in page, which will return to ``path``."""
    expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()
    url = urlsplit(page.url)
    assert (url.path, parse_qs(url.query)["next"]) == ("/login/", [path])


@pytest.fixture
def clock(monkeypatch):
    """The session policy's clock, moved by hand (the live server runs in this process)."""

    class Clock:
        t = time.time()

        def move(self, **delta):
            self.t += sum(
                {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[k] * v
                for k, v in delta.items()
            )

    clock = Clock()
    monkeypatch.setattr(middleware, "now", lambda: clock.t)
    return clock


def test_idle_session_asks_to_sign_in_again(page, irina, clock):
    sign_in(page, EMAIL)
    at_home(page)

    # Activity keeps the session alive: 20 minutes, then 25 more since the last page.
    clock.move(minutes=20)
    go(page, "/profile/")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    clock.move(minutes=25)
    go(page, "/")
    at_home(page)

    # 31 minutes without a page: the next one asks to sign in and says why.
    clock.move(minutes=31)
    go(page, "/profile/")
    asked_to_sign_in(page, "/profile/")
    expect(messages(page)).to_have_text("Сеанс завершён после 30 минут бездействия. Войдите снова.")
    assert not UserSession.objects.filter(user=irina).exists()
    assert not any("_auth_user_id" in s.get_decoded() for s in Session.objects.all())

    # Signing in again returns to the page that was asked for.
    page.locator("[name=identifier]").fill(EMAIL)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(page.base + "/profile/")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()


def test_remembered_session_survives_idle_but_not_the_absolute_limit(page, irina, clock):
    sign_in(page, EMAIL, remember=True)
    at_home(page)
    clock.move(hours=3)
    go(page, "/")
    at_home(page)

    clock.move(days=31)
    go(page, "/profile/")
    asked_to_sign_in(page, "/profile/")
    expect(messages(page)).to_have_text(
        "Сеанс завершён по истечении максимального времени. Войдите снова."
    )


def test_session_ends_after_the_absolute_limit_despite_activity(page, irina, clock):
    sign_in(page, EMAIL)
    at_home(page)
    for _ in range(12 * 3):  # a page every 20 minutes for 12 hours
        clock.move(minutes=20)
        go(page, "/")
    clock.move(minutes=20)
    go(page, "/")
    asked_to_sign_in(page, "/")
    expect(messages(page)).to_contain_text("по истечении максимального времени")


def test_signing_out_after_a_password_change_forgets_the_session(page, irina):
    """A password change gives the session a new key; signing out still removes it from
    the list of open sessions."""
    sign_in(page, EMAIL)
    at_home(page)
    go(page, "/profile/password/")
    page.get_by_label("Текущий пароль").fill(PASSWORD)
    page.get_by_label("Новый пароль").fill(NEW_PASSWORD)
    page.get_by_label("Повторите пароль").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сменить пароль").click()
    expect(messages(page)).to_have_text("Пароль изменён. Другие сеансы завершены.")
    page.get_by_role("button", name="Выйти").click()
    expect(messages(page)).to_have_text("Вы вышли из личного кабинета.")
    assert not UserSession.objects.filter(user=irina).exists()
