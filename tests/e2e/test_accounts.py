"""A resident adds their personal account with each proof the utilities use, opens it,
switches between accounts and removes one."""

from datetime import date

from playwright.sync_api import expect

from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.customer_accounts.tests.factories import account, charge, payment
from tests.e2e.journeys import alert, field_error, go, main_text, sign_in


def test_link_by_the_last_payment_then_switch_and_unlink(page, alice, charlie):
    mine = account(number="100000001", flat="1")
    payment(mine, date(2026, 10, 14), 234560)
    charge(mine, date(2026, 10, 1), 412345)
    second = account(number="100000002", flat="2")
    payment(second, date(2026, 10, 20), 100000)
    theirs = account(number="100000003", flat="3", owner=charlie)

    sign_in(page, "alice@example.ru")
    go(page, "/accounts/add/")
    page.locator("[name=number]").fill("100000001")
    page.locator("[name=amount]").fill("2345,00")
    page.locator("[name=paid_on]").fill("2026-10-14")
    page.get_by_role("button", name="Добавить").click()
    expect(alert(page)).to_contain_text("Осталось 4 попытки.")
    expect(page.locator("[name=number]")).to_have_value("100000001")
    assert PersonalAccount.objects.get(pk=mine.pk).owner is None

    page.locator("[name=amount]").fill("2 345,60")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_role("heading", name="Лицевой счёт 100000001")).to_be_visible()
    assert "Лицевой счёт 100000001 добавлен в кабинет." in main_text(page)
    assert "Иванов И. И." in main_text(page)

    go(page, "/accounts/add/")
    page.locator("[name=number]").fill("100000002")
    page.locator("[name=amount]").fill("1000")
    page.locator("[name=paid_on]").fill("2026-10-20")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_role("heading", name="Лицевой счёт 100000002")).to_be_visible()
    page.get_by_role("link", name="100000001").click()
    expect(page.get_by_role("heading", name="Лицевой счёт 100000001")).to_be_visible()

    # Another cabinet's account, even with the right proof, is refused with a pointer.
    go(page, "/accounts/add/")
    page.locator("[name=number]").fill("100000003")
    page.locator("[name=amount]").fill("1")
    page.locator("[name=paid_on]").fill("2026-10-01")
    page.get_by_role("button", name="Добавить").click()
    expect(alert(page)).to_contain_text("не найден")
    response = go(page, f"/accounts/{theirs.uuid}/")
    assert response.status == 404

    go(page, f"/accounts/{second.uuid}/")
    page.get_by_role("button", name="Убрать этот счёт из кабинета").click()
    assert "Лицевой счёт 100000002 убран из кабинета." in main_text(page)
    assert PersonalAccount.objects.get(pk=second.pk).owner is None


def test_link_by_the_receipts_activation_code(page, alice, settings):
    settings.KABINET_UTILITY = "tgk2"
    acc = account(number="100000009", flat="9")
    code = services.activation_code_issue(account=acc)

    sign_in(page, "alice@example.ru")
    go(page, "/accounts/add/")
    page.locator("[name=number]").fill("12345")
    page.locator("[name=code]").fill(code)
    page.get_by_role("button", name="Добавить").click()
    expect(field_error(page, "number")).to_have_text("Номер лицевого счёта состоит из 9 цифр.")

    page.locator("[name=number]").fill("100000009")
    page.locator("[name=code]").fill(code)
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_role("heading", name="Лицевой счёт 100000009")).to_be_visible()
    assert PersonalAccount.objects.get(pk=acc.pk).owner == alice
