"""Payment providers behind one narrow interface (``base.PaymentProvider``), chosen by
``KABINET_PAYMENT_PROVIDER``: ``test`` (the demo's clearly marked test provider) or
``yookassa`` (ЮKassa's HTTP API v3)."""

from django.conf import settings
from django.utils.module_loading import import_string

from kabinet.payments.providers.base import PaymentProvider

PROVIDERS = {
    "test": "kabinet.payments.providers.test_provider.TestProvider",
    "yookassa": "kabinet.payments.providers.yookassa.YooKassaProvider",
}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The configured provider (or the one a stored payment was made with)."""
    return import_string(PROVIDERS[name or settings.KABINET_PAYMENT_PROVIDER])()
