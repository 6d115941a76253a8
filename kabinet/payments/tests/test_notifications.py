"""Provider notifications: kept, the sender checked, and acted on only through what
the provider says when asked."""

import json

import pytest
from django.urls import reverse

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.customer_accounts.tests.factories import account
from kabinet.payments import services
from kabinet.payments.models import OnlinePayment, ProviderEvent, TestProviderPayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(alice):
    a = account(owner=alice)
    return services.payment_create(
        user=alice,
        parts=[services.PartInput(a, "energy", 150000)],
        method="card",
        receipt_email="alice@example.ru",
        idempotency_key="k1",
    )


def notify(client, payment_id, event="payment.succeeded", addr="127.0.0.1"):
    body = json.dumps({"type": "notification", "event": event, "object": {"id": payment_id}})
    return client.post(
        reverse("payments:notification", args=["test"]),
        body,
        content_type="application/json",
        REMOTE_ADDR=addr,
    )


def test_a_forged_success_changes_nothing(client, payment):
    # The provider still says "pending": the notification is kept, nothing is credited.
    assert notify(client, payment.provider_payment_id).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "pending" and not LedgerPayment.objects.exists()
    event = ProviderEvent.objects.get()
    assert (event.event, event.outcome) == ("payment.succeeded", "pending → pending")


def test_a_real_success_credits_once_however_often_told(client, payment):
    TestProviderPayment.objects.filter(id=payment.provider_payment_id).update(status="succeeded")
    for _ in range(3):
        assert notify(client, payment.provider_payment_id).status_code == 200
    notify(client, payment.provider_payment_id, event="payment.canceled")  # late and wrong
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert LedgerPayment.objects.get().amount_kopecks == 150000
    assert ProviderEvent.objects.count() == 4
    assert list(payment.events.values_list("from_status", "to_status")) == [
        ("", "created"),
        ("created", "pending"),
        ("pending", "succeeded"),
    ]


def test_a_stranger_sender_is_refused_and_kept(client, payment):
    assert notify(client, payment.provider_payment_id, addr="203.0.113.5").status_code == 403
    assert ProviderEvent.objects.get().outcome.startswith("rejected")
    assert OnlinePayment.objects.get().status == "pending"


def test_an_unknown_payment_or_provider(client):
    assert notify(client, "test_nothing").status_code == 200
    assert ProviderEvent.objects.get().outcome == "unknown payment"
    response = client.post(
        reverse("payments:notification", args=["paypal"]), b"{}", content_type="application/json"
    )
    assert response.status_code == 404


def test_reconciliation_finds_a_success_whose_notice_never_came(payment):
    from datetime import timedelta

    from django.utils import timezone

    TestProviderPayment.objects.filter(id=payment.provider_payment_id).update(status="succeeded")
    assert services.payments_reconcile() == 0  # too fresh: its notice may still come
    later = timezone.now() + timedelta(minutes=5)
    assert services.payments_reconcile(now=later) == 1
    payment.refresh_from_db()
    assert payment.status == "succeeded" and LedgerPayment.objects.count() == 1
    assert services.payments_reconcile(now=later) == 0
