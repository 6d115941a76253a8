"""Reads of the ledger: balance and debt at a date, the account's summary.

A period's charges are issued when the period closes, so they count from the first day
of the next month; a payment counts from the day it was credited. A positive balance is
debt; a negative one is prepayment (переплата).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

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
        penalties_in_debt=min(totals["penalties"] or 0, max(debt, 0)),
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
