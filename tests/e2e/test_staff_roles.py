"""Staff roles (issue 9): a member of staff sees only what their role allows — the
connection engineer works the applications queue and cannot open the appeals queue."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.journeys import go, main_text, sign_in


@pytest.fixture
def demo(transactional_db, settings):
    settings.KABINET_UTILITY = "gorseti_tomsk"  # takes applications
    call_command("demo_data", quiet=True)


def test_a_connection_engineer_cannot_open_the_appeals_queue(page, demo):
    sign_in(page, "engineer")
    page.wait_for_url(page.base + "/staff/")
    nav = page.get_by_role("navigation", name="Разделы кабинета")
    expect(nav.get_by_role("link", name="Заявки", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Обращения")).to_have_count(0)

    response = go(page, "/staff/appeals/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Нет доступа")
    assert "Нет доступа: раздел для роли «Оператор, Администратор»." in main_text(page)

    nav.get_by_role("link", name="Заявки", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Заявки")


def test_an_operator_sees_appeals_but_not_applications(page, demo):
    sign_in(page, "operator")
    page.wait_for_url(page.base + "/staff/")
    nav = page.get_by_role("navigation", name="Разделы кабинета")
    expect(nav.get_by_role("link", name="Обращения")).to_be_visible()
    expect(nav.get_by_role("link", name="Заявки", exact=True)).to_have_count(0)
    assert go(page, "/staff/applications/").status == 403
