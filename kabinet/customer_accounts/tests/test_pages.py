"""The account pages: what the owner sees, and that nobody else sees it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.customer_accounts.tests.factories import account, charge, payment

pytestmark = pytest.mark.django_db


def login(client, user):
    identifier = user.email or user.login
    response = client.post("/login/", {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def acc(alice):
    a = account(owner=alice)
    last = add_months(period_of(timezone.localdate()), -1)
    charge(a, add_months(last, -1), 300000)
    payment(a, add_months(last, -1) + (last - add_months(last, -1)) // 2, 300000)
    charge(a, last, 412345)
    charge(a, last, 1234, service="Пени", kind="penalty")
    return a


def test_owner_sees_debt_premises_house_and_charges(client, alice, acc):
    login(client, alice)
    page = client.get(reverse("customer_accounts:detail", args=[acc.uuid])).content.decode()
    assert "Лицевой счёт 100000001" in page
    assert "Иванов И. И." in page and "Иван Иванович" not in page
    assert "4\u00a0135,79\u00a0₽" in page  # 4123,45 + 12,34 of penalties
    assert "в том числе пени" in page and "12,34\u00a0₽" in page
    assert "54,30 м²" in page
    assert "ООО «УК Садовая»" in page
    assert "Передать показания" in page


def test_account_page_links_the_isu_page_of_each_smart_meter(client, alice):
    from kabinet.metering.tests import factories as f
    from kabinet.metering.tests.smart_data import smart_meter

    today = timezone.localdate()
    smart = smart_meter(alice, today, gap_day=today - timedelta(days=3))
    plain = f.meter(smart.account, number="555")
    login(client, alice)
    page = client.get(reverse("customer_accounts:detail", args=[smart.account.uuid]))
    html = page.content.decode()
    assert "Интеллектуальный учёт (ИСУ): счётчик № ИСУ-0001" in html
    assert reverse("metering:smart", args=[smart.uuid]) in html
    assert reverse("metering:smart", args=[plain.uuid]) not in html
    other = account(owner=alice, number="100000009", flat="9")  # no interval data at all
    html = client.get(reverse("customer_accounts:detail", args=[other.uuid])).content.decode()
    assert "ИСУ" not in html


@pytest.mark.parametrize("name", ["detail", "unlink"])
def test_another_customer_gets_404(client, charlie, acc, name):
    login(client, charlie)
    url = reverse(f"customer_accounts:{name}", args=[acc.uuid])
    response = client.post(url) if name == "unlink" else client.get(url)
    assert response.status_code == 404
    acc.refresh_from_db()
    assert acc.owner_id is not None


def test_staff_see_any_account(client, staff, acc):
    login(client, staff)
    response = client.get(reverse("customer_accounts:detail", args=[acc.uuid]))
    assert response.status_code == 200
    assert "Лицевой счёт 100000001" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, acc):
    response = client.get(reverse("customer_accounts:detail", args=[acc.uuid]))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_add_form_keeps_what_was_typed_and_says_what_is_wrong(client, alice):
    login(client, alice)
    page = client.post(
        reverse("customer_accounts:add"), {"number": "12345", "amount": "12,3456", "paid_on": ""}
    ).content.decode()
    assert "Номер лицевого счёта состоит из 9 цифр." in page
    assert "Введите сумму в рублях, например 1234,56." in page
    assert 'value="12345"' in page
    assert not PersonalAccount.objects.filter(owner=alice).exists()


def test_add_by_last_payment_through_the_page(client, alice):
    a = account()
    payment(a, date(2026, 10, 14), 234560)
    login(client, alice)
    response = client.post(
        reverse("customer_accounts:add"),
        {"number": "100 000 001", "amount": "2 345,60", "paid_on": "14.10.2026"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.owner == alice
    assert "Лицевой счёт 100000001 добавлен" in client.get(response.url).content.decode()


def test_activation_code_mode_asks_for_the_code(client, alice, settings):
    settings.KABINET_UTILITY = "tgk2"
    settings.KABINET_SIGNUP_MODES = ["email", "phone"]
    login(client, alice)
    page = client.get(reverse("customer_accounts:add")).content.decode()
    assert "Код активации с квитанции" in page
    assert "Сумма последнего платежа" not in page


def test_account_page_queries_do_not_grow_with_accounts_or_months(
    client, alice, django_assert_max_num_queries
):
    first = account(owner=alice)
    login(client, alice)
    url = reverse("customer_accounts:detail", args=[first.uuid])
    client.get(url)  # warm the session
    # 14, one for the header's «Договоры» (does the cabinet act for an organisation) and
    # one for the links to the ИСУ pages (the account's meters with interval series).
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for n in range(2, 6):
        other = account(owner=alice, number=f"10000000{n}", flat=str(n))
        for m in range(24):
            charge(other, add_months(period_of(timezone.localdate()), -m - 1), 1000)
            charge(first, add_months(period_of(timezone.localdate()), -m - 1), 1000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_meter_number_mode_adds_the_contracts_meters(client, alice, settings):
    from kabinet.metering.tests.factories import meter

    settings.KABINET_UTILITY = "gorseti_tomsk"
    settings.KABINET_SIGNUP_MODES = ["email"]
    a = account()
    meter(a, number="720021")
    meter(a, number="720022")
    login(client, alice)
    url = reverse("customer_accounts:add")
    page = client.get(url).content.decode()
    assert "Добавить прибор учёта" in page and "Номер договора" in page
    assert "Номер счётчика" in page and "Сумма последнего платежа" not in page
    bad = client.post(url, {"number": "100000001", "meter_number": "111"}).content.decode()
    assert "Договор с таким счётчиком не найден" in bad and 'value="111"' in bad
    a.refresh_from_db()
    assert a.owner is None
    response = client.post(url, {"number": "100000001", "meter_number": "720022"})
    assert response.url == reverse("metering:list")
    page = client.get(response.url).content.decode()
    assert "в кабинет добавлено приборов учёта: 2" in page
    assert "№ 720021" in page and "№ 720022" in page
