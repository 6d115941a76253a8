"""System checks: configuration that would break a production deployment."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def sms_gateway_is_real(app_configs, **kwargs):
    from kabinet.core.utility import get_utility
    from kabinet.core.utility_profiles import PROFILES

    if settings.KABINET_UTILITY not in PROFILES:
        return []  # kabinet.E002 reports it; get_utility() would crash the checks
    profile = get_utility()
    needs_sms = "phone" in profile.signup_modes or "sms_code" in profile.recovery_methods
    if needs_sms and settings.KABINET_SMS_BACKEND.endswith("OutboxSmsSender"):
        return [
            Error(
                "The utility sends SMS codes but KABINET_SMS_BACKEND is the demo outbox.",
                hint="Set KABINET_SMS_BACKEND=kabinet.notifications.sms.SmsRuSender "
                "and KABINET_SMS_RU_API_ID.",
                id="kabinet.E001",
            )
        ]
    if settings.KABINET_SMS_BACKEND.endswith("SmsRuSender") and not settings.KABINET_SMS_RU_API_ID:
        return [
            Error(
                "KABINET_SMS_BACKEND is SMS.ru but KABINET_SMS_RU_API_ID is empty.",
                hint="Set KABINET_SMS_RU_API_ID to the key from the SMS.ru account.",
                id="kabinet.E003",
            )
        ]
    return []


@register()
def utility_profile_exists(app_configs, **kwargs):
    from kabinet.core.utility_profiles import PROFILES

    if settings.KABINET_UTILITY not in PROFILES:
        return [
            Error(
                f"KABINET_UTILITY={settings.KABINET_UTILITY!r} is unknown.",
                hint=f"Choose one of: {', '.join(sorted(PROFILES))}.",
                id="kabinet.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def payment_provider_is_real(app_configs, **kwargs):
    """Production takes real money: the test provider and a key-less ЮKassa are refused."""
    provider = settings.KABINET_PAYMENT_PROVIDER
    if provider not in ("test", "yookassa"):
        return [Error(f"KABINET_PAYMENT_PROVIDER={provider!r} is unknown.", id="kabinet.E004")]
    if provider == "test":
        return [
            Error(
                "KABINET_PAYMENT_PROVIDER is the demo's test provider: no money would move.",
                hint="Set KABINET_PAYMENT_PROVIDER=yookassa with KABINET_YOOKASSA_SHOP_ID "
                "and KABINET_YOOKASSA_SECRET_KEY.",
                id="kabinet.E005",
            )
        ]
    if not (settings.KABINET_YOOKASSA_SHOP_ID and settings.KABINET_YOOKASSA_SECRET_KEY):
        return [
            Error(
                "ЮKassa needs KABINET_YOOKASSA_SHOP_ID and KABINET_YOOKASSA_SECRET_KEY.",
                id="kabinet.E006",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def signing_key_is_real(app_configs, **kwargs):
    """Signed documents need the utility's own key; the demo key is refused."""
    key = getattr(settings, "KABINET_SIGNING_KEY_FILE", None)
    cert = getattr(settings, "KABINET_SIGNING_CERT_FILE", None)
    if not (key and cert):
        return [
            Error(
                "Signed documents (акты сверки, счета-фактуры) need KABINET_SIGNING_KEY_FILE "
                "and KABINET_SIGNING_CERT_FILE; without them the demo's test key would be used.",
                hint="See docs/signing.md.",
                id="kabinet.E007",
            )
        ]
    from django.core.exceptions import ImproperlyConfigured

    from kabinet.core import signing

    try:
        signing.signer_name()  # loads the key: readable, passphrase right, matches the cert
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="kabinet.E008")]
    return []
