"""Back office queues (issue 9): an operator takes an appeal and answers it from the
queue itself; a billing specialist accepts and rejects readings from theirs; the
dashboard shows each role the figures of its day."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.appeals.models import Appeal
from kabinet.metering.models import Reading
from tests.e2e.journeys import messages, sign_in


@pytest.fixture
def demo(transactional_db, settings):
    settings.KABINET_UTILITY = "tek_spb"
    call_command("demo_data", quiet=True)


def test_an_operator_answers_an_appeal_from_the_queue(page, demo):
    appeal = Appeal.objects.filter(status=Appeal.Status.NEW).order_by("created_at").first()
    sign_in(page, "operator")
    page.get_by_role("navigation", name="Разделы кабинета").get_by_role(
        "link", name="Обращения"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Обращения")
    row = page.get_by_role("row").filter(has_text=f"№ {appeal.number}")
    expect(row).to_contain_text("осталось")

    row.get_by_role("button", name="Зарегистрировать").click()
    expect(messages(page)).to_contain_text(
        f"Обращение № {appeal.number} переведено в состояние «зарегистрировано»."
    )
    row = page.get_by_role("row").filter(has_text=f"№ {appeal.number}")
    row.get_by_role("button", name="Взять в работу").click()
    expect(messages(page)).to_contain_text("«в работе»")

    row = page.get_by_role("row").filter(has_text=f"№ {appeal.number}")
    row.get_by_text("Ответить", exact=True).click()
    row.get_by_label(f"Ответ на обращение № {appeal.number}").fill(
        "Перерасчёт сделан, он будет в квитанции за ноябрь."
    )
    row.get_by_role("button", name="Отправить ответ").click()
    expect(messages(page)).to_contain_text("Ответ отправлен заявителю.")
    expect(page.get_by_role("row").filter(has_text=f"№ {appeal.number}")).to_have_count(0)

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    last = appeal.conversation.messages.order_by("-id").first()
    assert last.text == "Перерасчёт сделан, он будет в квитанции за ноябрь."
    assert last.author.login == "operator"


def test_a_billing_specialist_works_the_readings_queue(page, demo):
    waiting = Reading.objects.filter(status=Reading.Status.SUBMITTED).count()
    assert waiting >= 3
    sign_in(page, "billing")
    expect(page.get_by_text("Показания за этот месяц")).to_be_visible()
    page.get_by_role("navigation", name="Разделы кабинета").get_by_role(
        "link", name="Показания"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Показания на проверке")

    page.get_by_role("link", name="только с замечаниями").click()
    # The readings' table (below it, «Счётчики ИСУ без данных» has its own).
    rows = page.locator(".readings-queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("намного больше обычного")
    rows.first.get_by_text("Отклонить", exact=True).click()
    rows.first.get_by_label("Причина (её увидит потребитель)").fill("Проверим счётчик на месте")
    rows.first.get_by_role("button", name="Отклонить показание").click()
    expect(messages(page)).to_contain_text("отклонено")
    assert Reading.objects.filter(reject_reason="Проверим счётчик на месте").count() == 1

    page.locator(".readings-queue tbody tr").nth(0).get_by_role("checkbox").check()
    page.locator(".readings-queue tbody tr").nth(1).get_by_role("checkbox").check()
    page.get_by_role("button", name="Принять отмеченные").click()
    expect(messages(page)).to_contain_text("Принято показаний: 2.")
    assert Reading.objects.filter(status=Reading.Status.SUBMITTED).count() == waiting - 3

    # The demo's house meter stopped reporting three days ago: it is listed, linked to
    # its archive.
    silent = page.locator("#isu-silent")
    link = silent.get_by_role("link", name=re.compile(r"^УУТЭ № ТВ7-"))
    number = link.inner_text().removeprefix("УУТЭ № ")  # the demo's numbers follow sequences
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
