"""The payment journey through the test provider, with the test client: pay two
accounts by card, by SBP, a declined card, a double submit, the status page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.billing.selectors import account_summary
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.tests.factories import account, charge
from kabinet.payments.models import OnlinePayment, SavedCard

pytestmark = pytest.mark.django_db

LAST = add_months(period_of(timezone.localdate()), -1)


@pytest.fixture
def two(alice):
    a = account(owner=alice, number="100000001", flat="1")
    b = account(owner=alice, number="100000002", flat="2")
    charge(a, LAST, 412345)
    charge(a, LAST, 1234, service="Пени", kind="penalty")
    charge(b, LAST, 100000)
    return a, b


def form_data(page: str) -> dict:
    """The fields of the pay form as the browser would send them."""
    data = dict(re.findall(r'name="(a_[^"]+|key)" [^>]*value="([^"]*)"', page))
    data.update({"method": "card", "receipt_email": "alice@example.ru"})
    return data


def test_pay_two_accounts_by_card_credits_each_once(client, alice, two):
    a, b = two
    client.force_login(alice)
    page = client.get(reverse("payments:pay")).content.decode()
    assert "Тестовая платёжная система." in page
    data = form_data(page)
    assert data[f"a_{a.uuid}_energy"] == "4\xa0123,45"
    assert data[f"a_{a.uuid}_penalty"] == "12,34"
    data["save_card"] = "on"
    response = client.post(reverse("payments:pay"), data)
    payment = OnlinePayment.objects.get()
    assert response.url == reverse("test_provider:card", args=[payment.provider_payment_id])
    assert payment.amount_kopecks == 412345 + 1234 + 100000
    # A double submit of the same form: the same payment, nothing new.
    again = client.post(reverse("payments:pay"), data)
    assert again.url == response.url and OnlinePayment.objects.count() == 1

    card = client.post(
        response.url, {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    )
    assert card.url.endswith(reverse("payments:detail", args=[payment.uuid]))
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.credited_at
    credited = sorted(
        LedgerPayment.objects.values_list("account__number", "purpose", "amount_kopecks")
    )
    assert credited == [
        ("100000001", "energy", 412345),
        ("100000001", "penalty", 1234),
        ("100000002", "energy", 100000),
    ]
    assert account_summary(account=a, today=timezone.localdate()).to_pay == 0
    assert SavedCard.objects.get(user=alice).title == "Visa •••• 4242"
    page = client.get(reverse("payments:detail", args=[payment.uuid])).content.decode()
    assert "оплачен" in page and "alice@example.ru" in page


def test_declined_card_credits_nothing(client, alice, two):
    client.force_login(alice)
    data = form_data(client.get(reverse("payments:pay")).content.decode())
    response = client.post(reverse("payments:pay"), data)
    client.post(response.url, {"number": "4000 0000 0000 0002", "expiry": "12/30", "cvc": "123"})
    payment = OnlinePayment.objects.get()
    assert payment.status == "canceled"
    assert not LedgerPayment.objects.exists()
    page = client.get(reverse("payments:detail", args=[payment.uuid])).content.decode()
    assert "Оплата не прошла, деньги не списаны." in page
    from kabinet.notifications.models import Notice

    [notice] = Notice.objects.filter(user=alice, kind="payment")
    assert "не прошла" in notice.title and str(payment.uuid) in notice.url


def test_sbp_shows_a_code_and_follows_the_bank(client, alice, two):
    a, _b = two
    client.force_login(alice)
    data = form_data(client.get(reverse("payments:pay") + f"?account={a.uuid}").content.decode())
    data["method"] = "sbp"
    response = client.post(reverse("payments:pay"), data)
    payment = OnlinePayment.objects.get()
    assert response.url == reverse("payments:detail", args=[payment.uuid])
    page = client.get(response.url).content.decode()
    assert "<svg" in page and 'http-equiv="refresh"' in page
    client.post(
        reverse("test_provider:sbp", args=[payment.provider_payment_id]), {"answer": "confirm"}
    )
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert LedgerPayment.objects.filter(account=a).count() == 2  # energy and penalty


@pytest.mark.parametrize(
    "typed,message",
    [
        ("-5", "без минуса и букв"),
        ("сто", "без минуса и букв"),
        ("12,345", "без минуса и букв"),
        ("9 999 999", "Слишком большая сумма"),
    ],
)
def test_bad_amounts_are_refused_and_kept(client, alice, two, typed, message):
    a, _b = two
    client.force_login(alice)
    data = form_data(client.get(reverse("payments:pay")).content.decode())
    data[f"a_{a.uuid}_energy"] = typed
    page = client.post(reverse("payments:pay"), data).content.decode()
    assert message in page and f'value="{typed}"' in page
    assert not OnlinePayment.objects.exists()


def test_nothing_to_pay_is_refused(client, alice, two):
    client.force_login(alice)
    data = form_data(client.get(reverse("payments:pay")).content.decode())
    data = {k: ("" if k.startswith("a_") else v) for k, v in data.items()}
    page = client.post(reverse("payments:pay"), data).content.decode()
    assert "Укажите сумму хотя бы по одному счёту." in page
    assert not OnlinePayment.objects.exists()


def test_a_stranger_cannot_see_or_pay_others(client, alice, charlie, two):
    a, _b = two
    client.force_login(alice)
    data = form_data(client.get(reverse("payments:pay")).content.decode())
    client.post(reverse("payments:pay"), data)
    payment = OnlinePayment.objects.get()
    client.force_login(charlie)
    assert client.get(reverse("payments:detail", args=[payment.uuid])).status_code == 404
    page = client.get(reverse("payments:pay"))
    assert page.status_code == 302  # charlie has no accounts: sent to add one
    assert timedelta(0) <= timezone.now() - payment.created_at
