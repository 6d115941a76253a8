"""Integration operations for the utility's systems, at ``/api/v1/integration/``: file imports
(the billing system), exports, and the metering head-end's interval data, event logs and
register snapshots.

Every operation here takes only an integration credential (``IntegrationBearer``), never a
customer's token or session (401), and needs its scope (403 without it). The old
``/api/integration/`` URLs are thin aliases over the same helpers
(``kabinet.integration.api``) for one release.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from kabinet.api.errors import ERRORS, WRITE_ERRORS, ErrorOut
from kabinet.core.http import private_download
from kabinet.integration import exports
from kabinet.integration.api import XLSX_TYPE, Refused, batch_status, import_start
from kabinet.integration.credentials import credential_check
from kabinet.integration.models import ExportBatch, ImportBatch, IntegrationCredential

Scope = IntegrationCredential.Scope


class IntegrationBearer(HttpBearer):
    """``Authorization: Bearer kint_…`` — an integration credential (or a legacy
    ``KABINET_INTEGRATION_TOKENS`` token, scope ``imports`` only). An unknown, wrong or
    revoked token is a 401; a good one without ``scope`` a 403."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token: str):
        credential = credential_check(token)
        if credential is None:
            return None
        if self.scope not in credential.scopes:
            raise AuthorizationError
        return credential


IMPORTS = IntegrationBearer(Scope.IMPORTS)
EXPORTS = IntegrationBearer(Scope.EXPORTS)
INTERVALS = IntegrationBearer(Scope.INTERVALS)

router = Router(tags=["Интеграция"])


# --- imports -----------------------------------------------------------------------


class ImportAccepted(Schema):
    uuid: UUID
    status: str
    url: str


class Rejection(Schema):
    line: int
    reason: str


class ImportStatusOut(Schema):
    uuid: UUID
    kind: str
    status: str
    status_label: str
    source: str
    file: str
    format: str
    total: int
    good: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    progress: int
    error: str
    created_at: datetime
    previewed_at: datetime | None
    applied_at: datetime | None
    rejections: list[Rejection]
    rejections_truncated: bool
    url: str


_FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _import_url(request, batch: ImportBatch) -> str:
    return request.build_absolute_uri(f"/api/v1/integration/imports/{batch.uuid}")


def _refused(exc: Refused):
    return Status(exc.status, {"code": exc.code, "message": exc.message, "fields": {}})


@router.get(
    "imports/{uuid:uuid}",
    auth=IMPORTS,
    response={200: ImportStatusOut, **ERRORS},
    summary="Состояние загрузки",
    operation_id="integration_import_status",
)
def import_status(request, uuid: UUID):
    """Статус, счётчики и первые 1000 отклонённых строк загрузки."""
    batch = get_object_or_404(ImportBatch, uuid=uuid)
    return {**batch_status(batch), "url": _import_url(request, batch)}


@router.post(
    "imports/{kind}",
    auth=IMPORTS,
    response={202: ImportAccepted, **WRITE_ERRORS, 413: ErrorOut, 415: ErrorOut},
    summary="Загрузить файл из биллинга",
    operation_id="integration_import_create",
    openapi_extra=_FILE_BODY,
)
def import_create(request, kind: str, apply: bool = False, name: str = ""):
    """Файл CSV или XLSX вида ``kind`` (поле ``file`` формы или тело запроса) становится
    загрузкой: она проверяется, а с ``apply=true`` и применяется, как загрузка сотрудника.
    Размер ограничен ``KABINET_INTEGRATION_MAX_FILE_MB`` (413)."""
    try:
        batch = import_start(request, kind, apply=apply)
    except Refused as exc:
        return _refused(exc)
    return Status(
        202, {"uuid": batch.uuid, "status": batch.status, "url": _import_url(request, batch)}
    )


# --- exports -----------------------------------------------------------------------


class ExportIn(Schema):
    kind: Literal["readings", "reports", "applications", "payments"]
    date_from: date
    date_to: date
    format: Literal["csv", "xlsx", "json"] = "csv"
    only_new: bool = True


class ExportOut(Schema):
    uuid: UUID
    kind: str
    date_from: date
    date_to: date
    format: str
    only_new: bool
    status: str
    status_label: str
    rows: int
    marked: int
    filename: str
    error: str
    created_at: datetime
    finished_at: datetime | None
    url: str
    file_url: str | None


def _export_out(request, batch: ExportBatch) -> dict:
    url = request.build_absolute_uri(f"/api/v1/integration/exports/{batch.uuid}")
    ready = batch.status == ExportBatch.Status.READY
    return {
        "uuid": batch.uuid,
        "kind": batch.kind,
        "date_from": batch.date_from,
        "date_to": batch.date_to,
        "format": batch.format,
        "only_new": batch.only_new,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "rows": batch.rows,
        "marked": batch.marked,
        "filename": batch.filename,
        "error": batch.error,
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
        "url": url,
        "file_url": f"{url}/file" if ready else None,
    }


@router.post(
    "exports",
    auth=EXPORTS,
    response={202: ExportOut, **WRITE_ERRORS},
    summary="Начать выгрузку",
    operation_id="integration_export_create",
)
def export_create(request, payload: ExportIn):
    """Выгрузка вида ``kind`` за период (обе даты включительно, не больше 366 дней): файл
    строится задачей; его состояние — по ``url``, сам файл — по ``file_url``, когда готов."""
    batch = exports.export_create(
        staff=None,
        kind=payload.kind,
        date_from=payload.date_from,
        date_to=payload.date_to,
        fmt=payload.format,
        only_new=payload.only_new,
    )
    batch.refresh_from_db()  # built already when tasks run in-process
    return Status(202, _export_out(request, batch))


@router.get(
    "exports/{uuid:uuid}",
    auth=EXPORTS,
    response={200: ExportOut, **ERRORS},
    summary="Состояние выгрузки",
    operation_id="integration_export_status",
)
def export_status(request, uuid: UUID):
    return _export_out(request, get_object_or_404(ExportBatch, uuid=uuid))


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "exports/{uuid:uuid}/file",
    auth=EXPORTS,
    response={**ERRORS, 409: ErrorOut},
    summary="Скачать файл выгрузки",
    operation_id="integration_export_file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Файл выгрузки (заявки — ZIP с документами)",
                "content": {
                    "text/csv": _BINARY,
                    XLSX_TYPE: _BINARY,
                    "application/json": _BINARY,
                    "application/zip": _BINARY,
                },
            }
        }
    },
)
def export_file(request, uuid: UUID):
    batch = get_object_or_404(ExportBatch, uuid=uuid)
    if batch.status != ExportBatch.Status.READY:
        message = (
            _("Выгрузка не удалась: %(e)s") % {"e": batch.error}
            if batch.status == ExportBatch.Status.FAILED
            else _("Выгрузка ещё готовится.")
        )
        return Status(409, {"code": "state", "message": message, "fields": {}})
    return private_download(
        batch.file, filename=batch.filename, content_type=exports.export_content_type(batch)
    )
