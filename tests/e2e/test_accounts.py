"""A resident adds their personal account with each proof the utilities use, opens it,
switches between accounts and removes one."""

from datetime import date

from playwright.sync_api import expect

from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.customer_accounts.tests.factories import account, charge, payment
from tests.e2e.journeys import alert, field_error, go, main_text, messages, sign_in


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


def test_add_a_meter_by_contract_and_meter_number(page, alice, settings):
    """002 §4.7.2: one meter's number brings the contract's other meters with it."""
    from kabinet.metering.tests.factories import meter

    settings.KABINET_UTILITY = "gorseti_tomsk"
    settings.KABINET_SIGNUP_MODES = ["email"]
    acc = account(number="100000007", flat="7")
    meter(acc, number="720021", model_name="РИМ 614.01")
    meter(acc, number="720022", model_name="РИМ 614.01")

    sign_in(page, "alice@example.ru")
    go(page, "/accounts/add/")
    expect(page.get_by_role("heading", name="Добавить прибор учёта")).to_be_visible()
    page.get_by_label("Номер договора").fill("100000007")
    page.get_by_label("Номер счётчика").fill("720099")
    page.get_by_role("button", name="Добавить прибор учёта").click()
    expect(alert(page)).to_contain_text("Договор с таким счётчиком не найден")
    expect(page.get_by_label("Номер счётчика")).to_have_value("720099")

    page.get_by_label("Номер счётчика").fill("720021")
    page.get_by_role("button", name="Добавить прибор учёта").click()
    expect(page.get_by_role("heading", name="Мои приборы учёта")).to_be_visible()
    expect(messages(page)).to_contain_text("добавлено приборов учёта: 2")
    expect(page.locator(".meters-table tbody tr")).to_have_count(2)
    page.get_by_label("Поиск").fill("720022")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator(".meters-table tbody tr")).to_have_count(1)
    assert PersonalAccount.objects.get(pk=acc.pk).owner == alice
