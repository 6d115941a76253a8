"""Выгрузки в биллинг: what the portal collected — readings customers submitted,
consumption reports, filed applications with their documents, payments taken online —
over a period, as one CSV, XLSX or JSON file for the billing system to load.

Every object that goes out is marked once (``ExportedRow``, unique per kind and object):
«только новые» carries only objects never exported before; «все за период» carries
everything in the period again but marks only those that were not marked yet, so the
first export of an object stays the one on record.

The file is built by the Celery task ``integration.export_build``, queued on commit
(in-process in the embedded default). Columns are documented in docs/integration.md
(«Выгрузки»); keys are snake_case English, values machine-readable: dates ISO, times
ISO with the offset of the portal's time zone, decimals with a dot.
"""

import csv
import io
import json
import logging
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.integration.models import ExportBatch, ExportedRow

log = logging.getLogger(__name__)

K = ExportBatch.Kind
F = ExportBatch.Format

# The longest period one export may cover.
MAX_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # as the other period forms

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class Col:
    """A column of an export: its key (the header, the JSON key) and the kind of value:
    text, int, decimal, money (roubles, two decimals), date, month, datetime, list."""

    key: str
    kind: str = "text"


COLUMNS: dict[str, list[Col]] = {
    K.READINGS: [
        Col("reading_id", "int"),
        Col("account"),
        Col("meter"),
        Col("zone"),
        Col("period", "month"),
        Col("value", "decimal"),
        Col("submitted_at", "datetime"),
        Col("status"),
    ],
    K.REPORTS: [
        Col("report_id"),
        Col("contract"),
        Col("point"),
        Col("resource"),
        Col("unit"),
        Col("period", "month"),
        Col("consumption", "decimal"),
        Col("read_on", "date"),
        Col("submitted_at", "datetime"),
        Col("status"),
        Col("scan_name"),
    ],
    K.APPLICATIONS: [
        Col("application_id"),
        Col("number"),
        Col("kind"),
        Col("applicant_kind"),
        Col("category"),
        Col("status"),
        Col("applicant_name"),
        Col("object_address"),
        Col("contract"),
        Col("filed_at", "datetime"),
        Col("documents", "list"),
    ],
    K.PAYMENTS: [
        Col("payment_id"),
        Col("provider"),
        Col("provider_payment_id"),
        Col("method"),
        Col("paid_at", "datetime"),
        Col("account"),
        Col("purpose"),
        Col("amount", "money"),
        Col("payment_total", "money"),
    ],
}


# --- what goes out ------------------------------------------------------------------


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The period as aware datetimes of the portal's time zone, the end exclusive."""
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return start, end


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _readings(start, end):
    from kabinet.metering.models import Reading

    qs = (
        Reading.objects.filter(
            source=Reading.Source.CUSTOMER,
            status__in=[Reading.Status.SUBMITTED, Reading.Status.ACCEPTED],
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .select_related("meter__account")
        .order_by("submitted_at", "pk")
    )

    def rows(reading):
        return [
            {
                "reading_id": reading.pk,
                "account": reading.meter.account.number,
                "meter": reading.meter.number,
                "zone": reading.zone,
                "period": reading.period,
                "value": reading.value,
                "submitted_at": _local(reading.submitted_at),
                "status": reading.status,
            }
        ]

    return qs, rows


def _reports(start, end):
    from kabinet.contracts.models import ConsumptionReport

    qs = (
        ConsumptionReport.objects.filter(
            status__in=[ConsumptionReport.Status.SENT, ConsumptionReport.Status.ACCEPTED],
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .select_related("point__contract")
        .order_by("submitted_at", "pk")
    )

    def rows(report):
        return [
            {
                "report_id": str(report.uuid),
                "contract": report.point.contract.number,
                "point": report.point.number,
                "resource": report.point.resource,
                "unit": report.point.unit_of_measure,
                "period": report.period,
                "consumption": report.consumption,
                "read_on": report.read_on,
                "submitted_at": _local(report.submitted_at),
                "status": report.status,
                "scan_name": report.scan_name,
            }
        ]

    return qs, rows


_UNSAFE = re.compile(r"[^\w.\- ]+")


def _safe(name: str) -> str:
    """A name fit for a path inside the ZIP: no separators, no control characters."""
    return _UNSAFE.sub("_", name).strip(" .") or "file"


def document_path(application, document) -> str:
    """Where a document of an application lies in the export's ZIP."""
    folder = _safe(application.number or str(application.uuid))
    return f"documents/{folder}/{document.uuid.hex[:8]}_{_safe(document.name)}"


def _applications(start, end):
    from kabinet.applications.models import Application

    qs = (
        Application.objects.exclude(status=Application.Status.DRAFT)
        .filter(filed_at__gte=start, filed_at__lt=end)
        .select_related("contract")
        .prefetch_related("files")
        .order_by("filed_at", "pk")
    )

    def rows(app):
        return [
            {
                "application_id": str(app.uuid),
                "number": app.number or "",
                "kind": app.kind,
                "applicant_kind": app.applicant_kind,
                "category": app.category,
                "status": app.status,
                "applicant_name": app.applicant_name,
                "object_address": app.object_address,
                "contract": app.contract.number if app.contract_id else "",
                "filed_at": _local(app.filed_at),
                "documents": [
                    {
                        "path": document_path(app, doc),
                        "name": doc.name,
                        "doc_type": doc.doc_type,
                        "content_type": doc.content_type,
                        "size": doc.size,
                        "from_staff": doc.from_staff,
                    }
                    for doc in app.files.all()
                ],
            }
        ]

    return qs, rows


def _payments(start, end):
    from kabinet.payments.models import OnlinePayment

    qs = (
        OnlinePayment.objects.filter(
            status=OnlinePayment.Status.SUCCEEDED,
            succeeded_at__gte=start,
            succeeded_at__lt=end,
        )
        .prefetch_related("parts__account")
        .order_by("succeeded_at", "pk")
    )

    def rows(payment):
        return [
            {
                "payment_id": str(payment.uuid),
                "provider": payment.provider,
                "provider_payment_id": payment.provider_payment_id,
                "method": payment.method,
                "paid_at": _local(payment.succeeded_at),
                "account": part.account.number,
                "purpose": part.purpose,
                "amount": part.amount_kopecks,
                "payment_total": payment.amount_kopecks,
            }
            for part in sorted(payment.parts.all(), key=lambda p: p.pk)
        ]

    return qs, rows


SOURCES = {
    K.READINGS: _readings,
    K.REPORTS: _reports,
    K.APPLICATIONS: _applications,
    K.PAYMENTS: _payments,
}


# --- how it is written --------------------------------------------------------------


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _money(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(Decimal("0.01"))


def _text(value, kind: str):
    """A value as text (CSV) or as a JSON value (``json=True`` keeps lists and ints)."""
    if value is None or value == "":
        return ""
    if kind == "month":
        return value.strftime("%Y-%m")
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return value.isoformat(timespec="seconds")
    if kind == "decimal":
        return _decimal_text(value)
    if kind == "money":
        return str(_money(value))
    if kind == "list":
        return "|".join(item["path"] for item in value)
    return str(value)


def _json_value(value, kind: str):
    if kind == "int":
        return value
    if kind == "list":
        return value
    if value is None:
        return None
    return _text(value, kind)


def write_csv(columns: list[Col], rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow([_text(row.get(c.key), c.kind) for c in columns])
    return out.getvalue().encode("utf-8")


def write_xlsx(columns: list[Col], rows: list[dict], *, title: str) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([c.key for c in columns])
    formats = {
        "date": "yyyy-mm-dd",
        "month": "yyyy-mm",
        "datetime": "yyyy-mm-dd hh:mm:ss",
        "money": "0.00",
    }
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c.key)
            if value is None or value == "":
                cells.append(None)
                continue
            if c.kind == "datetime":
                value = value.replace(tzinfo=None)  # local time: XLSX has no zones
            elif c.kind == "decimal":
                value = float(value)
            elif c.kind == "money":
                value = float(_money(value))
            elif c.kind == "list":
                value = _text(value, c.kind)
            elif c.kind == "text":
                value = str(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text as typed: «=…» is never a formula
            if c.kind in formats:
                cell.number_format = formats[c.kind]
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_json(columns: list[Col], rows: list[dict], *, batch: ExportBatch) -> bytes:
    document = {
        "kind": batch.kind,
        "date_from": batch.date_from.isoformat(),
        "date_to": batch.date_to.isoformat(),
        "only_new": batch.only_new,
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "columns": [c.key for c in columns],
        "rows": [{c.key: _json_value(row.get(c.key), c.kind) for c in columns} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def render(batch: ExportBatch, rows: list[dict]) -> bytes:
    """The table of an export in its format (for applications: the table inside the ZIP)."""
    columns = COLUMNS[batch.kind]
    if batch.format == F.CSV:
        return write_csv(columns, rows)
    if batch.format == F.XLSX:
        return write_xlsx(columns, rows, title=batch.kind)
    return write_json(columns, rows, batch=batch)


def _zip(batch: ExportBatch, table: bytes, objects: list, into) -> None:
    """Applications: the table as ``applications.<format>`` and every document under
    ``documents/<number>/``, as the table's ``documents`` column names it; written into
    the file object ``into`` (a temporary file: documents are copied, not held)."""
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"applications.{batch.format}", table)
        for app in objects:
            for doc in app.files.all():
                try:
                    source = doc.file.open("rb")
                except FileNotFoundError as exc:
                    raise DomainError(
                        _("Файл документа «%(name)s» заявки № %(number)s не найден.")
                        % {"name": doc.name, "number": app.number}
                    ) from exc
                with source, archive.open(document_path(app, doc), "w") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)


def filename_of(batch: ExportBatch) -> str:
    ext = "zip" if batch.kind == K.APPLICATIONS else batch.format
    period = f"{batch.date_from.isoformat()}_{batch.date_to.isoformat()}"
    return f"{batch.kind}_{period}_{batch.pk}.{ext}"


# --- services -----------------------------------------------------------------------


@transaction.atomic
def export_create(
    *, staff, kind: str, date_from: date, date_to: date, fmt: str, only_new: bool = True
) -> ExportBatch:
    """«Выгрузить»: a new export of ``kind`` over the period; the file is built by a task
    queued on commit."""
    from kabinet.integration.tasks import export_build_task

    if kind not in K.values:
        raise DomainError(_("Выберите, что выгружать."), field="kind")
    if fmt not in F.values:
        raise DomainError(_("Выберите формат: CSV, XLSX или JSON."), field="fmt")
    if date_from is None:
        raise DomainError(_("Укажите начало периода."), field="date_from")
    if date_to is None:
        raise DomainError(_("Укажите конец периода."), field="date_to")
    for day, field in ((date_from, "date_from"), (date_to, "date_to")):
        # 31.12.9999 is a valid date, but the day after it (the period's exclusive end) is not.
        if not EARLIEST <= day <= LATEST:
            raise DomainError(_("Укажите дату с 01.01.2000 по 31.12.2099."), field=field)
    if date_to < date_from:
        raise DomainError(_("Конец периода раньше его начала."), field="date_to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise DomainError(
            _("Период выгрузки — не больше %(n)s дней.") % {"n": MAX_DAYS}, field="date_to"
        )
    batch = ExportBatch.objects.create(
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        format=fmt,
        only_new=only_new,
        created_by=staff,
    )
    audit_record(
        actor=staff,
        action="export_create",
        target=batch,
        changes={
            "kind": [None, kind],
            "period": [None, f"{date_from.isoformat()}..{date_to.isoformat()}"],
            "format": [None, fmt],
            "only_new": [None, only_new],
        },
    )
    transaction.on_commit(lambda: export_build_task.delay(batch.pk))
    return batch


def export_build(*, batch: ExportBatch) -> ExportBatch:
    """Build the file of a queued export and mark its objects, in one transaction; a
    failure is kept on the export («ошибка») with its reason."""
    try:
        with transaction.atomic():
            locked = ExportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ExportBatch.Status.QUEUED:
                return locked  # a repeated delivery: built already
            _build(locked)
            return locked
    except Exception as exc:
        if isinstance(exc, DomainError):
            why = str(exc.message)
        else:
            log.exception("export %s failed", batch.pk)
            why = _("Выгрузка не удалась: %(e)s") % {"e": repr(exc)}
        with transaction.atomic():
            locked = ExportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status == ExportBatch.Status.QUEUED:
                locked.status = ExportBatch.Status.FAILED
                locked.error = why[:2000]
                locked.finished_at = timezone.now()
                locked.save(update_fields=["status", "error", "finished_at"])
        return locked


def _build(batch: ExportBatch) -> None:
    start, end = _bounds(batch.date_from, batch.date_to)
    qs, to_rows = SOURCES[batch.kind](start, end)
    marked = ExportedRow.objects.filter(kind=batch.kind)
    if batch.only_new:
        qs = qs.exclude(pk__in=marked.values("object_id"))
    objects = list(qs)
    # Marks of objects already exported are kept (the first export stays on record).
    ExportedRow.objects.bulk_create(
        [ExportedRow(batch=batch, kind=batch.kind, object_id=obj.pk) for obj in objects],
        ignore_conflicts=True,
        batch_size=1000,
    )
    ours = set(ExportedRow.objects.filter(batch=batch).values_list("object_id", flat=True))
    if batch.only_new:
        # Another export marked some at the same moment: they went out with it.
        objects = [obj for obj in objects if obj.pk in ours]
    rows = [row for obj in objects for row in to_rows(obj)]
    content = render(batch, rows)
    batch.filename = filename_of(batch)
    if batch.kind == K.APPLICATIONS:
        with tempfile.TemporaryFile() as archive:
            _zip(batch, content, objects, archive)
            archive.seek(0)
            batch.file.save(batch.uuid.hex, File(archive), save=False)
    else:
        batch.file.save(batch.uuid.hex, ContentFile(content), save=False)
    batch.rows = len(objects)
    batch.marked = len(ours)
    batch.status = ExportBatch.Status.READY
    batch.finished_at = timezone.now()
    batch.error = ""
    batch.save()


def export_content_type(batch: ExportBatch) -> str:
    ext = batch.filename.rsplit(".", 1)[-1] if batch.filename else batch.format
    return CONTENT_TYPES.get(ext, "application/octet-stream")
