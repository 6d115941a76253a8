"""Integration operations for the utility's systems, at ``/api/v1/integration/``: file imports
(the billing system), exports, and the metering head-end's interval data, event logs and
register snapshots.

Every operation here takes only an integration credential (``IntegrationBearer``), never a
customer's token or session (401), and needs its scope (403 without it). The old
``/api/integration/`` URLs are thin aliases over the same helpers
(``kabinet.integration.api``) for one release.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from kabinet.api.errors import ERRORS, WRITE_ERRORS, ErrorOut
from kabinet.core.errors import DomainError
from kabinet.core.http import private_download
from kabinet.integration import exports
from kabinet.integration.api import XLSX_TYPE, Refused, batch_status, import_start
from kabinet.integration.credentials import credential_check
from kabinet.integration.devices import DeviceCache
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
    return request.build_absolute_uri(f"/api/v1/integration/imports/batches/{batch.uuid}")


def _refused(exc: Refused):
    return Status(exc.status, {"code": exc.code, "message": exc.message, "fields": {}})


@router.get(
    "imports/batches/{uuid}",
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
    "exports/{uuid}",
    auth=EXPORTS,
    response={200: ExportOut, **ERRORS},
    summary="Состояние выгрузки",
    operation_id="integration_export_status",
)
def export_status(request, uuid: UUID):
    return _export_out(request, get_object_or_404(ExportBatch, uuid=uuid))


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "exports/{uuid}/file",
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


# --- interval data, event logs, register snapshots (the metering head-end) ---------------

MAX_ITEMS = 50_000
SOURCE = "api"


class DeviceIn(Schema):
    """Один прибор: счётчик ИСУ (``meter_number``; ``account``, если номер есть на нескольких
    лицевых счетах), КУУТЭ (``unit_number``; ``contract`` при необходимости) или ОДПУ
    (``building_meter``)."""

    meter_number: str = ""
    account: str = ""
    unit_number: str = ""
    contract: str = ""
    building_meter: str = ""

    def names(self) -> dict:
        return {
            "meter_number": self.meter_number,
            "account": self.account,
            "unit_number": self.unit_number,
            "contract": self.contract,
            "building_meter": self.building_meter,
        }


class PointIn(Schema):
    ts: datetime  # the start of the hour (of the day, for a daily series), with its offset
    value: Decimal | None = None  # None = no data (never a zero)
    estimated: bool = False


class SeriesIn(DeviceIn):
    channel: str
    step_minutes: Literal[60, 1440] = 60
    points: list[PointIn]


class IntervalsIn(Schema):
    series: list[SeriesIn]


class PointRejection(Schema):
    series: int  # the position of the series in the request, from 0
    point: int  # the position of the point in its series, from 0
    ts: datetime | None
    reason: str


class IntervalsOut(Schema):
    points: int
    inserted: int
    replaced: int
    unchanged: int
    kept: int
    rejected: int
    rejections: list[PointRejection]


def _too_many(count: int):
    if count > MAX_ITEMS:
        return Status(
            413,
            {
                "code": "too_large",
                "message": _("Не больше %(n)s значений за запрос, передано %(c)s.")
                % {"n": f"{MAX_ITEMS:,}".replace(",", "\u00a0"), "c": count},
                "fields": {},
            },
        )
    return None


@router.post(
    "intervals",
    auth=INTERVALS,
    response={200: IntervalsOut, **WRITE_ERRORS, 413: ErrorOut},
    summary="Передать интервальные данные",
    operation_id="integration_intervals_ingest",
)
def intervals_ingest(request, payload: IntervalsIn):
    """Часовые (или суточные) значения приборов: не больше 50 000 за запрос. Повтор тех же
    значений ничего не меняет; другое значение заменяет прежнее, а прежнее сохраняется в
    истории исправлений; оценка не заменяет измеренное значение; ``null`` — нет данных.
    Ответ — счётчики и каждое отклонённое значение с причиной."""
    from kabinet.metering.services.intervals import interval_ingest, interval_series_get_or_create

    too_many = _too_many(sum(len(s.points) for s in payload.series))
    if too_many:
        return too_many
    devices = DeviceCache()
    out = {"points": 0, "inserted": 0, "replaced": 0, "unchanged": 0, "kept": 0, "rejected": 0}
    rejections = []
    for s_index, spec in enumerate(payload.series):
        out["points"] += len(spec.points)
        points = []
        for p_index, point in enumerate(spec.points):
            if timezone.is_naive(point.ts):
                naive = _("Время без смещения: укажите его, например 2026-03-20T10:00:00+03:00.")
                rejections.append((s_index, p_index, point.ts, naive))
            else:
                points.append((p_index, point))
        try:
            device = devices.find(**spec.names())
            series = interval_series_get_or_create(
                channel=spec.channel, step_minutes=spec.step_minutes, source=SOURCE, **device
            )
        except DomainError as exc:
            rejections.extend((s_index, i, p.ts, str(exc.message)) for i, p in points)
            continue
        result = interval_ingest(
            series=series,
            points=[
                {"ts": _series_ts(p.ts, series), "value": p.value, "estimated": p.estimated}
                for _i, p in points
            ],
            source=SOURCE,
        )
        for name in ("inserted", "replaced", "unchanged", "kept"):
            out[name] += getattr(result, name)
        rejections.extend(
            (s_index, points[r.index][0], points[r.index][1].ts, r.reason)
            for r in result.rejections
        )
    rejections.sort(key=lambda r: (r[0], r[1]))
    out["rejected"] = len(rejections)
    out["rejections"] = [
        {"series": s, "point": p, "ts": ts, "reason": reason} for s, p, ts, reason in rejections
    ]
    return out


def _series_ts(ts: datetime, series) -> datetime | date:
    """A daily series takes the local day of its midnight."""
    if series.step_minutes == 1440:
        local = timezone.localtime(ts)
        return local.date() if local.time() == time(0) else ts
    return ts


class EventIn(Schema):
    occurred_at: datetime
    code: str
    severity: str = ""
    text: str = ""
    raw: dict = {}


class DeviceEventsIn(DeviceIn):
    events: list[EventIn]


class EventsIn(Schema):
    devices: list[DeviceEventsIn]


class ItemRejection(Schema):
    device: int  # the position of the device in the request, from 0
    item: int  # the position of the event (reading) in its device, from 0
    reason: str


class UpsertOut(Schema):
    items: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejections: list[ItemRejection]


def _upsert_out(total: int, counts: dict, rejections: list) -> dict:
    rejections.sort(key=lambda r: (r[0], r[1]))
    return {
        "items": total,
        **counts,
        "rejected": len(rejections),
        "rejections": [{"device": d, "item": i, "reason": why} for d, i, why in rejections],
    }


@router.post(
    "device-events",
    auth=INTERVALS,
    response={200: UpsertOut, **WRITE_ERRORS, 413: ErrorOut},
    summary="Передать журнал событий приборов",
    operation_id="integration_device_events",
)
def device_events(request, payload: EventsIn):
    """События приборов (отключение питания, вскрытие, напряжение вне пределов, коррекция
    времени…). Повторно переданное событие (то же время и код) ничего не меняет."""
    from kabinet.metering.services.intervals import device_events_upsert

    total = sum(len(d.events) for d in payload.devices)
    too_many = _too_many(total)
    if too_many:
        return too_many
    devices = DeviceCache()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rejections = []
    for d_index, spec in enumerate(payload.devices):
        try:
            device = devices.find(**spec.names())
        except DomainError as exc:
            rejections.extend((d_index, i, str(exc.message)) for i in range(len(spec.events)))
            continue
        result = device_events_upsert(
            events=[e.model_dump() for e in spec.events], source=SOURCE, **device
        )
        for name in counts:
            counts[name] += getattr(result, name)
        rejections.extend((d_index, r.index, r.reason) for r in result.rejections)
    return _upsert_out(total, counts, rejections)


class RegisterIn(Schema):
    day: date  # the snapshot at 00:00 of this local day
    # a_imp, a_exp, r_imp, r_exp (``register`` clashes with a pydantic model attribute)
    scale: str = Field(alias="register")
    zone: str = "total"  # total, t1…t4
    value: Decimal


class MeterRegistersIn(Schema):
    meter_number: str
    account: str = ""
    readings: list[RegisterIn]


class RegistersIn(Schema):
    meters: list[MeterRegistersIn]


@router.post(
    "registers",
    auth=INTERVALS,
    response={200: UpsertOut, **WRITE_ERRORS, 413: ErrorOut},
    summary="Передать профиль показаний (регистры на 00:00)",
    operation_id="integration_registers",
)
def registers(request, payload: RegistersIn):
    """Показания шкал счётчика на начало суток по направлениям (A±, R±) и тарифным зонам.
    То же показание повторно ничего не меняет, другое — заменяет прежнее."""
    from kabinet.metering.services.intervals import register_upsert

    total = sum(len(m.readings) for m in payload.meters)
    too_many = _too_many(total)
    if too_many:
        return too_many
    devices = DeviceCache()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rejections = []
    for m_index, spec in enumerate(payload.meters):
        try:
            device = devices.find(meter_number=spec.meter_number, account=spec.account)
        except DomainError as exc:
            rejections.extend((m_index, i, str(exc.message)) for i in range(len(spec.readings)))
            continue
        result = register_upsert(
            meter=device["meter"],
            readings=[r.model_dump(by_alias=True) for r in spec.readings],
            source=SOURCE,
        )
        for name in counts:
            counts[name] += getattr(result, name)
        rejections.extend((m_index, r.index, r.reason) for r in result.rejections)
    return _upsert_out(total, counts, rejections)
