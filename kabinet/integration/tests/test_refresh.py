"""Ежедневное обновление: the billing system's inbox applied once a day, the run kept,
the files moved; the staff page and the customers' «Данные обновлены …»."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from conftest import make_user
from kabinet.integration import refresh
from kabinet.integration.models import ImportBatch, RefreshRun
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
EVENING = datetime(2026, 11, 23, 19, 0, tzinfo=MSK)
NEXT_EVENING = datetime(2026, 11, 24, 19, 0, tzinfo=MSK)


@pytest.fixture
def inbox(settings, tmp_path):
    path = tmp_path / "inbox"
    path.mkdir()
    settings.KABINET_INTEGRATION_INBOX_DIR = str(path)
    return path


@pytest.fixture
def meter():
    return f.meter(f.account())


def readings_csv(meter, value="15,5", *, bad=True) -> str:
    n, m = meter.account.number, meter.number
    lines = ["account;meter;period;value", f"{n};{m};2026-10;{value}"]
    if bad:
        lines.append(f"{n};НЕТ;2026-10;1")
    return "\n".join(lines) + "\n"


def test_files_in_the_inbox_are_applied_moved_and_recorded(inbox, meter):
    (inbox / "readings.csv").write_text(readings_csv(meter), encoding="utf-8")
    run = refresh.integration_refresh_run(now=EVENING)

    # the good row is loaded, the bad one rejected with its reason
    reading = Reading.objects.get()
    assert (reading.meter, reading.value, reading.status) == (meter, 15.5, "accepted")
    (entry,) = run.files
    batch = ImportBatch.objects.get(uuid=entry["batch"])
    assert (batch.source, batch.created_by, batch.status) == ("schedule", None, "applied")
    assert (batch.kind, batch.original_name, batch.created, batch.rejected) == (
        "readings",
        "readings.csv",
        1,
        1,
    )
    assert "Счётчик НЕТ" in batch.rejections.get().reason
    # the run: partial, since a row was rejected
    run.refresh_from_db()
    assert (run.day.isoformat(), run.status, run.forced) == ("2026-11-23", "partial", False)
    assert run.started_at == EVENING and run.finished_at >= EVENING
    assert entry["name"] == "readings.csv" and entry["status"] == "applied"
    # the file: moved to done/<date>/
    assert not (inbox / "readings.csv").exists()
    assert (inbox / "done" / "2026-11-23" / "readings.csv").read_text(
        encoding="utf-8"
    ) == readings_csv(meter)


def test_a_clean_file_makes_an_ok_run(inbox, meter):
    (inbox / "readings.csv").write_text(readings_csv(meter, bad=False), encoding="utf-8")
    assert refresh.integration_refresh_run(now=EVENING).status == "ok"


def test_a_second_call_the_same_day_does_nothing_unless_forced(inbox, meter):
    (inbox / "readings.csv").write_text(readings_csv(meter), encoding="utf-8")
    assert refresh.integration_refresh_run(now=EVENING) is not None
    (inbox / "readings.csv").write_text(readings_csv(meter, "16"), encoding="utf-8")

    assert refresh.integration_refresh_run(now=EVENING.replace(hour=22)) is None
    assert RefreshRun.objects.count() == 1
    assert (inbox / "readings.csv").exists()
    assert Reading.objects.get().value == 15.5

    forced = refresh.integration_refresh_run(now=EVENING.replace(hour=22), force=True)
    assert forced.forced and forced.status == "partial"
    assert Reading.objects.get(status="accepted").value == 16
    done = sorted(p.name for p in (inbox / "done" / "2026-11-23").iterdir())
    assert done == ["readings-220000-1.csv", "readings.csv"]

    # the next day runs again: nothing new in the inbox
    nxt = refresh.integration_refresh_run(now=NEXT_EVENING)
    assert (nxt.day.isoformat(), nxt.status, nxt.files) == ("2026-11-24", "nothing", [])


def test_a_file_that_cannot_be_read_is_a_failed_run(inbox, meter):
    (inbox / "readings.xlsx").write_bytes(b"not a workbook")
    run = refresh.integration_refresh_run(now=EVENING)
    assert run.status == "failed"
    (entry,) = run.files
    assert entry["status"] == "failed"
    assert entry["error"] == "Файл не читается как XLSX."
    batch = ImportBatch.objects.get(uuid=entry["batch"])
    assert (batch.status, batch.source) == ("failed", "schedule")
    assert (inbox / "done" / "2026-11-23" / "readings.xlsx").exists()
    assert not Reading.objects.exists()


def test_an_unexpected_error_is_recorded_and_the_next_file_still_goes(inbox, meter, monkeypatch):
    (inbox / "readings.csv").write_text(readings_csv(meter, bad=False), encoding="utf-8")
    (inbox / "readings.xlsx").write_bytes(b"x")
    real = refresh.services.import_preview
    calls = []

    def preview(*, batch):
        calls.append(batch.original_name)
        if batch.original_name == "readings.csv":
            raise RuntimeError("диск отвалился")
        return real(batch=batch)

    monkeypatch.setattr(refresh.services, "import_preview", preview)
    run = refresh.integration_refresh_run(now=EVENING)
    assert calls == ["readings.csv", "readings.xlsx"]
    assert [e["status"] for e in run.files] == ["failed", "failed"]
    assert "диск отвалился" in run.files[0]["error"]
    assert run.status == "failed"
    assert RefreshRun.objects.get().status == "failed"


def test_files_not_named_by_a_kind_stay_in_the_inbox(inbox, meter):
    (inbox / "readings.csv").write_text(readings_csv(meter, bad=False), encoding="utf-8")
    (inbox / "unknown.csv").write_text("a;b\n", encoding="utf-8")
    run = refresh.integration_refresh_run(now=EVENING)
    assert run.status == "ok"
    assert [(e["name"], e["status"]) for e in run.files] == [
        ("readings.csv", "applied"),
        ("unknown.csv", "ignored"),
    ]
    assert (inbox / "unknown.csv").exists()


def test_kinds_go_in_dependency_order():
    kinds = refresh.inbox_kinds()
    assert sorted(kinds) == sorted(ImportBatch.Kind.values)
    known = [k for k in refresh.ORDER if k in kinds]
    assert kinds[: len(known)] == known


def test_the_command(inbox, meter):
    (inbox / "readings.csv").write_text(readings_csv(meter), encoding="utf-8")
    out = StringIO()
    call_command("integration_refresh", stdout=out)
    assert "Выполнено частично." in out.getvalue()
    assert "readings.csv: applied" in out.getvalue()
    out = StringIO()
    call_command("integration_refresh", stdout=out)
    assert "уже выполнено" in out.getvalue()
    out = StringIO()
    call_command("integration_refresh", "--force", stdout=out)
    assert "Новых файлов не было." in out.getvalue()
    assert RefreshRun.objects.count() == 2


def test_the_beat_entry_runs_at_the_configured_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["integration-refresh"]
    assert entry["task"] == "integration.refresh"
    assert entry["schedule"].hour == {settings.KABINET_INTEGRATION_REFRESH_HOUR} == {19}


def test_the_task_runs_the_refresh(inbox, meter):
    from kabinet.integration.tasks import refresh_task

    (inbox / "readings.csv").write_text(readings_csv(meter, bad=False), encoding="utf-8")
    assert refresh_task.delay().get() == "ok"
    assert refresh_task.delay().get() == "skipped"


# --- what customers see ------------------------------------------------------------

TAG = Template("{% load integration %}{% last_refresh %}")


def test_last_refresh_tag():
    assert TAG.render(Context()).strip() == ""
    RefreshRun.objects.create(
        day=EVENING.date(), status="ok", started_at=EVENING, finished_at=EVENING
    )
    # Rows made here, not by a run: the cached answer is the one from before them.
    assert TAG.render(Context()).strip() == ""
    cache.clear()
    assert TAG.render(Context()).strip() == (
        '<p class="refreshed">Данные обновлены 23.11.2026 в 19:00</p>'
    )
    # a later run that failed or found nothing does not count
    for status, hour in (("failed", 20), ("nothing", 21)):
        RefreshRun.objects.create(
            day=EVENING.date(),
            forced=True,
            status=status,
            started_at=EVENING.replace(hour=hour),
            finished_at=EVENING.replace(hour=hour),
        )
    cache.clear()
    assert "23.11.2026 в 19:00" in TAG.render(Context())
    RefreshRun.objects.create(
        day=NEXT_EVENING.date(),
        status="partial",
        started_at=NEXT_EVENING,
        finished_at=NEXT_EVENING.replace(minute=2),
    )
    cache.clear()
    assert "Данные обновлены 24.11.2026 в 19:02" in TAG.render(Context())


# --- the staff page ----------------------------------------------------------------


def test_staff_see_the_runs_with_each_files_batch(client, inbox, meter):
    (inbox / "readings.csv").write_text(readings_csv(meter), encoding="utf-8")
    run = refresh.integration_refresh_run(now=EVENING)
    batch = ImportBatch.objects.get()
    client.force_login(make_user(login="billing-1", staff=True, role="billing"))
    page = client.get(reverse("integration_exports:refresh")).content.decode()
    assert "Ежедневное обновление" in page
    assert "23.11.2026 19:00" in page
    assert run.get_status_display() in page
    assert "readings.csv" in page
    assert reverse("integration:batch", args=[batch.uuid]) in page
    assert "Данные обновлены 23.11.2026 в 19:0" in page


def test_staff_start_a_forced_run(client, inbox, meter, django_capture_on_commit_callbacks):
    refresh.integration_refresh_run(now=EVENING)
    (inbox / "readings.csv").write_text(readings_csv(meter, bad=False), encoding="utf-8")
    client.force_login(make_user(login="billing-1", staff=True, role="billing"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integration_exports:refresh_run"))
    assert response.status_code == 302
    assert RefreshRun.objects.filter(forced=True, status="ok").count() == 1
    assert Reading.objects.filter(status="accepted").count() == 1


def test_the_refresh_pages_are_for_the_imports_area(client, alice):
    urls = [reverse("integration_exports:refresh")]
    client.force_login(make_user(login="op-1", staff=True, role="operator"))
    assert client.get(urls[0]).status_code == 403
    assert client.post(reverse("integration_exports:refresh_run")).status_code == 403
    client.force_login(alice)
    assert client.get(urls[0]).status_code == 404
    assert client.post(reverse("integration_exports:refresh_run")).status_code == 404
    assert not RefreshRun.objects.exists()
