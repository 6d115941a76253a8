"""Сотрудники организации: the holder of an organisation's cabinet invites a colleague by
e-mail, the colleague chooses a password by the link and acts for the organisation;
removed, they lose it on their next page."""

import re

import pytest
from playwright.sync_api import expect

from conftest import make_user
from kabinet.identity.models import Party, PartyMember, User
from tests.e2e.journeys import (
    NEW_PASSWORD,
    field_error,
    go,
    mail_to,
    main_text,
    messages,
    sign_in,
    sign_out,
)

COLLEAGUE = "petrova@example.ru"


@pytest.fixture
def romashka(transactional_db):
    alice = make_user(email="alice@example.ru", display_name="Алиса Иванова")
    return Party.objects.create(
        user=alice, kind=Party.Kind.LEGAL, org_name="ООО «Ромашка»", inn="7710140679"
    )


def join_link(address: str) -> str:
    return re.search(r"https?://\S+/organisation/join/\S+/", mail_to(address).body).group(0)


def test_holder_invites_a_colleague_who_joins_and_is_removed(page, new_page, romashka):
    sign_in(page, "alice@example.ru")
    go(page, "/profile/")
    page.get_by_role("link", name="Сотрудники организации").click()
    expect(page.get_by_role("heading", name="Сотрудники организации", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="ООО «Ромашка»")).to_be_visible()

    # A mistake is shown next to the field, and what was typed stays.
    invite = page.locator(f"form[action$='/{romashka.pk}/invite/']")
    invite.get_by_label("E-mail сотрудника").fill("petrova@example")
    invite.get_by_label("Полный доступ: оплата, отчёты, обращения").check()
    invite.get_by_role("button", name="Пригласить").click()
    email_error = field_error(page, f"party{romashka.pk}-email")
    assert email_error.inner_text() == "Введите e-mail в виде name@example.ru."
    invite = page.locator(f"form[action$='/{romashka.pk}/invite/']")
    assert invite.get_by_label("E-mail сотрудника").input_value() == "petrova@example"
    expect(invite.get_by_label("Полный доступ: оплата, отчёты, обращения")).to_be_checked()
    assert not PartyMember.objects.exists()

    invite.get_by_label("E-mail сотрудника").fill(COLLEAGUE)
    invite.get_by_role("button", name="Пригласить").click()
    assert f"Приглашение отправлено на {COLLEAGUE}." in messages(page).inner_text()
    assert "приглашён, пароль не задан" in main_text(page)

    # The colleague opens the letter's link and chooses a password.
    letter = mail_to(COLLEAGUE)
    assert letter.subject == "Приглашение в личный кабинет организации ООО «Ромашка»"
    colleague = new_page()
    colleague.goto(join_link(COLLEAGUE))
    expect(
        colleague.get_by_role("heading", name="Приглашение в кабинет организации")
    ).to_be_visible()
    assert "ООО «Ромашка»" in main_text(colleague) and "Алиса Иванова" in main_text(colleague)
    colleague.get_by_label("Как к вам обращаться").fill("Петрова Анна")
    colleague.locator("[name=password1]").fill(NEW_PASSWORD)
    colleague.locator("[name=password2]").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name="Задать пароль и войти").click()
    colleague.wait_for_url(colleague.base + "/profile/organisation/")
    assert "Пароль задан, вы вошли в личный кабинет." in messages(colleague).inner_text()

    # Signed out and in again with the e-mail and the new password.
    sign_out(colleague)
    sign_in(colleague, COLLEAGUE, NEW_PASSWORD)
    colleague.wait_for_url(colleague.base + "/")
    go(colleague, "/profile/organisation/")
    acting = colleague.locator(
        "section", has=colleague.get_by_role("heading", name=re.compile("от имени которых"))
    )
    expect(acting).to_contain_text("ООО «Ромашка»")
    expect(acting).to_contain_text("Полный доступ: оплата, отчёты, обращения")
    expect(acting).to_contain_text("Алиса Иванова")
    expect(colleague.get_by_role("link", name="Договоры")).to_be_visible()
    colleague_user = User.objects.get(email=COLLEAGUE)
    assert romashka in Party.objects.acting_for(colleague_user, full=True)

    # The holder sees the colleague by name and removes them, after a confirmation.
    page.reload()
    card = page.locator("article", has_text=COLLEAGUE)
    expect(card).to_contain_text("Петрова Анна")
    expect(card).to_contain_text("действует")
    card.get_by_text("Удалить", exact=True).click()
    card.get_by_role("button", name="Да, удалить сотрудника").click()
    assert "доступ к кабинету организации закрыт" in messages(page).inner_text()
    expect(page.locator("article", has_text=COLLEAGUE)).to_have_count(0)
    # The record stays: who added and who removed the colleague.
    page.get_by_text("Удалённые сотрудники: 1").click()
    removed = page.locator("li", has_text=COLLEAGUE)
    expect(removed).to_contain_text("Петрова Анна")
    expect(removed).to_contain_text("Удалён")
    expect(removed).to_contain_text("Алиса Иванова")

    # The colleague's next page no longer shows the organisation.
    colleague.reload()
    assert "ООО «Ромашка»" not in main_text(colleague)
    expect(colleague.get_by_role("link", name="Договоры")).to_have_count(0)
    assert romashka not in Party.objects.acting_for(colleague_user)


def test_members_page_fits_a_phone(browser, live_server, romashka):
    """At 360 px the list of colleagues becomes one card per row: nothing scrolls sideways."""
    bob = make_user(email="bob@example.ru", display_name="Борис")
    PartyMember.objects.create(
        party=romashka, user=bob, rights=PartyMember.Rights.READ, added_by=romashka.user
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    try:
        phone = context.new_page()
        phone.base = live_server.url
        sign_in(phone, "alice@example.ru")
        go(phone, "/profile/organisation/")
        expect(phone.get_by_role("heading", name="ООО «Ромашка»")).to_be_visible()
        phone.get_by_text("Изменить права").click()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
    finally:
        context.close()
