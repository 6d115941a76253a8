"""One-time codes and links: issue, throttle sending, verify once."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kabinet.core.errors import DomainError, Throttled
from kabinet.identity import throttle
from kabinet.identity.models import User, VerificationCode

Purpose = VerificationCode.Purpose
Channel = VerificationCode.Channel


def _digest(raw: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


def minutes_text(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext("%(n)d минуту", "%(n)d минут", minutes) % {"n": minutes}


def check_send_allowed(*, target: str, ip: str | None) -> None:
    """Refuse a send that would flood one phone/e-mail or come too fast from one address.

    Raised before anything is written, so a refused request changes nothing.
    """
    wait = throttle.retry_after(
        "code_target_burst", target, limit=1, seconds=settings.KABINET_CODE_RESEND_SECONDS
    )
    if wait:
        raise Throttled(
            _("Новый код можно запросить через %(seconds)d с.") % {"seconds": wait},
            retry_after_seconds=wait,
        )
    wait = throttle.retry_after(
        "code_target_day", target, limit=settings.KABINET_CODES_PER_TARGET_PER_DAY, seconds=86400
    )
    if wait:
        raise Throttled(
            _("Слишком много кодов за сутки. Повторите через %(wait)s.")
            % {"wait": minutes_text(wait)},
            retry_after_seconds=wait,
        )
    if ip:
        wait = throttle.retry_after(
            "code_ip", ip, limit=settings.KABINET_CODES_PER_ADDRESS_PER_HOUR, seconds=3600
        )
        if wait:
            raise Throttled(
                _("Слишком много запросов с вашего адреса. Повторите через %(wait)s.")
                % {"wait": minutes_text(wait)},
                retry_after_seconds=wait,
            )


def count_send(*, target: str, ip: str | None) -> None:
    throttle.hit("code_target_burst", target)
    throttle.hit("code_target_day", target)
    if ip:
        throttle.hit("code_ip", ip)


@transaction.atomic
def code_issue(
    *,
    purpose: str,
    channel: str,
    target: str,
    user: User | None,
    link: bool = False,
    valid_from=None,
    lifetime: timedelta | None = None,
) -> tuple[VerificationCode, str]:
    """Issue a code (6 digits) or a link token; earlier open codes for the same purpose end.

    Returns the row and the raw secret, which is stored only as a keyed hash.
    """
    now = timezone.now()
    VerificationCode.objects.filter(
        purpose=purpose, target=target, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32) if link else f"{secrets.randbelow(10**6):06d}"
    start = valid_from or now
    if lifetime is None:
        lifetime = (
            timedelta(days=settings.KABINET_EMAIL_LINK_DAYS)
            if link
            else timedelta(minutes=settings.KABINET_CODE_TTL_MINUTES)
        )
    row = VerificationCode.objects.create(
        purpose=purpose,
        channel=channel,
        target=target,
        user=user,
        code_hash=_digest(raw),
        valid_from=start,
        expires_at=start + lifetime,
    )
    return row, raw


class CodeInvalid(DomainError):
    """A code or link that cannot be used; ``code`` tells why (wrong, expired, used...)."""


def _usable(row: VerificationCode) -> None:
    now = timezone.now()
    if row.used_at:
        raise CodeInvalid(_("Этот код или ссылка уже использованы."), code="used")
    if row.revoked_at:
        raise CodeInvalid(
            _("Этот код или ссылка заменены более новыми. Используйте последнее сообщение."),
            code="revoked",
        )
    if now < row.valid_from:
        raise CodeInvalid(
            _("Ссылка начнёт действовать %(date)s.")
            % {"date": timezone.localtime(row.valid_from).strftime("%d.%m.%Y")},
            code="not_yet",
        )
    if now >= row.expires_at:
        raise CodeInvalid(_("Срок действия кода или ссылки истёк."), code="expired")
    if row.attempts >= settings.KABINET_CODE_MAX_ATTEMPTS:
        raise CodeInvalid(
            _("Слишком много неверных попыток. Запросите новый код."), code="attempts"
        )


def code_check(*, purpose: str, target: str, raw: str) -> VerificationCode:
    """Check and use up a 6-digit code sent to ``target``.

    A wrong code counts against the code's attempts; that count is committed even
    though the caller's action is refused.
    """
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(purpose=purpose, target=target)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            raise CodeInvalid(_("Код не найден. Запросите новый код."), code="missing")
        _usable(row)
        matches = hmac.compare_digest(row.code_hash, _digest(raw.strip()))
        if matches:
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
    if matches:
        return row
    left = settings.KABINET_CODE_MAX_ATTEMPTS - row.attempts
    if left:
        message = ngettext(
            "Неверный код. Осталась %(n)d попытка.", "Неверный код. Осталось попыток: %(n)d.", left
        ) % {"n": left}
    else:
        message = _("Неверный код. Попытки исчерпаны, запросите новый код.")
    raise CodeInvalid(message, code="wrong", field="code")


def link_check(*, purpose: str, link_id: str, token: str) -> VerificationCode:
    """Find the code row behind an e-mailed link and check that it may be used."""
    row = VerificationCode.objects.filter(purpose=purpose, uuid=link_id).first()
    if row is None or not hmac.compare_digest(row.code_hash, _digest(token)):
        raise CodeInvalid(_("Ссылка неверна или повреждена."), code="missing")
    _usable(row)
    return row


def code_consume(row: VerificationCode) -> None:
    updated = VerificationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not updated:
        raise CodeInvalid(_("Этот код или ссылка уже использованы."), code="used")
