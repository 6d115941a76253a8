"""Учётные данные интеграции: making, checking and revoking the tokens the utility's systems
use on ``/api/v1/integration/``.

A token is ``kint_<prefix>_<secret>``: the prefix (8 hex digits) finds the row, the secret
(32 random bytes) makes it unguessable, and only the SHA-256 of the whole token is kept — a
random 256-bit secret needs no slow hash. The legacy ``KABINET_INTEGRATION_TOKENS`` keep
working for one release as a credential with the scope ``imports`` only.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.integration.models import IntegrationCredential

PREFIX = "kint"
Scope = IntegrationCredential.Scope
# ``last_used_at`` is written at most this often, not on every call.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class LegacyCredential:
    """A token from ``KABINET_INTEGRATION_TOKENS``: imports only, no row, no revocation."""

    name: str = "KABINET_INTEGRATION_TOKENS"
    prefix: str = "legacy"
    scopes: tuple[str, ...] = (Scope.IMPORTS,)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _scopes(scopes) -> list[str]:
    chosen = []
    for scope in scopes or ():
        for part in str(scope).split(","):
            part = part.strip()
            if not part:
                continue
            if part not in Scope.values:
                raise DomainError(
                    _("Неизвестное право «%(s)s»; можно: %(all)s.")
                    % {"s": part, "all": ", ".join(Scope.values)},
                    field="scopes",
                )
            if part not in chosen:
                chosen.append(part)
    if not chosen:
        raise DomainError(_("Укажите хотя бы одно право."), field="scopes")
    return chosen


def credential_create(*, name: str, scopes, actor=None) -> tuple[IntegrationCredential, str]:
    """Выдать учётные данные: a new credential with its scopes; returns it with the token,
    which is not kept anywhere and cannot be shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Укажите название."), field="name")
    chosen = _scopes(scopes)
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        token = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                credential = IntegrationCredential.objects.create(
                    name=name[:100], prefix=prefix, secret_hash=_digest(token), scopes=chosen
                )
                audit_record(
                    actor=actor,
                    action="integration_credential_create",
                    target=credential,
                    changes={"name": [None, credential.name], "scopes": [None, chosen]},
                )
        except IntegrityError:
            continue  # the prefix was taken: draw another
        return credential, token
    raise DomainError(_("Не удалось выдать токен, повторите."))  # pragma: no cover


@transaction.atomic
def credential_revoke(*, prefix: str, actor=None) -> IntegrationCredential:
    """Отозвать: the credential stops working at once; revoking twice changes nothing."""
    credential = (
        IntegrationCredential.objects.select_for_update().filter(prefix=prefix.strip()).first()
    )
    if credential is None:
        raise DomainError(_("Нет учётных данных с префиксом «%(p)s».") % {"p": prefix})
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="integration_credential_revoke",
            target=credential,
            changes={"revoked_at": [None, credential.revoked_at.isoformat()]},
        )
    return credential


def _legacy(token: str) -> LegacyCredential | None:
    given = token.encode()
    ok = False
    for known in settings.KABINET_INTEGRATION_TOKENS:
        # Every token is compared, in constant time, whatever matched before.
        ok |= hmac.compare_digest(given, known.encode())
    return LegacyCredential() if ok else None


def credential_check(token: str) -> IntegrationCredential | LegacyCredential | None:
    """The credential a bearer token belongs to, or None (unknown, wrong or revoked)."""
    token = (token or "").strip()
    if not token:
        return None
    head, _sep, rest = token.partition("_")
    prefix, _sep2, secret = rest.partition("_")
    if head == PREFIX and prefix and secret:
        credential = IntegrationCredential.objects.filter(prefix=prefix).first()
        if credential is not None and hmac.compare_digest(credential.secret_hash, _digest(token)):
            if credential.revoked_at is not None:
                return None
            now = timezone.now()
            if credential.last_used_at is None or now - credential.last_used_at > TOUCH_EVERY:
                IntegrationCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
                credential.last_used_at = now
            return credential
    return _legacy(token)


def integration_enabled() -> bool:
    """Whether the legacy URLs answer at all: a token configured or a credential made."""
    return (
        bool(settings.KABINET_INTEGRATION_TOKENS)
        or IntegrationCredential.objects.filter(revoked_at=None).exists()
    )
