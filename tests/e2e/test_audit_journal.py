"""Журнал действий (issue 9): an operator answers an appeal; the administrator finds the
line in the journal, is told plainly about a date typed wrong, and opens the customer's
card from the line."""

import pytest
from playwright.sync_api import expect

from conftest import make_user
from kabinet.appeals.services import appeal_answer
from kabinet.appeals.tests.factories import appeal
from tests.e2e.journeys import field_error, go, sign_in


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")


def test_the_administrator_finds_an_answer_and_opens_the_customers_card(page):
    alice = make_user(email="alice@example.ru", display_name="Алиса")
    operator = make_user(login="operator1", staff=True, role="operator", display_name="Оператор")
    make_user(login="admin1", staff=True, role="admin", display_name="Администратор")
    appeal_answer(staff=operator, appeal=appeal(alice), text="Начисление верное.")

    sign_in(page, "admin1")
    go(page, "/staff/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Журнал действий")
    line = page.locator("tr.audit-line").filter(has_text="Ответ на обращение")
    expect(line).to_contain_text("Оператор")
    expect(line).to_contain_text("состояние: новое → ответ дан")

    page.get_by_label("С даты").fill("31.02.2026")
    page.get_by_role("button", name="Найти").click()
    expect(field_error(page, "date_from")).to_contain_text("Введите дату в формате ДД.ММ.ГГГГ")
    expect(page.get_by_label("С даты")).to_have_value("31.02.2026")

    page.get_by_label("С даты").fill("")
    page.get_by_label("Текст").fill("верное")
    page.get_by_label("Кто").select_option(label="Оператор")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator("tr.audit-line")).to_have_count(1)
    expect(page.get_by_label("Текст")).to_have_value("верное")

    page.locator("tr.audit-line").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Алиса")
