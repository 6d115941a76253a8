"""Every write about personal accounts: linking one to a cabinet, unlinking it,
issuing the receipt's activation code; the requests to link one through staff
(000 §2.3.1) and staff linking or unlinking an account for a customer."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kabinet.appeals import conversations, uploads
from kabinet.backoffice import roles
from kabinet.billing.models import Payment
from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.errors import DomainError
from kabinet.core.money import to_kopecks, working_days_after
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import AccountLinkEvent, AccountLinkRequest, PersonalAccount
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


def _link_locked(
    *, account: PersonalAccount, user, proof: str, already: str, taken: str
) -> AccountLinkEvent:
    """Put a locked account into ``user``'s cabinet: the one rule every way of linking
    shares — one account, one cabinet (000 §2.2.1). ``already`` and ``taken`` are the
    refusals, worded for whoever asked (the resident, or staff)."""
    if account.owner_id == user.pk:
        raise DomainError(already, code="already")
    if account.owner_id is not None:
        raise DomainError(taken, code="taken")
    account.owner = user
    account.linked_at = timezone.now()
    account.save(update_fields=["owner", "linked_at"])
    return AccountLinkEvent.objects.create(
        account=account, user=user, action=AccountLinkEvent.Action.LINKED, proof=proof
    )


def _unlink_locked(*, account: PersonalAccount) -> AccountLinkEvent:
    """Take a locked account out of its cabinet; the event names the cabinet's user."""
    owner = account.owner
    account.owner = None
    account.linked_at = None
    account.save(update_fields=["owner", "linked_at"])
    return AccountLinkEvent.objects.create(
        account=account, user=owner, action=AccountLinkEvent.Action.UNLINKED
    )


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
    support = {"phone": profile.support_phone, "email": profile.support_email}
    with transaction.atomic():
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        _link_locked(
            account=account,
            user=user,
            proof=PROOF_KINDS[type(proof)],
            already=_("Приборы учёта этого договора уже есть в вашем кабинете.")
            if by_meter
            else _("Этот лицевой счёт уже есть в вашем кабинете."),
            taken=(
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
        )
        audit_record(
            actor=user,
            action="account_link",
            target=account,
            subject=user,
            changes={"owner_id": [None, user.pk]},
            note=PROOF_KINDS[type(proof)],
        )
        _settle_requests(user=user, account=account, by=None)
        throttle.clear("account_link", key)
    return account


def account_unlink(*, user, account: PersonalAccount) -> None:
    """Отвязать лицевой счёт: the account leaves the cabinet; its data stays with the utility."""
    with transaction.atomic():
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        if account.owner_id != user.pk:
            raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."))
        _unlink_locked(account=account)
        audit_record(
            actor=user,
            action="account_unlink",
            target=account,
            subject=user,
            changes={"owner_id": [user.pk, None]},
        )


# --- a request to link an account through staff (000 §2.3.1) ---------------------------

DOCUMENT_KINDS = {"application/pdf", "image/jpeg", "image/png"}
MAX_PENDING_REQUESTS = 5  # per cabinet at a time: the queue is for people, not for scripts
DOCUMENT_EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}


def _require_access(staff) -> None:
    if not roles.can(staff, roles.ACCESS):
        raise DomainError(
            _("Привязывать и отвязывать лицевые счета могут операторы и администраторы.")
        )


def _check_document(upload) -> uploads.CheckedFile:
    """The scan of a receipt or a document of ownership: PDF, JPEG or PNG, checked by
    its content as every customer's file is (appeals.uploads)."""
    extension = (getattr(upload, "name", "") or "").rsplit(".", 1)[-1].lower()
    if extension not in DOCUMENT_EXTENSIONS:
        raise DomainError(_("Документ принимается в формате PDF, JPEG или PNG."), field="document")
    try:
        checked = uploads.check_file(upload)
    except DomainError as exc:
        raise DomainError(exc.message, field="document") from exc
    if checked.content_type not in DOCUMENT_KINDS:
        raise DomainError(_("Документ принимается в формате PDF, JPEG или PNG."), field="document")
    return checked


def _tell(user, *, title: str, text: str, key: str) -> None:
    """A notice in the cabinet (and a letter or SMS as the customer chose for «Статус
    заявок»), pointing to the list of their accounts."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import notify

    notify(
        user=user,
        kind=Kind.APPLICATION,
        title=title,
        text=text,
        url=reverse("customer_accounts:list") + "?all=1",
        dedupe_key=key,
    )


def account_link_request_create(
    *,
    user,
    number: str,
    address: str,
    holder_name: str,
    phone: str,
    details: str = "",
    document=None,
    today: date | None = None,
) -> AccountLinkRequest:
    """Заявка на привязку лицевого счёта: the resident without the receipt's proof gives
    the number, the premises and the holder; staff check them by the deadline. Whether
    the account exists is not said here — staff check it — so the form cannot be used to
    probe other people's accounts. One pending request per number and cabinet."""
    if user.is_staff:
        raise DomainError(_("Сотрудники привязывают лицевые счета в бэк-офисе."))
    today = today or timezone.localdate()
    profile = get_utility()
    number = re.sub(r"\s", "", number or "")
    digits = profile.account_number_digits
    if not number.isdigit() or len(number) != digits:
        raise DomainError(
            _("Номер лицевого счёта состоит из %(n)d цифр.") % {"n": digits}, field="number"
        )
    address, holder_name = (address or "").strip(), (holder_name or "").strip()
    if not address:
        raise DomainError(_("Укажите адрес помещения."), field="address")
    if not holder_name:
        raise DomainError(_("Укажите, на кого открыт лицевой счёт."), field="holder_name")
    if not (phone or "").strip():
        raise DomainError(_("Укажите телефон: по нему с вами свяжутся."), field="phone")
    if PersonalAccount.objects.filter(number=number, owner=user).exists():
        raise DomainError(_("Этот лицевой счёт уже есть в вашем кабинете."), field="number")
    pending = AccountLinkRequest.objects.filter(
        user=user, number=number, status=AccountLinkRequest.Status.PENDING
    )
    duplicate = _("Заявка на привязку этого лицевого счёта уже подана и рассматривается.")
    if pending.exists():
        raise DomainError(duplicate, field="number")
    waiting = AccountLinkRequest.objects.filter(user=user, status=AccountLinkRequest.Status.PENDING)
    if waiting.count() >= MAX_PENDING_REQUESTS:
        raise DomainError(
            _(
                "У вас уже %(n)d заявок на рассмотрении. Дождитесь решения по ним или "
                "напишите в поддержку."
            )
            % {"n": MAX_PENDING_REQUESTS}
        )
    checked = _check_document(document) if document else None
    try:
        with conversations.atomic():
            request = AccountLinkRequest(
                user=user,
                number=number,
                account=PersonalAccount.objects.residential().filter(number=number).first(),
                address=address,
                details=(details or "").strip(),
                holder_name=holder_name,
                phone=phone.strip(),
                due=working_days_after(today, profile.access_request_days),
            )
            if checked is not None:
                checked.upload.seek(0)
                request.document.save(request.uuid.hex, checked.upload, save=False)
                conversations.remember_file(request.document.name)
                request.document_name = checked.name
                request.document_type = checked.content_type
                request.document_size = checked.size
            request.save()
            audit_record(
                actor=user,
                action="account_link_request_create",
                target=request,
                subject=user,
                changes={"number": [None, number]},
            )
    except IntegrityError as exc:  # the same request sent twice at once
        raise DomainError(duplicate, field="number") from exc
    return request


def _settle_requests(*, user, account: PersonalAccount, by) -> None:
    """An account that reached the cabinet another way (the receipt's proof, staff from
    the customer's page) settles the cabinet's pending request for it."""
    AccountLinkRequest.objects.filter(
        user=user, number=account.number, status=AccountLinkRequest.Status.PENDING
    ).update(
        status=AccountLinkRequest.Status.APPROVED,
        account=account,
        decided_by=by,
        decided_at=timezone.now(),
    )


def _lock_pending(request: AccountLinkRequest, to: str) -> AccountLinkRequest:
    locked = (
        AccountLinkRequest.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=request.pk)
    )
    if to not in AccountLinkRequest.TRANSITIONS[locked.status]:
        raise DomainError(
            _("Заявка уже рассмотрена: «%(s)s».") % {"s": locked.get_status_display()}
        )
    return locked


DECISION_FIELDS = ["status", "reason", "account_id"]


def _decide(locked: AccountLinkRequest, to: str, staff, *, reason: str = "", account=None):
    before = audit_snapshot(locked, DECISION_FIELDS)
    locked.status = to
    locked.reason = reason
    locked.decided_by = staff
    locked.decided_at = timezone.now()
    if account is not None:
        locked.account = account
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "account"])
    return audit_diff(before, audit_snapshot(locked, DECISION_FIELDS))


def account_link_request_approve(*, staff, request: AccountLinkRequest) -> PersonalAccount:
    """Staff approve: the account with the request's number joins the requester's
    cabinet by the same rule as every link — an account in another cabinet is refused."""
    _require_access(staff)
    with transaction.atomic():
        locked = _lock_pending(request, AccountLinkRequest.Status.APPROVED)
        found = PersonalAccount.objects.residential().filter(number=locked.number).first()
        if found is None:
            raise DomainError(
                _("Лицевого счёта № %(n)s нет. Откажите, указав причину.") % {"n": locked.number}
            )
        account = PersonalAccount.objects.select_for_update().get(pk=found.pk)
        _link_locked(
            account=account,
            user=locked.user,
            proof="request",
            already=_("Лицевой счёт № %(n)s уже в кабинете заявителя.") % {"n": account.number},
            taken=_(
                "Лицевой счёт № %(n)s уже привязан к другому личному кабинету. Сначала "
                "отвяжите его там или откажите, указав причину."
            )
            % {"n": account.number},
        )
        changes = _decide(locked, AccountLinkRequest.Status.APPROVED, staff, account=account)
        audit_record(
            actor=staff,
            action="account_link_request_approve",
            target=locked,
            subject=locked.user,
            changes=changes,
        )
        _tell(
            locked.user,
            title=_("Лицевой счёт %(n)s добавлен в кабинет") % {"n": account.number},
            text=_("Заявка на привязку одобрена: счёт в разделе «Лицевые счета»."),
            key=f"account-link-request-{locked.uuid}-approved",
        )
    request.status, request.account = locked.status, account
    return account


def account_link_request_refuse(
    *, staff, request: AccountLinkRequest, reason: str
) -> AccountLinkRequest:
    """Staff refuse, saying why; the resident sees the reason with the request."""
    _require_access(staff)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Укажите причину отказа: её увидит заявитель."), field="reason")
    with transaction.atomic():
        locked = _lock_pending(request, AccountLinkRequest.Status.REFUSED)
        changes = _decide(locked, AccountLinkRequest.Status.REFUSED, staff, reason=reason[:500])
        audit_record(
            actor=staff,
            action="account_link_request_refuse",
            target=locked,
            subject=locked.user,
            changes=changes,
            note=reason,
        )
        _tell(
            locked.user,
            title=_("В привязке лицевого счёта %(n)s отказано") % {"n": locked.number},
            text=_("Причина: %(r)s") % {"r": reason},
            key=f"account-link-request-{locked.uuid}-refused",
        )
    return locked


# --- staff link and unlink for a customer ---------------------------------------------


def account_link_by_staff(*, staff, user, account: PersonalAccount) -> PersonalAccount:
    """Staff put an account into a customer's cabinet (from the customer's page)."""
    _require_access(staff)
    if user.is_staff:
        raise DomainError(_("Лицевой счёт привязывают к кабинету абонента, не сотрудника."))
    if account.premises_id is None:
        raise DomainError(_("Счёт договора попадает в кабинет вместе с договором."))
    with transaction.atomic():
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        event = _link_locked(
            account=account,
            user=user,
            proof="staff",
            already=_("Лицевой счёт № %(n)s уже в этом кабинете.") % {"n": account.number},
            taken=_(
                "Лицевой счёт № %(n)s уже привязан к другому личному кабинету. Сначала "
                "отвяжите его там."
            )
            % {"n": account.number},
        )
        audit_record(
            actor=staff,
            action="account_link_by_staff",
            target=account,
            subject=user,
            changes={"owner_id": [None, user.pk]},
        )
        _tell(
            user,
            title=_("Лицевой счёт %(n)s добавлен в кабинет") % {"n": account.number},
            text=_("Счёт добавил сотрудник; он в разделе «Лицевые счета»."),
            key=f"account-link-{event.pk}",
        )
        _settle_requests(user=user, account=account, by=staff)
    return account


def account_unlink_by_staff(*, staff, account: PersonalAccount, reason: str) -> PersonalAccount:
    """Staff take an account out of the cabinet it is in, saying why; the customer is
    told the reason. The account's data stays with the utility."""
    _require_access(staff)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Укажите причину: её увидит владелец кабинета."), field="reason")
    with transaction.atomic():
        account = (
            PersonalAccount.objects.select_for_update(of=("self",))
            .select_related("owner")
            .get(pk=account.pk)
        )
        if account.owner_id is None:
            raise DomainError(
                _("Лицевой счёт № %(n)s не привязан ни к одному кабинету.") % {"n": account.number}
            )
        owner = account.owner
        event = _unlink_locked(account=account)
        audit_record(
            actor=staff,
            action="account_unlink_by_staff",
            target=account,
            subject=owner,
            changes={"owner_id": [owner.pk, None]},
            note=reason,
        )
        _tell(
            owner,
            title=_("Лицевой счёт %(n)s убран из кабинета") % {"n": account.number},
            text=_("Причина: %(r)s") % {"r": reason},
            key=f"account-unlink-{event.pk}",
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
