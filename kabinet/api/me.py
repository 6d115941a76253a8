"""Кто я и мои токены: the signed-in customer's profile summary, and the API tokens they
create, list and revoke — the same services as «Профиль → Доступ к API».

A token is created with the session or with a full token; its secret comes back once, in
the answer to the creation, and never again. Revoking works at once.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404
from ninja import Field, Router, Schema, Status

from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.identity import services
from kabinet.identity.models import ApiToken, Party, User

router = Router()


# --- schemas ----------------------------------------------------------------------------


class MeOut(Schema):
    uuid: UUID = Field(description="Идентификатор пользователя")
    name: str = Field(description="Как обращаться: имя или наименование")
    email: str | None = Field(description="E-mail (если указан)")
    email_verified: bool
    phone: str | None = Field(description="Телефон в формате +7XXXXXXXXXX (если указан)")
    phone_verified: bool
    kind: Literal["person", "ip", "legal", "staff"] = Field(
        description="Кто это: физическое лицо, ИП, юридическое лицо или сотрудник поставщика"
    )
    kind_label: str = Field(description="То же по-русски")


class TokenOut(Schema):
    uuid: UUID
    name: str = Field(description="Название, данное при создании")
    prefix: str = Field(description="Начало токена (kab_<prefix>_…), чтобы отличать токены")
    scope: Literal["read", "full"] = Field(description="read — только чтение; full — и изменение")
    scope_label: str
    state: Literal["active", "revoked", "expired"]
    created_at: datetime
    last_used_at: datetime | None = Field(description="Последний запрос (с точностью до минуты)")
    expires_at: datetime | None = Field(description="Срок действия; пусто — бессрочно")
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(
        description="Сам токен: показывается только в этом ответе, сохраните его сразу"
    )


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="Название, например «Дача»")
    scope: Literal["read", "full"] = Field(description="read — только чтение; full — и изменение")
    expires_at: datetime | None = Field(None, description="Срок действия; не указан — бессрочно")


# --- helpers ----------------------------------------------------------------------------


def me_out(user: User) -> dict:
    if user.is_staff:
        kind, kind_label = "staff", str(User.SignupMode.STAFF.label)
    else:
        party = user.parties.order_by("pk").first()
        kind = party.kind if party else Party.Kind.PERSON
        kind_label = str(Party.Kind(kind).label)
    name = user.display_name
    if not name and not user.is_staff:
        party = user.parties.order_by("pk").first()
        name = party.name if party else ""
    return {
        "uuid": user.uuid,
        "name": name or str(user),
        "email": user.email,
        "email_verified": user.email_verified,
        "phone": user.phone,
        "phone_verified": user.phone_verified,
        "kind": str(kind),
        "kind_label": kind_label,
    }


def token_out(token: ApiToken) -> dict:
    return {
        "uuid": token.uuid,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "scope_label": token.get_scope_display(),
        "state": token.state,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def token_for(request, key: str) -> ApiToken:
    """One of the caller's own tokens by its uuid or prefix; anyone else's is a 404."""
    tokens = ApiToken.objects.visible_to(request.user)
    try:
        found = tokens.filter(uuid=UUID(key)).first()
    except ValueError:
        found = tokens.filter(prefix=key.lower()).first() if len(key) == 8 else None
    if found is None:
        raise Http404
    return found


# --- operations -------------------------------------------------------------------------


@router.get(
    "",
    response={200: MeOut, **ERRORS},
    summary="Кто я",
    description="Пользователь, от имени которого идёт запрос: имя, e-mail, телефон и вид.",
)
def me(request):
    return me_out(request.user)


@router.get(
    "/tokens",
    response={200: list[TokenOut], **ERRORS},
    summary="Мои токены API",
    description="Все токены, сначала новые, и отозванные тоже. Сами токены не показываются "
    "никогда — только их начало (prefix).",
)
def token_list(request):
    return [token_out(t) for t in ApiToken.objects.visible_to(request.user)]


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **WRITE_ERRORS},
    summary="Создать токен API",
    description="Токен с правами read (только чтение) или full (чтение и изменение). Поле "
    "token ответа — сам токен: он показывается один раз. Передавайте его в заголовке "
    "Authorization: Bearer <токен>. Создать токен можно из кабинета или токеном с правами "
    "full; сотрудникам поставщика токены не выдаются.",
)
def token_create(request, payload: TokenIn):
    require_full(request)
    token, raw = services.api_token_issue(
        user=request.user, name=payload.name, scope=payload.scope, expires_at=payload.expires_at
    )
    return Status(201, {**token_out(token), "token": raw})


@router.delete(
    "/tokens/{key}",
    response={204: None, **WRITE_ERRORS},
    summary="Отозвать токен API",
    description="Токен по uuid или по началу (prefix) перестаёт работать сразу. Повторный "
    "отзыв ничего не меняет.",
)
def token_revoke(request, key: str):
    require_full(request)
    services.api_token_revoke(user=request.user, token=token_for(request, key))
    return Status(204, None)
