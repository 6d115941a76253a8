"""Who may call the API: customer tokens (read-only and full), the cabinet's session with
its CSRF check, and the rate limits, all answering in the one error shape."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kabinet.identity.models import ApiToken
from kabinet.identity.services import api_token_issue, api_token_revoke

ME = "/api/v1/me/"
TOKENS = "/api/v1/me/tokens"


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
def full(alice):
    return api_token_issue(user=alice, name="Полный", scope="full")


@pytest.fixture
def read(alice):
    return api_token_issue(user=alice, name="Чтение", scope="read")


# --- tokens -----------------------------------------------------------------------------


def test_a_token_works_on_me(client, alice, full):
    _token, raw = full
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "alice@example.ru"
    assert body["name"] == "Алиса"
    assert body["kind"] == "person"
    assert body["kind_label"] == "Физическое лицо"


def test_no_credentials_is_401_in_the_shape(client, db):
    body = assert_error_shape(client.get(ME), 401, "unauthorized")
    assert "Bearer" in body["message"]


def test_a_revoked_token_gets_401_at_once(client, alice, full):
    token, raw = full
    assert client.get(ME, **bearer(raw)).status_code == 200
    api_token_revoke(user=alice, token=token)
    assert_error_shape(client.get(ME, **bearer(raw)), 401, "unauthorized")


def test_a_token_revoked_through_the_api_stops_at_once(client, alice, full, read):
    token, raw = read
    _, full_raw = full
    assert client.get(ME, **bearer(raw)).status_code == 200
    response = client.delete(f"{TOKENS}/{token.prefix}", **bearer(full_raw))
    assert response.status_code == 204
    assert_error_shape(client.get(ME, **bearer(raw)), 401)
    # revoking again changes nothing
    assert client.delete(f"{TOKENS}/{token.uuid}", **bearer(full_raw)).status_code == 204


def test_an_expired_token_gets_401(client, alice, full):
    token, raw = full
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error_shape(client.get(ME, **bearer(raw)), 401)


def test_a_token_with_time_left_works(client, alice):
    _token, raw = api_token_issue(
        user=alice, name="На день", scope="read", expires_at=timezone.now() + timedelta(days=1)
    )
    assert client.get(ME, **bearer(raw)).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret, right prefix
        lambda raw: raw + "x",
        lambda raw: raw.rsplit("_", 1)[0] + "_",
        lambda raw: "kab_00000000_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: raw.replace("kab_", "bak_", 1),
        lambda raw: "garbage",
    ],
)
def test_a_wrong_token_gets_401(client, alice, full, mangle):
    _token, raw = full
    assert_error_shape(client.get(ME, **bearer(mangle(raw))), 401, "unauthorized")


def test_a_dead_token_is_401_even_beside_a_session(client, alice, full):
    token, raw = full
    api_token_revoke(user=alice, token=token)
    client.force_login(alice)
    assert client.get(ME).status_code == 200
    assert_error_shape(client.get(ME, **bearer(raw)), 401)


def test_a_blocked_customers_token_gets_401(client, alice, full):
    _token, raw = full
    alice.status = alice.Status.BLOCKED
    alice.save()
    assert_error_shape(client.get(ME, **bearer(raw)), 401)


def test_a_staff_members_token_gets_401(client, staff):
    # Staff cannot issue one; a row made around the service still does not open the API.
    from kabinet.identity.services.tokens import token_hash

    raw = "kab_abcdef12_" + "s" * 43
    ApiToken.objects.create(
        user=staff, name="x", prefix="abcdef12", secret_hash=token_hash(raw), scope="full"
    )
    assert_error_shape(client.get(ME, **bearer(raw)), 401)


def test_last_used_is_written_at_most_once_a_minute(client, alice, full):
    token, raw = full
    assert token.last_used_at is None
    client.get(ME, **bearer(raw))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get(ME, **bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(ME, **bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


# --- scopes -----------------------------------------------------------------------------


def test_a_read_token_may_read_but_not_create(client, alice, read):
    _token, raw = read
    assert client.get(TOKENS, **bearer(raw)).status_code == 200
    response = client.post(
        TOKENS, {"name": "Ещё", "scope": "read"}, content_type="application/json", **bearer(raw)
    )
    assert_error_shape(response, 403, "forbidden")
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_a_read_token_may_not_revoke(client, alice, read):
    token, raw = read
    assert_error_shape(client.delete(f"{TOKENS}/{token.uuid}", **bearer(raw)), 403, "forbidden")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_full_token_creates_a_token_shown_once(client, alice, full):
    _token, raw = full
    response = client.post(
        TOKENS,
        {"name": "Дача", "scope": "read"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith(f"kab_{created['prefix']}_")
    assert created["scope"] == "read" and created["state"] == "active"
    assert client.get(ME, **bearer(created["token"])).status_code == 200
    listed = client.get(TOKENS, **bearer(raw)).json()
    assert [t["name"] for t in listed] == ["Дача", "Полный"]
    assert all("token" not in t for t in listed)
    assert created["token"] not in client.get(TOKENS, **bearer(raw)).content.decode()


def test_creating_with_bad_input_is_refused_in_the_shape(client, alice, full):
    _token, raw = full
    response = client.post(
        TOKENS, {"name": "", "scope": "all"}, content_type="application/json", **bearer(raw)
    )
    body = assert_error_shape(response, 422, "validation")
    assert set(body["fields"]) == {"name", "scope"}
    response = client.post(
        TOKENS,
        {"name": "   ", "scope": "read"},
        content_type="application/json",
        **bearer(raw),
    )
    body = assert_error_shape(response, 400, "invalid")
    assert "name" in body["fields"]
    response = client.post(
        TOKENS,
        {"name": "Старый", "scope": "read", "expires_at": "2020-01-01T00:00:00"},
        content_type="application/json",
        **bearer(raw),
    )
    assert "expires_at" in assert_error_shape(response, 400)["fields"]
    response = client.post(
        TOKENS, {"name": "полный", "scope": "read"}, content_type="application/json", **bearer(raw)
    )
    assert_error_shape(response, 409, "duplicate")


def test_another_customers_token_is_404_on_delete(client, alice, charlie, full):
    _token, raw = full
    theirs, _their_raw = api_token_issue(user=charlie, name="Чужой", scope="full")
    for key in (str(theirs.uuid), theirs.prefix, "nonsense", "00000000"):
        assert_error_shape(client.delete(f"{TOKENS}/{key}", **bearer(raw)), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert [t["name"] for t in client.get(TOKENS, **bearer(raw)).json()] == ["Полный"]


def test_staff_get_no_tokens_through_the_api(client, staff):
    client.force_login(staff)
    response = client.post(
        TOKENS, {"name": "Мой", "scope": "full"}, content_type="application/json"
    )
    assert_error_shape(response, 403, "forbidden")
    assert not ApiToken.objects.exists()


# --- the session ------------------------------------------------------------------------


def test_the_session_reads_and_writes_with_its_csrf_token(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(ME).status_code == 200
    # the cabinet's page has the CSRF cookie; its script sends it back in X-CSRFToken
    browser.get("/profile/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        TOKENS,
        {"name": "Из кабинета", "scope": "full"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201, response.content


def test_a_session_post_without_csrf_is_refused(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post(
        TOKENS, {"name": "Подделка", "scope": "full"}, content_type="application/json"
    )
    body = assert_error_shape(response, 403, "forbidden")
    assert "CSRF" in body["message"]
    assert not ApiToken.objects.exists()


def test_a_token_needs_no_csrf(alice, full):
    _token, raw = full
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        TOKENS,
        {"name": "Скрипт", "scope": "read"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 201


def test_anonymous_post_is_401_not_a_csrf_complaint(db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(TOKENS, {"name": "x", "scope": "read"}, content_type="application/json")
    assert_error_shape(response, 401, "unauthorized")


# --- rate limits ------------------------------------------------------------------------


def test_reads_over_the_rate_get_429_with_retry_after(client, alice, full, settings):
    settings.KABINET_API_RATE_READ = "2/m"
    _token, raw = full
    assert client.get(ME, **bearer(raw)).status_code == 200
    assert client.get(ME, **bearer(raw)).status_code == 200
    response = client.get(ME, **bearer(raw))
    body = assert_error_shape(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Повторите" in body["message"]


def test_each_token_has_its_own_budget_and_writes_count_apart(client, alice, full, read, settings):
    settings.KABINET_API_RATE_READ = "1/m"
    settings.KABINET_API_RATE_WRITE = "1/m"
    _t, full_raw = full
    _t, read_raw = read
    assert client.get(ME, **bearer(full_raw)).status_code == 200
    assert client.get(ME, **bearer(full_raw)).status_code == 429
    assert client.get(ME, **bearer(read_raw)).status_code == 200
    # the write budget is separate from the spent read budget
    one = {"name": "Один", "scope": "read"}
    response = client.post(TOKENS, one, content_type="application/json", **bearer(full_raw))
    assert response.status_code == 201
    two = {"name": "Два", "scope": "read"}
    response = client.post(TOKENS, two, content_type="application/json", **bearer(full_raw))
    assert_error_shape(response, 429, "throttled")
    assert response["Retry-After"]
    assert ApiToken.objects.filter(name="Два").count() == 0


def test_the_session_is_counted_by_user(client, alice, settings):
    settings.KABINET_API_RATE_READ = "1/m"
    client.force_login(alice)
    assert client.get(ME).status_code == 200
    assert_error_shape(client.get(ME), 429, "throttled")


def test_the_window_moves_on(client, alice, full, settings, monkeypatch):
    from kabinet.api.throttling import SettingRateThrottle

    settings.KABINET_API_RATE_READ = "1/m"
    _token, raw = full
    now = [1_000_000.0]
    monkeypatch.setattr(SettingRateThrottle, "timer", lambda self: now[0])
    assert client.get(ME, **bearer(raw)).status_code == 200
    now[0] += 30
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 429 and response["Retry-After"] == "30"
    now[0] += 31
    assert client.get(ME, **bearer(raw)).status_code == 200


def test_anonymous_operations_are_counted_by_address(rf, settings):
    from kabinet.api.throttling import AnonThrottle, ReadThrottle

    settings.KABINET_API_RATE_ANON = "1/m"
    throttle = AnonThrottle()
    request = rf.get("/api/v1/anything", REMOTE_ADDR="10.0.0.1")
    assert throttle.allow_request(request)
    assert not throttle.allow_request(request)
    assert throttle.wait() >= 1
    assert throttle.allow_request(rf.get("/api/v1/anything", REMOTE_ADDR="10.0.0.2"))
    # a read throttle ignores a call without auth; the anonymous one ignores a call with it
    assert ReadThrottle().get_cache_key(request) is None
    request.auth = object()
    assert throttle.get_cache_key(request) is None
