"""Each seed portal's profile shows its own way in on the public pages."""

import pytest

from kabinet.core.utility_profiles import PROFILES

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(settings, request):
    settings.KABINET_UTILITY = request.param
    settings.KABINET_SIGNUP_MODES = []
    return PROFILES[request.param]


@pytest.mark.parametrize("profile", sorted(PROFILES), indirect=True)
def test_public_pages_of_every_profile(client, profile):
    for path in ("/", "/login/", "/recovery/", "/recovery/password/", "/legal/personal-data/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert profile.short_name in response.content.decode(), path


@pytest.mark.parametrize(
    ("profile", "shown", "hidden"),
    [
        ("tek_spb", "Регистрация по e-mail", "Регистрация по номеру телефона"),
        ("tgk2", "Регистрация по номеру телефона", "Регистрация по e-mail"),
        ("gk_kazan", "Организациям доступ выдаёт", "Регистрация по e-mail"),
        ("tashkent_heat", "логин — номер договора", "Регистрация по e-mail"),
    ],
    indirect=["profile"],
)
def test_welcome_offers_only_the_profiles_sign_up(client, profile, shown, hidden):
    page = client.get("/").content.decode()
    assert shown in page
    assert hidden not in page


@pytest.mark.parametrize("profile", ["tek_spb"], indirect=True)
def test_sign_up_modes_that_are_off_are_not_found(client, profile):
    assert client.get("/signup/phone/").status_code == 404
    assert client.get("/signup/email/").status_code == 200


@pytest.mark.parametrize("profile", ["tashkent_heat"], indirect=True)
def test_recovery_without_codes_points_to_the_utility(client, profile):
    page = client.get("/recovery/password/").content.decode()
    assert "сбросят на первичный" in page
    assert 'name="identifier"' not in page


@pytest.mark.parametrize("profile", ["tashkent_heat"], indirect=True)
def test_idle_timeout_of_seed_003_is_ten_minutes(profile):
    assert profile.idle_timeout_minutes == 10


@pytest.mark.parametrize("profile", ["gorseti_tomsk"], indirect=True)
def test_seed_002_customer_makes_up_a_login_at_sign_up(client, profile):
    from kabinet.identity.models import User

    form = {
        "kind": "person",
        "last_name": "Кедров",
        "first_name": "Олег",
        "email": "kedrov@example.ru",
        "password1": "Teplo-Set-2027",
        "password2": "Teplo-Set-2027",
        "consent": "on",
    }
    page = client.get("/signup/email/").content.decode()
    assert 'name="login"' in page

    refused = client.post("/signup/email/", {**form, "login": "12345"})
    assert "Логин не может состоять только из цифр." in refused.content.decode()
    assert 'value="kedrov@example.ru"' in refused.content.decode()
    assert not User.objects.exists()

    client.post("/signup/email/", {**form, "login": "o.kedrov"})
    user = User.objects.get(email="kedrov@example.ru")
    assert user.login == "o.kedrov" and user.status == User.Status.PENDING

    taken = client.post(
        "/signup/email/", {**form, "login": "O.Kedrov", "email": "other@example.ru"}
    )
    assert "Этот логин уже занят" in taken.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("profile", ["tek_spb"], indirect=True)
def test_no_login_field_where_the_utility_does_not_use_logins(client, profile):
    assert 'name="login"' not in client.get("/signup/email/").content.decode()
