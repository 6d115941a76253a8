"""The ledger's arithmetic, for any charges and payments: a period's charges count from
the first day of the next month, a payment from the day it was credited (selectors'
docstring, docs/decisions.md «The ledger's dates»), and every page that shows money
(balance, расшифровка, расчёты by period, the account's summary, the start page) tells
the same story."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabinet.billing import selectors
from kabinet.billing.models import Charge, Payment
from kabinet.billing.tests import factories as f
from kabinet.core.money import add_months, period_of

pytestmark = pytest.mark.django_db

BASE = date(2025, 1, 1)
MONTHS = 24
END = add_months(BASE, MONTHS)  # first day after the range

amounts = st.integers(min_value=-(10**9), max_value=10**9)
periods_ = st.integers(min_value=0, max_value=MONTHS - 1).map(lambda i: add_months(BASE, i))
days = st.integers(min_value=0, max_value=(END - BASE).days - 1).map(
    lambda n: BASE + timedelta(days=n)
)
# Asked about: a little before and after the range too.
query_days = st.integers(min_value=-40, max_value=(END - BASE).days + 40).map(
    lambda n: BASE + timedelta(days=n)
)
charges_ = st.lists(st.tuples(periods_, st.sampled_from(Charge.Kind.values), amounts), max_size=12)
payments_ = st.lists(st.tuples(days, st.sampled_from(Payment.Channel.values), amounts), max_size=12)


def ledger(charges, payments, acc=None):
    """A fresh account (each hypothesis example gets its own) with the rows given."""
    acc = acc or f.account()
    Charge.objects.bulk_create(
        Charge(account=acc, period=p, service="Отопление", kind=k, amount_kopecks=a)
        for p, k, a in charges
    )
    Payment.objects.bulk_create(
        Payment(account=acc, credited_on=d, channel=c, amount_kopecks=a) for d, c, a in payments
    )
    return acc


def expected_balance(charges, payments, day):
    return sum(a for p, _k, a in charges if p < period_of(day)) - sum(
        a for d, _c, a in payments if d < day
    )


def test_a_charge_counts_from_the_next_month_and_a_payment_from_its_day():
    acc = f.account()
    f.charge(acc, date(2026, 1, 1), 100_00)
    f.payment(acc, date(2026, 2, 10), 30_00)
    assert selectors.balance_at(account=acc, day=date(2026, 1, 31)) == 0
    assert selectors.balance_at(account=acc, day=date(2026, 2, 1)) == 100_00
    assert selectors.balance_at(account=acc, day=date(2026, 2, 10)) == 100_00
    assert selectors.balance_at(account=acc, day=date(2026, 2, 11)) == 70_00


@settings(max_examples=60)
@given(charges=charges_, payments=payments_, day=query_days)
def test_balance_at_is_charges_of_closed_periods_less_payments_before_the_day(
    charges, payments, day
):
    acc = ledger(charges, payments)
    assert selectors.balance_at(account=acc, day=day) == expected_balance(charges, payments, day)


@settings(max_examples=60)
@given(charges=charges_, payments=payments_, a=periods_, b=periods_)
def test_breakdown_adds_up_and_ends_where_the_next_period_starts(charges, payments, a, b):
    first, last = min(a, b), max(a, b)
    acc = ledger(charges, payments)
    bd = selectors.breakdown(account=acc, first=first, last=last)
    after = add_months(last, 1)

    assert bd.opening == selectors.balance_at(account=acc, day=first)
    assert bd.charged == sum(amount for p, _k, amount in charges if first <= p <= last)
    assert bd.paid == sum(amount for d, _c, amount in payments if first <= d < after)
    assert bd.closing == bd.opening + bd.charged - bd.paid
    assert bd.closing == selectors.balance_at(account=acc, day=after)
    assert len(bd.rows) == sum(first <= p <= last for p, _k, _a in charges) + sum(
        first <= d < after for d, _c, _a in payments
    )
    if bd.rows:
        assert bd.rows[-1].balance == bd.closing
        assert [r.day for r in bd.rows] == sorted(r.day for r in bd.rows)
    running = bd.opening
    for row in bd.rows:
        running += row.charged - row.paid
        assert row.balance == running


@settings(max_examples=60)
@given(charges=charges_, payments=payments_, a=periods_, b=periods_)
def test_periods_chain_and_match_the_balance(charges, payments, a, b):
    first, last = min(a, b), max(a, b)
    acc = ledger(charges, payments)
    rows = selectors.periods(account=acc, first=first, last=last)

    assert [r.period for r in rows] == [
        add_months(last, -i)
        for i in range((last.year - first.year) * 12 + last.month - first.month + 1)
    ], "newest first, every month once"
    oldest_first = rows[::-1]
    for before, row in zip(oldest_first, oldest_first[1:], strict=False):
        assert row.opening == before.closing
    assert oldest_first[0].opening == selectors.balance_at(account=acc, day=first)
    assert rows[0].closing == selectors.balance_at(account=acc, day=add_months(last, 1))
    for row in rows:
        assert row.opening == expected_balance(charges, payments, row.period)
        assert row.charged == sum(amount for p, _k, amount in charges if p == row.period)
        assert row.paid == sum(amount for d, _c, amount in payments if period_of(d) == row.period)
        assert row.penalties == sum(
            amount for p, k, amount in charges if p == row.period and k == Charge.Kind.PENALTY
        )
        assert row.closing == row.opening + row.charged - row.paid


@settings(max_examples=60)
@given(
    charges=charges_,
    payments=payments_,
    other_charges=charges_,
    other_payments=payments_,
    today=days,
)
def test_account_summary_and_the_start_page_agree(
    charges, payments, other_charges, other_payments, today
):
    acc = ledger(charges, payments)
    other = ledger(other_charges, other_payments)
    summary = selectors.account_summary(account=acc, today=today)
    left = selectors.to_pay_by_account(accounts=[acc, other], today=today)

    current = period_of(today)
    assert summary.debt_end_of_last_period == selectors.balance_at(account=acc, day=current)
    assert summary.paid_this_period == sum(a for d, _c, a in payments if current <= d <= today)
    assert left[acc.pk] == summary.debt_end_of_last_period - summary.paid_this_period
    assert summary.to_pay == max(left[acc.pk], 0)
    assert left[other.pk] == expected_balance(
        other_charges, other_payments, today + timedelta(days=1)
    ), "what is left on a day includes that day's payments"
    assert 0 <= summary.penalties_in_debt <= max(summary.debt_end_of_last_period, 0)


def test_periods_and_breakdown_take_any_day_of_a_month():
    acc = f.account()
    f.charge(acc, date(2026, 1, 1), 100_00)
    f.payment(acc, date(2026, 1, 5), 40_00)
    f.payment(acc, date(2026, 2, 20), 10_00)

    rows = selectors.periods(account=acc, first=date(2026, 1, 15), last=date(2026, 2, 15))
    assert [(r.period, r.opening, r.paid, r.charged, r.closing) for r in rows] == [
        (date(2026, 2, 1), 60_00, 10_00, 0, 50_00),
        (date(2026, 1, 1), 0, 40_00, 100_00, 60_00),
    ]
    bd = selectors.breakdown(account=acc, first=date(2026, 1, 15), last=date(2026, 2, 15))
    assert (bd.opening, bd.charged, bd.paid, bd.closing) == (0, 100_00, 50_00, 50_00)


def test_breakdown_names_a_payment_whose_channel_billing_does_not_know():
    acc = f.account()
    f.payment(acc, date(2026, 1, 5), 40_00, channel="sbp")
    bd = selectors.breakdown(account=acc, first=date(2026, 1, 1), last=date(2026, 1, 1))
    assert bd.rows[0].what == "Sbp" and bd.closing == -40_00
