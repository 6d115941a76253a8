"""Every write about online payment: creating a payment at the provider, following its
state, crediting the ledger once, provider notifications, reconciliation, saved cards
and autopay.

Never a double charge and never a double credit:

- a payment's idempotency key is made when the payment form is shown, so a double
  click or a resubmitted form finds the payment already made; the provider gets the
  same key, so a retry after a timeout gets the same provider payment;
- the payment row is locked (``select_for_update``) while a provider call for it is in
  flight, and every status change goes through one transition function that checks
  the move against ``OnlinePayment.TRANSITIONS``;
- a notification is only a hint: the payment is fetched back from the provider and
  its state applied, so a forged, repeated, late or out-of-order notification changes
  nothing that the provider does not confirm; a notification about a provider payment
  whose answer to us was lost (a timeout after the provider took the request) links
  it, through our payment's uuid in the metadata the provider hands back;
- the ledger is credited in the transaction that marks the payment succeeded, and the
  ledger's own unique key (account, source id, purpose) refuses a second credit.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.money import format_period, format_rub, period_of
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.payments.models import (
    Autopay,
    OnlinePayment,
    PaymentEvent,
    PaymentPart,
    ProviderEvent,
    SavedCard,
)
from kabinet.payments.providers import get_provider
from kabinet.payments.providers.base import (
    FiscalReceipt,
    NotificationRejected,
    ProviderError,
    ProviderPayment,
    ReceiptItem,
)

log = logging.getLogger(__name__)

PROVIDER_STATUS = {
    "pending": OnlinePayment.Status.PENDING,
    "waiting_for_capture": OnlinePayment.Status.PENDING,
    "succeeded": OnlinePayment.Status.SUCCEEDED,
    "canceled": OnlinePayment.Status.CANCELED,
}
RECONCILE_AFTER = timedelta(minutes=2)
RECONCILE_UNTIL = timedelta(days=3)


@dataclass(frozen=True)
class PartInput:
    """What the customer asked to pay on one account for one purpose."""

    account: PersonalAccount
    purpose: str  # PaymentPart.Purpose
    amount_kopecks: int


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


# --- the payment's states -----------------------------------------------------------


def _transition(payment: OnlinePayment, to: str, note: str = "") -> bool:
    """Move a locked payment to ``to`` if the table allows it; write the history row.
    Returns whether it moved (the same state again is no move and no error)."""
    if payment.status == to:
        return False
    if to not in OnlinePayment.TRANSITIONS[payment.status]:
        log.warning("payment %s: %s → %s refused (%s)", payment.uuid, payment.status, to, note)
        return False
    PaymentEvent.objects.create(
        payment=payment, from_status=payment.status, to_status=to, note=note[:300]
    )
    payment.status = to
    if to == OnlinePayment.Status.SUCCEEDED:
        payment.succeeded_at = timezone.now()
    return True


def _credit(payment: OnlinePayment) -> None:
    """The ledger's rows for a succeeded payment, once (in the caller's transaction)."""
    if payment.credited_at is not None:
        return
    today = timezone.localdate()
    for part in payment.parts.all():
        try:
            with transaction.atomic():
                LedgerPayment.objects.create(
                    account_id=part.account_id,
                    credited_on=today,
                    amount_kopecks=part.amount_kopecks,
                    channel=LedgerPayment.Channel.ONLINE,
                    document=payment.provider_payment_id[:64],
                    purpose=part.purpose,
                    external_id=f"online:{payment.uuid}",
                    paid_by_id=payment.user_id,
                )
        except IntegrityError:
            log.warning("payment %s part %s was already in the ledger", payment.uuid, part.pk)
    payment.credited_at = timezone.now()


def _save_card(payment: OnlinePayment, remote: ProviderPayment) -> None:
    method = remote.method
    if not (payment.save_card and method and method.saved):
        return
    card, created = SavedCard.objects.get_or_create(
        user=payment.user,
        provider=payment.provider,
        method_id=method.id,
        defaults={"title": method.title, "expiry": method.expiry},
    )
    if not created and card.deleted_at is not None:
        card.deleted_at = None
        card.title, card.expiry = method.title, method.expiry
        card.save(update_fields=["deleted_at", "title", "expiry"])
        created = True
    if created:  # the customer asked to keep the card with this payment
        audit_record(
            actor=payment.user,
            action="card_save",
            target=card,
            subject=payment.user,
            changes={"card": [None, card.title]},
        )


def _apply(payment: OnlinePayment, remote: ProviderPayment, note: str) -> None:
    """Bring a locked payment to what the provider says, crediting on success."""
    if remote.id and not payment.provider_payment_id:
        payment.provider_payment_id = remote.id
    if remote.id != payment.provider_payment_id:
        log.error("payment %s: the provider answered about %s", payment.uuid, remote.id)
        return
    if remote.amount_kopecks != payment.amount_kopecks:
        log.error(
            "payment %s: provider amount %s, ours %s — not applied",
            payment.uuid,
            remote.amount_kopecks,
            payment.amount_kopecks,
        )
        payment.error = _("Сумма у платёжной системы не совпала с нашей; разбирается поддержка.")
        return
    payment.confirmation_url = remote.confirmation_url or payment.confirmation_url
    payment.confirmation_data = remote.confirmation_data or payment.confirmation_data
    target = PROVIDER_STATUS.get(remote.status)
    if target is None:
        return
    if target == OnlinePayment.Status.CANCELED and remote.cancellation_reason:
        note = f"{note}: {remote.cancellation_reason}"
    moved = _transition(payment, target, note)
    if moved and target == OnlinePayment.Status.SUCCEEDED:
        payment.error = ""
    if payment.status == OnlinePayment.Status.SUCCEEDED:
        _credit(payment)
        _save_card(payment, remote)
    if moved and payment.is_final and payment.autopay_id is None:
        _notify_result(payment)


def _notify_result(payment: OnlinePayment) -> None:
    """«Результат оплаты» among the customer's notices (autopay has its own letters)."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import notify

    done = payment.status == OnlinePayment.Status.SUCCEEDED
    title = (
        _("Оплата %(s)s прошла") if done else _("Оплата %(s)s не прошла, деньги не списаны")
    ) % {"s": format_rub(payment.amount_kopecks)}
    notify(
        user=payment.user,
        kind=Kind.PAYMENT,
        title=title,
        url=reverse("payments:detail", args=[payment.uuid]),
        dedupe_key=f"payment-{payment.uuid}-{payment.status}",
    )


def _locked(payment: OnlinePayment) -> OnlinePayment:
    return OnlinePayment.objects.select_for_update().get(pk=payment.pk)


def _receipt(payment: OnlinePayment) -> FiscalReceipt:
    """The fiscal receipt (54-ФЗ) the provider's cash register sends to the e-mail."""
    labels = {
        PaymentPart.Purpose.ENERGY: _("Оплата услуг по лицевому счёту %(n)s"),
        PaymentPart.Purpose.PENALTY: _("Пени по лицевому счёту %(n)s"),
        PaymentPart.Purpose.FEE: _("Госпошлина по лицевому счёту %(n)s"),
    }
    return FiscalReceipt(
        email=payment.receipt_email,
        items=[
            ReceiptItem(
                description=labels[p.purpose] % {"n": p.account.number},
                amount_kopecks=p.amount_kopecks,
            )
            for p in payment.parts.select_related("account")
        ],
    )


def _description(payment: OnlinePayment) -> str:
    numbers = sorted({p.account.number for p in payment.parts.select_related("account")})
    return (_("Оплата по лицевым счетам %(n)s") % {"n": ", ".join(numbers)})[:128]


# --- creating and following a payment ------------------------------------------------


def _check_parts(*, user, parts: list[PartInput]) -> int:
    if not parts:
        raise DomainError(_("Укажите сумму хотя бы по одному счёту."), code="empty")
    seen = set()
    for part in parts:
        field = f"a_{part.account.uuid}_{part.purpose}"
        if part.purpose not in PaymentPart.Purpose.values:
            raise DomainError(_("Неизвестное назначение платежа."), field=field)
        if (part.account.pk, part.purpose) in seen:
            raise DomainError(_("Сумма по этому счёту указана дважды."), field=field)
        seen.add((part.account.pk, part.purpose))
        if part.amount_kopecks <= 0:
            raise DomainError(_("Сумма должна быть больше нуля."), field=field)
        if not PersonalAccount.objects.payable_by(user).filter(pk=part.account.pk).exists():
            raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."), field=field)
    total = sum(p.amount_kopecks for p in parts)
    if total > settings.KABINET_PAYMENT_MAX_KOPECKS:
        raise DomainError(
            _("Слишком большая сумма: за один раз можно оплатить не больше %(max)s.")
            % {"max": format_rub(settings.KABINET_PAYMENT_MAX_KOPECKS)},
            code="too_much",
        )
    return total


def payment_create(
    *,
    user,
    parts: list[PartInput],
    method: str,
    receipt_email: str,
    idempotency_key: str,
    save_card: bool = False,
) -> OnlinePayment:
    """Оплатить: one payment for one or more accounts, by card or SBP. The same
    idempotency key again (a double click, a resubmitted form) gives the same payment."""
    existing = OnlinePayment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise DomainError(_("Обновите страницу и повторите оплату."), code="key")
        return payment_start(payment=existing)
    if method not in (OnlinePayment.Method.CARD, OnlinePayment.Method.SBP):
        raise DomainError(_("Выберите способ оплаты."), field="method")
    try:
        validate_email(receipt_email)
    except ValidationError as exc:
        raise DomainError(
            _("Укажите e-mail, на который прислать чек."), field="receipt_email"
        ) from exc
    total = _check_parts(user=user, parts=parts)
    try:
        with transaction.atomic():
            payment = OnlinePayment.objects.create(
                user=user,
                provider=get_provider().name,
                idempotency_key=idempotency_key,
                method=method,
                amount_kopecks=total,
                receipt_email=receipt_email,
                save_card=save_card and method == OnlinePayment.Method.CARD,
            )
            PaymentPart.objects.bulk_create(
                PaymentPart(
                    payment=payment,
                    account=p.account,
                    purpose=p.purpose,
                    amount_kopecks=p.amount_kopecks,
                )
                for p in parts
            )
            PaymentEvent.objects.create(payment=payment, to_status=payment.status)
    except IntegrityError:  # the same form submitted twice at the same moment
        payment = OnlinePayment.objects.get(idempotency_key=idempotency_key)
        if payment.user_id != user.pk:
            raise DomainError(_("Обновите страницу и повторите оплату."), code="key") from None
    return payment_start(payment=payment)


def payment_start(*, payment: OnlinePayment) -> OnlinePayment:
    """Create the payment at the provider (again, harmlessly, after a failure): the row
    is locked for the call, and the provider sees the payment's own idempotency key."""
    provider = get_provider(payment.provider)
    with transaction.atomic():
        payment = _locked(payment)
        if payment.provider_payment_id or payment.is_final:
            return payment
        return_url = settings.KABINET_PUBLIC_URL.rstrip("/") + reverse(
            "payments:detail", args=[payment.uuid]
        )
        try:
            remote = provider.create_payment(
                amount_kopecks=payment.amount_kopecks,
                description=_description(payment),
                method=payment.method,
                return_url=return_url,
                save_method=payment.save_card,
                receipt=_receipt(payment),
                idempotency_key=payment.idempotency_key,
                metadata={"kabinet_payment": str(payment.uuid)},
            )
        except ProviderError as exc:
            log.warning("payment %s: the provider refused: %s", payment.uuid, exc)
            _transition(payment, OnlinePayment.Status.FAILED, str(exc))
            payment.error = (
                _("Платёжная система не ответила. Попробуйте ещё раз через минуту.")
                if exc.retryable
                # The provider's own words are English and technical: they go to the
                # log and the payment's history, the customer gets what to do.
                else _(
                    "Платёжная система отклонила платёж. Попробуйте другой способ оплаты "
                    "или напишите в поддержку."
                )
            )
            payment.save()
            return payment
        payment.error = ""  # the provider answered: an earlier attempt's error is stale
        _apply(payment, remote, "created at the provider")
        payment.save()
        return payment


def payment_sync(*, payment: OnlinePayment, note: str = "fetched") -> OnlinePayment:
    """Ask the provider how the payment stands and apply it (the status page, a
    notification and the reconciliation job all come here)."""
    if not payment.provider_payment_id or payment.status == OnlinePayment.Status.SUCCEEDED:
        return payment
    provider = get_provider(payment.provider)
    try:
        remote = provider.get_payment(payment.provider_payment_id)
    except ProviderError as exc:
        log.warning("payment %s: could not fetch: %s", payment.uuid, exc)
        return payment
    with transaction.atomic():
        payment = _locked(payment)
        _apply(payment, remote, note)
        payment.save()
        return payment


def _adopt(provider, provider_payment_id: str, *, note: str) -> OnlinePayment | None:
    """A provider payment no payment of ours is linked to: the provider made it, but its
    answer to ``create_payment`` was lost (a timeout after it took the request). The
    provider's own record, fetched back, names our payment in its metadata; a payment
    that never got an answer is linked to it and brought to its state."""
    if not provider_payment_id or len(provider_payment_id) > 64:
        return None
    try:
        remote = provider.get_payment(provider_payment_id)
    except ProviderError as exc:
        log.warning("notification about %s: could not fetch: %s", provider_payment_id, exc)
        return None
    try:
        ours = uuid.UUID(str((remote.metadata or {}).get("kabinet_payment", "")))
    except ValueError:
        return None
    if remote.id != provider_payment_id:
        return None
    with transaction.atomic():
        payment = (
            OnlinePayment.objects.select_for_update()
            .filter(uuid=ours, provider=provider.name)
            .first()
        )
        if payment is None or payment.provider_payment_id not in ("", remote.id):
            return None
        if not payment.provider_payment_id:  # (else a notice at the same moment linked it)
            if payment.is_final:  # refused without a provider payment (an autopay's card)
                return None
            payment.error = ""
        _apply(payment, remote, note)
        payment.save()
        return payment


def notification_receive(*, provider_name: str, body: bytes, remote_addr: str) -> str:
    """A provider's notification: kept, checked, and then only acted on through what
    the provider itself says when asked. Returns what became of it."""
    provider = get_provider(provider_name)
    try:
        notice = provider.parse_notification(body=body, remote_addr=remote_addr)
    except NotificationRejected as exc:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {"raw": body[:2000].decode("utf-8", "replace")}
        ProviderEvent.objects.create(
            provider=provider_name,
            event="rejected",
            object_id="",
            remote_addr=remote_addr or None,
            payload=payload if isinstance(payload, dict) else {"raw": str(payload)[:2000]},
            outcome=f"rejected: {exc}"[:300],
        )
        raise
    payment = (
        OnlinePayment.objects.filter(
            provider=provider_name, provider_payment_id=notice.object_id
        ).first()
        if notice.object_id  # "" would match every payment the provider never answered
        else None
    )
    event = ProviderEvent.objects.create(
        provider=provider_name,
        event=notice.event[:64],
        object_id=notice.object_id[:64],
        remote_addr=remote_addr or None,
        payload=notice.payload,
        payment=payment,
    )
    if payment is None:
        payment = _adopt(provider, notice.object_id, note=f"notification {notice.event}")
        if payment is None:
            outcome = "unknown payment"
        else:
            ProviderEvent.objects.filter(pk=event.pk).update(payment=payment)
            outcome = f"linked (its answer was lost) → {payment.status}"
    else:
        before = payment.status
        payment = payment_sync(payment=payment, note=f"notification {notice.event}")
        outcome = f"{before} → {payment.status}"
    ProviderEvent.objects.filter(pk=event.pk).update(outcome=outcome)
    return outcome


def payments_reconcile(*, now=None) -> int:
    """Find payments that succeeded (or were cancelled) at the provider but whose
    notification never came. Returns how many changed."""
    now = now or timezone.now()
    open_ = OnlinePayment.objects.filter(
        status__in=[OnlinePayment.Status.CREATED, OnlinePayment.Status.PENDING],
        created_at__lte=now - RECONCILE_AFTER,
        created_at__gte=now - RECONCILE_UNTIL,
    ).exclude(provider_payment_id="")
    changed = 0
    for payment in open_:
        before = payment.status
        if payment_sync(payment=payment, note="reconciliation").status != before:
            changed += 1
    return changed


# --- saved cards and autopay ----------------------------------------------------------


def card_delete(*, user, card: SavedCard) -> None:
    """Удалить карту: it is forgotten here, and its autopays end."""
    with transaction.atomic():
        card = SavedCard.objects.select_for_update().get(pk=card.pk)
        if card.user_id != user.pk:
            raise DomainError(_("Этой карты нет в вашем кабинете."))
        card.deleted_at = timezone.now()
        card.save(update_fields=["deleted_at"])
        ended = 0
        for autopay in Autopay.objects.filter(card=card, status=Autopay.Status.ACTIVE):
            autopay.status = Autopay.Status.CANCELLED
            autopay.ended_at = timezone.now()
            autopay.note = _("карта удалена")
            autopay.save(update_fields=["status", "ended_at", "note"])
            ended += 1
        audit_record(
            actor=user,
            action="card_delete",
            target=card,
            subject=user,
            changes={"deleted_at": [None, card.deleted_at]},
            note=_("Отменено автоплатежей: %(n)d.") % {"n": ended} if ended else "",
        )


def autopay_set(
    *,
    user,
    account: PersonalAccount,
    card: SavedCard,
    day: int,
    ceiling_kopecks: int,
    today: date | None = None,
) -> Autopay:
    """Настроить автоплатёж for one year (000 §2.2.6.5); a new one replaces the old."""
    today = today or timezone.localdate()
    if account.owner_id != user.pk:
        raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."), field="account")
    if card.user_id != user.pk or card.deleted_at is not None:
        raise DomainError(_("Выберите сохранённую карту."), field="card")
    if not 1 <= day <= 28:
        raise DomainError(_("Выберите число от 1 до 28."), field="day")
    if ceiling_kopecks <= 0:
        raise DomainError(_("Укажите, сколько можно списать за месяц."), field="ceiling")
    if ceiling_kopecks > settings.KABINET_PAYMENT_MAX_KOPECKS:
        raise DomainError(
            _("Не больше %(max)s.") % {"max": format_rub(settings.KABINET_PAYMENT_MAX_KOPECKS)},
            field="ceiling",
        )
    with transaction.atomic():
        PersonalAccount.objects.select_for_update().get(pk=account.pk)
        before = {"day": None, "ceiling_kopecks": None, "card": None}
        for old in Autopay.objects.filter(account=account, status=Autopay.Status.ACTIVE):
            before = {"day": old.day, "ceiling_kopecks": old.ceiling_kopecks, "card": old.card_id}
            old.status = Autopay.Status.CANCELLED
            old.ended_at = timezone.now()
            old.note = _("заменён новым")
            old.save(update_fields=["status", "ended_at", "note"])
        autopay = Autopay.objects.create(
            user=user,
            account=account,
            card=card,
            day=day,
            ceiling_kopecks=ceiling_kopecks,
            valid_until=_a_year_from(today) - timedelta(days=1),
            # Set up after this month's day: the first charge is next month.
            last_period=period_of(today) if today.day >= day else None,
        )
        after = {"day": day, "ceiling_kopecks": ceiling_kopecks, "card": card.pk}
        audit_record(
            actor=user,
            action="autopay_set",
            target=autopay,
            subject=user,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
        return autopay


def _a_year_from(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def autopay_cancel(*, user, autopay: Autopay) -> None:
    """Отменить автоплатёж — at any time."""
    with transaction.atomic():
        autopay = Autopay.objects.select_for_update().get(pk=autopay.pk)
        if autopay.user_id != user.pk:
            raise DomainError(_("Этого автоплатежа нет в вашем кабинете."))
        if autopay.status != Autopay.Status.ACTIVE:
            return
        autopay.status = Autopay.Status.CANCELLED
        autopay.ended_at = timezone.now()
        autopay.save(update_fields=["status", "ended_at"])
        audit_record(
            actor=user,
            action="autopay_cancel",
            target=autopay,
            subject=user,
            changes={"status": [Autopay.Status.ACTIVE, autopay.status]},
        )


def _autopay_mail(autopay: Autopay, template: str, **context) -> None:
    from kabinet.notifications.services import email_send

    if autopay.user.email:
        email_send(
            to=autopay.user.email,
            template=template,
            context={"autopay": autopay, "account": autopay.account, **context},
        )


def autopay_charge(*, autopay: Autopay, today: date) -> OnlinePayment | None:
    """One month of one autopay: what is left to pay, up to the ceiling, from the card.
    The month is in the idempotency key, so running the job twice charges once."""
    from kabinet.billing.selectors import account_summary

    period = period_of(today)
    with transaction.atomic():
        autopay = (
            Autopay.objects.select_for_update().select_related("card", "account").get(pk=autopay.pk)
        )
        if autopay.status != Autopay.Status.ACTIVE or autopay.last_period == period:
            return None
        if autopay.valid_until < today:
            autopay.status = Autopay.Status.EXPIRED
            autopay.ended_at = timezone.now()
            autopay.save(update_fields=["status", "ended_at"])
            return None
        to_pay = account_summary(account=autopay.account, today=today).to_pay
        amount = min(to_pay, autopay.ceiling_kopecks)
        autopay.last_period = period
        if amount <= 0:
            autopay.note = _("%(p)s: нечего оплачивать") % {"p": format_period(period)}
            autopay.save(update_fields=["last_period", "note"])
            return None
        key = f"autopay-{autopay.uuid.hex}-{period:%Y%m}"
        payment = OnlinePayment.objects.filter(idempotency_key=key).first()
        if payment is None:
            payment = OnlinePayment.objects.create(
                user=autopay.user,
                provider=autopay.card.provider,
                idempotency_key=key,
                method=OnlinePayment.Method.SAVED_CARD,
                amount_kopecks=amount,
                receipt_email=autopay.user.email or settings.DEFAULT_FROM_EMAIL,
                autopay=autopay,
            )
            PaymentPart.objects.create(
                payment=payment,
                account=autopay.account,
                purpose=PaymentPart.Purpose.ENERGY,
                amount_kopecks=amount,
            )
            PaymentEvent.objects.create(payment=payment, to_status=payment.status, note="autopay")
        autopay.save(update_fields=["last_period", "note"])
    provider = get_provider(payment.provider)
    with transaction.atomic():
        payment = _locked(payment)
        if payment.provider_payment_id or payment.is_final:
            # The provider answered for this key already (a lost answer that came later
            # with a notification): never charge it again, even after the key expired.
            return payment
        try:
            remote = provider.charge_saved_method(
                method_id=autopay.card.method_id,
                amount_kopecks=payment.amount_kopecks,
                description=_description(payment),
                receipt=_receipt(payment),
                idempotency_key=payment.idempotency_key,
                metadata={"kabinet_payment": str(payment.uuid), "autopay": str(autopay.uuid)},
            )
        except ProviderError as exc:
            if exc.retryable:
                # Not this time: the job tries again tomorrow with the same key.
                Autopay.objects.filter(pk=autopay.pk).update(last_period=None)
                payment.error = str(exc)[:300]
                payment.save()
                return payment
            _transition(payment, OnlinePayment.Status.CANCELED, str(exc))
            payment.error = str(exc)[:300]
        else:
            _apply(payment, remote, "autopay")
        payment.save()
    if payment.status == OnlinePayment.Status.SUCCEEDED:
        _autopay_mail(autopay, "autopay_done", payment=payment)
    elif payment.status == OnlinePayment.Status.CANCELED:
        # A failed card stops the autopay: no more attempts until the customer acts.
        Autopay.objects.filter(pk=autopay.pk).update(
            status=Autopay.Status.STOPPED, ended_at=timezone.now(), note=payment.error[:300]
        )
        autopay.refresh_from_db()
        _autopay_mail(autopay, "autopay_stopped", payment=payment)
    return payment


def autopays_run(*, today: date | None = None) -> int:
    """The daily job: every active autopay whose day has come this month and that has
    not run for it yet. Returns how many were charged."""
    today = today or timezone.localdate()
    period = period_of(today)
    due = Autopay.objects.filter(status=Autopay.Status.ACTIVE, day__lte=today.day).exclude(
        last_period=period
    )
    charged = 0
    for autopay in due:
        try:
            payment = autopay_charge(autopay=autopay, today=today)
        except Exception:  # one customer's trouble must not stop the others
            log.exception("autopay %s failed", autopay.uuid)
            continue
        if payment is not None and payment.status == OnlinePayment.Status.SUCCEEDED:
            charged += 1
    return charged
