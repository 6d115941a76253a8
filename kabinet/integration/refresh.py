"""Ежедневное обновление (003 §3.1: the data is refreshed daily at 19:00).

The billing system drops its files into ``KABINET_INTEGRATION_INBOX_DIR``, each named
after the kind it holds: ``<kind>.csv`` or ``<kind>.xlsx`` (kinds are
``ImportBatch.Kind`` values). Once a day (Celery beat at
``KABINET_INTEGRATION_REFRESH_HOUR``, or ``manage.py integration_refresh``) every such
file becomes an import batch (source «ежедневное обновление», no uploader), is previewed
and applied through the same import services as a staff upload, and is moved to
``done/<YYYY-MM-DD>/`` in the inbox. The run (``RefreshRun``) keeps each file's batch.

A second call on the same day does nothing unless forced. Files of a kind the portal
does not import are left where they are and listed on the run.
"""

import logging
import shutil
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.integration import services
from kabinet.integration.models import ImportBatch, RefreshRun

log = logging.getLogger(__name__)

# Kinds in the order they depend on each other: what a later file refers to (a house,
# an account, a contract, a meter) is loaded first. Kinds not named here go last.
ORDER = (
    "houses",
    "premises",
    "accounts",
    "parties",
    "contracts",
    "meters",
    "tariffs",
    "readings",
    "charges",
    "payments",
    "outages",
)
FORMATS = ("csv", "xlsx")

R = RefreshRun.Status


def inbox_dir() -> Path:
    return Path(settings.KABINET_INTEGRATION_INBOX_DIR)


def inbox_kinds() -> list[str]:
    """The kinds the portal imports today, in the order a refresh applies them."""
    known = list(ImportBatch.Kind.values)
    ordered = [kind for kind in ORDER if kind in known]
    return ordered + sorted(kind for kind in known if kind not in ordered)


def _scheduled_batch(*, kind: str, path: Path) -> ImportBatch:
    """The batch of an inbox file, built as ``services.import_upload`` builds a staff
    upload's, but from the billing system itself: source «ежедневное обновление», no
    uploader, and no preview queued (the refresh previews and applies it itself)."""
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind,
            format=path.suffix[1:].lower(),
            original_name=path.name[-200:],
            source=ImportBatch.Source.SCHEDULE,
            created_by=None,
        )
        with path.open("rb") as handle:
            batch.file.save(batch.uuid.hex, File(handle), save=False)
        batch.save()
    return batch


def _move_done(path: Path, *, day, now: datetime) -> None:
    done = inbox_dir() / "done" / day.isoformat()
    done.mkdir(parents=True, exist_ok=True)
    target = done / path.name
    n = 1
    while target.exists():  # a forced second run the same day
        stamp = timezone.localtime(now).strftime("%H%M%S")
        target = done / f"{path.stem}-{stamp}-{n}{path.suffix}"
        n += 1
    shutil.move(str(path), str(target))


def _apply_file(*, kind: str, path: Path) -> dict:
    """Preview and apply one inbox file; what happened, for the run's ``files``."""
    entry = {"name": path.name, "kind": kind, "batch": "", "status": "", "error": ""}
    try:
        batch = _scheduled_batch(kind=kind, path=path)
        entry["batch"] = str(batch.uuid)
        batch = services.import_preview(batch=batch)
        if batch.status == ImportBatch.Status.PREVIEWED:
            batch = services.import_apply(batch=batch)
        entry["status"] = batch.status
        entry["error"] = batch.error
        entry["rejected"] = batch.rejected
    except Exception as exc:
        log.exception("daily refresh: %s failed", path.name)
        entry["status"] = ImportBatch.Status.FAILED
        entry["error"] = str(exc.message) if isinstance(exc, DomainError) else repr(exc)
    return entry


def _status(entries: list[dict]) -> str:
    done = [e for e in entries if e.get("status") != "ignored"]
    if not done:
        return R.NOTHING
    applied = [e for e in done if e["status"] == ImportBatch.Status.APPLIED]
    if not applied:
        return R.FAILED
    if len(applied) < len(done) or any(e.get("rejected") for e in applied):
        return R.PARTIAL
    return R.OK


def integration_refresh_run(*, now: datetime | None = None, force: bool = False):
    """Apply every file the billing system left in the inbox, once a day; ``None`` when
    today's run has been done already (and ``force`` is not set)."""
    clock = timezone.now()
    now = now or clock
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            if not force and RefreshRun.objects.filter(day=day, forced=False).exists():
                return None
            run = RefreshRun.objects.create(day=day, forced=force, started_at=now)
    except IntegrityError:
        return None  # another run of the day started at the same moment
    entries: list[dict] = []
    try:
        inbox = inbox_dir()
        inbox.mkdir(parents=True, exist_ok=True)
        taken = set()
        for kind in inbox_kinds():
            for fmt in FORMATS:
                path = inbox / f"{kind}.{fmt}"
                if not path.is_file():
                    continue
                taken.add(path.name)
                entries.append(_apply_file(kind=kind, path=path))
                _move_done(path, day=day, now=now)
                RefreshRun.objects.filter(pk=run.pk).update(files=entries)
        for path in sorted(inbox.iterdir()):
            if path.is_file() and path.name not in taken and not path.name.startswith("."):
                entries.append(
                    {
                        "name": path.name,
                        "kind": "",
                        "batch": "",
                        "status": "ignored",
                        "error": _("Файл не назван по виду загрузки; оставлен во входящих."),
                    }
                )
        run.status = _status(entries)
    except Exception as exc:
        log.exception("daily refresh failed")
        run.status = R.FAILED
        run.error = repr(exc)[:2000]
    run.files = entries
    run.finished_at = now + (timezone.now() - clock)
    run.save()
    cache.delete(LAST_REFRESH_KEY)
    return run


# Every customer page shows the time in its footer: read once, then from the cache
# until the next run finishes (or an hour passes, for a run on another machine).
LAST_REFRESH_KEY = "integration:last_refresh"
NEVER = "never"


def last_refresh_at() -> datetime | None:
    """When data last came from the billing system by the daily refresh."""
    cached = cache.get(LAST_REFRESH_KEY)
    if cached is not None:
        return None if cached == NEVER else cached
    at = (
        RefreshRun.objects.filter(status__in=[R.OK, R.PARTIAL], finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    cache.set(LAST_REFRESH_KEY, at or NEVER, 3600)
    return at
