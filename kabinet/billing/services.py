"""Every write about money: tariffs, the monthly accrual (начисление), the issue of
receipts (квитанции), their delivery by e-mail, and the staff's batch runs.

The accrual exists for the demo and for utilities without a separate billing system:
charges loaded from billing are the utility's word and are never touched; the portal's
own charges (``accrued=True``) for a period are replaced as a whole on every run, so a
run is idempotent and can be repeated after a correction.
"""

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kabinet.backoffice import roles
from kabinet.billing import selectors
from kabinet.billing.models import (
    ZONE_CHOICES,
    BillingRun,
    Charge,
    IssuedDocument,
    Payment,
    ReceiptDelivery,
    ReceiptMailing,
    Tariff,
)
from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, format_period, format_quantity, format_rub, period_of
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import PersonalAccount

log = logging.getLogger(__name__)
BATCH = 500
STALE_AFTER = timedelta(minutes=30)  # a run with no progress this long has lost its worker


# --- tariffs --------------------------------------------------------------------------


def tariff_add(
    *,
    service: str,
    unit: str,
    price_kopecks: int,
    valid_from: date,
    zone: str = "",
    norm: Decimal | None = None,
    norm_basis: str = "",
    months: str = "",
    basis_document: str = "",
    by=None,
) -> Tariff:
    """Новый тариф from a date: the one in force before it ends the day before. Added
    by staff (``by``), it goes to the journal."""
    service = service.strip()
    if price_kopecks < 0:
        raise DomainError(_("Цена не может быть отрицательной."), field="price_kopecks")
    if zone not in {code for code, _label in ZONE_CHOICES}:
        raise DomainError(_("Неизвестная зона суток."), field="zone")
    if (norm is None) != (not norm_basis) or (
        norm_basis and norm_basis not in Tariff.NormBasis.values
    ):
        raise DomainError(_("Укажите и норматив, и как он считается."), field="norm")
    if norm is not None and norm < 0:
        raise DomainError(_("Норматив не может быть отрицательным."), field="norm")
    months = _months(months)
    with transaction.atomic():
        current = (
            Tariff.objects.select_for_update()
            .filter(service=service, zone=zone, valid_from__lt=valid_from)
            .order_by("-valid_from")
            .first()
        )
        if Tariff.objects.filter(service=service, zone=zone, valid_from__gte=valid_from).exists():
            raise DomainError(
                _("С этой даты или позже тариф по этой услуге уже задан."), field="valid_from"
            )
        if current and (current.valid_to is None or current.valid_to >= valid_from):
            current.valid_to = valid_from - timedelta(days=1)
            current.save(update_fields=["valid_to"])
        tariff = Tariff.objects.create(
            service=service,
            zone=zone,
            unit=unit,
            price_kopecks=price_kopecks,
            valid_from=valid_from,
            norm=norm,
            norm_basis=norm_basis,
            months=months,
            basis_document=basis_document,
        )
        if by is not None:
            audit_record(
                actor=by,
                action="tariff_add",
                target=tariff,
                changes={"price_kopecks": [None, price_kopecks], "valid_from": [None, valid_from]},
            )
        return tariff


def _months(months: str) -> str:
    """ "10, 11,12,1" → "1,10,11,12": the form ``Tariff.charged_in`` reads (no spaces)."""
    try:
        numbers = {int(m) for m in months.replace(";", ",").split(",") if m.strip()}
    except ValueError:
        numbers = {0}
    if not numbers <= set(range(1, 13)):
        raise DomainError(_("Месяцы начисления — номера от 1 до 12 через запятую."), field="months")
    return ",".join(str(m) for m in sorted(numbers))


# --- the accrual ----------------------------------------------------------------------


def _kopecks(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _norm_volume(tariff: Tariff, account: PersonalAccount) -> Decimal | None:
    if tariff.norm is None:
        return None
    premises = account.premises
    if tariff.norm_basis == Tariff.NormBasis.AREA:
        basis = premises.area_m2 or Decimal(0)
    else:
        basis = Decimal(premises.registered_people or 0)
    return (tariff.norm * basis).quantize(Decimal("0.0001"))


def _pick(tariffs: list[Tariff], service: str, zone: str) -> Tariff | None:
    same = [t for t in tariffs if t.service.casefold() == service.casefold()]
    return next((t for t in same if t.zone == zone), None) or next(
        (t for t in same if t.zone in ("", "total")), None
    )


def _account_services(account: PersonalAccount) -> set[str]:
    return {s.strip().casefold() for s in (account.services or "").split(",") if s.strip()}


@dataclass
class _Line:
    service: str
    zone: str
    volume: Decimal
    unit: str
    tariff: Tariff
    reason: str = ""

    def charge(self, account, period) -> Charge:
        return Charge(
            account=account,
            period=period,
            service=self.service,
            kind=Charge.Kind.CHARGE,
            zone=self.zone,
            volume=self.volume,
            unit=self.unit,
            tariff_kopecks=self.tariff.price_kopecks,
            amount_kopecks=_kopecks(self.volume * self.tariff.price_kopecks),
            reason=self.reason,
            accrued=True,
        )


NORM_REASON_PREFIX = "по нормативу"


def _norm_charged_between(account, service, zone, after: date, before: date) -> Decimal:
    """The volume the portal charged by the norm for a service and zone in the months
    strictly between two readings."""
    total = Charge.objects.filter(
        account=account,
        service=service,
        zone=zone,
        accrued=True,
        kind=Charge.Kind.CHARGE,
        period__gt=after,
        period__lt=before,
        reason__startswith=NORM_REASON_PREFIX,
    ).aggregate(v=Sum("volume"))["v"]
    return total or Decimal(0)


def _metered_lines(account, period, tariffs, meters, readings) -> tuple[list[_Line], set[str]]:
    """Consumption × tariff for each zone of each active meter; the norm where the
    period has no accepted reading. Returns the lines and the services they cover."""
    from kabinet.metering.selectors import consumption_between

    lines, covered = [], set()
    for meter in meters:
        service = meter.service.strip()
        if not service:
            continue
        covered.add(service.casefold())
        for zone in meter.zone_codes:
            tariff = _pick(tariffs, service, zone)
            if tariff is None or not tariff.charged_in(period):
                continue
            now, before = readings.get((meter.pk, zone), (None, None))
            used = None
            if now is not None and before is not None:
                used = consumption_between(meter, before.value, now.value)
            if used is not None:
                volume = (used * meter.coefficient).quantize(Decimal("0.0001"))
                reason = ""
                # Months between the two readings were charged by the norm: that volume
                # is already paid for, so only the rest is charged now (never below 0).
                by_norm = _norm_charged_between(account, service, zone, before.period, period)
                if by_norm:
                    volume = max(volume - by_norm, Decimal(0))
                    reason = _("за вычетом %(v)s %(unit)s, начисленных по нормативу") % {
                        "v": format_quantity(by_norm),
                        "unit": tariff.unit,
                    }
            else:
                volume = _norm_volume(tariff, account)
                if volume is None:
                    continue
                if now is None:
                    reason = _("по нормативу: нет показаний за период")
                elif before is None:
                    reason = _("по нормативу: нет предыдущих показаний")
                else:
                    reason = _("по нормативу: показание меньше предыдущего")
            lines.append(_Line(service, zone, volume, tariff.unit, tariff, reason))
    return lines, covered


def _penalty(account, period, profile) -> Charge | None:
    """Пени on the debt older than one period, for every day of this period."""
    overdue = selectors.balance_at(account=account, day=period) - (
        Charge.objects.filter(account=account, period=add_months(period, -1)).aggregate(
            s=Sum("amount_kopecks")
        )["s"]
        or 0
    )
    if overdue <= 0 or not profile.penalty_rate_per_day:
        return None
    days = calendar.monthrange(period.year, period.month)[1]
    amount = _kopecks(Decimal(overdue) * profile.penalty_rate_per_day * days)
    if amount <= 0:
        return None
    return Charge(
        account=account,
        period=period,
        service=_("Пени"),
        kind=Charge.Kind.PENALTY,
        base_kopecks=overdue,
        rate=profile.penalty_rate_per_day,
        amount_kopecks=amount,
        reason=_("на просроченный долг за %(days)d дн.") % {"days": days},
        accrued=True,
    )


def accrual_for_account(*, account: PersonalAccount, period: date, tariffs=None) -> list[Charge]:
    """Начислить лицевому счёту за период: replaces the portal's own charges of the
    period; does nothing where billing has already loaded charges for it."""
    from kabinet.metering.models import Meter, Reading

    profile = get_utility()
    period = period_of(period)
    if tariffs is None:
        tariffs = list(Tariff.objects.valid_on(period))
    # The ledger's words (пени, the reasons) are stored in Russian whoever runs it.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        existing = Charge.objects.filter(account=account, period=period)
        if existing.filter(accrued=False).exists():
            return []  # the billing system's charges are final
        existing.delete()
        meters = [m for m in Meter.objects.filter(account=account) if not m.is_removed]
        readings: dict = {}
        for r in (
            Reading.objects.accepted()
            .filter(meter__in=meters, period__lte=period)
            .order_by("period", "submitted_at", "id")
        ):
            now, before = readings.get((r.meter_id, r.zone), (None, None))
            if r.period == period:
                readings[(r.meter_id, r.zone)] = (r, before)
            else:
                readings[(r.meter_id, r.zone)] = (None, r)
        lines, covered = _metered_lines(account, period, tariffs, meters, readings)
        for service in sorted(_account_services(account) - covered):
            tariff = _pick(tariffs, service, "")
            if tariff is None or not tariff.charged_in(period):
                continue
            volume = _norm_volume(tariff, account)
            if volume is not None:
                lines.append(_Line(tariff.service, "", volume, tariff.unit, tariff))
        charges = [line.charge(account, period) for line in lines]
        penalty = _penalty(account, period, profile)
        if penalty:
            charges.append(penalty)
        return Charge.objects.bulk_create(charges)


# --- receipts -------------------------------------------------------------------------


def _readings_used(account, period) -> list[dict]:
    """The readings the period was charged by: for each zone of each active meter read
    in the period, the previous accepted value, this one and the consumption. Two plain
    queries, reduced in Python (an account has a few dozen readings a year)."""
    from kabinet.metering.models import Meter, Reading
    from kabinet.metering.selectors import consumption_between

    meters = [m for m in Meter.objects.filter(account=account) if not m.is_removed]
    if not meters:
        return []
    current: dict = {}
    previous: dict = {}
    for meter_id, zone, at, value in (
        Reading.objects.accepted()
        .filter(meter__in=meters, period__lte=period)
        .order_by("period", "submitted_at", "id")
        .values_list("meter_id", "zone", "period", "value")
    ):
        (current if at == period else previous)[(meter_id, zone)] = value
    rows = []
    for meter in meters:
        for zone in meter.zone_codes:
            now, before = current.get((meter.pk, zone)), previous.get((meter.pk, zone))
            if now is None:
                continue
            used = consumption_between(meter, before, now) if before is not None else None
            rows.append(
                {
                    "meter": meter.number,
                    "zone": str(Reading.Zone(zone).label),
                    "previous": format_quantity(before) if before is not None else "",
                    "current": format_quantity(now),
                    "consumption": format_quantity(used * meter.coefficient)
                    if used is not None
                    else "",
                    "unit": meter.unit,
                }
            )
    return rows


def receipt_snapshot(*, account: PersonalAccount, period: date, issued_on: date) -> dict:
    """What the receipt for a period says, frozen as JSON (amounts in kopecks). The
    receipt is a Russian document whatever language its reader uses, and building it
    in one language keeps a re-issue from seeing a change where there is none."""
    with translation.override(settings.LANGUAGE_CODE):
        return _snapshot(account=account, period=period_of(period), issued_on=issued_on)


def _snapshot(*, account: PersonalAccount, period: date, issued_on: date) -> dict:
    profile = get_utility()
    next_period = add_months(period, 1)
    opening = selectors.balance_at(account=account, day=period)
    paid = (
        Payment.objects.filter(
            account=account, credited_on__gte=period, credited_on__lt=next_period
        ).aggregate(s=Sum("amount_kopecks"))["s"]
        or 0
    )
    charges = list(Charge.objects.filter(account=account, period=period).order_by("kind", "id"))
    charged = sum(c.amount_kopecks for c in charges)
    premises = account.premises
    base_url = settings.KABINET_PUBLIC_URL.rstrip("/")
    return {
        "number": f"{account.number}-{period:%Y%m}",
        "period": period.isoformat(),
        "period_label": format_period(period),
        "issued_on": issued_on.isoformat(),
        "payee": {
            **profile.organisation(),
            "support_phone": profile.support_phone,
            "support_email": profile.support_email,
        },
        "payer": {
            "name": account.holder_masked,
            "address": premises.address,
            "account": account.number,
            "area_m2": str(premises.area_m2 or ""),
            "registered_people": premises.registered_people,
        },
        "lines": [
            {
                "service": c.service,
                "kind": c.kind,
                "kind_label": str(c.get_kind_display()),
                "volume": str(c.volume) if c.volume is not None else None,
                "unit": c.unit,
                "tariff_kopecks": c.tariff_kopecks,
                "amount_kopecks": c.amount_kopecks,
                "reason": c.reason,
            }
            for c in charges
        ],
        "opening_debt_kopecks": opening,
        "paid_kopecks": paid,
        "charged_kopecks": charged,
        "penalties_kopecks": sum(c.amount_kopecks for c in charges if c.kind == "penalty"),
        "total_kopecks": max(opening - paid + charged, 0),
        "readings": _readings_used(account, period),
        "pay_url": base_url + reverse("customer_accounts:detail", args=[account.uuid])
        if base_url
        else "",
    }


def receipt_issue(
    *, account: PersonalAccount, period: date, today: date | None = None
) -> tuple[IssuedDocument, bool]:
    """Выпустить квитанцию за период. Issuing again gives the same document, updated
    only if the ledger changed since; returns (document, whether it is new or changed)."""
    today = today or timezone.localdate()
    period = period_of(period)
    with transaction.atomic():
        # Only the account's row is locked, not its house and street (PostgreSQL would
        # lock every joined row and serialise a whole street's receipts).
        account = (
            PersonalAccount.objects.select_for_update(of=("self",))
            .select_related("premises__house__street__settlement")
            .get(pk=account.pk)
        )
        doc = IssuedDocument.objects.filter(
            account=account, kind=IssuedDocument.Kind.RECEIPT, period=period
        ).first()
        snapshot = receipt_snapshot(
            account=account, period=period, issued_on=doc.issued_on if doc else today
        )
        if doc is not None and doc.snapshot == snapshot:
            return doc, False
        values = {
            "number": snapshot["number"],
            "issued_on": date.fromisoformat(snapshot["issued_on"]),
            "charged_kopecks": snapshot["charged_kopecks"],
            "amount_kopecks": snapshot["total_kopecks"],
            "snapshot": snapshot,
        }
        if doc is None:
            doc = IssuedDocument.objects.create(
                account=account, kind=IssuedDocument.Kind.RECEIPT, period=period, **values
            )
        else:
            for name, value in values.items():
                setattr(doc, name, value)
            doc.save()
        delivery = ReceiptDelivery.objects.filter(account=account, paperless=True).first()
        if delivery and delivery.email:
            mailing, _created = ReceiptMailing.objects.get_or_create(
                document=doc, email=delivery.email
            )
            if mailing.status != ReceiptMailing.Status.SENT:
                _queue_mailing(mailing)
        if account.owner_id is not None and selectors.receipt_visible(doc, account):
            # A paperless customer gets the receipt itself by e-mail: no second letter.
            _notify_receipt(account, doc, by_email=not (delivery and delivery.email))
        return doc, True


def _notify_receipt(account: PersonalAccount, doc: IssuedDocument, *, by_email: bool) -> None:
    """«Новая квитанция» in the cabinet (and by e-mail or SMS if the customer chose);
    once per receipt, however often it is re-issued."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import notify

    notify(
        user=account.owner,
        kind=Kind.RECEIPT,
        title=_("Квитанция за %(p)s по счёту %(n)s: к оплате %(s)s")
        % {
            "p": format_period(doc.period).lower(),
            "n": account.number,
            "s": format_rub(doc.amount_kopecks),
        },
        url=reverse("billing:receipt", args=[account.uuid, f"{doc.period:%Y-%m}"]),
        dedupe_key=f"receipt-{doc.pk}",
        email=by_email,
    )


def _queue_mailing(mailing: ReceiptMailing) -> None:
    from kabinet.billing.tasks import mail_receipt

    transaction.on_commit(lambda: mail_receipt.delay(mailing_id=mailing.pk))


# --- paperless delivery ---------------------------------------------------------------


def receipt_delivery_set(
    *, user, account: PersonalAccount, paperless: bool, email: str = ""
) -> ReceiptDelivery:
    """Настройка получения квитанций (004): per account, paper or e-mail."""
    email = email.strip()
    with transaction.atomic():
        account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
        if not user.is_staff and (account.owner_id is None or account.owner_id != user.pk):
            raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."))
        if paperless and not email:
            raise DomainError(_("Укажите e-mail, на который присылать квитанции."), field="email")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise DomainError(
                    _("Введите e-mail, например ivanov@mail.ru."), field="email"
                ) from exc
        delivery, _created = ReceiptDelivery.objects.get_or_create(account=account)
        before = audit_snapshot(delivery, ["paperless", "email"])
        delivery.paperless = paperless
        delivery.email = email if paperless else delivery.email
        delivery.changed_at = timezone.now()
        delivery.changed_by = user
        delivery.save()
        audit_record(
            actor=user,
            action="receipt_delivery_set",
            target=delivery,
            subject=account.owner,
            changes=audit_diff(before, audit_snapshot(delivery, ["paperless", "email"])),
        )
        return delivery


def receipt_mail(*, mailing_id: int) -> ReceiptMailing:
    """Send one receipt by e-mail, once: a sent mailing is never sent again; a failure
    is counted and kept for staff, and the task retries.

    The letter (and its PDF) is made first; the mailing's row is then locked while the
    letter is handed to the mail server, so a second task for the same mailing (a
    re-issue queues one while the first is still waiting) finds it sent instead of
    sending it again."""
    from kabinet.billing.receipts import render_receipt_pdf
    from kabinet.notifications.services import email_with_attachment

    mailing = ReceiptMailing.objects.select_related("document__account").get(pk=mailing_id)
    if mailing.status == ReceiptMailing.Status.SENT:
        return mailing
    doc = mailing.document
    failure: Exception | None = None
    message = None
    try:
        with translation.override(settings.LANGUAGE_CODE):
            message = email_with_attachment(
                to=mailing.email,
                template="receipt",
                context={"document": doc, "snapshot": doc.snapshot},
                filename=f"kvitanciya-{doc.number}.pdf",
                content=render_receipt_pdf(doc.snapshot),
                mimetype="application/pdf",
            )
    except Exception as exc:
        failure = exc
    with transaction.atomic():
        mailing = ReceiptMailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.status == ReceiptMailing.Status.SENT:
            return mailing
        mailing.attempts += 1
        if message is not None:
            try:
                message.send()
            except Exception as exc:
                failure = exc
        if failure is not None:
            # Recorded, not rolled back: staff see the failure even as the task retries.
            mailing.status = ReceiptMailing.Status.FAILED
            mailing.last_error = f"{type(failure).__name__}: {failure}"[:300]
        else:
            mailing.status = ReceiptMailing.Status.SENT
            mailing.sent_at = timezone.now()
            mailing.last_error = ""
        mailing.save(update_fields=["attempts", "status", "last_error", "sent_at"])
    if failure is not None:
        log.warning("receipt mailing %s failed: %s", mailing.pk, failure)
        raise failure
    return mailing


def receipt_mailing_retry(*, by, mailing: ReceiptMailing) -> ReceiptMailing:
    """Staff send a failed receipt again («Отправить снова»): without a Celery worker
    (the embedded default) nothing retries by itself."""
    roles.require(by, roles.BILLING, _("Отправить снова может специалист по расчётам."))
    with transaction.atomic():
        mailing = ReceiptMailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status == ReceiptMailing.Status.SENT:
            raise DomainError(_("Эта квитанция уже отправлена."))
        was = mailing.status
        mailing.status = ReceiptMailing.Status.QUEUED
        mailing.save(update_fields=["status"])
        audit_record(
            actor=by,
            action="receipt_mailing_retry",
            target=mailing,
            subject=mailing.document.account.owner,
            changes={"status": [was, mailing.status]},
        )
        _queue_mailing(mailing)
    mailing.refresh_from_db()
    return mailing


# --- staff batch runs -----------------------------------------------------------------


def billing_run_start(*, by, kind: str, period: date) -> BillingRun:
    """Запустить расчётное задание. One of a kind and period at a time."""
    roles.require(by, roles.BILLING, _("Запускать расчётные задания может специалист по расчётам."))
    if kind not in BillingRun.Kind.values:
        raise DomainError(_("Неизвестное задание."), field="kind")
    period = period_of(period)
    last_closed = add_months(period_of(timezone.localdate()), -1)
    if period > last_closed:
        raise DomainError(
            _("Месяц ещё не закончился: рассчитать можно %(last)s или более ранний месяц.")
            % {"last": format_period(last_closed).lower()},
            field="period",
        )
    busy_message = _("Это задание за этот период уже выполняется.")
    with transaction.atomic():
        active = BillingRun.objects.select_for_update().filter(
            kind=kind, period=period, status__in=BillingRun.ACTIVE
        )
        for run in active:
            if run.updated_at >= timezone.now() - STALE_AFTER:
                raise DomainError(busy_message, field="period")
            # Its worker died (no progress for half an hour): close it so it can be redone.
            run.status = BillingRun.Status.FAILED
            run.error = (run.error + "\n" if run.error else "") + _("Задание прервано.")
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at", "updated_at"])
        try:
            with transaction.atomic():
                run = BillingRun.objects.create(kind=kind, period=period, created_by=by)
        except IntegrityError as exc:  # started by someone else this very moment
            raise DomainError(busy_message, field="period") from exc
        audit_record(
            actor=by,
            action="billing_run_start",
            target=run,
            changes={"kind": [None, kind], "period": [None, period]},
        )
        from kabinet.billing.tasks import execute_billing_run

        transaction.on_commit(lambda: execute_billing_run.delay(run_id=run.pk))
        return run


def _nothing_to_issue(account: PersonalAccount, period: date) -> bool:
    """No charge, no payment and no debt or prepayment: a receipt would be empty."""
    next_period = add_months(period, 1)
    return (
        not Charge.objects.filter(account=account, period=period).exists()
        and not Payment.objects.filter(
            account=account, credited_on__gte=period, credited_on__lt=next_period
        ).exists()
        and selectors.balance_at(account=account, day=period) == 0
    )


def billing_run_execute(*, run_id: int) -> BillingRun:
    """Do the run's work account by account, saving progress after every batch. A run
    that stopped half-way can be started again: both jobs are idempotent. Receipts are
    not issued to accounts with nothing on them (no charge, payment or balance)."""
    run = BillingRun.objects.get(pk=run_id)
    if run.status == BillingRun.Status.DONE:
        return run
    # Contracts' settlement accounts are charged and invoiced by the billing system.
    ids = list(PersonalAccount.objects.residential().order_by("pk").values_list("pk", flat=True))
    BillingRun.objects.filter(pk=run.pk).update(
        status=BillingRun.Status.RUNNING,
        total=len(ids),
        done=0,
        failed=0,
        error="",
        started_at=timezone.now(),
        finished_at=None,
        updated_at=timezone.now(),
    )
    done = failed = 0
    errors: list[str] = []
    try:
        tariffs = list(Tariff.objects.valid_on(run.period))
        for start in range(0, len(ids), BATCH):
            accounts = PersonalAccount.objects.filter(
                pk__in=ids[start : start + BATCH]
            ).select_related("premises__house__street__settlement")
            for account in accounts:
                try:
                    if run.kind == BillingRun.Kind.ACCRUAL:
                        accrual_for_account(account=account, period=run.period, tariffs=tariffs)
                    elif not _nothing_to_issue(account, run.period):
                        receipt_issue(account=account, period=run.period)
                except Exception as exc:  # one account's trouble must not stop the month
                    failed += 1
                    if len(errors) < 20:
                        errors.append(f"{account.number}: {type(exc).__name__}: {exc}")
                    log.exception("billing run %s, account %s", run.pk, account.number)
                else:
                    done += 1
            BillingRun.objects.filter(pk=run.pk).update(
                done=done, failed=failed, updated_at=timezone.now()
            )
    except Exception as exc:
        # Anything outside one account's work (the database gone): the run must not stay
        # "выполняется" for ever; it can be started again.
        errors.append(f"{type(exc).__name__}: {exc}")
        BillingRun.objects.filter(pk=run.pk).update(
            status=BillingRun.Status.FAILED,
            done=done,
            failed=failed,
            error="\n".join(errors),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    BillingRun.objects.filter(pk=run.pk).update(
        status=BillingRun.Status.DONE if not failed else BillingRun.Status.FAILED,
        error="\n".join(errors),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


# --- loading from the billing system (kabinet.integration) ----------------------------


def _account_by_number(number: str) -> PersonalAccount:
    account = PersonalAccount.objects.filter(number=number).first()
    if account is None:
        raise DomainError(_("Лицевой счёт %(a)s не найден.") % {"a": number}, field="account")
    return account


def _changed(obj, given: dict) -> str:
    changed = [name for name, value in given.items() if getattr(obj, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(obj, name, given[name])
    obj.save(update_fields=changed)
    return "updated"


def _upsert(model, key: dict, given: dict):
    """The row with ``key`` (locked), made with ``given`` or brought up to it: the row
    and "created", "updated" or "unchanged"."""
    row = model.objects.select_for_update().filter(**key).order_by("pk").first()
    if row is None:
        return model.objects.create(**key, **given), "created"
    return row, _changed(row, given)


def _short(values: dict, model) -> None:
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            raise DomainError(
                _("Поле «%(f)s» — не длиннее %(n)s символов.")
                % {"f": model._meta.get_field(name).verbose_name, "n": limit}
            )


@transaction.atomic
def charge_upsert(
    *,
    account_number: str,
    period: date,
    service: str,
    amount_kopecks: int,
    kind: str = Charge.Kind.CHARGE,
    zone: str = "",
    volume: Decimal | None = None,
    unit: str = "",
    tariff_kopecks: int | None = None,
    reason: str = "",
) -> tuple[Charge, str]:
    """A charge loaded from the billing system, keyed by account, period, service,
    kind and zone (one row per key: several перерасчёты of a month come summed). The
    portal's own accrual (``accrued``) is never touched.

    Returns the charge and "created", "updated" or "unchanged"."""
    if kind not in Charge.Kind.values:
        raise DomainError(_("Неизвестный вид начисления."), field="kind")
    if zone not in {code for code, _label in ZONE_CHOICES}:
        raise DomainError(_("Неизвестная зона суток."), field="zone")
    service = " ".join(service.split())
    given = {
        "amount_kopecks": amount_kopecks,
        "volume": volume,
        "unit": unit,
        "tariff_kopecks": tariff_kopecks,
        "reason": reason,
    }
    _short({"service": service, **given}, Charge)
    account = _account_by_number(account_number)
    key = {
        "account": account,
        "period": period.replace(day=1),
        "service": service,
        "kind": kind,
        "zone": zone,
        "accrued": False,
    }
    return _upsert(Charge, key, given)


@transaction.atomic
def payment_upsert(
    *,
    account_number: str,
    external_id: str,
    credited_on: date,
    amount_kopecks: int,
    channel: str = Payment.Channel.BANK,
    purpose: str = "energy",
    document: str = "",
) -> tuple[Payment, str]:
    """A payment as the billing system credited it, keyed by account, the billing
    system's id of the payment and its purpose (the same id never enters the ledger
    twice). Returns the payment and "created", "updated" or "unchanged"."""
    external_id = external_id.strip()
    if not external_id:
        raise DomainError(_("Нет идентификатора платежа."), field="external_id")
    if channel not in Payment.Channel.values:
        raise DomainError(_("Неизвестный способ оплаты."), field="channel")
    if purpose not in {code for code, _label in Payment._meta.get_field("purpose").choices}:
        raise DomainError(_("Неизвестное назначение платежа."), field="purpose")
    if amount_kopecks <= 0:
        raise DomainError(_("Сумма оплаты должна быть больше нуля."), field="amount")
    given = {
        "credited_on": credited_on,
        "amount_kopecks": amount_kopecks,
        "channel": channel,
        "document": document,
    }
    _short({"external_id": external_id, **given}, Payment)
    account = _account_by_number(account_number)
    key = {"account": account, "external_id": external_id, "purpose": purpose}
    return _upsert(Payment, key, given)


@transaction.atomic
def tariff_upsert(
    *,
    service: str,
    unit: str,
    price_kopecks: int,
    valid_from: date,
    zone: str = "",
    valid_to: date | None = None,
    norm: Decimal | None = None,
    norm_basis: str = "",
    months: str = "",
    basis_document: str = "",
) -> tuple[Tariff, str]:
    """A tariff as the billing system has it, keyed by service, zone and the date it
    starts. Without an end date a new tariff ends the one before it (as
    ``tariff_add``) and itself ends before the next one, so tariffs never overlap.

    Returns the tariff and "created", "updated" or "unchanged"."""
    service = " ".join(service.split())
    if price_kopecks < 0:
        raise DomainError(_("Цена не может быть отрицательной."), field="price_kopecks")
    if zone not in {code for code, _label in ZONE_CHOICES}:
        raise DomainError(_("Неизвестная зона суток."), field="zone")
    if (norm is None) != (not norm_basis) or (
        norm_basis and norm_basis not in Tariff.NormBasis.values
    ):
        raise DomainError(_("Укажите и норматив, и как он считается."), field="norm")
    if norm is not None and norm < 0:
        raise DomainError(_("Норматив не может быть отрицательным."), field="norm")
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("Тариф кончается раньше, чем начинается."), field="valid_to")
    months = _months(months)
    later = (
        Tariff.objects.filter(service=service, zone=zone, valid_from__gt=valid_from)
        .order_by("valid_from")
        .first()
    )
    if valid_to is None and later is not None:
        valid_to = later.valid_from - timedelta(days=1)
    if valid_to is not None and later is not None and valid_to >= later.valid_from:
        raise DomainError(
            _("Тариф пересекается со следующим, с %(d)s.") % {"d": f"{later.valid_from:%d.%m.%Y}"},
            field="valid_to",
        )
    given = {
        "unit": unit,
        "price_kopecks": price_kopecks,
        "valid_to": valid_to,
        "norm": norm,
        "norm_basis": norm_basis,
        "months": months,
        "basis_document": basis_document,
    }
    _short({"service": service, **given}, Tariff)
    earlier = (
        Tariff.objects.select_for_update()
        .filter(service=service, zone=zone, valid_from__lt=valid_from)
        .order_by("-valid_from")
        .first()
    )
    if earlier and (earlier.valid_to is None or earlier.valid_to >= valid_from):
        earlier.valid_to = valid_from - timedelta(days=1)
        earlier.save(update_fields=["valid_to"])
    tariff = (
        Tariff.objects.select_for_update()
        .filter(service=service, zone=zone, valid_from=valid_from)
        .first()
    )
    if tariff is None:
        return Tariff.objects.create(
            service=service, zone=zone, valid_from=valid_from, **given
        ), "created"
    return tariff, _changed(tariff, given)
