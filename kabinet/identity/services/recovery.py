"""Восстановление доступа: a reset code by e-mail or SMS, the new password, the
login reminder, and the masked destinations shown meanwhile."""

from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.identity import codes, throttle
from kabinet.identity.codes import Channel, Purpose
from kabinet.identity.models import User, VerificationCode
from kabinet.identity.services.common import Client, _send_sms_code, _set_password, password_check
from kabinet.identity.services.signin import _candidates, sessions_end
from kabinet.notifications.services import email_send

# --- recovery -------------------------------------------------------------------------


def _user_for_recovery(identifier: str) -> User | None:
    users = [u for u in _candidates(identifier) if u.status != User.Status.BLOCKED]
    return users[0] if len(users) == 1 else None


def reset_request(*, identifier: str, channel: str, client: Client) -> str:
    """Send a reset code by e-mail or SMS. Returns the masked destination to show; an
    unknown identifier gets the same answer and nothing is sent."""
    ident = identifier.strip().lower()
    codes.check_send_allowed(target=f"reset:{ident}", ip=client.ip)
    user = _user_for_recovery(identifier)
    with transaction.atomic():
        codes.count_send(target=f"reset:{ident}", ip=client.ip)
        if user is None:
            return ""
        if channel == Channel.SMS and user.phone:
            codes.check_send_allowed(target=user.phone, ip=None)
            _send_sms_code(user=user, purpose=Purpose.RESET, phone=user.phone, client=client)
            return mask_phone(user.phone)
        if user.email:
            row, code = codes.code_issue(
                purpose=Purpose.RESET, channel=Channel.EMAIL, target=user.email, user=user
            )
            codes.count_send(target=user.email, ip=None)
            email_send(to=user.email, template="reset_code", context={"user": user, "code": code})
            return mask_email(user.email)
    return ""


def reset_confirm(*, identifier: str, code: str, password: str, client: Client) -> User:
    user = _user_for_recovery(identifier)
    if user is None:
        raise codes.CodeInvalid(_("Неверный код."), code="wrong", field="code")
    password_check(password, user=user)
    last = (
        VerificationCode.objects.filter(purpose=Purpose.RESET, user=user)
        .order_by("-created_at")
        .first()
    )
    if last is None:
        raise codes.CodeInvalid(_("Код не найден. Запросите новый код."), code="missing")
    codes.code_check(purpose=Purpose.RESET, target=last.target, raw=code)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old_status = user.status
        _set_password(user, password)
        user.must_change_password = False
        if user.status == User.Status.PENDING and user.signup_mode in (
            User.SignupMode.EMAIL,
            User.SignupMode.ISSUED,
        ):
            # The code came to that very e-mail: it is confirmed now.
            user.email_verified = True
            user.status = User.Status.ACTIVE
        user.save()
        sessions_end(user=user)
        throttle.clear("signin_account", str(user.pk))
        changes = {"password": ["***", "***"]}
        if old_status != user.status:
            changes["status"] = [old_status, user.status]
        audit_record(
            actor=user, action="password_reset", target=user, subject=user, changes=changes
        )
    return user


def login_reminder_send(*, email: str, client: Client) -> None:
    """Напоминание логина (002): the logins held by this e-mail are mailed to it."""
    email = email.strip().lower()
    codes.check_send_allowed(target=f"login:{email}", ip=client.ip)
    user = User.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        codes.count_send(target=f"login:{email}", ip=client.ip)
        if user is not None:
            email_send(to=user.email, template="login_reminder", context={"user": user})


def mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'*' * max(1, len(name) - 1)}@{domain}"


def mask_phone(phone: str) -> str:
    return f"{phone[:2]} *** ***-{phone[-4:-2]}-{phone[-2:]}"
