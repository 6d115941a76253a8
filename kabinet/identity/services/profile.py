"""Профиль: the password, the e-mail and the phone (each confirmed by a code), and
the authenticator app (TOTP)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.identity import codes, throttle
from kabinet.identity.codes import Channel, Purpose
from kabinet.identity.models import User
from kabinet.identity.services.common import (
    Client,
    _email_taken,
    _phone_taken,
    _send_sms_code,
    _set_password,
    password_check,
)
from kabinet.identity.services.signin import sessions_end
from kabinet.notifications.services import email_send

# --- profile --------------------------------------------------------------------------


def password_change(*, user: User, current: str, new: str, keep_session_key: str | None) -> None:
    if not user.check_password(current):
        raise DomainError(_("Текущий пароль введён неверно."), field="current_password")
    if current == new:
        raise DomainError(_("Новый пароль должен отличаться от текущего."), field="password1")
    password_check(new, user=user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, new)
        user.must_change_password = False
        user.save()
        sessions_end(user=user, keep_session_key=keep_session_key)
        audit_record(
            actor=user,
            action="password_change",
            target=user,
            subject=user,
            changes={"password": ["***", "***"]},
        )


def email_change_request(*, user: User, email: str, client: Client) -> None:
    email = email.strip().lower()
    if user.email and email == user.email.lower():
        raise DomainError(_("Это ваш текущий e-mail."), field="email")
    if _email_taken(email):
        raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
    codes.check_send_allowed(target=email, ip=client.ip)
    with transaction.atomic():
        row, code = codes.code_issue(
            purpose=Purpose.CHANGE_EMAIL, channel=Channel.EMAIL, target=email, user=user
        )
        codes.count_send(target=email, ip=client.ip)
        email_send(to=email, template="change_email_code", context={"user": user, "code": code})


def email_change_confirm(*, user: User, email: str, code: str) -> None:
    email = email.strip().lower()
    row = codes.code_check(purpose=Purpose.CHANGE_EMAIL, target=email, raw=code)
    if row.user_id != user.pk:
        raise codes.CodeInvalid(_("Неверный код."), code="wrong", field="code")
    with transaction.atomic():
        if _email_taken(email):
            raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
        old = User.objects.filter(pk=user.pk).values_list("email", flat=True).first()
        User.objects.filter(pk=user.pk).update(email=email, email_verified=True)
        audit_record(
            actor=user,
            action="email_change",
            target=user,
            subject=user,
            changes={"email": [old, email]},
        )


def phone_change_request(*, user: User, phone: str, client: Client) -> None:
    if phone == user.phone:
        raise DomainError(_("Это ваш текущий телефон."), field="phone")
    if _phone_taken(phone):
        raise DomainError(_("Этот телефон уже зарегистрирован."), field="phone")
    codes.check_send_allowed(target=phone, ip=client.ip)
    with transaction.atomic():
        _send_sms_code(user=user, purpose=Purpose.CHANGE_PHONE, phone=phone, client=client)


def phone_change_confirm(*, user: User, phone: str, code: str) -> None:
    row = codes.code_check(purpose=Purpose.CHANGE_PHONE, target=phone, raw=code)
    if row.user_id != user.pk:
        raise codes.CodeInvalid(_("Неверный код."), code="wrong", field="code")
    with transaction.atomic():
        if _phone_taken(phone):
            raise DomainError(_("Этот телефон уже зарегистрирован."), field="phone")
        old = User.objects.filter(pk=user.pk).values_list("phone", flat=True).first()
        User.objects.filter(pk=user.pk).update(phone=phone, phone_verified=True)
        audit_record(
            actor=user,
            action="phone_change",
            target=user,
            subject=user,
            changes={"phone": [old, phone]},
        )


def totp_enable(*, user: User, secret: str, code: str) -> None:
    import pyotp

    if not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
        raise DomainError(
            _("Неверный код из приложения. Проверьте время на телефоне."), field="code"
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_enabled=True)
        audit_record(
            actor=user,
            action="totp_enable",
            target=user,
            subject=user,
            changes={"totp_enabled": [False, True]},
        )


def totp_disable(*, user: User, password: str) -> None:
    if not user.check_password(password):
        raise DomainError(_("Пароль введён неверно."), field="password")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_enabled=False)
        audit_record(
            actor=user,
            action="totp_disable",
            target=user,
            subject=user,
            changes={"totp_enabled": [True, False]},
        )


def totp_check(*, user: User, code: str, client: Client) -> None:
    import pyotp

    seconds = settings.KABINET_LOCKOUT_MINUTES * 60
    limit = settings.KABINET_LOCKOUT_ACCOUNT_FAILURES
    wait = throttle.retry_after("totp", str(user.pk), limit=limit, seconds=seconds)
    if wait:
        raise DomainError(
            _("Слишком много неверных кодов. Повторите через %(wait)s.")
            % {"wait": codes.minutes_text(wait)},
            field="code",
        )
    if not pyotp.TOTP(user.totp_secret).verify(code.strip(), valid_window=1):
        throttle.hit("totp", str(user.pk))
        raise DomainError(_("Неверный код."), field="code")
