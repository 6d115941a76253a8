"""Online payment in the browser, through the demo's test provider: two accounts paid by
card in one payment (a mistyped card number first), SBP by its QR code's link with the
payment page following the bank by itself, a bad amount refused, a saved card with
autopay set and cancelled, and a declined card. The balance and each account's payment
history change as they should."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.billing.tests.factories import account_with_receipts
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.tests.factories import account, charge
from kabinet.payments.models import Autopay, OnlinePayment, SavedCard
from tests.e2e.journeys import alert, field_error, go, messages, sign_in

LAST = add_months(period_of(timezone.localdate()), -1)
RUB = "\u00a0₽"


@pytest.fixture
def two(alice):
    """Alice's two accounts in debt: 4 123,45 ₽ (with its receipts) and 1 000,00 ₽."""
    first = account_with_receipts(alice)
    second = account(owner=alice, number="100000002", flat="14")
    second.linked_at = timezone.now() - timedelta(days=400)
    second.save()
    charge(second, LAST, 100000)
    return first, second


def amount(page, acc, label: str = "За услуги, ₽"):
    """The amount field of one account on the pay form."""
    fieldset = page.locator("fieldset").filter(has_text=f"Лицевой счёт {acc.number}")
    return fieldset.get_by_label(label, exact=True)


def to_pay(page, acc):
    go(page, f"/accounts/{acc.uuid}/")
    return page.locator("dt:text-is('Осталось оплатить') + dd")


def pay_button(page):
    return page.get_by_role("button", name="Оплатить", exact=True)


def status(page):
    return page.locator(".payment-status")


def pay_with_card(page, number: str = "4242 4242 4242 4242") -> None:
    """On the test provider's card page: a card that is otherwise fine."""
    page.get_by_label("Номер карты").fill(number)
    page.get_by_label("Срок действия (ММ/ГГ)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Оплатить (тест)").click()
    page.wait_for_load_state()


def test_two_accounts_by_card_through_the_test_provider(page, alice, two):
    first, second = two
    sign_in(page, "alice@example.ru")
    go(page, f"/accounts/{first.uuid}/")
    expect(to_pay(page, first)).to_have_text("4\u00a0123,45" + RUB)
    page.locator("main").get_by_role("link", name="Оплатить", exact=True).click()
    expect(page.get_by_role("heading", name="Оплата", level=1)).to_be_visible()
    expect(page.get_by_text("Тестовая платёжная система.")).to_be_visible()

    # Paying from the first account's page: its amount is there, the second's is empty.
    expect(amount(page, first)).to_have_value("4\u00a0123,45")
    expect(amount(page, second)).to_have_value("")
    expect(page.locator("fieldset").first).to_contain_text(f"Лицевой счёт {first.number}")
    amount(page, second).fill("1000,00")
    expect(page.get_by_label("E-mail для кассового чека")).to_have_value("alice@example.ru")
    page.get_by_label(re.compile("Банковская карта")).check()
    page.get_by_label(re.compile("Сохранить карту")).check()
    pay_button(page).click()

    # The test provider's own page, marked as a test.
    expect(page.get_by_text("ТЕСТОВАЯ ПЛАТЁЖНАЯ СТРАНИЦА.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Оплата картой: 5\u00a0123,45" + RUB)
    payment = OnlinePayment.objects.get()
    assert payment.amount_kopecks == 412345 + 100000 and payment.status == "pending"

    # A mistyped number: said next to the field, what was typed is kept, nothing paid.
    pay_with_card(page, "4242 4242 4242 4241")
    expect(field_error(page, "number")).to_have_text("Номер карты — 16 цифр, проверьте его.")
    expect(page.get_by_label("Номер карты")).to_have_value("4242 4242 4242 4241")
    expect(page.get_by_label("Номер карты")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Срок действия (ММ/ГГ)")).to_have_value("12/30")
    assert not LedgerPayment.objects.filter(channel="online").exists()

    pay_with_card(page)
    assert page.url == f"{page.base}/pay/{payment.uuid}/"
    expect(status(page)).to_have_text("оплачен")
    expect(page.locator("main")).to_contain_text("Кассовый чек отправлен на alice@example.ru")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    parts = page.locator("section", has_text="Что оплачивается").locator("tbody tr")
    expect(parts).to_have_count(2)

    # Both accounts are paid up, each with the online payment in its history.
    for acc, paid in [(first, "4\u00a0123,45"), (second, "1\u00a0000,00")]:
        expect(to_pay(page, acc)).to_have_text("0,00" + RUB)
        page.locator("main").get_by_role("link", name="История платежей").click()
        row = page.locator("table tbody tr").filter(has_text="Онлайн в личном кабинете")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(paid + RUB)
        expect(row).to_contain_text(timezone.localdate().strftime("%d.%m.%Y"))

    # …and in the cabinet's list of online payments.
    go(page, "/pay/history/")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("5\u00a0123,45" + RUB)
    expect(row).to_contain_text("оплачен")
    expect(row).to_contain_text(f"{first.number} {second.number}")


def test_sbp_by_the_bank_app_link_and_the_page_follows(page, alice, two):
    first, _second = two
    sign_in(page, "alice@example.ru")
    go(page, f"/pay/?account={first.uuid}")
    page.get_by_label(re.compile("СБП — QR")).check()
    pay_button(page).click()

    # The payment's page: a QR code and the link for paying on this phone; it waits.
    payment = OnlinePayment.objects.get()
    assert page.url == f"{page.base}/pay/{payment.uuid}/"
    expect(status(page)).to_have_text("ожидает оплаты")
    expect(page.locator(".sbp-qr svg")).to_be_visible()
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(1)
    bank_link = page.get_by_role("link", name=re.compile("^Открыть в приложении банка"))
    expect(bank_link).to_be_visible()

    # The "bank app" in another tab; this one is left alone and must notice by itself.
    bank = page.context.new_page()
    bank.goto(bank_link.get_attribute("href"))
    expect(bank.get_by_text("ТЕСТОВЫЙ БАНК.")).to_be_visible()
    expect(bank.get_by_role("heading", level=1)).to_have_text("Оплата по СБП: 4\u00a0123,45" + RUB)
    bank.get_by_role("button", name="Подтвердить оплату (тест)").click()
    expect(status(bank)).to_have_text("оплачен")
    bank.close()

    expect(status(page)).to_have_text("оплачен", timeout=8_000)
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("СБП")
    expect(to_pay(page, first)).to_have_text("0,00" + RUB)


@pytest.mark.parametrize("typed", ["-5", "сто"])
def test_a_bad_amount_is_refused_and_kept(page, alice, two, typed):
    first, _second = two
    sign_in(page, "alice@example.ru")
    go(page, "/pay/")
    amount(page, first).fill(typed)
    pay_button(page).click()
    expect(alert(page)).to_contain_text("Проверьте поля, отмеченные ниже.")
    expect(field_error(page, f"a_{first.uuid}_energy")).to_have_text(
        "Введите сумму в рублях, например 1234,56 — без минуса и букв."
    )
    expect(amount(page, first)).to_have_value(typed)
    expect(amount(page, first)).to_have_attribute("aria-invalid", "true")
    assert not OnlinePayment.objects.exists()

    # Nothing at all to pay is refused too.
    for field in page.locator(".pay-amounts input").all():
        field.fill("")
    pay_button(page).click()
    expect(alert(page)).to_have_text("Укажите сумму хотя бы по одному счёту.")
    assert not OnlinePayment.objects.exists()


def test_saved_card_and_autopay_set_cancelled_card_deleted(page, alice, two):
    first, _second = two
    sign_in(page, "alice@example.ru")
    go(page, "/pay/cards/")
    expect(page.locator("main")).to_contain_text("Сохранённых карт нет.")
    expect(page.locator("main")).to_contain_text("Для автоплатежа нужна сохранённая карта.")

    go(page, f"/pay/?account={first.uuid}")
    page.get_by_label(re.compile("Сохранить карту")).check()
    pay_button(page).click()
    pay_with_card(page)
    expect(status(page)).to_have_text("оплачен")

    page.locator("main").get_by_role("link", name="Все онлайн-оплаты").click()
    page.get_by_role("link", name="Мои карты и автоплатёж").click()
    cards = page.locator("section", has=page.locator("#h-cards"))
    expect(cards.locator("li")).to_have_count(1)
    expect(cards.locator("li")).to_contain_text("Visa •••• 4242")
    expect(cards.locator("li")).to_contain_text("до 12/2030")

    # A bad ceiling is refused next to its field, then autopay is set.
    page.get_by_label("Лицевой счёт").select_option(label=f"{first.number} — {first.premises}")
    page.get_by_label(re.compile(r"^Карта")).select_option(label="Visa •••• 4242")
    page.get_by_label("Число месяца").select_option("20")
    page.get_by_label("Не больше, ₽ в месяц").fill("пять тысяч")
    page.get_by_role("button", name="Включить на год").click()
    expect(field_error(page, "ceiling")).to_contain_text("без минуса и букв")
    expect(page.get_by_label("Не больше, ₽ в месяц")).to_have_value("пять тысяч")
    assert not Autopay.objects.exists()
    page.get_by_label("Не больше, ₽ в месяц").fill("5000")
    page.get_by_role("button", name="Включить на год").click()
    until = Autopay.objects.get().valid_until.strftime("%d.%m.%Y")
    expect(messages(page)).to_contain_text(
        f"Автоплатёж по счёту {first.number} включён: 20 числа каждого месяца, до {until}."
    )
    row = page.locator("table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(first.number)
    expect(row).to_contain_text("Visa •••• 4242")
    expect(row).to_contain_text("5\u00a0000,00" + RUB)
    expect(row.locator(".badge")).to_have_text("действует")
    expect(row).to_contain_text(f"до {until}")

    row.get_by_role("button", name="Отменить").click()
    expect(messages(page)).to_contain_text(f"Автоплатёж по счёту {first.number} отменён.")
    expect(row.locator(".badge")).to_have_text("отменён")
    expect(row.get_by_role("button", name="Отменить")).to_have_count(0)

    cards.get_by_role("button", name="Удалить").click()
    expect(messages(page)).to_contain_text("Карта Visa •••• 4242 удалена.")
    expect(cards).to_contain_text("Сохранённых карт нет.")
    expect(cards).not_to_contain_text("Visa •••• 4242")
    expect(page.get_by_role("button", name="Включить на год")).to_have_count(0)
    assert SavedCard.objects.get().deleted_at is not None


def test_declined_card_pays_nothing(page, alice, two):
    first, _second = two
    sign_in(page, "alice@example.ru")
    go(page, f"/pay/?account={first.uuid}")
    pay_button(page).click()
    pay_with_card(page, "4000 0000 0000 0002")
    expect(status(page)).to_have_text("отменён")
    expect(page.locator("main")).to_contain_text("Оплата не прошла, деньги не списаны.")
    expect(page.get_by_role("link", name="Оплатить ещё раз")).to_be_visible()
    assert not LedgerPayment.objects.filter(channel="online").exists()
    expect(to_pay(page, first)).to_have_text("4\u00a0123,45" + RUB)
