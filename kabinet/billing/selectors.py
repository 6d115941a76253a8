"""Reads of the ledger: balance and debt at a date, the account's summary.

A period's charges are issued when the period closes, so they count from the first day
of the next month; a payment counts from the day it was credited. A positive balance is
debt; a negative one is prepayment (переплата).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum
from django.utils import timezone

from kabinet.billing.models import Charge, Payment
from kabinet.core.money import add_months, period_of


def _sum(qs) -> int:
    return qs.aggregate(total=Sum("amount_kopecks"))["total"] or 0


def balance_at(*, account, day: date) -> int:
    """Debt in kopecks at the start of ``day`` (negative: prepayment)."""
    # Charges of period P are issued on the first of P + 1 month.
    last_issued_period = add_months(period_of(day), -1)
    charged = _sum(Charge.objects.filter(account=account, period__lte=last_issued_period))
    paid = _sum(Payment.objects.filter(account=account, credited_on__lt=day))
    return charged - paid


@dataclass(frozen=True)
class AccountSummary:
    """What the account page shows (000 §2.2.6.1, 004 Сведения)."""

    current_period: date
    last_period: date
    debt_end_of_last_period: int  # kopecks, penalties included
    penalties_in_debt: int  # of which penalties (пени) charged so far, not yet paid
    paid_this_period: int
    to_pay: int  # the debt less what was paid this period; never below zero
    last_period_charges: list


def account_summary(*, account, today: date) -> AccountSummary:
    current = period_of(today)
    last = add_months(current, -1)
    totals = Charge.objects.filter(account=account, period__lte=last).aggregate(
        all=Sum("amount_kopecks"),
        penalties=Sum("amount_kopecks", filter=Q(kind=Charge.Kind.PENALTY)),
    )
    payments = Payment.objects.filter(account=account).aggregate(
        before=Sum("amount_kopecks", filter=Q(credited_on__lt=current)),
        this=Sum("amount_kopecks", filter=Q(credited_on__gte=current, credited_on__lte=today)),
    )
    debt = (totals["all"] or 0) - (payments["before"] or 0)
    paid_now = payments["this"] or 0
    charges = list(Charge.objects.filter(account=account, period=last).order_by("service", "id"))
    return AccountSummary(
        current_period=current,
        last_period=last,
        debt_end_of_last_period=debt,
        penalties_in_debt=max(min(totals["penalties"] or 0, debt), 0),
        paid_this_period=paid_now,
        to_pay=max(debt - paid_now, 0),
        last_period_charges=charges,
    )


def to_pay_by_account(*, accounts, today: date) -> dict[int, int]:
    """What is left to pay on each account, in kopecks (negative: overpayment), in two
    queries whatever the number of accounts: the same sums as ``account_summary``."""
    ids = [a.pk for a in accounts]
    last = add_months(period_of(today), -1)
    charged = dict(
        Charge.objects.filter(account_id__in=ids, period__lte=last)
        .values_list("account_id")
        .annotate(total=Sum("amount_kopecks"))
        .values_list("account_id", "total")
    )
    paid = dict(
        Payment.objects.filter(account_id__in=ids, credited_on__lte=today)
        .values_list("account_id")
        .annotate(total=Sum("amount_kopecks"))
        .values_list("account_id", "total")
    )
    return {pk: (charged.get(pk) or 0) - (paid.get(pk) or 0) for pk in ids}


# --- the customer's money pages -----------------------------------------------------


def receipt_visible(document, account) -> bool:
    """A receipt issued before the account joined this cabinet may be a previous
    occupant's: its link is not shown (000 §2.2.6.4)."""
    if document is None or account.linked_at is None:
        return document is not None
    return document.issued_on >= timezone.localtime(account.linked_at).date()


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    document: object  # IssuedDocument | None, only when it may be shown


def payment_history(*, account, year: int | None = None) -> list[PaymentRow]:
    """История платежей (000 §2.2.6.4): date credited, amount, channel, and the
    receipt each payment paid: one query."""
    qs = Payment.objects.filter(account=account).select_related("paid_document", "paid_by")
    if year:
        qs = qs.filter(credited_on__year=year)
    return [
        PaymentRow(p, p.paid_document if receipt_visible(p.paid_document, account) else None)
        for p in qs.order_by("-credited_on", "-id")
    ]


@dataclass(frozen=True)
class PeriodRow:
    period: date
    opening: int
    charged: int
    penalties: int
    paid: int
    closing: int
    document: object  # IssuedDocument | None


def periods(*, account, first: date, last: date) -> list[PeriodRow]:
    """Расчёты by period, newest first: debt at the start, charged (of which пени),
    paid during the period, debt at the end, and the period's receipt: four queries."""
    from kabinet.billing.models import IssuedDocument

    first, last = period_of(first), period_of(last)
    charged = {
        row["period"]: row
        for row in Charge.objects.filter(account=account, period__gte=first, period__lte=last)
        .values("period")
        .annotate(
            total=Sum("amount_kopecks"),
            penalties=Sum("amount_kopecks", filter=Q(kind=Charge.Kind.PENALTY)),
        )
    }
    paid: dict[date, int] = {}
    for credited_on, amount in Payment.objects.filter(
        account=account, credited_on__gte=first, credited_on__lt=add_months(last, 1)
    ).values_list("credited_on", "amount_kopecks"):
        key = period_of(credited_on)
        paid[key] = paid.get(key, 0) + amount
    docs = {
        d.period: d
        for d in IssuedDocument.objects.filter(
            account=account, kind=IssuedDocument.Kind.RECEIPT, period__gte=first, period__lte=last
        )
    }
    balance = balance_at(account=account, day=first)
    rows = []
    period = first
    while period <= last:
        c = charged.get(period, {})
        closing = balance - paid.get(period, 0) + (c.get("total") or 0)
        doc = docs.get(period)
        rows.append(
            PeriodRow(
                period=period,
                opening=balance,
                charged=c.get("total") or 0,
                penalties=c.get("penalties") or 0,
                paid=paid.get(period, 0),
                closing=closing,
                document=doc if receipt_visible(doc, account) else None,
            )
        )
        balance = closing
        period = add_months(period, 1)
    return rows[::-1]


@dataclass(frozen=True)
class BreakdownRow:
    day: date
    what: str
    period: date | None
    charged: int
    paid: int
    balance: int


@dataclass(frozen=True)
class Breakdown:
    first: date
    last: date
    opening: int
    rows: list[BreakdownRow]
    charged: int
    paid: int
    closing: int


def breakdown(*, account, first: date, last: date) -> Breakdown:
    """Расшифровка задолженности (000 §3.3.3) for periods first..last: the debt at the
    start, every charge (on the period's last day) and payment (on the day credited)
    with the running balance, and the debt at the end: three queries."""
    import calendar

    first, last = period_of(first), period_of(last)
    opening = balance_at(account=account, day=first)
    events = []
    for c in Charge.objects.filter(account=account, period__gte=first, period__lte=last):
        end = c.period.replace(day=calendar.monthrange(c.period.year, c.period.month)[1])
        what = (
            c.service if c.kind == Charge.Kind.CHARGE else f"{c.service} ({c.get_kind_display()})"
        )
        if c.reason:
            what += f": {c.reason}"
        events.append((end, 1, c.pk, what, c.period, c.amount_kopecks, 0))
    for p in Payment.objects.filter(
        account=account, credited_on__gte=first, credited_on__lt=add_months(last, 1)
    ):
        what = str(p.get_channel_display()).capitalize()
        if p.document:
            what += f", № {p.document}"
        events.append((p.credited_on, 0, p.pk, what, None, 0, p.amount_kopecks))
    events.sort()
    balance, rows = opening, []
    for day, _kind, _pk, what, period, charged, paid in events:
        balance += charged - paid
        rows.append(BreakdownRow(day, what, period, charged, paid, balance))
    total_charged = sum(r.charged for r in rows)
    total_paid = sum(r.paid for r in rows)
    return Breakdown(
        first=first,
        last=last,
        opening=opening,
        rows=rows,
        charged=total_charged,
        paid=total_paid,
        closing=opening + total_charged - total_paid,
    )


@dataclass(frozen=True)
class DocumentRow:
    document: object  # IssuedDocument
    paid: int

    @property
    def unpaid(self) -> int:
        return max(self.document.amount_kopecks - self.paid, 0)


def documents(*, account, first: date, last: date, unpaid_only: bool = False) -> list[DocumentRow]:
    """Выставленные платёжные документы (001) of the account for periods first..last,
    each with what was paid against it; ``unpaid_only`` gives «Документы на оплату».
    One query; documents issued before the account joined the cabinet are left out."""
    from kabinet.billing.models import IssuedDocument

    qs = (
        IssuedDocument.objects.filter(account=account, period__gte=first, period__lte=last)
        .annotate(paid_sum=Sum("payments__amount_kopecks"))
        .order_by("-period", "kind")
    )
    rows = [DocumentRow(d, d.paid_sum or 0) for d in qs if receipt_visible(d, account)]
    if unpaid_only:
        rows = [r for r in rows if r.unpaid > 0]
    return rows
