"""ИСУ: a resident opens the smart meter page from their meters, switches tabs, picks a
period, sees the hour without data marked «нет данных» and downloads the CSV."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from conftest import make_user
from kabinet.metering.tests import smart_data
from tests.e2e.journeys import field_error, go, sign_in


def test_resident_reads_the_smart_meter(page):
    user = make_user(email="isu@example.ru")
    today = timezone.localdate()
    gap = today - timedelta(days=2)
    smart_data.smart_meter(user, today, gap_day=gap)
    sign_in(page, "isu@example.ru")
    go(page, "/meters/")
    page.get_by_role("link", name="Интеллектуальный учёт (ИСУ)").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Интеллектуальная система учёта"
    assert "ИСУ-0001" in page.locator(".lead").inner_text()

    tabs = page.get_by_role("navigation", name="Разделы ИСУ")
    tabs.get_by_role("link", name="Энергия").click()
    page.wait_for_load_state()
    chart = page.locator("figure.chart").first
    assert chart.locator("svg").count() == 1
    assert "нет данных" in chart.locator(".chart__legend").inner_text()
    assert chart.locator(".chart__gap-label").first.inner_text() == "нет данных"
    chart.locator(".chart__slot").nth(10).hover()  # the read-out under the chart (charts.js)
    assert "кВт·ч" in chart.locator("[data-chart-readout]").inner_text()
    gap_title = chart.locator(".chart__gap title").first.text_content()
    assert gap_title.startswith(f"{gap:%d.%m.%Y} 00:00") and gap_title.endswith("нет данных")

    # A period of three days typed in, then an impossible one.
    page.get_by_label("с", exact=True).fill((gap - timedelta(days=1)).isoformat())
    page.get_by_label("по", exact=True).fill((gap + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Показать").click()
    page.wait_for_load_state()
    first, last = gap - timedelta(days=1), gap + timedelta(days=1)
    assert f"{first:%d.%m.%Y} — {last:%d.%m.%Y}" in page.locator(".period-nav").inner_text()
    assert page.locator(".chart__slot").count() == 48  # 72 hours, 24 of them without data
    page.get_by_label("по", exact=True).fill((today + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Показать").click()
    page.wait_for_load_state()
    assert "Данных за будущие дни нет" in field_error(page, "date_to").inner_text()
    assert page.locator("figure.chart svg").count() == 1  # the default week is still shown

    page.get_by_role("link", name="← раньше").click()
    page.wait_for_load_state()
    tabs.get_by_role("link", name="Мощность").click()
    page.wait_for_load_state()
    assert "Активная мощность P" in page.locator("main").inner_text()
    tabs.get_by_role("link", name="Журнал").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="неделя").click()  # back to this week, with the events
    page.wait_for_load_state()
    page.get_by_label("Тип события").select_option(label="Вскрытие крышки")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_load_state()
    assert "Вскрытие крышки" in page.locator("main table").inner_text()
    assert "Отключение питания" not in page.locator("main table").inner_text()

    tabs.get_by_role("link", name="Энергия").click()
    page.wait_for_load_state()
    with page.expect_download() as got:
        page.get_by_role("link", name="Скачать CSV").click()
    path = got.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Дата;Час;A+, кВт·ч;Оценка"
    assert f"{gap:%d.%m.%Y};12:00–13:00;;" in text
