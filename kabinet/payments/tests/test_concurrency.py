"""At the same moment, on PostgreSQL: notifications for one payment credit it once; one
form submitted twice makes one payment. Real threads, each with its own connection,
start together at a barrier; the provider's answer is held until every thread has it,
so all of them get past the checks made before the row lock and meet at the lock.

Skipped on SQLite (its writers queue for the whole database, there is no race to
lose); run with
``KABINET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest -p no:xdist``.
"""

import json
import threading

import pytest
from django.db import connection, connections

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.customer_accounts.tests.factories import account
from kabinet.payments import services
from kabinet.payments.models import (
    OnlinePayment,
    PaymentEvent,
    ProviderEvent,
    TestProviderPayment,
)
from kabinet.payments.providers.base import ProviderError
from kabinet.payments.providers.test_provider import TestProvider

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 20  # seconds: a lock that is never released fails the test, never hangs it


@pytest.fixture(autouse=True)
def _postgresql(settings):
    if connection.vendor != "postgresql":
        reason = (
            f"concurrency needs PostgreSQL's row locks, this run's database is "
            f"{connection.vendor}: run with KABINET_DATABASE_URL=postgres://..."
        )
        print(reason)
        pytest.skip(reason)
    settings.KABINET_PAYMENT_PROVIDER = "test"


def together(n: int, work) -> list:
    """``work(i)`` in ``n`` threads started at once; their results, or the first error."""
    start = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait(TIMEOUT)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection, not the test's

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


def hold_answers(monkeypatch, method: str, n: int) -> None:
    """The provider's answer to ``method`` reaches each thread only when all ``n`` have
    asked: every thread has what it read before the lock, none has the lock yet."""
    original = getattr(TestProvider, method)
    barrier = threading.Barrier(n)

    def held(self, *args, **kwargs):
        answer = original(self, *args, **kwargs)
        barrier.wait(TIMEOUT)
        return answer

    monkeypatch.setattr(TestProvider, method, held)


@pytest.fixture
def accounts(alice):
    return account(owner=alice, number="400000001", flat="1"), account(
        owner=alice, number="400000002", flat="2"
    )


def pay(alice, accounts, key="k1") -> OnlinePayment:
    a, b = accounts
    return services.payment_create(
        user=alice,
        parts=[
            services.PartInput(a, "energy", 150000),
            services.PartInput(a, "penalty", 1234),
            services.PartInput(b, "energy", 99900),
        ],
        method="card",
        receipt_email="alice@example.ru",
        idempotency_key=key,
    )


def notice(provider_payment_id: str, event="payment.succeeded") -> bytes:
    body = {"type": "notification", "event": event, "object": {"id": provider_payment_id}}
    return json.dumps(body).encode()


def assert_credited_once(payment: OnlinePayment) -> None:
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.credited_at is not None
    parts = sorted(payment.parts.values_list("account_id", "purpose", "amount_kopecks"))
    ledger = sorted(
        LedgerPayment.objects.filter(external_id=f"online:{payment.uuid}").values_list(
            "account_id", "purpose", "amount_kopecks"
        )
    )
    assert ledger == parts  # one row per part, none twice
    assert PaymentEvent.objects.filter(payment=payment, to_status="succeeded").count() == 1


@pytest.mark.parametrize("n", [2, 4])
def test_notifications_at_once_credit_once(monkeypatch, alice, accounts, n):
    payment = pay(alice, accounts)
    assert payment.status == "pending"
    TestProviderPayment.objects.filter(id=payment.provider_payment_id).update(status="succeeded")
    hold_answers(monkeypatch, "get_payment", n)

    outcomes = together(
        n,
        lambda _i: services.notification_receive(
            provider_name="test", body=notice(payment.provider_payment_id), remote_addr="127.0.0.1"
        ),
    )

    assert_credited_once(payment)
    # (Each outcome names the state it read before the lock, so several may say
    # "pending → succeeded"; the history above has the one move.)
    assert all(outcome.endswith("→ succeeded") for outcome in outcomes)
    assert ProviderEvent.objects.filter(object_id=payment.provider_payment_id).count() == n


def test_a_notification_and_the_status_page_at_once_credit_once(monkeypatch, alice, accounts):
    payment = pay(alice, accounts)
    TestProviderPayment.objects.filter(id=payment.provider_payment_id).update(status="succeeded")
    hold_answers(monkeypatch, "get_payment", 2)

    def work(i):
        if i == 0:
            return services.notification_receive(
                provider_name="test", body=notice(payment.provider_payment_id), remote_addr="::1"
            )
        return services.payment_sync(payment=payment, note="status page").status

    together(2, work)
    assert_credited_once(payment)


def test_notifications_at_once_for_a_payment_whose_answer_was_lost(monkeypatch, alice, accounts):
    """The provider made the payment but its answer never came (FAILED here, no provider
    id); the payer paid; two notifications about it arrive together: it is linked and
    credited once."""
    original = TestProvider.create_payment

    def answer_lost(self, **kwargs):
        original(self, **kwargs)
        raise ProviderError("read timeout", retryable=True, code="timeout")

    monkeypatch.setattr(TestProvider, "create_payment", answer_lost)
    payment = pay(alice, accounts)
    assert (payment.status, payment.provider_payment_id) == ("failed", "")
    remote = TestProviderPayment.objects.get(idempotency_key="k1")
    TestProviderPayment.objects.filter(pk=remote.pk).update(status="succeeded")
    hold_answers(monkeypatch, "get_payment", 2)

    together(
        2,
        lambda _i: services.notification_receive(
            provider_name="test", body=notice(remote.id), remote_addr="127.0.0.1"
        ),
    )

    assert_credited_once(payment)
    assert payment.provider_payment_id == remote.id and payment.error == ""


def test_one_form_submitted_at_once_makes_one_payment(monkeypatch, alice, accounts, n=2):
    # Hold every thread after its "is there a payment with this key?" until all have
    # asked: all of them go on to create it, and the key's unique index decides.
    original = services._check_parts
    barrier = threading.Barrier(n)

    def checked(**kwargs):
        total = original(**kwargs)
        barrier.wait(TIMEOUT)
        return total

    monkeypatch.setattr(services, "_check_parts", checked)

    payments = together(n, lambda _i: pay(alice, accounts, key="same"))

    assert len({p.pk for p in payments}) == 1
    payment = OnlinePayment.objects.get()
    assert payment.status == "pending" and payment.parts.count() == 3
    assert TestProviderPayment.objects.filter(idempotency_key="same").count() == 1
    assert list(payment.events.values_list("from_status", "to_status")) == [
        ("", "created"),
        ("created", "pending"),
    ]
    assert {p.provider_payment_id for p in payments} == {payment.provider_payment_id}
