"""Токены доступа к API: the services (issue, revoke, check) and «Профиль → Доступ к API»."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.core.errors import DomainError
from kabinet.core.models import AuditEntry
from kabinet.identity.models import ApiToken
from kabinet.identity.services import api_token_authenticate, api_token_issue, api_token_revoke
from kabinet.identity.services.tokens import MAX_LIVE_TOKENS

PAGE = "/profile/api/"


# --- services ---------------------------------------------------------------------------


def test_issue_stores_only_the_hash_and_returns_the_token_once(alice):
    token, raw = api_token_issue(user=alice, name="  Мобильное   приложение ", scope="read")
    mark, prefix, secret = raw.split("_", 2)
    assert mark == "kab" and prefix == token.prefix and len(prefix) == 8
    assert len(secret) >= 43  # 32 random bytes, URL-safe
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.name == "Мобильное приложение"
    assert token.get_scope_display() == "Только чтение"
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    entry = AuditEntry.objects.get(action="api_token_issue")
    assert entry.subject == alice and entry.actor == alice
    assert secret not in str(entry.changes) and secret not in entry.target_label


def test_two_tokens_differ(alice):
    _a, raw_a = api_token_issue(user=alice, name="A", scope="read")
    _b, raw_b = api_token_issue(user=alice, name="B", scope="read")
    assert raw_a != raw_b


def test_authenticate_finds_a_live_token_only(alice):
    token, raw = api_token_issue(user=alice, name="A", scope="full")
    assert api_token_authenticate(raw) == token
    assert api_token_authenticate(raw + "x") is None
    assert api_token_authenticate(raw[:-2]) is None
    assert api_token_authenticate("") is None
    assert api_token_authenticate("kab_" + token.prefix) is None
    api_token_revoke(user=alice, token=token)
    assert api_token_authenticate(raw) is None


def test_authenticate_refuses_an_expired_token(alice):
    token, raw = api_token_issue(
        user=alice, name="A", scope="full", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert api_token_authenticate(raw) == token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert api_token_authenticate(raw) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "   ", "scope": "read"}, "name"),
        ({"name": "я" * 101, "scope": "read"}, "name"),
        ({"name": "a\x00b", "scope": "read"}, "name"),
        ({"name": "A", "scope": "admin"}, "scope"),
        ({"name": "A", "scope": "read", "expires_at": timezone.now()}, "expires_at"),
    ],
)
def test_issue_refuses_bad_input_next_to_the_field(alice, kwargs, field):
    with pytest.raises(DomainError) as caught:
        api_token_issue(user=alice, **kwargs)
    assert caught.value.field == field
    assert not ApiToken.objects.exists()


def test_a_live_name_is_not_repeated_but_a_revoked_ones_is_free(alice):
    token, _raw = api_token_issue(user=alice, name="Дача", scope="read")
    with pytest.raises(DomainError) as caught:
        api_token_issue(user=alice, name="ДАЧА", scope="full")
    assert caught.value.code == "duplicate"
    api_token_revoke(user=alice, token=token)
    api_token_issue(user=alice, name="Дача", scope="full")


def test_at_most_so_many_live_tokens(alice):
    tokens = [
        api_token_issue(user=alice, name=f"T{i}", scope="read")[0] for i in range(MAX_LIVE_TOKENS)
    ]
    with pytest.raises(DomainError) as caught:
        api_token_issue(user=alice, name="Лишний", scope="read")
    assert caught.value.code == "limit"
    api_token_revoke(user=alice, token=tokens[0])
    api_token_issue(user=alice, name="Теперь можно", scope="read")


def test_staff_and_blocked_users_get_no_token(staff, alice):
    with pytest.raises(DomainError) as caught:
        api_token_issue(user=staff, name="A", scope="full")
    assert caught.value.code == "forbidden"
    alice.status = alice.Status.BLOCKED
    alice.save()
    with pytest.raises(DomainError):
        api_token_issue(user=alice, name="A", scope="full")
    assert not ApiToken.objects.exists()


def test_revoke_is_for_the_owner_only_and_is_recorded_once(alice, charlie):
    token, _raw = api_token_issue(user=alice, name="A", scope="read")
    with pytest.raises(DomainError):
        api_token_revoke(user=charlie, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    api_token_revoke(user=alice, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(user=alice, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEntry.objects.filter(action="api_token_revoke").count() == 1


def test_visible_to_is_the_owner_only(alice, charlie, staff):
    token, _raw = api_token_issue(user=alice, name="A", scope="read")
    assert list(ApiToken.objects.visible_to(alice)) == [token]
    assert not ApiToken.objects.visible_to(charlie).exists()
    assert not ApiToken.objects.visible_to(staff).exists()


# --- the page ---------------------------------------------------------------------------


def test_profile_links_to_the_page(client, alice):
    client.force_login(alice)
    assert PAGE in client.get("/profile/").content.decode()
    assert reverse("identity:api_tokens") == PAGE


def test_the_page_needs_a_sign_in(client, db):
    assert client.get(PAGE).url.startswith("/login/")


def test_create_shows_the_token_once(client, alice):
    client.force_login(alice)
    response = client.post(PAGE, {"name": "Приложение", "scope": "full", "expires": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = ApiToken.objects.get(user=alice)
    raw = response.context["raw"]
    assert raw.startswith(f"kab_{token.prefix}_") and raw in html
    assert "показывается только один раз" in html
    assert token.scope == "full"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    again = client.get(PAGE).content.decode()
    assert raw not in again
    assert f"kab_{token.prefix}_…" in again
    assert "Чтение и изменение" in again


def test_bad_input_is_shown_next_to_the_field_and_kept(client, alice):
    client.force_login(alice)
    response = client.post(PAGE, {"name": "", "scope": "read"})
    assert "Назовите токен" in response.content.decode()
    assert response.context["form"].errors["name"]
    api_token_issue(user=alice, name="Дача", scope="read")
    response = client.post(PAGE, {"name": "Дача", "scope": "full"})
    form = response.context["form"]
    assert form.errors["name"] == ["Действующий токен с таким названием уже есть."]
    html = response.content.decode()
    assert 'value="Дача"' in html and 'value="full"' in html and "checked" in html
    response = client.post(PAGE, {"name": "Ок", "scope": "root"})
    assert response.context["form"].errors["scope"]
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_revoke_from_the_page(client, alice):
    token, _raw = api_token_issue(user=alice, name="Старый", scope="read")
    client.force_login(alice)
    response = client.post(f"/profile/api/{token.uuid}/revoke/", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    html = response.content.decode()
    assert "Токен «Старый» отозван" in html
    assert f"Отозван {timezone.localtime(token.revoked_at):%d.%m.%Y}" in html


def test_another_customers_token_is_not_found_on_the_page(client, alice, charlie):
    token, _raw = api_token_issue(user=charlie, name="Чужой", scope="read")
    client.force_login(alice)
    assert client.post(f"/profile/api/{token.uuid}/revoke/").status_code == 404
    assert client.get(f"/profile/api/{token.uuid}/revoke/").status_code == 405
    assert "Чужой" not in client.get(PAGE).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_staff_see_why_there_is_no_form(client, staff):
    client.force_login(staff)
    html = client.get(PAGE).content.decode()
    assert "только потребителям" in html
    assert "Создать токен" not in html
    client.post(PAGE, {"name": "A", "scope": "full"})
    assert not ApiToken.objects.exists()
