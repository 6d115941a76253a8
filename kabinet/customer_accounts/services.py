"""Every write about personal accounts: linking one to a cabinet, unlinking it,
issuing the receipt's activation code."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kabinet.billing.models import Payment
from kabinet.core.errors import DomainError
from kabinet.core.money import to_kopecks
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import AccountLinkEvent, PersonalAccount
from kabinet.identity import throttle
from kabinet.identity.codes import minutes_text

LINK_WINDOW_SECONDS = 3600
ACTIVATION_CODE_MONTHS = 3


@dataclass(frozen=True)
class LastPaymentProof:
    """000 §2.2.6: the amount and the date of the last payment on the account."""

    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class ActivationCodeProof:
    """004: the activation code printed on the receipt."""

    code: str


@dataclass(frozen=True)
class MeterNumberProof:
    """002 §4.7.2: the number of any one meter of the contract; the account number is
    then the contract number, and all the contract's meters come with it."""

    meter_number: str


def _normalised_meter_number(number: str) -> str:
    return re.sub(r"[\s\-]", "", number).upper()


def _code_digest(code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def activation_code_issue(
    *, account: PersonalAccount, today: date | None = None, code: str | None = None
) -> str:
    """A new activation code for the receipt, valid three months (004). Returns it once;
    only its keyed hash is kept. ``code`` is for the demo, which prints a known one."""
    today = today or timezone.localdate()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = (code or "".join(secrets.choice(alphabet) for _ in range(8))).replace("-", "")
    PersonalAccount.objects.filter(pk=account.pk).update(
        activation_code_hash=_code_digest(code),
        activation_code_valid_until=today + timedelta(days=92),
    )
    return f"{code[:4]}-{code[4:]}"


PROOF_KINDS = {
    LastPaymentProof: "last_payment",
    ActivationCodeProof: "activation_code",
    MeterNumberProof: "meter_number",
}


def _proof_matches(account: PersonalAccount, proof, today: date) -> bool:
    if isinstance(proof, ActivationCodeProof):
        return bool(
            account.activation_code_hash
            and account.activation_code_valid_until
            and account.activation_code_valid_until >= today
            and hmac.compare_digest(account.activation_code_hash, _code_digest(proof.code))
        )
    if isinstance(proof, MeterNumberProof):
        wanted = _normalised_meter_number(proof.meter_number)
        numbers = account.meters.values_list("number", flat=True)
        return bool(wanted) and any(_normalised_meter_number(n) == wanted for n in numbers)
    last = Payment.objects.filter(account=account).order_by("-credited_on", "-id").first()
    return bool(
        last
        and last.credited_on == proof.paid_on
        and last.amount_kopecks == to_kopecks(proof.amount)
    )


def _tries_left_message(left: int, *, by_meter: bool) -> str:
    if left <= 0:
        return _("Попытки исчерпаны. Повторите через %(wait)s или обратитесь в поддержку.") % {
            "wait": minutes_text(LINK_WINDOW_SECONDS)
        }
    if by_meter:
        return ngettext(
            "Договор с таким счётчиком не найден. Проверьте номер договора и номер "
            "счётчика. Осталась %(n)d попытка.",
            "Договор с таким счётчиком не найден. Проверьте номер договора и номер "
            "счётчика. Осталось попыток: %(n)d.",
            left,
        ) % {"n": left}
    return ngettext(
        "Лицевой счёт с такими данными не найден. Проверьте номер и подтверждение. "
        "Осталась %(n)d попытка.",
        "Лицевой счёт с такими данными не найден. Проверьте номер и подтверждение. "
        "Осталось попыток: %(n)d.",
        left,
    ) % {"n": left}


def account_link(*, user, number: str, proof, today: date | None = None) -> PersonalAccount:
    """Привязать лицевой счёт к кабинету. The number and the proof must both match; a
    wrong one says only "not found" and counts against the cabinet's tries, so nobody
    learns which accounts exist. One account belongs to one cabinet (000 §2.2.1)."""
    today = today or timezone.localdate()
    profile = get_utility()
    key = str(user.pk)
    limit = profile.account_link_tries
    wait = throttle.retry_after("account_link", key, limit=limit, seconds=LINK_WINDOW_SECONDS)
    if wait:
        raise DomainError(
            _("Слишком много неудачных попыток. Повторите через %(wait)s.")
            % {"wait": minutes_text(wait)},
            code="locked",
        )
    by_meter = isinstance(proof, MeterNumberProof)
    number = number.strip()
    # A contract's settlement account is never linked this way: it comes with its contract.
    account = PersonalAccount.objects.residential().filter(number=number).first()
    if account is None or not _proof_matches(account, proof, today):
        throttle.hit("account_link", key)
        used = throttle.hits("account_link", key, seconds=LINK_WINDOW_SECONDS)
        raise DomainError(_tries_left_message(limit - used, by_meter=by_meter), code="not_found")
    with transaction.atomic():
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        if account.owner_id == user.pk:
            raise DomainError(
                _("Приборы учёта этого договора уже есть в вашем кабинете.")
                if by_meter
                else _("Этот лицевой счёт уже есть в вашем кабинете."),
                code="already",
            )
        if account.owner_id is not None:
            support = {"phone": profile.support_phone, "email": profile.support_email}
            raise DomainError(
                (
                    _(
                        "Приборы учёта этого договора уже добавлены в другой личный кабинет. "
                        "Если договор ваш, напишите в поддержку: %(phone)s, %(email)s."
                    )
                    if by_meter
                    else _(
                        "Этот лицевой счёт уже привязан к другому личному кабинету. Если это "
                        "ваш счёт, напишите в поддержку: %(phone)s, %(email)s."
                    )
                )
                % support,
                code="taken",
            )
        account.owner = user
        account.linked_at = timezone.now()
        account.save(update_fields=["owner", "linked_at"])
        kind = PROOF_KINDS[type(proof)]
        AccountLinkEvent.objects.create(
            account=account, user=user, action=AccountLinkEvent.Action.LINKED, proof=kind
        )
        throttle.clear("account_link", key)
    return account


def account_unlink(*, user, account: PersonalAccount) -> None:
    """Отвязать лицевой счёт: the account leaves the cabinet; its data stays with the utility."""
    with transaction.atomic():
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        if account.owner_id != user.pk:
            raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."))
        account.owner = None
        account.linked_at = None
        account.save(update_fields=["owner", "linked_at"])
        AccountLinkEvent.objects.create(
            account=account, user=user, action=AccountLinkEvent.Action.UNLINKED
        )


# --- loading from the billing system (kabinet.integration) ----------------------------

ACCOUNT_HOLDER_FIELDS = (
    "holder_last_name",
    "holder_first_name",
    "holder_middle_name",
    "services",
)


def _account_number(number: str) -> str:
    number = "".join((number or "").split())
    if not number or len(number) > 20:
        raise DomainError(_("Номер лицевого счёта — от 1 до 20 символов."))
    return number


@transaction.atomic
def account_upsert(
    *, number: str, premises=None, **fields: str | None
) -> tuple[PersonalAccount, str]:
    """A residential personal account, keyed by its number, for a premises; the
    holder's name and the services (``ACCOUNT_HOLDER_FIELDS``) given as None are left
    as they are. A contract's settlement account is refused (it has no premises).

    Returns the account and "created", "updated" or "unchanged"."""
    unknown = set(fields) - set(ACCOUNT_HOLDER_FIELDS)
    if unknown:
        raise TypeError(f"account_upsert() got {sorted(unknown)}")
    number = _account_number(number)
    given = {k: " ".join(v.split()) for k, v in fields.items() if v is not None}
    limits = {"services": 300}
    for name, value in given.items():
        if len(value) > limits.get(name, 100):
            raise DomainError(
                _("Поле «%(f)s» — не длиннее %(n)s символов.")
                % {
                    "f": PersonalAccount._meta.get_field(name).verbose_name,
                    "n": limits.get(name, 100),
                }
            )
    account = PersonalAccount.objects.select_for_update().filter(number=number).first()
    if account is None:
        account = PersonalAccount.objects.create(number=number, premises=premises, **given)
        return account, "created"
    if account.premises_id is None and hasattr(account, "contract"):
        raise DomainError(_("Лицевой счёт %(n)s — счёт договора, а не помещения.") % {"n": number})
    changed = [k for k, v in given.items() if getattr(account, k) != v]
    if premises is not None and account.premises_id != premises.pk:
        account.premises = premises
        changed.append("premises")
    if not changed:
        return account, "unchanged"
    for name in changed:
        if name != "premises":
            setattr(account, name, given[name])
    account.save(update_fields=changed)
    return account, "updated"


@transaction.atomic
def settlement_account_get_or_create(*, number: str) -> PersonalAccount:
    """A contract's settlement account (no premises), added when new; an account of a
    premises is refused."""
    number = _account_number(number)
    account, _created = PersonalAccount.objects.get_or_create(number=number)
    if account.premises_id is not None:
        raise DomainError(_("Лицевой счёт %(n)s — счёт помещения, а не договора.") % {"n": number})
    return account
