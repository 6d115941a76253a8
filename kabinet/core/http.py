"""Small request helpers shared by the views of every app."""

from django.conf import settings
from django.forms import Form

from kabinet.core.errors import DomainError


def client_ip(request) -> str | None:
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def form_error(form: Form, exc: DomainError) -> None:
    """Put a service's refusal next to its field, or above the form when it has none."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
