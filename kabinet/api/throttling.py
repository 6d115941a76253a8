"""Rate limits of the API: per token, reads and writes counted apart.

- a customer token is counted by its prefix (each token its own budget), an integration
  credential likewise by its prefix, the cabinet's session by the user;
- reads (GET, HEAD, OPTIONS) use ``KABINET_API_RATE_READ``, every other method
  ``KABINET_API_RATE_WRITE``; calls with no auth at all (operations open to anyone) are
  counted by IP address at ``KABINET_API_RATE_ANON``.

Rates look like ``600/m`` (``s``, ``m``, ``h``, ``d``) and are read from the settings on each
request. Over the rate the answer is 429 in the one error shape with ``Retry-After``.

The counts live in the cache: per process with the embedded default (local memory), shared
with Redis (``KABINET_CACHE_URL``). They are a guard against runaway programs, not an exact
quota: two requests at the same instant may both pass.
"""

import hashlib
import math
import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from kabinet.core.http import client_ip

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def caller_key(request: HttpRequest) -> str | None:
    """Whom a request is counted against, or None for no auth."""
    auth = getattr(request, "auth", None)
    if auth is None:
        return None
    prefix = getattr(auth, "prefix", None)
    if prefix:
        return f"{type(auth).__name__.lower()}-{prefix}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user-{user.pk}"
    return "auth-" + hashlib.sha256(str(auth).encode()).hexdigest()[:32]


class SettingRateThrottle(SimpleRateThrottle):
    """A ``SimpleRateThrottle`` whose rate is a setting, read on each request (so tests and
    a changed configuration apply without building the API again), and whose per-request
    state is kept per thread (one instance serves every thread of the process)."""

    setting = ""
    scope = ""

    def __init__(self) -> None:
        self._local = threading.local()
        super().__init__()

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def applies(self, request: HttpRequest) -> str | None:
        """The caller's key when this throttle counts the request, else None."""
        raise NotImplementedError

    def get_cache_key(self, request: HttpRequest) -> str | None:
        ident = self.applies(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": f"kabinet-api-{self.scope}", "ident": ident}

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None:
            return True
        count, duration = self.parse_rate(self.get_rate())
        now = self.timer()
        # newest first, as the base class keeps them
        history = [t for t in self.cache.get(key, []) if t > now - duration]
        if len(history) >= count:
            self._local.wait = duration - (now - history[-1])
            return False
        history.insert(0, now)
        self.cache.set(key, history, duration)
        return True

    def wait(self) -> float:
        """Seconds until the oldest counted request leaves the window (at least one)."""
        return max(1, math.ceil(getattr(self._local, "wait", 1)))


class AnonThrottle(SettingRateThrottle):
    setting = "KABINET_API_RATE_ANON"
    scope = "anon"

    def applies(self, request):
        if getattr(request, "auth", None) is not None:
            return None
        return client_ip(request) or "unknown"


class ReadThrottle(SettingRateThrottle):
    setting = "KABINET_API_RATE_READ"
    scope = "read"

    def applies(self, request):
        return caller_key(request) if request.method in SAFE_METHODS else None


class WriteThrottle(SettingRateThrottle):
    setting = "KABINET_API_RATE_WRITE"
    scope = "write"

    def applies(self, request):
        return caller_key(request) if request.method not in SAFE_METHODS else None


def api_throttles() -> list[SettingRateThrottle]:
    """The throttles set on the API object."""
    return [AnonThrottle(), ReadThrottle(), WriteThrottle()]
