"""What the identity services share: where a request came from, the password
policy, the checks that an e-mail or phone is taken or a sign-up mode is on, and
the SMS with a one-time code."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import codes
from kabinet.identity.codes import Channel, Purpose
from kabinet.identity.models import User
from kabinet.identity.passwords import validate_password_for_policy
from kabinet.notifications.services import sms_send


@dataclass(frozen=True)
class Client:
    """Where a request came from, for throttles, consents and the sign-in log."""

    ip: str | None = None
    user_agent: str = ""


def _public_url(path: str) -> str:
    return settings.KABINET_PUBLIC_URL.rstrip("/") + path


def password_check(password: str, user: User | None = None) -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_password_for_policy(password, get_utility().password_policy, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password1") from exc


def _set_password(user: User, password: str) -> None:
    user.set_password(password)
    user.password_changed_at = timezone.now()


def _email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _phone_taken(phone: str) -> bool:
    return User.objects.filter(phone=phone).exists()


def _require_mode(mode: str) -> None:
    if mode not in get_utility().signup_modes:
        raise DomainError(_("Этот способ регистрации не используется."), code="mode_off")


def _send_sms_code(*, user: User | None, purpose: str, phone: str, client: Client) -> None:
    row, code = codes.code_issue(purpose=purpose, channel=Channel.SMS, target=phone, user=user)
    codes.count_send(target=phone, ip=client.ip)
    name = get_utility().short_name
    texts = {
        Purpose.SIGNUP_PHONE: _("Код подтверждения регистрации: %(code)s. %(name)s"),
        Purpose.RESET: _("Код для восстановления пароля: %(code)s. Никому не сообщайте. %(name)s"),
        Purpose.CHANGE_PHONE: _("Код для смены телефона: %(code)s. %(name)s"),
    }
    sms_send(
        phone=phone,
        text=texts[purpose] % {"code": code, "name": name},
        idempotency_key=str(row.uuid),
    )
