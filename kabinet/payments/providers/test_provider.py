"""ТЕСТОВАЯ платёжная система: the demo's and the tests' provider. It keeps its own
payments in the database (as a real provider keeps them on its side), shows its own
clearly marked card and SBP pages (``kabinet.payments.test_provider_views``), and after
the customer "pays" there it notifies the portal the way a real provider would. No
money moves and nothing leaves the machine.

Test cards (any future expiry, any CVC):

- 4242 4242 4242 4242 (Visa), 5555 5555 5555 4444 (MasterCard), 2200 0000 0000 0004
  (МИР): paid;
- 4000 0000 0000 0002: declined;
- 4000 0000 0000 0341: paid now, but later charges of the saved card are declined
  (for autopay's "the card failed").
"""

import json
import uuid

from django.urls import reverse

from kabinet.payments.providers.base import (
    FiscalReceipt,
    Notification,
    NotificationRejected,
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    SavedMethod,
)

DECLINED = "0002"
FAILS_LATER = "0341"
CARD_TYPES = {"4": "Visa", "5": "MasterCard", "2": "МИР"}


def _receipt_json(receipt: FiscalReceipt) -> dict:
    return {
        "email": receipt.email,
        "items": [
            {"description": i.description, "amount": i.amount_kopecks} for i in receipt.items
        ],
    }


class TestProvider(PaymentProvider):
    name = "test"
    is_test = True

    def _as_payment(self, p) -> ProviderPayment:
        method = None
        if p.method_id:
            method = SavedMethod(
                id=p.method_id,
                title=p.card_title,
                card_type=p.card_title.split(" ")[0],
                expiry=p.card_expiry,
                saved=p.save_method,
            )
        return ProviderPayment(
            id=p.id,
            status=p.status,
            amount_kopecks=p.amount_kopecks,
            paid=p.status == "succeeded",
            confirmation_url=reverse("test_provider:card", args=[p.id])
            if p.method == "card"
            else "",
            confirmation_data=reverse("test_provider:sbp", args=[p.id])
            if p.method == "sbp"
            else "",
            method=method,
            cancellation_reason=p.cancellation_reason,
            metadata=p.metadata,
        )

    def create_payment(
        self, *, amount_kopecks, description, method, return_url, save_method, receipt,
        idempotency_key, metadata,
    ) -> ProviderPayment:  # fmt: skip
        from kabinet.payments.models import TestProviderPayment

        if method not in ("card", "sbp"):
            raise ProviderError(
                f"unknown method {method!r}", retryable=False, code="invalid_request"
            )
        payment, _created = TestProviderPayment.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "id": f"test_{uuid.uuid4().hex[:24]}",
                "amount_kopecks": amount_kopecks,
                "method": method,
                "return_url": return_url,
                "save_method": save_method and method == "card",
                "metadata": metadata,
                "receipt": _receipt_json(receipt),
            },
        )
        return self._as_payment(payment)

    def get_payment(self, payment_id: str) -> ProviderPayment:
        from kabinet.payments.models import TestProviderPayment

        try:
            return self._as_payment(TestProviderPayment.objects.get(id=payment_id))
        except TestProviderPayment.DoesNotExist as exc:
            raise ProviderError("payment not found", retryable=False, code="not_found") from exc

    def cancel_payment(self, payment_id: str, *, idempotency_key: str) -> ProviderPayment:
        from kabinet.payments.models import TestProviderPayment

        TestProviderPayment.objects.filter(id=payment_id, status="pending").update(
            status="canceled", cancellation_reason="merchant_canceled"
        )
        return self.get_payment(payment_id)

    def refund(self, payment_id: str, *, amount_kopecks: int, idempotency_key: str) -> str:
        return f"test_refund_{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex[:16]}"

    def charge_saved_method(
        self, *, method_id, amount_kopecks, description, receipt, idempotency_key, metadata
    ) -> ProviderPayment:
        from kabinet.payments.models import TestProviderPayment

        source = TestProviderPayment.objects.filter(method_id=method_id).first()
        if source is None:
            raise ProviderError("payment method not found", retryable=False, code="not_found")
        declined = source.card_title.endswith(FAILS_LATER)
        payment, _created = TestProviderPayment.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "id": f"test_{uuid.uuid4().hex[:24]}",
                "amount_kopecks": amount_kopecks,
                "method": "saved_card",
                "status": "canceled" if declined else "succeeded",
                "cancellation_reason": "card_expired" if declined else "",
                "method_id": method_id,
                "card_title": source.card_title,
                "card_expiry": source.card_expiry,
                "save_method": True,
                "metadata": metadata,
                "receipt": _receipt_json(receipt),
            },
        )
        return self._as_payment(payment)

    def parse_notification(self, *, body: bytes, remote_addr: str) -> Notification:
        # The test provider notifies from inside the same machine only.
        if remote_addr not in ("127.0.0.1", "::1"):
            raise NotificationRejected(f"the test provider does not send from {remote_addr}")
        try:
            data = json.loads(body)
            event, object_id = data["event"], data["object"]["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRejected("not a notification") from exc
        # As ЮKassa's: an event and a payment id, both non-empty strings, or nothing.
        if not (isinstance(event, str) and event and isinstance(object_id, str) and object_id):
            raise NotificationRejected("the notification names no event or no payment")
        return Notification(event=event, object_id=object_id, payload=data)
