"""A resident without the receipt's proof asks staff to link an account (000 §2.3.1);
an operator approves it from the queue; the account is then in the resident's cabinet."""

from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from kabinet.core.money import working_days_after
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.customer_accounts.tests.factories import account
from tests.e2e.journeys import field_error, go, main_text, messages, sign_in, sign_out


def test_file_a_request_and_an_operator_approves_it(page, alice, settings, tmp_path):
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    mine = account(number="100000001", flat="12")
    make_user(login="operator-7", staff=True, role="operator", display_name="Петрова")

    sign_in(page, "alice@example.ru")
    go(page, "/accounts/add/")
    page.get_by_role("link", name="Отправить заявку на привязку").click()
    expect(page.get_by_role("heading", name="Заявка на привязку лицевого счёта")).to_be_visible()
    page.get_by_label("Номер лицевого счёта").fill("1000001")
    page.get_by_label("Адрес помещения").fill("Санкт-Петербург, Садовая ул., д. 5, кв. 12")
    page.get_by_label("На кого открыт счёт").fill("Иванов Иван Иванович")
    page.get_by_role("button", name="Отправить заявку").click()
    expect(field_error(page, "number")).to_contain_text("состоит из 9 цифр")
    expect(page.get_by_label("Адрес помещения")).to_have_value(
        "Санкт-Петербург, Садовая ул., д. 5, кв. 12"
    )
    page.get_by_label("Номер лицевого счёта").fill("100000001")
    page.get_by_role("button", name="Отправить заявку").click()
    expect(messages(page)).to_contain_text("Заявка на привязку лицевого счёта 100000001 принята")
    requests = page.get_by_role("region", name="Заявки на привязку")
    expect(requests).to_contain_text("на рассмотрении")
    sign_out(page)

    sign_in(page, "operator-7")
    go(page, "/staff/accounts/requests/")
    row = page.get_by_role("row").filter(has_text="100000001")
    expect(row).to_contain_text("счёт найден")
    left = (working_days_after(timezone.localdate(), 5) - timezone.localdate()).days
    expect(row).to_contain_text(f"осталось {left} д")
    row.get_by_role("button", name="Привязать").click()
    expect(messages(page)).to_contain_text("Лицевой счёт 100000001 привязан к кабинету Алиса.")
    expect(page.locator("main")).to_contain_text("Заявок нет.")
    sign_out(page)

    assert PersonalAccount.objects.get(pk=mine.pk).owner == alice
    sign_in(page, "alice@example.ru")
    page.get_by_role("link", name="Лицевые счета").first.click()
    expect(page.get_by_role("heading", name="Лицевой счёт 100000001")).to_be_visible()
    expect(page.get_by_role("region", name="Заявки на привязку")).to_contain_text("счёт привязан")
    assert "Иванов И. И." in main_text(page)
