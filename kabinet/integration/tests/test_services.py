"""Upload, preview (a dry run), apply in chunks; idempotency and a crash mid-apply."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kabinet.integration import services
from kabinet.integration.importers import readings as readings_importer
from kabinet.integration.models import ImportBatch
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def meters():
    return [f.meter(f.account(), decimals=2) for _ in range(3)]


def _file(meters, *, bad=True) -> bytes:
    lines = ["account;meter;zone;period;value;source;taken_at"]
    for i, m in enumerate(meters):
        lines.append(f"{m.account.number};{m.number};;2026-03;{1000 + i},5;billing;20.03.2026")
    if bad:
        lines.append(f"{meters[0].account.number};НЕТ-ТАКОГО;;2026-03;10;;")  # line 5
        lines.append(f"{meters[0].account.number};{meters[0].number};;2026-03;abc;;")  # 6
        lines.append(f"{meters[1].account.number};{meters[1].number};night;2026-03;7;;")  # 7
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(staff, content: bytes, name="readings.csv") -> ImportBatch:
    return services.import_upload(
        staff=staff, kind="readings", upload=SimpleUploadedFile(name, content)
    )


def test_preview_stores_rejections_and_writes_no_readings(staff, meters):
    batch = services.import_preview(batch=_upload(staff, _file(meters)))
    assert batch.status == "previewed"
    assert (batch.total, batch.good, batch.rejected) == (6, 3, 3)
    assert (batch.created, batch.updated, batch.unchanged) == (3, 0, 0)
    assert [(r.line, r.reason) for r in batch.rejections.all()] == [
        (5, f"Счётчик НЕТ-ТАКОГО лицевого счёта {meters[0].account.number} не найден."),
        (6, "Показание «abc» не число."),
        (7, "У счётчика нет зоны «night»."),
    ]
    assert batch.rejections.get(line=6).raw["value"] == "abc"
    assert not Reading.objects.exists()


def test_apply_creates_readings_and_reports_rejected_lines(staff, meters):
    batch = services.import_preview(batch=_upload(staff, _file(meters)))
    batch = services.import_apply(batch=batch)
    assert batch.status == "applied" and batch.progress == 6
    assert (batch.created, batch.unchanged, batch.rejected, batch.good) == (3, 0, 3, 3)
    assert list(batch.rejections.values_list("line", flat=True)) == [5, 6, 7]
    assert Reading.objects.filter(status="accepted").count() == 3
    reading = Reading.objects.get(meter=meters[2])
    assert str(reading.value) == "1002.5000" and timezone.localdate(reading.submitted_at).day == 20


def test_the_same_file_twice_changes_nothing(staff, meters):
    content = _file(meters)
    services.import_apply(batch=services.import_preview(batch=_upload(staff, content)))
    before = list(Reading.objects.values_list("pk", "value", "status"))

    second = services.import_preview(batch=_upload(staff, content))
    assert (second.created, second.unchanged) == (0, 3)
    second = services.import_apply(batch=second)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 3, 3)
    assert list(Reading.objects.values_list("pk", "value", "status")) == before

    # Applying an applied batch again is a no-op.
    assert services.import_apply(batch=second).unchanged == 3
    assert Reading.objects.count() == 3


def test_a_missing_column_fails_the_batch_with_the_reason(staff):
    batch = services.import_preview(batch=_upload(staff, b"account;meter;period\n1;2;2026-03\n"))
    assert batch.status == "failed" and "value" in batch.error
    with pytest.raises(Exception, match="проверенную"):
        services.import_apply(batch=batch)


def test_xlsx_upload_is_applied(staff, meters):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["account", "meter", "period", "value"])
    book.active.append([meters[0].account.number, meters[0].number, "03.2026", 12.25])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = services.import_preview(batch=_upload(staff, buffer.getvalue(), name="R.XLSX"))
    assert batch.format == "xlsx" and batch.good == 1
    assert services.import_apply(batch=batch).created == 1


def test_crash_mid_apply_leaves_whole_chunks_and_a_rerun_completes(staff, monkeypatch):
    meters = [f.meter(f.account(), decimals=2) for _ in range(7)]
    monkeypatch.setattr(readings_importer, "CHUNK_SIZE", 2)
    content = _file(meters, bad=False)  # 7 rows: chunks of 2, 2, 2, 1
    batch = services.import_preview(batch=_upload(staff, content))

    real = readings_importer.readings_load_accepted
    calls = {"n": 0}

    def crash_in_third_chunk(*, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            rows = list(rows)
            real(rows=rows[:1])  # half of the chunk written ...
            raise RuntimeError("процесс убит")  # ... then the process dies
        return real(rows=rows)

    monkeypatch.setattr(readings_importer, "readings_load_accepted", crash_in_third_chunk)
    with pytest.raises(RuntimeError):
        services.import_apply(batch=batch)

    batch.refresh_from_db()
    assert batch.status == "failed" and "процесс убит" in batch.error
    assert batch.progress == 4 and batch.created == 4
    # Only the two whole chunks: the half-written third one was rolled back.
    assert Reading.objects.count() == 4

    monkeypatch.setattr(readings_importer, "readings_load_accepted", real)
    batch = services.import_apply(batch=batch)
    assert batch.status == "applied" and batch.progress == 7
    assert (batch.created, batch.unchanged, batch.rejected) == (7, 0, 0)
    assert Reading.objects.count() == 7
    assert Reading.objects.values("meter", "period", "zone").distinct().count() == 7


def test_killed_process_leaves_status_applying_and_a_rerun_resumes(staff, meters, monkeypatch):
    # A killed worker writes nothing after its last whole chunk: the batch stays
    # «применяется» with the progress of that chunk.
    monkeypatch.setattr(readings_importer, "CHUNK_SIZE", 2)
    batch = services.import_preview(batch=_upload(staff, _file(meters)))
    batch.status = "applying"
    batch.save()
    real = readings_importer.readings_load_accepted

    def die(*, rows):
        raise SystemExit  # not an Exception: nothing marks the batch failed

    calls = {"n": 0}

    def first_chunk_then_die(*, rows):
        calls["n"] += 1
        return real(rows=rows) if calls["n"] == 1 else die(rows=rows)

    monkeypatch.setattr(readings_importer, "readings_load_accepted", first_chunk_then_die)
    with pytest.raises(SystemExit):
        services.import_apply(batch=batch)
    batch.refresh_from_db()
    assert batch.status == "applying" and batch.progress == 2
    assert Reading.objects.count() == 2

    monkeypatch.setattr(readings_importer, "readings_load_accepted", real)
    batch = services.import_apply(batch=batch)
    assert (batch.status, batch.progress, batch.created, batch.rejected) == ("applied", 6, 3, 3)
    assert Reading.objects.count() == 3


def test_a_crash_during_preview_fails_the_batch(staff, meters, monkeypatch):
    batch = _upload(staff, _file(meters))

    def boom(*, rows):
        raise RuntimeError("сбой")

    monkeypatch.setattr(readings_importer, "readings_load_accepted", boom)
    with pytest.raises(RuntimeError):
        services.import_preview(batch=batch)
    batch.refresh_from_db()
    assert batch.status == "failed" and "сбой" in batch.error
    assert not batch.rejections.exists()
