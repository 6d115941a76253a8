"""The narrow interface every payment provider implements, with plain dataclasses at
the boundary (no provider's JSON leaks past it).

Money is integer kopecks. Every call that creates or changes something at the provider
carries an idempotency key: the same key again returns the same result, so a retry
after a timeout is harmless.
"""

from dataclasses import dataclass, field


class ProviderError(Exception):
    """The provider refused or could not be reached. ``retryable``: the same call with
    the same idempotency key may be tried again."""

    def __init__(self, message: str, *, retryable: bool, code: str = ""):
        super().__init__(message)
        self.retryable = retryable
        self.code = code

    def __reduce__(self):
        # Keyword-only arguments: without this, Celery's pickling loses the error.
        return _provider_error, (str(self), self.retryable, self.code)


def _provider_error(message: str, retryable: bool, code: str) -> "ProviderError":
    return ProviderError(message, retryable=retryable, code=code)


class NotificationRejected(Exception):
    """A notification that is not from the provider, or that cannot be read."""


@dataclass(frozen=True)
class ReceiptItem:
    """A line of the fiscal receipt (54-ФЗ): the provider's online cash register prints it."""

    description: str
    amount_kopecks: int
    quantity: str = "1"
    vat_code: int = 1  # 1 = без НДС; the utility's profile may say otherwise
    payment_subject: str = "service"
    payment_mode: str = "full_payment"


@dataclass(frozen=True)
class FiscalReceipt:
    email: str
    items: list[ReceiptItem]


@dataclass(frozen=True)
class SavedMethod:
    """A card the provider keeps: only its token and what may be shown (•••• 4242)."""

    id: str
    title: str  # "Visa •••• 4242"
    card_type: str = ""  # "Visa", "MasterCard", "Mir"
    expiry: str = ""  # "12/2028"
    saved: bool = False  # the provider agreed to keep it for later charges


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider sees it."""

    id: str
    status: str  # "pending" | "waiting_for_capture" | "succeeded" | "canceled"
    amount_kopecks: int
    paid: bool = False
    confirmation_url: str = ""  # a page to send the customer to (card)
    confirmation_data: str = ""  # what the SBP QR code encodes (and the phone link)
    method: SavedMethod | None = None
    cancellation_reason: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """What a notification claims: an event about an object. Never trusted as such:
    the payment is fetched back from the provider before anything is done."""

    event: str  # "payment.succeeded", "payment.canceled", ...
    object_id: str
    payload: dict


class PaymentProvider:
    name = ""
    is_test = False

    def create_payment(
        self,
        *,
        amount_kopecks: int,
        description: str,
        method: str,  # "card" | "sbp"
        return_url: str,
        save_method: bool,
        receipt: FiscalReceipt,
        idempotency_key: str,
        metadata: dict,
    ) -> ProviderPayment:
        raise NotImplementedError

    def get_payment(self, payment_id: str) -> ProviderPayment:
        raise NotImplementedError

    def cancel_payment(self, payment_id: str, *, idempotency_key: str) -> ProviderPayment:
        raise NotImplementedError

    def refund(self, payment_id: str, *, amount_kopecks: int, idempotency_key: str) -> str:
        """Returns the provider's refund id."""
        raise NotImplementedError

    def charge_saved_method(
        self,
        *,
        method_id: str,
        amount_kopecks: int,
        description: str,
        receipt: FiscalReceipt,
        idempotency_key: str,
        metadata: dict,
    ) -> ProviderPayment:
        """Autopay: a payment from a saved card without the customer."""
        raise NotImplementedError

    def parse_notification(self, *, body: bytes, remote_addr: str) -> Notification:
        """Check the sender and read the event; raise NotificationRejected otherwise."""
        raise NotImplementedError
