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


def private_download(field_file, *, filename: str, content_type: str):
    """A customer's stored file (an attachment, a scan, a signed statement), after the
    caller's access check: always downloaded, never shown inline, under its checked
    name, never sniffed, never cached; 404 when the file is gone from the disk."""
    from django.http import FileResponse, Http404

    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
