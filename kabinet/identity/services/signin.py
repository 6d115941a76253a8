"""Вход: the check of a sign-in with its lockouts, the sign-in log and the list of
open sessions, signing out everywhere."""

import contextlib

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import codes, throttle
from kabinet.identity.models import SignInEvent, User, UserSession
from kabinet.identity.services.common import Client

# --- sign-in -------------------------------------------------------------------------


def _candidates(identifier: str) -> list[User]:
    """Every user the identifier may name: login, e-mail, phone or an ИНН of a party."""
    from django.core.exceptions import ValidationError

    from kabinet.core.validators import validate_ru_phone

    ident = identifier.strip()
    methods = get_utility().login_methods
    found: dict[int, User] = {}

    def add(qs):
        for user in qs[:5]:
            found.setdefault(user.pk, user)

    if ("login" in methods or "contract" in methods) and ident:
        add(User.objects.filter(login=ident))
    elif ident:
        # Staff always sign in with their login, whatever the customers use.
        add(User.objects.filter(login=ident, is_staff=True))
    if "email" in methods and "@" in ident:
        add(User.objects.filter(email__iexact=ident))
    if "phone" in methods:
        with contextlib.suppress(ValidationError):  # not a phone: other identifiers remain
            add(User.objects.filter(phone=validate_ru_phone(ident)))
    if "inn" in methods and ident.isdigit() and len(ident) in (10, 12):
        add(User.objects.filter(parties__inn=ident).distinct())
    return list(found.values())


def _locked_for(keys: list[tuple[str, str]], limits: dict[str, int]) -> int:
    seconds = settings.KABINET_LOCKOUT_MINUTES * 60
    return max(
        (
            throttle.retry_after(scope, key, limit=limits[scope], seconds=seconds)
            for scope, key in keys
        ),
        default=0,
    )


class SignInRefused(DomainError):
    pass


def sign_in_check(*, identifier: str, password: str, client: Client) -> User:
    """Check a sign-in. Unknown user and wrong password get the same answer; repeated
    failures lock the identifier, the account and the address for a while."""
    ident_key = identifier.strip().lower()[:254]
    limits = {
        "signin_ident": settings.KABINET_LOCKOUT_ACCOUNT_FAILURES,
        "signin_account": settings.KABINET_LOCKOUT_ACCOUNT_FAILURES,
        "signin_ip": settings.KABINET_LOCKOUT_ADDRESS_FAILURES,
    }
    candidates = _candidates(identifier)
    # An identifier that names a cabinet locks that cabinet, whichever identifier is typed,
    # so a reset (by a code or by staff) that clears the account's count lifts the lock; an
    # identifier that names nobody is locked by itself, the same way after as many failures.
    keys = [("signin_account", str(u.pk)) for u in candidates] or [("signin_ident", ident_key)]
    if client.ip:
        keys.append(("signin_ip", client.ip))
    wait = _locked_for(keys, limits)
    if wait:
        raise SignInRefused(
            _("Слишком много неудачных попыток входа. Повторите через %(wait)s.")
            % {"wait": codes.minutes_text(wait)},
            code="locked",
        )
    user = next((u for u in candidates if u.check_password(password)), None)
    if not candidates:
        # Hash anyway, so an unknown identifier takes as long as a wrong password and
        # the answer's timing does not tell who has a cabinet.
        User().set_password(password)
    if user is None:
        with transaction.atomic():
            for scope, key in keys:
                throttle.hit(scope, key)
            SignInEvent.objects.bulk_create(
                [
                    SignInEvent(
                        user=u, success=False, ip=client.ip, user_agent=client.user_agent[:500]
                    )
                    for u in candidates
                ]
            )
        raise SignInRefused(_("Неверный логин или пароль."), code="wrong")
    if user.status == User.Status.PENDING:
        if user.signup_mode == User.SignupMode.PHONE:
            raise SignInRefused(
                _("Телефон не подтверждён. Завершите регистрацию."), code="pending_phone"
            )
        raise SignInRefused(
            _("E-mail не подтверждён. Перейдите по ссылке из письма или запросите новое письмо."),
            code="pending_email",
        )
    if user.status == User.Status.BLOCKED:
        raise SignInRefused(
            _("Кабинет заблокирован. Обратитесь в службу поддержки, чтобы получить доступ заново."),
            code="blocked",
        )
    throttle.clear("signin_ident", ident_key)
    throttle.clear("signin_account", str(user.pk))
    return user


def sign_in_record(
    *, user: User, session_key: str, client: Client, method: str = "password"
) -> None:
    with transaction.atomic():
        SignInEvent.objects.create(
            user=user, success=True, ip=client.ip, user_agent=client.user_agent[:500], method=method
        )
        UserSession.objects.update_or_create(
            session_key=session_key,
            defaults={"user": user, "ip": client.ip, "user_agent": client.user_agent[:500]},
        )
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())


def session_close(*, session_key: str | None) -> None:
    """A session ended (sign-out or timeout): it leaves the list of open sessions."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_key_changed(*, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (a password change cycles it): keep it in the list of
    open sessions, so that signing out elsewhere or a later change still ends it."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Sign the user out everywhere, except the session they are using when given."""
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep_session_key or "")
        .values_list("session_key", flat=True)
    )
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def user_locked_for(*, user: User) -> int:
    """Seconds the cabinet stays locked after failed sign-ins; 0 when it is not."""
    limits = {"signin_account": settings.KABINET_LOCKOUT_ACCOUNT_FAILURES}
    return _locked_for([("signin_account", str(user.pk))], limits)


def user_unlock(*, staff: User, user: User) -> None:
    """Снять блокировку входа: staff lift the lock-out after failed sign-ins, e.g. when
    the customer calls and has proved who they are; the password stays as it was."""
    from kabinet.backoffice import roles
    from kabinet.core.audit import audit_record

    if not roles.can(staff, roles.ACCESS):
        raise DomainError(_("Снимать блокировку входа может оператор или администратор."))
    if not user_locked_for(user=user):
        raise DomainError(_("Вход не заблокирован: снимать нечего."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        throttle.clear("signin_account", str(user.pk))
        audit_record(
            actor=staff,
            action="user_unlock",
            target=user,
            subject=user,
            changes={"locked": [True, False]},
        )
