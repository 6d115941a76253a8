"""Session policy: idle and absolute timeouts, the forced password change, open sessions."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kabinet.core.utility import get_utility
from kabinet.identity import services
from kabinet.identity.models import UserSession

# How often the last-seen mark is written: fine enough for a 10-minute idle limit,
# coarse enough not to write the session on every request.
SEEN_RESOLUTION_SECONDS = 30


def now() -> float:
    return time.time()


def stamp_session(request) -> None:
    t = now()
    request.session["kb_auth_at"] = t
    request.session["kb_seen"] = t


def session_expired(session, *, at: float) -> str | None:
    """Why the session has ended ("idle" or "absolute"), or None while it is alive."""
    profile = get_utility()
    remembered = session.get("kb_remember", False)
    seen = session.get("kb_seen", at)
    auth_at = session.get("kb_auth_at", at)
    if remembered:
        absolute = settings.SESSION_COOKIE_AGE
    else:
        absolute = profile.absolute_timeout_hours * 3600
        if at - seen > profile.idle_timeout_minutes * 60:
            return "idle"
    if at - auth_at > absolute:
        return "absolute"
    return None


class SessionPolicyMiddleware:
    exempt_prefixes = ("/static/", "/logout/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.exempt_prefixes):
            t = now()
            if "kb_auth_at" not in request.session:
                # A session opened elsewhere (the admin, a test's force_login) starts its
                # clocks now, so the absolute limit applies to it too.
                stamp_session(request)
            reason = session_expired(request.session, at=t)
            if reason:
                services.session_close(session_key=request.session.session_key)
                logout(request)
                messages.info(
                    request,
                    _("Сеанс завершён после %(n)d минут бездействия. Войдите снова.")
                    % {"n": get_utility().idle_timeout_minutes}
                    if reason == "idle"
                    else _("Сеанс завершён по истечении максимального времени. Войдите снова."),
                )
                query = (
                    urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                )
                return redirect(
                    f"{reverse('identity:login')}?{query}" if query else "identity:login"
                )
            if t - request.session.get("kb_seen", 0) > SEEN_RESOLUTION_SECONDS:
                request.session["kb_seen"] = t
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen=_aware(t)
                )
            if user.must_change_password and request.path != reverse("identity:password_change"):
                return redirect("identity:password_change")
        return self.get_response(request)


def _aware(t: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, tz=UTC)
