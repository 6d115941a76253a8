"""Загрузки из биллинга: upload a file, preview it (a dry run), apply it in chunks.

Applying is idempotent and resumable: each chunk of ``CHUNK_SIZE`` rows is applied in
its own transaction together with the batch's progress, counts and rejected rows, so a
process killed mid-apply leaves whole chunks only, and a re-run goes on after the last
one. Rows already in the database are «без изменений», so a second file with the same
rows changes nothing.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.integration.importers import importer
from kabinet.integration.models import ImportBatch, ImportRejection
from kabinet.integration.parsing import Row, parse_rows

# Rows per chunk (one transaction each), unless the kind's importer says otherwise.
CHUNK_SIZE = 1000
S = ImportBatch.Status

# The allowed moves of a batch's status.
TRANSITIONS = {
    S.UPLOADED: {S.PREVIEWED, S.FAILED},
    S.PREVIEWED: {S.PREVIEWED, S.APPLYING, S.FAILED},
    S.APPLYING: {S.APPLYING, S.APPLIED, S.FAILED},
    S.FAILED: {S.APPLYING},
    S.APPLIED: set(),
}


class _DryRun(Exception):
    """Raised to roll a preview's chunk back."""


def _move(batch: ImportBatch, to: str) -> None:
    if to not in TRANSITIONS[batch.status]:
        raise DomainError(
            _("Загрузку в статусе «%(s)s» нельзя перевести в «%(t)s».")
            % {"s": batch.get_status_display(), "t": S(to).label}
        )
    batch.status = to


def _fail(batch_id: int, exc: Exception) -> None:
    """Record why a preview or an apply stopped; an apply resumes from its progress."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (S.UPLOADED, S.APPLYING):
            batch.status = S.FAILED
            why = str(exc.message) if isinstance(exc, DomainError) else repr(exc)
            batch.error = why[:2000]
            batch.save(update_fields=["status", "error"])


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _chunk_size(kind: str) -> int:
    return getattr(importer(kind), "CHUNK_SIZE", CHUNK_SIZE)


@contextmanager
def _rows(batch: ImportBatch) -> Iterator[Iterator[Row]]:
    """The batch's rows, read from its file as a stream."""
    with batch.file.open("rb") as handle:
        rows = parse_rows(kind=batch.kind, fmt=batch.format, content=handle)
        try:
            yield rows
        finally:
            rows.close()


def _apply_chunk(kind: str, chunk: list[Row]) -> tuple[Counter, list[tuple[Row, str]]]:
    """Apply a chunk's good rows through the kind's importer; the rows the parser
    refused are rejected with its reason."""
    good = [row for row in chunk if not row.error]
    rejected = [(row, row.error) for row in chunk if row.error]
    counts, refused = importer(kind).apply(good) if good else (Counter(), [])
    return counts, sorted(rejected + refused, key=lambda pair: pair[0].line)


def _rejections(batch: ImportBatch, rejected: list[tuple[Row, str]]) -> None:
    ImportRejection.objects.bulk_create(
        ImportRejection(batch=batch, line=row.line, reason=why[:500], raw=row.data)
        for row, why in rejected
    )


@transaction.atomic
def import_upload(
    *,
    staff,
    kind: str,
    upload,
    source: str = ImportBatch.Source.UPLOAD,
    fmt: str = "",
    auto_apply: bool = False,
) -> ImportBatch:
    """Keep a file the billing system exported, as a new batch of ``kind``; its preview
    is queued on commit. ``staff`` is empty when the billing system sent the file
    itself (``source``); the format is the file name's extension unless ``fmt`` is
    given; with ``auto_apply`` a batch whose preview succeeds is applied at once."""
    from kabinet.integration.tasks import import_preview_task

    if kind not in ImportBatch.Kind.values:
        raise DomainError(_("Неизвестный вид загрузки."), field="kind")
    name = upload.name or ""
    fmt = fmt or (name.rsplit(".", 1)[-1].lower() if "." in name else "")
    if fmt not in ImportBatch.Format.values:
        raise DomainError(_("Загрузите файл CSV или XLSX."), field="file")
    batch = ImportBatch(
        kind=kind,
        format=fmt,
        original_name=name[-200:],
        created_by=staff,
        source=source,
        auto_apply=auto_apply,
    )
    batch.file.save(batch.uuid.hex, upload, save=False)
    batch.save()
    audit_record(actor=staff, action="import_upload", target=batch, note=batch.original_name)
    transaction.on_commit(lambda: import_preview_task.delay(batch.pk))
    return batch


def import_preview(*, batch: ImportBatch) -> ImportBatch:
    """Проверка: validate every row as applying would, write nothing but the batch's
    would-be counts and its rejected rows. Each chunk runs for real and is rolled back."""
    counts: Counter = Counter()
    rejected: list[tuple[Row, str]] = []
    total = 0
    error = ""
    try:
        with _rows(batch) as rows:
            for chunk in _chunks(rows, _chunk_size(batch.kind)):
                total += len(chunk)
                try:
                    with transaction.atomic():
                        chunk_counts, chunk_rejected = _apply_chunk(batch.kind, chunk)
                        raise _DryRun
                except _DryRun:
                    pass
                counts += chunk_counts
                rejected += chunk_rejected
    except DomainError as exc:
        error = str(exc.message)
    except Exception as exc:
        _fail(batch.pk, exc)
        raise
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if error:
            _move(batch, S.FAILED)
            batch.error = error
            batch.save()
            return batch
        _move(batch, S.PREVIEWED)
        batch.rejections.all().delete()
        _rejections(batch, rejected)
        batch.total = total
        batch.rejected = len(rejected)
        batch.good = total - len(rejected)
        batch.created = counts["created"]
        batch.updated = counts["updated"]
        batch.unchanged = counts["unchanged"]
        batch.previewed_at = timezone.now()
        batch.error = ""
        if batch.auto_apply:
            _queue_apply(batch)
        batch.save()
    return batch


def _queue_apply(batch: ImportBatch) -> None:
    from kabinet.integration.tasks import import_apply_task

    _move(batch, S.APPLYING)
    transaction.on_commit(lambda: import_apply_task.delay(batch.pk))


@transaction.atomic
def import_request_apply(*, staff, batch: ImportBatch) -> ImportBatch:
    """«Применить»: mark the previewed batch as applying and queue the work on commit."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != S.PREVIEWED:
        raise DomainError(_("Применить можно только проверенную загрузку."))
    was = batch.status
    _queue_apply(batch)
    batch.save(update_fields=["status"])
    audit_record(
        actor=staff,
        action="import_request_apply",
        target=batch,
        changes={"status": [was, batch.status]},
    )
    return batch


def _start(batch_id: int) -> ImportBatch | None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == S.APPLIED:
            return None
        if batch.apply_started_at is None:
            if batch.status not in (S.PREVIEWED, S.APPLYING):
                raise DomainError(_("Применить можно только проверенную загрузку."))
            _move(batch, S.APPLYING)
            batch.rejections.all().delete()
            batch.created = batch.updated = batch.unchanged = 0
            batch.rejected = batch.progress = 0
            batch.apply_started_at = timezone.now()
        else:
            _move(batch, S.APPLYING)  # a re-run after a crash: go on after `progress`
        batch.error = ""
        batch.save()
        return batch


def import_apply(*, batch: ImportBatch) -> ImportBatch:
    """Применение: apply the batch in chunks, each in its own transaction with the
    progress, counts and rejected rows; resumes after the last whole chunk."""
    started = _start(batch.pk)
    if started is None:
        return ImportBatch.objects.get(pk=batch.pk)
    batch = started
    try:
        with _rows(batch) as rows:
            # Rows applied before a crash are read again but not applied.
            rows = islice(rows, batch.progress, None)
            for chunk in _chunks(rows, _chunk_size(batch.kind)):
                with transaction.atomic():
                    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
                    if locked.status != S.APPLYING or locked.progress != batch.progress:
                        return locked  # another run got here first
                    counts, rejected = _apply_chunk(batch.kind, chunk)
                    _rejections(locked, rejected)
                    locked.created += counts["created"]
                    locked.updated += counts["updated"]
                    locked.unchanged += counts["unchanged"]
                    locked.rejected += len(rejected)
                    locked.progress += len(chunk)
                    locked.save()
                batch = locked
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            _move(batch, S.APPLIED)
            batch.total = batch.progress
            batch.good = batch.total - batch.rejected
            batch.applied_at = timezone.now()
            batch.save()
            # One line for the whole batch (never one per row); the worker is the system.
            audit_record(
                actor=None,
                action="import_apply",
                target=batch,
                changes={
                    name: [None, getattr(batch, name)]
                    for name in ("total", "created", "updated", "unchanged", "rejected")
                },
            )
        return batch
    except Exception as exc:
        _fail(batch.pk, exc)
        raise
