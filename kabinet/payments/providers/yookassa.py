"""ЮKassa (YooKassa), its HTTP API v3 (https://api.yookassa.ru/v3/), called with
``requests`` — no SDK: five calls and one notification format do not need one.

- Authentication: HTTP Basic, shop id : secret key (``KABINET_YOOKASSA_SHOP_ID``,
  ``KABINET_YOOKASSA_SECRET_KEY``). A ``test_…`` key belongs to a test shop: no money
  moves, and the provider says so (``is_test``).
- Every POST carries ``Idempotence-Key`` (at most 64 characters): ЮKassa answers a
  repeat with the result of the first request, so a retry after a timeout is harmless.
- Card payments go to ЮKassa's page (``confirmation.type = redirect``); SBP payments
  get a QR code (``confirmation.type = qr``) whose content — a link to the bank's
  app — comes back in ``confirmation.confirmation_data``.
- Money crosses the boundary as a string with two decimals ("1234.56") and comes back
  to integer kopecks through ``Decimal``; never a float.
- Answers (https://yookassa.ru/developers/using-api/response-handling/): 200 is the
  object; 4xx is a refusal (``{"type": "error", "code", "description"}``), final except
  429; 5xx means "result unknown, repeat with the same key"; 202 means "accepted, still
  processing, repeat after ``retry_after`` milliseconds with the same key".

Tested with recorded answers in ``kabinet/payments/tests/fixtures/yookassa/``.
"""

import ipaddress
import json
import logging
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import requests
from django.conf import settings

from kabinet.payments.providers.base import (
    FiscalReceipt,
    Notification,
    NotificationRejected,
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    SavedMethod,
)

log = logging.getLogger(__name__)

API_URL = "https://api.yookassa.ru/v3"
TIMEOUT = (5, 30)  # seconds: connect, read
MAX_DESCRIPTION = 128  # payment description and receipt item description
MAX_IDEMPOTENCE_KEY = 64

# Where ЮKassa sends notifications from, as its documentation publishes them
# (https://yookassa.ru/developers/using-api/webhooks, «IP-адреса» / authenticity).
# The official SDK lists four /64 networks inside 2a02:5180::/32; the documentation
# gives the whole /32, used here.
NOTIFICATION_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "185.71.76.0/27",
        "185.71.77.0/27",
        "77.75.153.0/25",
        "77.75.156.11/32",
        "77.75.156.35/32",
        "77.75.154.128/25",
        "2a02:5180::/32",
    )
)

# ЮKassa's card_type → how the portal names the card ("Visa •••• 4242").
CARD_TITLES = {"mir": "МИР", "unknown": "Карта", "": "Карта"}


def rub(amount: int) -> str:
    """Integer kopecks → ЮKassa's amount value: 123456 → "1234.56"."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ProviderError(
            f"ЮKassa: {amount!r} is not a positive number of kopecks (invalid_amount)",
            retryable=False,
            code="invalid_amount",
        )
    roubles, kop = divmod(amount, 100)
    return f"{roubles}.{kop:02d}"


def kopecks(value) -> int:
    """ЮKassa's amount value → integer kopecks, exactly: "1234.56" → 123456. Anything
    that is not a whole number of kopecks is an answer we cannot trust."""
    try:
        exact = Decimal(str(value)) * 100
        if not exact.is_finite() or exact != exact.to_integral_value():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ProviderError(
            f"ЮKassa answered with an amount that is not kopecks: {value!r}",
            retryable=False,
            code="invalid_answer",
        ) from exc
    return int(exact)


def _quantity(text: str) -> int | float:
    """A receipt line's quantity as the JSON number ЮKassa expects (up to three
    decimals). Not money: a float of "1.5" prints back as 1.5 exactly."""
    try:
        value = Decimal(str(text))
        if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.001")):
            raise InvalidOperation
    except (InvalidOperation, ValueError) as exc:
        raise ProviderError(
            f"ЮKassa: receipt quantity {text!r} is not a positive number (invalid_receipt)",
            retryable=False,
            code="invalid_receipt",
        ) from exc
    return int(value) if value == value.to_integral_value() else float(value)


def _receipt(receipt: FiscalReceipt) -> dict:
    """The 54-ФЗ receipt for «Чеки от ЮKassa» or the shop's own cash register.
    ``items[].amount`` is ЮKassa's price per unit; with quantity 1 it is the line."""
    return {
        "customer": {"email": receipt.email},
        "items": [
            {
                "description": item.description[:MAX_DESCRIPTION],
                "quantity": _quantity(item.quantity),
                "amount": {"value": rub(item.amount_kopecks), "currency": "RUB"},
                "vat_code": item.vat_code,
                "payment_subject": item.payment_subject,
                "payment_mode": item.payment_mode,
            }
            for item in receipt.items
        ],
    }


def _metadata(metadata: dict) -> dict:
    # ЮKassa keeps metadata as strings (up to 16 keys) and hands them back as such.
    return {str(key): str(value) for key, value in (metadata or {}).items()}


def _saved_method(data: dict | None) -> SavedMethod | None:
    """The card a payment was made with. Only a bank card ЮKassa describes (``card``
    appears once the customer has entered it) becomes a SavedMethod: that is what the
    portal keeps for autopay; other methods are never asked to be saved."""
    if not isinstance(data, dict) or data.get("type") != "bank_card" or not data.get("id"):
        return None
    card = data.get("card")
    if not isinstance(card, dict):
        return None
    card_type = str(card.get("card_type") or "")
    name = CARD_TITLES.get(card_type.lower(), card_type)
    last4 = str(card.get("last4") or "")
    month, year = str(card.get("expiry_month") or ""), str(card.get("expiry_year") or "")
    return SavedMethod(
        id=str(data["id"]),
        title=f"{name} •••• {last4}" if last4 else name,
        card_type=card_type,
        expiry=f"{month}/{year}" if month and year else "",
        saved=bool(data.get("saved")),
    )


def _payment(data: dict) -> ProviderPayment:
    """ЮKassa's payment object → the portal's ProviderPayment."""
    try:
        amount = data["amount"]
        if amount.get("currency") != "RUB":
            raise ProviderError(
                f"ЮKassa answered in {amount.get('currency')!r}, not RUB",
                retryable=False,
                code="invalid_answer",
            )
        confirmation = data.get("confirmation") or {}
        return ProviderPayment(
            id=str(data["id"]),
            status=str(data["status"]),
            amount_kopecks=kopecks(amount["value"]),
            paid=bool(data.get("paid")),
            confirmation_url=str(confirmation.get("confirmation_url") or ""),
            confirmation_data=str(confirmation.get("confirmation_data") or ""),
            method=_saved_method(data.get("payment_method")),
            cancellation_reason=str((data.get("cancellation_details") or {}).get("reason") or ""),
            metadata=dict(data.get("metadata") or {}),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ProviderError(
            "ЮKassa answered with something other than a payment",
            retryable=False,
            code="invalid_answer",
        ) from exc


class YooKassaProvider(PaymentProvider):
    """ЮKassa: bank cards (with saving for autopay) and SBP by QR code."""

    name = "yookassa"

    def __init__(
        self,
        *,
        shop_id: str | None = None,
        secret_key: str | None = None,
        session: requests.Session | None = None,
    ):
        self.shop_id = (
            shop_id if shop_id is not None else getattr(settings, "KABINET_YOOKASSA_SHOP_ID", "")
        ) or ""
        self.secret_key = (
            secret_key
            if secret_key is not None
            else getattr(settings, "KABINET_YOOKASSA_SECRET_KEY", "")
        ) or ""
        # A test shop's key: nothing is charged, and the portal shows its test banner.
        self.is_test = self.secret_key.startswith("test_")
        self.session = session or requests.Session()

    # --- the calls -------------------------------------------------------------------

    def create_payment(
        self, *, amount_kopecks, description, method, return_url, save_method, receipt,
        idempotency_key, metadata,
    ) -> ProviderPayment:  # fmt: skip
        body = self._payment_body(
            amount_kopecks=amount_kopecks,
            description=description,
            receipt=receipt,
            metadata=metadata,
        )
        if method == "card":
            body["payment_method_data"] = {"type": "bank_card"}
            body["confirmation"] = {"type": "redirect", "return_url": return_url}
            if save_method:
                body["save_payment_method"] = True
        elif method == "sbp":
            # Saving an SBP account needs a separate agreement with ЮKassa; the portal
            # only saves cards, so it is never asked for here.
            body["payment_method_data"] = {"type": "sbp"}
            body["confirmation"] = {"type": "qr"}
        else:
            raise ProviderError(
                f"ЮKassa: unknown payment method {method!r} (invalid_request)",
                retryable=False,
                code="invalid_request",
            )
        payment = _payment(self._call("POST", "/payments", body, idempotency_key))
        log.info("ЮKassa payment %s created (%s, key %s)", payment.id, method, idempotency_key)
        return payment

    def get_payment(self, payment_id: str) -> ProviderPayment:
        return _payment(self._call("GET", f"/payments/{_segment(payment_id)}"))

    def cancel_payment(self, payment_id: str, *, idempotency_key: str) -> ProviderPayment:
        """ЮKassa cancels only a payment waiting for capture; with ``capture: true`` a
        pending payment is not cancelable and simply expires (ЮKassa answers 400)."""
        path = f"/payments/{_segment(payment_id)}/cancel"
        return _payment(self._call("POST", path, {}, idempotency_key))

    def refund(self, payment_id: str, *, amount_kopecks: int, idempotency_key: str) -> str:
        """A full refund needs no receipt (ЮKassa takes the payment's); a partial one
        under «Чеки от ЮKassa» needs a receipt this interface does not carry yet."""
        body = {
            "payment_id": payment_id,
            "amount": {"value": rub(amount_kopecks), "currency": "RUB"},
        }
        data = self._call("POST", "/refunds", body, idempotency_key)
        try:
            refund_id = str(data["id"])
        except KeyError as exc:
            raise ProviderError(
                "ЮKassa answered with something other than a refund",
                retryable=False,
                code="invalid_answer",
            ) from exc
        log.info(
            "ЮKassa refund %s of payment %s: %s (key %s)",
            refund_id,
            payment_id,
            data.get("status"),
            idempotency_key,
        )
        return refund_id

    def charge_saved_method(
        self, *, method_id, amount_kopecks, description, receipt, idempotency_key, metadata
    ) -> ProviderPayment:
        body = self._payment_body(
            amount_kopecks=amount_kopecks,
            description=description,
            receipt=receipt,
            metadata=metadata,
        )
        body["payment_method_id"] = method_id
        payment = _payment(self._call("POST", "/payments", body, idempotency_key))
        log.info(
            "ЮKassa autopay %s from a saved card: %s (key %s)",
            payment.id,
            payment.status,
            idempotency_key,
        )
        return payment

    def parse_notification(self, *, body: bytes, remote_addr: str) -> Notification:
        """ЮKassa's notifications are not signed: the only check here is that the
        request came from one of ЮKassa's published networks, so ``remote_addr`` must
        be the real peer (a proxy's forwarded address, taken from the proxy only).
        Even then the body is a claim, never a fact: the caller fetches the payment
        back with ``get_payment`` before acting on it (the service layer does)."""
        try:
            address = ipaddress.ip_address((remote_addr or "").strip())
        except ValueError as exc:
            raise NotificationRejected(f"not an IP address: {remote_addr!r}") from exc
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not any(address in network for network in NOTIFICATION_NETWORKS):
            raise NotificationRejected(f"{address} is not one of ЮKassa's addresses")
        try:
            data = json.loads(body)
        except (ValueError, TypeError) as exc:
            raise NotificationRejected("the body is not JSON") from exc
        if not isinstance(data, dict) or data.get("type") != "notification":
            raise NotificationRejected("not a notification (type is not 'notification')")
        event = data.get("event")
        obj = data.get("object")
        if not isinstance(event, str) or "." not in event:
            raise NotificationRejected("the notification names no event")
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
            raise NotificationRejected("the notification names no object")
        return Notification(event=event, object_id=obj["id"], payload=data)

    # --- HTTP ------------------------------------------------------------------------

    def _payment_body(self, *, amount_kopecks, description, receipt, metadata) -> dict:
        return {
            "amount": {"value": rub(amount_kopecks), "currency": "RUB"},
            "capture": True,
            "description": description[:MAX_DESCRIPTION],
            "metadata": _metadata(metadata),
            "receipt": _receipt(receipt),
        }

    def _call(
        self, method: str, path: str, body: dict | None = None, idempotency_key: str = ""
    ) -> dict:
        if not (self.shop_id and self.secret_key):
            raise ProviderError(
                "ЮKassa: KABINET_YOOKASSA_SHOP_ID and KABINET_YOOKASSA_SECRET_KEY are not set "
                "(not_configured)",
                retryable=False,
                code="not_configured",
            )
        headers = {}
        if method == "POST":
            if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCE_KEY:
                raise ProviderError(
                    f"ЮKassa: an idempotency key of 1–{MAX_IDEMPOTENCE_KEY} characters is "
                    "required (invalid_request)",
                    retryable=False,
                    code="invalid_request",
                )
            headers["Idempotence-Key"] = idempotency_key
        try:
            response = self.session.request(
                method,
                API_URL + path,
                json=body,
                headers=headers,
                auth=(self.shop_id, self.secret_key),
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ProviderError(
                f"ЮKassa unreachable: {exc}", retryable=True, code="network"
            ) from exc
        return _answer(response)


def _segment(payment_id: str) -> str:
    if not payment_id:
        raise ProviderError("ЮKassa: no payment id", retryable=False, code="invalid_request")
    return quote(str(payment_id), safe="")


def _answer(response: requests.Response) -> dict:
    """The body of a 200, or the ProviderError the status and body amount to."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    if status == 200:
        if not data:
            raise ProviderError(
                "ЮKassa answered 200 with something other than JSON",
                retryable=True,
                code="invalid_answer",
            )
        return data
    code = str(data.get("code") or data.get("type") or f"http_{status}")
    description = str(data.get("description") or response.reason or "")
    if status == 202:
        # Accepted but not finished: the same request with the same key gets the result.
        raise ProviderError(
            f"ЮKassa is still processing the request; repeat it after "
            f"{data.get('retry_after', '?')} ms with the same key",
            retryable=True,
            code="processing",
        )
    if status == 429 or status >= 500:
        raise ProviderError(
            f"ЮKassa HTTP {status}: {description} ({code})", retryable=True, code=code
        )
    raise ProviderError(f"ЮKassa: {description} ({code})", retryable=False, code=code)
