"""The billing system's first HTTP API for imports, at ``api/integration/``: kept for one
release as thin aliases of ``/api/v1/integration/`` (``kabinet.api.integration``), over the
same helpers below; only these URLs answer errors as ``{"error": …}``.

    POST /api/integration/imports/<kind>/[?apply=1][&name=file.csv]
         Authorization: Bearer <token>
         the file as the raw body (Content-Type text/csv or the XLSX type) or as the
         ``file`` field of a multipart form
      → 202 {"uuid", "status", "url"}: a batch (source «http») whose preview, and with
        ``apply=1`` its apply, run as the same Celery tasks as a staff upload's
    GET  /api/integration/imports/<uuid>/ → the batch's status, counts and rejected rows

Tokens: ``KABINET_INTEGRATION_TOKENS`` or an integration credential with the scope
``imports``; with neither the API does not exist (404). Plain Django views kept thin over
``kabinet.integration.services``.
"""

import tempfile
from functools import wraps

from django.conf import settings
from django.core.files import File
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kabinet.core.errors import DomainError
from kabinet.integration import services
from kabinet.integration.credentials import credential_check, integration_enabled
from kabinet.integration.models import ImportBatch, IntegrationCredential

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"text/csv": "csv", "application/csv": "csv", XLSX_TYPE: "xlsx"}
REJECTIONS_LIMIT = 1000  # rejected rows in a status answer; the staff page has them all
READ_BLOCK = 1 << 16


def _error(message: str, status: int, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _token_ok(request) -> bool:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    credential = credential_check(token)
    return credential is not None and IntegrationCredential.Scope.IMPORTS in credential.scopes


def token_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not integration_enabled():
            return _error("Not found", 404)
        if not _token_ok(request):
            return _error(
                _("Нужен действующий токен: Authorization: Bearer <токен>."),
                401,
                **{"WWW-Authenticate": 'Bearer realm="kabinet-integration"'},
            )
        return view(request, *args, **kwargs)

    return wrapper


class TooLarge(Exception):
    pass


def limit_bytes() -> int:
    return settings.KABINET_INTEGRATION_MAX_FILE_MB * 1024 * 1024


def read_upload(request, kind: str) -> tuple[File | None, str]:
    """The file sent and its format: a multipart form's ``file`` (or only) field, or
    the raw body, streamed to a temporary file; ``TooLarge`` past the limit."""
    name = request.GET.get("name", "")
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit_bytes():
        raise TooLarge
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file") or next(iter(request.FILES.values()), None)
        if upload is None:
            return None, ""
        ext = upload.name.rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
        fmt = FORMATS.get(upload.content_type) or (ext if ext in ("csv", "xlsx") else "")
        if upload.size > limit_bytes():
            raise TooLarge
        return upload, fmt
    fmt = FORMATS.get(request.content_type, "")
    if not fmt:
        return None, ""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    while block := request.read(READ_BLOCK):
        spool.write(block)
        if spool.tell() > limit_bytes():
            spool.close()
            raise TooLarge
    if not spool.tell():
        spool.close()
        return None, fmt
    spool.seek(0)
    return File(spool, name=name or f"{kind}.{fmt}"), fmt


def batch_status(batch: ImportBatch) -> dict:
    """A batch as the API answers it (both URLs): status, counts, the first rejections."""
    rejections = batch.rejections.values("line", "reason")[:REJECTIONS_LIMIT]
    return {
        "uuid": str(batch.uuid),
        "kind": batch.kind,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "source": batch.source,
        "file": batch.original_name,
        "format": batch.format,
        "total": batch.total,
        "good": batch.good,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "rejected": batch.rejected,
        "progress": batch.progress,
        "error": batch.error,
        "created_at": batch.created_at.isoformat(),
        "previewed_at": batch.previewed_at.isoformat() if batch.previewed_at else None,
        "applied_at": batch.applied_at.isoformat() if batch.applied_at else None,
        "rejections": list(rejections),
        "rejections_truncated": batch.rejected > REJECTIONS_LIMIT,
    }


class Refused(Exception):
    """An import request refused before a batch exists: its HTTP status, a stable code
    and the Russian message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def import_start(request, kind: str, *, apply: bool) -> ImportBatch:
    """Make a batch (source «http», no uploader) of the file the request carries and
    queue its preview — and its apply with ``apply`` — as for a staff upload; raises
    ``Refused`` for an unknown kind (404), a file past the limit (413), a body that is
    neither CSV nor XLSX (415), an empty one or one the service refuses (400)."""
    if kind not in ImportBatch.Kind.values:
        raise Refused(404, "not_found", _("Неизвестный вид загрузки."))
    try:
        upload, fmt = read_upload(request, kind)
    except TooLarge:
        raise Refused(
            413,
            "too_large",
            _("Файл больше %(mb)s МБ: разделите его на части.")
            % {"mb": settings.KABINET_INTEGRATION_MAX_FILE_MB},
        ) from None
    if not fmt:
        raise Refused(
            415,
            "unsupported_media_type",
            _("Передайте файл CSV (Content-Type: text/csv) или XLSX (%(t)s).") % {"t": XLSX_TYPE},
        )
    if upload is None:
        raise Refused(400, "empty", _("Файл пуст."))
    try:
        batch = services.import_upload(
            staff=None,
            kind=kind,
            upload=upload,
            source=ImportBatch.Source.HTTP,
            fmt=fmt,
            auto_apply=apply,
        )
    except DomainError as exc:
        raise Refused(400, exc.code, str(exc.message)) from exc
    finally:
        upload.close()
    batch.refresh_from_db()  # an eager preview (no broker) may have run already
    return batch


@csrf_exempt
@require_POST
@token_required
def import_create(request, kind: str):
    try:
        batch = import_start(request, kind, apply=request.GET.get("apply") == "1")
    except Refused as exc:
        return _error(exc.message, exc.status)
    url = request.build_absolute_uri(reverse("integration_api:status", args=[batch.uuid]))
    return JsonResponse({"uuid": str(batch.uuid), "status": batch.status, "url": url}, status=202)


@require_GET
@token_required
def import_status(request, uuid):
    batch = ImportBatch.objects.filter(uuid=uuid).first()
    if batch is None:
        return _error(_("Загрузка не найдена."), 404)
    url = request.build_absolute_uri(reverse("integration_api:status", args=[batch.uuid]))
    return JsonResponse({**batch_status(batch), "url": url})
