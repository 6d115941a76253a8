"""Расчётные задания: the month's accrual and receipts over every account, one run of a
kind and period at a time, progress counted, one account's trouble kept and reported
without stopping the others, a finished run never done twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kabinet.billing import services
from kabinet.billing.models import BillingRun, Charge, IssuedDocument
from kabinet.billing.tests import factories as f
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, period_of

pytestmark = pytest.mark.django_db

P = date(2026, 3, 1)
POWER = "Электроэнергия"


@pytest.fixture
def accounts():
    """Three metered accounts and one with nothing on it."""
    f.tariff(POWER, 550)
    made = []
    for used in (10, 20, 30):
        a = f.account()
        m = f.meter(a)
        f.accepted(m, date(2026, 2, 1), 100)
        f.accepted(m, P, 100 + used)
        made.append(a)
    made.append(f.account())
    return made


def start(staff, kind, period=P):
    return services.billing_run_start(by=staff, kind=kind, period=period)


def test_a_month_not_yet_over_is_refused(staff):
    for period in (period_of(timezone.localdate()), add_months(period_of(timezone.localdate()), 1)):
        with pytest.raises(DomainError) as err:
            start(staff, BillingRun.Kind.ACCRUAL, period)
        assert err.value.field == "period" and "Месяц ещё не закончился" in err.value.message
    assert not BillingRun.objects.exists()


def test_any_day_of_a_month_starts_that_period(staff):
    last = add_months(period_of(timezone.localdate()), -1)
    run = start(staff, BillingRun.Kind.RECEIPTS, last.replace(day=28))
    assert run.period == last and run.status == BillingRun.Status.QUEUED
    assert run.created_by == staff


def test_a_run_that_lost_its_worker_is_closed_and_may_be_redone(staff):
    stale = start(staff, BillingRun.Kind.ACCRUAL)
    BillingRun.objects.filter(pk=stale.pk).update(
        status=BillingRun.Status.RUNNING,
        updated_at=timezone.now() - services.STALE_AFTER - timedelta(minutes=1),
    )
    again = start(staff, BillingRun.Kind.ACCRUAL)
    stale.refresh_from_db()
    assert stale.status == BillingRun.Status.FAILED and "Задание прервано." in stale.error
    assert again.status == BillingRun.Status.QUEUED


def test_an_unknown_kind_is_refused(staff):
    with pytest.raises(DomainError) as err:
        start(staff, "everything")
    assert err.value.field == "kind"


def test_one_run_of_a_kind_and_period_at_a_time(staff):
    first = start(staff, BillingRun.Kind.ACCRUAL)  # queued: on-commit does not run here
    with pytest.raises(DomainError) as err:
        start(staff, BillingRun.Kind.ACCRUAL, date(2026, 3, 17))
    assert err.value.field == "period"
    BillingRun.objects.filter(pk=first.pk).update(status=BillingRun.Status.RUNNING)
    with pytest.raises(DomainError):
        start(staff, BillingRun.Kind.ACCRUAL)
    # Another job or another period may run beside it; a finished run may be repeated.
    start(staff, BillingRun.Kind.RECEIPTS)
    start(staff, BillingRun.Kind.ACCRUAL, date(2026, 2, 1))
    BillingRun.objects.filter(pk=first.pk).update(status=BillingRun.Status.DONE)
    start(staff, BillingRun.Kind.ACCRUAL)
    assert BillingRun.objects.count() == 4


def test_accrual_then_receipts_over_every_account(
    staff, accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accrual = start(staff, BillingRun.Kind.ACCRUAL)
    accrual.refresh_from_db()
    assert (accrual.status, accrual.total, accrual.done, accrual.failed) == ("done", 4, 4, 0)
    assert accrual.percent == 100 and accrual.error == ""
    assert accrual.started_at and accrual.finished_at
    assert sorted(Charge.objects.values_list("amount_kopecks", flat=True)) == [
        10 * 550,
        20 * 550,
        30 * 550,
    ]

    with django_capture_on_commit_callbacks(execute=True):
        receipts = start(staff, BillingRun.Kind.RECEIPTS)
    receipts.refresh_from_db()
    assert (receipts.status, receipts.total, receipts.done, receipts.failed) == ("done", 4, 4, 0)
    assert sorted(IssuedDocument.objects.values_list("account__number", flat=True)) == sorted(
        a.number for a in accounts[:3]
    ), "an account with nothing on it gets no empty receipt"


def test_one_failing_account_is_reported_and_the_others_are_done(staff, accounts, monkeypatch):
    real = services.accrual_for_account
    bad = accounts[1]

    def accrual(*, account, period, tariffs=None):
        if account.pk == bad.pk:
            raise ValueError("нет тарифа")
        return real(account=account, period=period, tariffs=tariffs)

    monkeypatch.setattr(services, "accrual_for_account", accrual)
    run = start(staff, BillingRun.Kind.ACCRUAL)

    run = services.billing_run_execute(run_id=run.pk)

    assert (run.status, run.total, run.done, run.failed) == ("failed", 4, 3, 1)
    assert run.error == f"{bad.number}: ValueError: нет тарифа"
    assert run.finished_at is not None
    assert set(Charge.objects.values_list("account_id", flat=True)) == {
        accounts[0].pk,
        accounts[2].pk,
    }

    # Mended, the same run is done again from the start.
    monkeypatch.setattr(services, "accrual_for_account", real)
    run = services.billing_run_execute(run_id=run.pk)
    assert (run.status, run.done, run.failed, run.error) == ("done", 4, 0, "")
    assert Charge.objects.count() == 3


def test_a_failing_receipt_is_reported_too(staff, accounts, monkeypatch):
    for a in accounts:
        services.accrual_for_account(account=a, period=P)

    def broken(**kwargs):
        raise DomainError("нет реквизитов")

    monkeypatch.setattr(services, "receipt_issue", broken)
    run = services.billing_run_execute(run_id=start(staff, BillingRun.Kind.RECEIPTS).pk)
    assert (run.status, run.done, run.failed) == ("failed", 1, 3)
    assert run.error.splitlines()[0] == f"{accounts[0].number}: DomainError: нет реквизитов"


def test_a_done_run_is_not_done_again(staff, accounts):
    run = services.billing_run_execute(run_id=start(staff, BillingRun.Kind.ACCRUAL).pk)
    assert run.status == BillingRun.Status.DONE
    Charge.objects.all().delete()
    finished = run.finished_at

    again = services.billing_run_execute(run_id=run.pk)

    assert again.status == BillingRun.Status.DONE and again.finished_at == finished
    assert not Charge.objects.exists()


def test_a_run_that_breaks_outside_the_accounts_does_not_stay_running(staff, accounts, monkeypatch):
    class Broken:
        class objects:  # noqa: N801 - stands in for a manager
            @staticmethod
            def valid_on(day):
                raise RuntimeError("database is locked")

    monkeypatch.setattr(services, "Tariff", Broken)
    run = start(staff, BillingRun.Kind.ACCRUAL)
    with pytest.raises(RuntimeError):
        services.billing_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BillingRun.Status.FAILED
    assert run.error == "RuntimeError: database is locked" and run.finished_at is not None
