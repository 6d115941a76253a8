"""A subscriber sends the month's consumption report of a contract (003 §3.4) with the
scan of the signed report, and sees it in the history as «отправлен»; a wrong figure is
stopped next to its field and nothing is saved."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kabinet.contracts.models import ConsumptionReport
from kabinet.contracts.services.reports import report_field
from kabinet.contracts.tests.factories import contract, organisation
from kabinet.contracts.views import reports as views
from tests.e2e.journeys import alert, field_error, go, main_text, sign_in

TODAY = date(2026, 3, 20)  # reports for March 2026 are taken until the 25th
SCAN = {
    "name": "Отчёт март 2026.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
}


@pytest.fixture(autouse=True)
def today(monkeypatch, settings, tmp_path):
    """Move the portal's today (the live server runs in a thread of this process) and
    keep this test's files apart."""
    monkeypatch.setattr(views, "_today", lambda: TODAY)
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")


@pytest.fixture
def con(alice):
    return contract(party=organisation(alice), number="01234")


def open_form(page, con):
    sign_in(page, "alice@example.ru")
    go(page, f"/contracts/{con.uuid}/reports/")
    expect(page.get_by_role("heading", name="Отчёты о потреблении", exact=True)).to_be_visible()
    page.get_by_role("link", name="Передать отчёт").click()
    expect(page.get_by_role("heading", name="Передать отчёт о потреблении")).to_be_visible()


def send(page):
    """Press «Отправить отчёт» and wait for the page the POST leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить отчёт").click()


def test_send_the_months_report_with_its_scan_and_see_it_sent(page, con):
    point = con.points.get()
    open_form(page, con)
    text = main_text(page)
    assert "до 25 числа; формат XXXXXX,XX; PDF, JPEG или PNG до 10 МБ" in text
    section = page.get_by_role("region", name=f"Точка учёта {point.number}")
    expect(section).to_contain_text("ВКТ-7 № 12345")

    consumption = page.locator(f'[name="{report_field(point, "consumption")}"]')
    read_on = page.locator(f'[name="{report_field(point, "read_on")}"]')
    scan = page.locator('[name="scan"]')

    # A wrong figure first: refused next to its field, what was typed kept, nothing saved.
    consumption.fill("1234,567")
    read_on.fill("2026-03-19")
    scan.set_input_files(SCAN)
    send(page)
    expect(alert(page)).to_have_text("Проверьте поля, отмеченные ниже.")
    expect(field_error(page, report_field(point, "consumption"))).to_contain_text(
        "Введите расход в формате XXXXXX,XX"
    )
    expect(consumption).to_have_value("1234,567")
    expect(read_on).to_have_value("2026-03-19")
    expect(page.locator("#scan-again")).to_contain_text("Файл нужно выбрать ещё раз")
    assert not ConsumptionReport.objects.exists()

    consumption.fill("1234,50")
    scan.set_input_files(SCAN)
    send(page)

    expect(page).to_have_url(re.compile(f"/contracts/{con.uuid}/reports/$"))
    expect(page.get_by_role("heading", name="Отчёты о потреблении", exact=True)).to_be_visible()
    assert "Отчёт отправлен (точек учёта: 1)." in main_text(page)
    row = page.locator("table.reports-table tbody tr").filter(has_text=point.number)
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Период"]')).to_have_text("Март 2026")
    expect(row.locator('td[data-label="Отправлено"]')).to_have_text("1\u00a0234,5 Гкал")
    expect(row.locator('td[data-label="Учтено во взаиморасчётах"]')).to_have_text("—")
    expect(row.locator('td[data-label="Дата снятия показаний"]')).to_have_text("19.03.2026")
    expect(row.locator('td[data-label="Состояние"] .badge')).to_have_text("отправлен")
    expect(row.locator('td[data-label="Отправил"]')).to_contain_text("Алиса")
    expect(row.get_by_role("link", name="Отчёт март 2026.pdf")).to_be_visible()

    report = ConsumptionReport.objects.get()
    assert (report.consumption, report.read_on, report.status, report.scan_name) == (
        Decimal("1234.50"),
        date(2026, 3, 19),
        "sent",
        "Отчёт март 2026.pdf",
    )
