"""Session policy: idle and absolute limits, "remember me", the forced password change."""

import time
from unittest import mock

import pytest
from django.conf import settings as django_settings

from conftest import PASSWORD, make_user
from kabinet.core.utility_profiles import PROFILES
from kabinet.identity.middleware import SEEN_RESOLUTION_SECONDS, session_expired
from kabinet.identity.models import UserSession

MINUTE = 60
HOUR = 3600
IDLE_MESSAGE = "Сеанс завершён после %d минут бездействия. Войдите снова."
ABSOLUTE_MESSAGE = "Сеанс завершён по истечении максимального времени. Войдите снова."


# --- session_expired -------------------------------------------------------------------


@pytest.fixture
def tek_spb(settings):
    settings.KABINET_UTILITY = "tek_spb"
    profile = PROFILES["tek_spb"]
    assert (profile.idle_timeout_minutes, profile.absolute_timeout_hours) == (30, 12)
    return profile


T0 = 1_800_000_000.0


def test_a_fresh_session_is_alive(tek_spb):
    session = {"kb_auth_at": T0, "kb_seen": T0, "kb_remember": False}
    assert session_expired(session, at=T0) is None
    assert session_expired(session, at=T0 + 30 * MINUTE) is None


def test_idle_limit(tek_spb):
    session = {"kb_auth_at": T0, "kb_seen": T0, "kb_remember": False}
    assert session_expired(session, at=T0 + 30 * MINUTE + 1) == "idle"


def test_absolute_limit_even_when_active(tek_spb):
    session = {"kb_auth_at": T0, "kb_seen": T0 + 12 * HOUR, "kb_remember": False}
    assert session_expired(session, at=T0 + 12 * HOUR) is None
    assert session_expired(session, at=T0 + 12 * HOUR + 1) == "absolute"


def test_remembered_session_has_no_idle_limit_and_lasts_the_cookie_age(tek_spb):
    age = django_settings.SESSION_COOKIE_AGE
    assert age == 30 * 24 * HOUR
    session = {"kb_auth_at": T0, "kb_seen": T0, "kb_remember": True}
    assert session_expired(session, at=T0 + 5 * 24 * HOUR) is None
    assert session_expired(session, at=T0 + age) is None
    assert session_expired(session, at=T0 + age + 1) == "absolute"


def test_a_session_without_marks_is_alive(tek_spb):
    assert session_expired({}, at=T0) is None


def test_the_idle_limit_is_the_utilitys(settings):
    settings.KABINET_UTILITY = "tashkent_heat"
    session = {"kb_auth_at": T0, "kb_seen": T0}
    assert session_expired(session, at=T0 + 10 * MINUTE) is None
    assert session_expired(session, at=T0 + 10 * MINUTE + 1) == "idle"


# --- through the middleware ------------------------------------------------------------


class Clock:
    def __init__(self):
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch("kabinet.identity.middleware.now", c):
        yield c


def sign_in(client, user, *, remember=False, identifier=None):
    data = {"identifier": identifier or user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post("/login/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    return response


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_after_the_idle_limit_the_user_signs_in_again(client, alice, clock, tek_spb):
    sign_in(client, alice)
    assert client.session["kb_remember"] is False
    key = client.session.session_key
    assert UserSession.objects.filter(user=alice, session_key=key).exists()
    assert client.get("/profile/").status_code == 200

    clock.advance(30 * MINUTE + 1)
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fprofile%2F"
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.filter(session_key=key).exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert IDLE_MESSAGE % 30 in page.content.decode()
    # Signing in again goes back to the page that was asked for.
    again = client.post(
        "/login/?next=%2Fprofile%2F", {"identifier": alice.email, "password": PASSWORD}
    )
    assert again["Location"] == "/profile/"


@pytest.mark.django_db
def test_activity_moves_the_idle_limit(client, alice, clock, tek_spb):
    sign_in(client, alice)
    for _ in range(4):  # two hours of a request every 29 minutes
        clock.advance(29 * MINUTE)
        assert client.get("/profile/").status_code == 200
    assert client.session["kb_seen"] == clock.t
    clock.advance(31 * MINUTE)
    assert client.get("/profile/").status_code == 302


@pytest.mark.django_db
def test_last_seen_is_written_coarsely(client, alice, clock, tek_spb):
    sign_in(client, alice)
    first_seen = client.session["kb_seen"]
    clock.advance(SEEN_RESOLUTION_SECONDS - 1)
    client.get("/profile/")
    assert client.session["kb_seen"] == first_seen
    clock.advance(2)
    client.get("/profile/")
    assert client.session["kb_seen"] == clock.t
    session = UserSession.objects.get(session_key=client.session.session_key)
    assert abs(session.last_seen.timestamp() - clock.t) < 1


@pytest.mark.django_db
def test_the_idle_limit_of_seed_003_is_ten_minutes(client, clock, settings):
    settings.KABINET_UTILITY = "tashkent_heat"
    user = make_user(email="baths@example.uz")
    sign_in(client, user)
    clock.advance(10 * MINUTE + 1)
    page = client.get("/", follow=True)
    assert page.redirect_chain[0] == ("/login/?next=%2F", 302)
    assert IDLE_MESSAGE % 10 in page_messages(page)


@pytest.mark.django_db
def test_the_absolute_limit_ends_an_active_session(client, alice, clock, tek_spb):
    sign_in(client, alice)
    for _ in range(12 * 60 // 20):  # active every 20 minutes for 12 hours
        clock.advance(20 * MINUTE)
        assert client.get("/").status_code == 200
    clock.advance(1)
    page = client.get("/", follow=True)
    assert page.redirect_chain[0][0].startswith("/login/")
    assert page_messages(page) == [ABSOLUTE_MESSAGE]


@pytest.mark.django_db
def test_a_remembered_session_survives_idleness_until_the_cookie_age(client, alice, clock, tek_spb):
    sign_in(client, alice, remember=True)
    assert client.session["kb_remember"] is True
    clock.advance(3 * 24 * HOUR)
    assert client.get("/profile/").status_code == 200
    clock.advance(django_settings.SESSION_COOKIE_AGE - 3 * 24 * HOUR + 1)
    page = client.get("/profile/", follow=True)
    assert page.redirect_chain[0] == ("/login/?next=%2Fprofile%2F", 302)
    assert page_messages(page) == [ABSOLUTE_MESSAGE]


@pytest.mark.django_db
def test_an_expired_post_goes_to_the_login_page_without_next(client, alice, clock, tek_spb):
    sign_in(client, alice)
    clock.advance(HOUR)
    response = client.post("/profile/sessions/end/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"


@pytest.mark.django_db
def test_signing_out_is_exempt(client, alice, clock, tek_spb):
    sign_in(client, alice)
    clock.advance(HOUR)
    response = client.post("/logout/", follow=True)
    assert page_messages(response) == ["Вы вышли из личного кабинета."]


# --- forced password change ------------------------------------------------------------


@pytest.mark.django_db
def test_must_change_password_sends_every_page_to_the_password_form(client, clock, tek_spb):
    user = make_user(email="first@example.ru", must_change_password=True)
    response = client.post("/login/", {"identifier": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for path in ("/", "/profile/", "/profile/email/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/profile/password/", path
    page = client.get("/profile/password/")
    assert page.status_code == 200
    assert page.context["forced"] is True
    # Signing out stays possible.
    assert client.post("/logout/")["Location"] == "/login/"


@pytest.mark.django_db
def test_after_the_forced_change_the_portal_opens(client, clock, tek_spb):
    user = make_user(email="first@example.ru", must_change_password=True)
    client.post("/login/", {"identifier": user.email, "password": PASSWORD})
    new = "Teplo-Set-2027"
    response = client.post(
        "/profile/password/",
        {"current_password": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/").status_code == 200
