"""Issue 9: a billing specialist uploads the billing system's file of accepted readings,
sees what it would do and every rejected row with its line and reason, then applies
it; the good rows arrive, the bad ones are left out, and the same file again changes
nothing."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.integration.models import ImportBatch
from kabinet.metering.models import Meter, Reading
from tests.e2e.journeys import main_text, sign_in


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_INTEGRATION_UPLOADS_DIR = str(tmp_path / "uploads")
    call_command("demo_data", quiet=True)


def readings_file(tmp_path) -> tuple:
    good = Meter.objects.get(number="ГВС-000006")
    last = Reading.objects.accepted().filter(meter=good).order_by("-period").first()
    value = f"{last.value + 4:.3f}".replace(".", ",")
    lines = [
        "account;meter;zone;period;value;source;taken_at",
        f"100000006;ГВС-000006;;2026-11;{value};billing;24.11.2026",
        "100000007;ГВС-999999;;2026-11;10;billing;24.11.2026",
        "100000008;ГВС-000008;;2026-11;много;billing;24.11.2026",
        "100000009;ГВС-000009;;13.2026;5;billing;24.11.2026",
    ]
    path = tmp_path / "readings-2026-11.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, good


def test_a_billing_specialist_previews_and_applies_an_import_with_bad_rows(page, demo, tmp_path):
    path, good = readings_file(tmp_path)
    sign_in(page, "billing")
    page.get_by_role("navigation", name="Разделы кабинета").get_by_role(
        "link", name="Обмен с биллингом"
    ).click()
    page.get_by_label("Что загружается").select_option("readings")
    page.get_by_label("Файл").set_input_files(str(path))
    page.get_by_role("button", name="Загрузить и проверить").click()

    expect(page.get_by_role("heading", level=2).first).to_contain_text("проверен")
    rejected = page.get_by_role("region", name="Отклонённые строки")
    rows = rejected.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("3")
    text = main_text(page)
    assert "ГВС-999999" in text
    # nothing is written by the preview
    assert not Reading.objects.filter(meter=good, period="2026-11-01", status="accepted").exists()

    page.get_by_role("button", name="Применить").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("применён")
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.total, batch.rejected) == ("applied", 4, 3)
    assert sorted(batch.rejections.values_list("line", flat=True)) == [3, 4, 5]
    assert Reading.objects.filter(meter=good, period="2026-11-01", status="accepted").exists()
    accepted = Reading.objects.filter(status="accepted").count()

    # the same file again: previewed and applied, nothing changes
    page.get_by_role("link", name="Загрузки из биллинга").click()
    page.get_by_label("Что загружается").select_option("readings")
    page.get_by_label("Файл").set_input_files(str(path))
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.get_by_role("button", name="Применить").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("применён")
    again = ImportBatch.objects.order_by("-id").first()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Reading.objects.filter(status="accepted").count() == accepted
