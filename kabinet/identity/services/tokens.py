"""Токены доступа к API: a customer issues a named token (read-only or full), sees it once,
and revokes it; the API checks a presented token here.

The token is ``kab_<prefix>_<secret>``: ``prefix`` is 8 hex digits that find the row (and
name the token in lists), ``secret`` is 32 random bytes, URL-safe. Only the SHA-256 of the
whole token is stored; a random 256-bit secret needs no slow hash.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.identity.models import ApiToken, User

TOKEN_MARK = "kab"
PREFIX_LENGTH = 8
# How many tokens a customer may hold that are neither revoked nor expired.
MAX_LIVE_TOKENS = 20
# ``last_used_at`` is written at most this often, so a busy token does not write per request.
TOUCH_EVERY = timedelta(minutes=1)
NAME_MAX = 100


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def _split(raw: str) -> tuple[str, str] | None:
    """``kab_<prefix>_<secret>`` → (prefix, secret), or None when it is not shaped so."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_LENGTH or not secret:
        return None
    return prefix, secret


def api_token_issue(
    *, user: User, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the token itself, which is never shown again."""
    if user.is_staff:
        raise DomainError(
            _("Токены API выдаются только потребителям: сотрудники работают в кабинете."),
            code="forbidden",
        )
    if not user.is_active:
        raise DomainError(_("Кабинет не активен."), code="forbidden")
    name = " ".join((name or "").split())
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise DomainError(_("Уберите из названия служебные символы."), field="name")
    if not name:
        raise DomainError(_("Назовите токен, например «Мобильное приложение»."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_("Название длиннее %(n)s символов.") % {"n": NAME_MAX}, field="name")
    if scope not in ApiToken.Scope.values:
        raise DomainError(_("Выберите права: только чтение или чтение и изменение."), field="scope")
    now = timezone.now()
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at is not None and expires_at <= now:
        raise DomainError(_("Срок действия должен быть в будущем."), field="expires_at")
    with transaction.atomic():
        # One customer's issues queue up here, so the limit holds under concurrent requests.
        User.objects.select_for_update().filter(pk=user.pk).first()
        live = ApiToken.objects.filter(user=user).live(now)
        if live.count() >= MAX_LIVE_TOKENS:
            raise DomainError(
                _("У вас уже %(n)s действующих токенов. Отзовите ненужный, чтобы создать новый.")
                % {"n": MAX_LIVE_TOKENS},
                code="limit",
            )
        if live.filter(name__iexact=name).exists():
            raise DomainError(
                _("Действующий токен с таким названием уже есть."),
                field="name",
                code="duplicate",
            )
        prefix = _new_prefix()
        raw = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            secret_hash=token_hash(raw),
            scope=scope,
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=user,
            action="api_token_issue",
            target=token,
            subject=user,
            changes={
                "name": [None, name],
                "scope": [None, scope],
                "expires_at": [None, expires_at],
            },
        )
    return token, raw


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once. Revoking a revoked
    token changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token.pk, user=user).first()
        if token is None:
            raise DomainError(_("Токен не найден."), code="not_found")
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="api_token_revoke",
            target=token,
            subject=user,
            changes={"revoked_at": [None, token.revoked_at]},
        )
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token ``raw`` is, with its user loaded, or None: unknown, wrong secret,
    revoked, expired, or its user blocked or staff. Looked up on every request (no cache),
    so a revoked token stops at once. Records the use at most once a minute."""
    parts = _split(raw)
    if parts is None:
        return None
    prefix, _secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token_hash(raw.strip()), token.secret_hash):
        return None
    now = timezone.now()
    if not token.is_live(now) or not token.user.is_active or token.user.is_staff:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
