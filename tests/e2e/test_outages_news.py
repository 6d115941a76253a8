"""Outages and news: a customer subscribes to a house's outages and is notified when
staff enter one; news read clears the unread marker."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import make_user
from kabinet.premises.tests import factories as f
from tests.e2e.journeys import go, main_text, messages, sign_in

EMAIL = "outage-watcher@example.ru"


@pytest.fixture
def registry(transactional_db):
    house = f.house("5")
    f.house("7", building="1")
    make_user(email=EMAIL, phone="+79110000088", display_name="Вера")
    make_user(login="dispatcher", staff=True, display_name="Диспетчер Орлова")
    return house


def pick_address(page, number="5") -> None:
    """The address picker, step by step, with its type-ahead."""
    page.get_by_label("Населённый пункт").select_option(label="Санкт-Петербург")
    page.get_by_role("button", name="Далее").click()
    page.get_by_label("Найти улицу").press_sequentially("сад", delay=40)
    page.locator(".address-suggest").get_by_role("button", name="Садовая улица").click()
    page.get_by_role("button", name="Далее").click()
    page.get_by_label("Номер дома").fill(number)
    page.get_by_role("button", name="Далее").click()


def test_subscribe_to_a_house_and_receive_the_notice_when_staff_add_an_outage(
    page, new_page, registry
):
    # Anyone can look a house up without signing in.
    public = new_page()
    go(public, "/outages/")
    pick_address(public)
    expect(public.locator("main")).to_contain_text("Отключений по этому адресу сейчас нет")
    expect(public.locator("main")).to_contain_text("Войдите в личный кабинет")

    sign_in(page, EMAIL)
    go(page, "/outages/mine/")
    expect(page.locator("main")).to_contain_text("У вас пока нет адресов")
    page.get_by_role("link", name="Найти адрес и подписаться").click()
    pick_address(page)
    page.get_by_role("button", name="Подписаться на уведомления").click()
    expect(messages(page)).to_contain_text("Вы подписались на уведомления об отключениях")
    expect(page.locator("main")).to_contain_text("Санкт-Петербург, Садовая улица, д. 5")

    staff = new_page()
    sign_in(staff, "dispatcher")
    go(staff, "/staff/outages/")
    staff.get_by_role("link", name="Внести отключение").click()
    pick_address(staff)
    staff.get_by_label("плановое").check()
    staff.get_by_label("ГВС").check()
    staff.get_by_label("Дата начала").fill("2026-12-10")
    staff.get_by_label("Дата окончания").fill("2026-12-01")
    staff.get_by_label("Причина").fill("Гидравлические испытания")
    staff.get_by_role("button", name="Внести отключение").click()
    # Refused next to the field, with what was typed kept.
    expect(staff.locator("#id_ends_on_error")).to_contain_text("не может быть раньше")
    expect(staff.get_by_label("Причина")).to_have_value("Гидравлические испытания")
    staff.get_by_label("Дата окончания").fill("2026-12-23")
    staff.get_by_role("button", name="Внести отключение").click()
    expect(messages(staff)).to_contain_text("абоненты дома")

    # The notice: in the cabinet and by e-mail.
    letters = [m for m in mail.outbox if EMAIL in m.to]
    assert letters and "10.12.2026 — 23.12.2026" in letters[-1].subject
    go(page, "/notifications/")
    expect(page.locator("main")).to_contain_text("Отключение ГВС: Садовая улица, д. 5")
    go(page, "/outages/mine/")
    expect(page.locator("main")).to_contain_text("10.12.2026 — 23.12.2026")
    expect(page.locator("main")).to_contain_text("Гидравлические испытания")

    # Staff move the dates: kept in the history and told again.
    staff.get_by_label("Дата начала").fill("2026-12-12")
    staff.get_by_label("Комментарий к изменению").fill("по просьбе УК")
    staff.get_by_role("button", name="Сохранить").click()
    expect(staff.locator("main")).to_contain_text(
        "10.12.2026 — 23.12.2026 → 12.12.2026 — 23.12.2026"
    )
    go(page, "/notifications/")
    expect(page.locator("main")).to_contain_text("Изменены даты отключения ГВС")
    go(public, "/outages/")
    pick_address(public)
    expect(public.locator("main")).to_contain_text("12.12.2026 — 23.12.2026")


def test_read_news_and_see_the_marker_clear(page, new_page, registry):
    staff = new_page()
    sign_in(staff, "dispatcher")
    go(staff, "/staff/news/")
    staff.get_by_role("button", name="Опубликовать").click()
    expect(staff.locator("#id_title_error")).to_be_visible()
    staff.get_by_label("Заголовок").fill("Приём показаний с 15 по 25 число")
    staff.get_by_label("Текст").fill("Передавайте показания в разделе «Приборы учёта».")
    staff.get_by_role("button", name="Опубликовать").click()
    expect(messages(staff)).to_contain_text("опубликована")

    sign_in(page, EMAIL)
    go(page, "/news/")
    expect(page.get_by_test_id("news-unread")).to_have_text("Новых: 1")
    expect(page.locator("main")).to_contain_text("Приём показаний с 15 по 25 число")
    page.reload()
    expect(page.get_by_test_id("news-unread")).to_have_count(0)

    # A second item: the marker (the context processor's count) shows until it is read.
    go(staff, "/staff/news/")
    staff.get_by_label("Заголовок").fill("Новые тарифы с 1 июля")
    staff.get_by_label("Текст").fill("Тарифы — в разделе «Тарифы».")
    staff.get_by_role("button", name="Опубликовать").click()
    page.get_by_role("link", name="Приём показаний с 15 по 25 число").click()
    expect(page.get_by_test_id("news-unread")).to_have_text("Новых: 1")
    go(page, "/notifications/")
    page.get_by_role("link", name=re.compile("Новые тарифы")).first.click()
    expect(page.locator("h1")).to_have_text("Новые тарифы с 1 июля")
    expect(page.get_by_test_id("news-unread")).to_have_count(0)
    assert "Новых" not in main_text(page)
