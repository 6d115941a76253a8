"""Who is calling: a customer's token, the cabinet's session, or (integration routes only) the
utility's systems.

Routers use the API's default auth (``CUSTOMER_AUTH``): first a customer token
(``Authorization: Bearer kab_<prefix>_<secret>``), then the cabinet's session. An operation
that writes calls ``require_full(request)`` first, so a read-only token gets 403.

- A presented token that is not a live one (unknown, wrong secret, revoked, expired, its
  cabinet blocked) is a 401 at once, even with a session cookie beside it: a program must
  learn that its token is dead. It is looked up on every request, never cached, so revoking
  works at once.
- The session is for the cabinet's own pages: it answers only when someone is signed in,
  and its unsafe methods need the CSRF token (the ``X-CSRFToken`` header), like a form.
  A bearer token needs none: a browser never sends it by itself.
"""

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from kabinet.core.errors import DomainError
from kabinet.identity.models import ApiToken
from kabinet.identity.services import api_token_authenticate


class CustomerToken(HttpBearer):
    """A customer's API token; ``request.auth`` is the ``ApiToken``, ``request.user`` its
    owner, so every ``visible_to(request.user)`` applies unchanged."""

    def authenticate(self, request, token: str):
        found = api_token_authenticate(token)
        if found is None:
            # Refused here rather than passed on to the session: a dead token is a 401.
            raise AuthenticationError
        request.user = found.user
        return found


class CabinetSession(SessionAuth):
    """The signed-in cabinet (``request.auth`` is the user). Nobody signed in: not this
    scheme (401), never a CSRF complaint. Signed in: unsafe methods are CSRF-checked."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request):
        checked = self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if checked and check_csrf(request) is not None:
            raise DomainError(
                _(
                    "Запрос из кабинета без CSRF-токена отклонён. Программам нужен "
                    "токен API (Authorization: Bearer <токен>)."
                ),
                code="forbidden",
            )
        return request.COOKIES.get(self.param_name)


customer_token = CustomerToken()
session_auth = CabinetSession(csrf=True)

CUSTOMER_AUTH = [customer_token, session_auth]


def require_full(request) -> None:
    """Refuse a write made with a read-only token (403); the session may always write."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.FULL:
        raise AuthorizationError
