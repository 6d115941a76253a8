"""Who is calling: a customer's token, the cabinet's session, or (integration routes only) the
utility's systems.

Routers use the API's default auth (``CUSTOMER_AUTH``); an operation that writes calls
``require_full(request)`` first, so a read-only token gets 403.
"""

from ninja.errors import AuthorizationError
from ninja.security import SessionAuth

# The cabinet's own pages call the API with the session; unsafe methods are CSRF-checked.
session_auth = SessionAuth(csrf=True)

CUSTOMER_AUTH = [session_auth]


def require_full(request) -> None:
    """Refuse a write made with a read-only token (the session may always write)."""
    token = getattr(request, "auth", None)
    if getattr(token, "scope", "full") != "full":
        raise AuthorizationError
