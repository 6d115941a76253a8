from django.conf import settings

from kabinet.backoffice.roles import user_areas
from kabinet.core.utility import get_utility


def utility(request):
    user = getattr(request, "user", None)
    return {
        "utility": get_utility(),
        "test_outboxes": test_outboxes(),
        # the back-office sections the staff member's role opens (roles.py); empty for customers
        "staff_areas": user_areas(user) if user is not None else frozenset(),
    }


def test_outboxes() -> dict | None:
    """Where the demo's letters and SMS go, so that every page says they go nowhere real."""
    sms_is_test = settings.KABINET_SMS_BACKEND.endswith("OutboxSmsSender")
    mail_is_test = settings.EMAIL_BACKEND.endswith(
        ("filebased.EmailBackend", "console.EmailBackend")
    )
    if not (sms_is_test or mail_is_test):
        return None
    return {
        "mail": mail_is_test,
        "mail_path": str(settings.EMAIL_FILE_PATH) if mail_is_test else "",
        "sms": sms_is_test,
        "sms_path": settings.KABINET_SMS_OUTBOX_DIR or "",
    }
