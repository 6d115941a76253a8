"""Оплата through the API, with the cabinet's session and the clearly marked test
provider: start a payment (the pay page's form and service), follow it to «оплачен»
and the ledger, the page's messages for bad sums, idempotency, and 404 for another
customer's payment or account."""

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.tests.factories import account, charge
from kabinet.payments import models as payment_models
from kabinet.payments.models import OnlinePayment

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/"
LAST = add_months(period_of(timezone.localdate()), -1)


@pytest.fixture
def two(alice):
    a = account(owner=alice, number="100000001", flat="1")
    b = account(owner=alice, number="100000002", flat="2")
    charge(a, LAST, 412345)
    charge(a, LAST, 1234, service="Пени", kind="penalty")
    charge(b, LAST, 100000)
    return a, b


def body(a, b=None, **extra):
    parts = [
        {"account": str(a.uuid), "purpose": "energy", "amount": "4123.45"},
        {"account": str(a.uuid), "purpose": "penalty", "amount": "12,34"},
    ]
    if b is not None:
        parts.append({"account": str(b.uuid), "amount": "1 000"})
    return {"parts": parts, "method": "card", "receipt_email": "alice@example.ru", **extra}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_pay_two_accounts_by_card_through_the_test_provider(client, alice, two):
    a, b = two
    client.force_login(alice)
    response = post(client, URL, body(a, b, idempotency_key="k-0000001"))
    assert response.status_code == 201, response.content
    data = response.json()
    payment = OnlinePayment.objects.get()
    assert data["uuid"] == str(payment.uuid)
    assert data["status"] == "pending" and data["status_label"] == "ожидает оплаты"
    assert data["amount"] == "5135.79" and payment.amount_kopecks == 513579
    assert data["test_provider"] is True
    card_page = reverse("test_provider:card", args=[payment.provider_payment_id])
    assert data["redirect_url"] == f"http://testserver{card_page}"
    assert {(p["account_number"], p["purpose"], p["amount"]) for p in data["parts"]} == {
        ("100000001", "energy", "4123.45"),
        ("100000001", "penalty", "12.34"),
        ("100000002", "energy", "1000.00"),
    }
    # The same key again (a retried request): the same payment, nothing new.
    again = post(client, URL, body(a, b, idempotency_key="k-0000001"))
    assert again.status_code == 201 and again.json()["uuid"] == data["uuid"]
    assert OnlinePayment.objects.count() == 1

    # The customer pays on the test provider's page; the status follows.
    client.post(card_page, {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"})
    status = client.get(f"{URL}{payment.uuid}").json()
    assert status["status"] == "succeeded" and status["is_final"] is True
    assert status["redirect_url"] is None and status["succeeded_at"]
    credited = sorted(
        LedgerPayment.objects.values_list("account__number", "purpose", "amount_kopecks")
    )
    assert credited == [
        ("100000001", "energy", 412345),
        ("100000001", "penalty", 1234),
        ("100000002", "energy", 100000),
    ]
    assert [p["uuid"] for p in client.get(URL).json()] == [data["uuid"]]


def test_status_follows_the_provider(client, alice, two):
    a, _b = two
    client.force_login(alice)
    uuid = post(client, URL, body(a)).json()["uuid"]
    payment = OnlinePayment.objects.get(uuid=uuid)
    # The provider says paid, but its notification never came: the status call asks it.
    payment_models.TestProviderPayment.objects.filter(id=payment.provider_payment_id).update(
        status="succeeded"
    )
    assert client.get(f"{URL}{uuid}").json()["status"] == "succeeded"
    assert LedgerPayment.objects.filter(account=a).count() == 2


def test_sbp_gives_the_bank_link(client, alice, two):
    a, _b = two
    client.force_login(alice)
    data = post(client, URL, body(a, method="sbp")).json()
    payment = OnlinePayment.objects.get()
    sbp = reverse("test_provider:sbp", args=[payment.provider_payment_id])
    assert data["method"] == "sbp" and data["redirect_url"] == f"http://testserver{sbp}"


@pytest.mark.parametrize(
    "typed,message",
    [
        ("-5", "Введите сумму в рублях, например 1234,56 — без минуса и букв."),
        ("сто", "Введите сумму в рублях, например 1234,56 — без минуса и букв."),
        ("12,345", "Введите сумму в рублях, например 1234,56 — без минуса и букв."),
    ],
)
def test_bad_amount_gets_the_pages_message_under_its_part(client, alice, two, typed, message):
    a, b = two
    client.force_login(alice)
    data = body(a, b)
    data["parts"][2]["amount"] = typed
    response = post(client, URL, data)
    assert response.status_code == 400
    assert response.json()["fields"] == {"parts.2.amount": [message]}
    assert not OnlinePayment.objects.exists()


def test_too_much_and_nothing_and_bad_email(client, alice, two):
    a, _b = two
    client.force_login(alice)
    data = body(a)
    data["parts"][0]["amount"] = "9 999 999"
    response = post(client, URL, data)
    assert response.status_code == 400 and response.json()["code"] == "too_much"
    assert "Слишком большая сумма" in response.json()["message"]
    data = body(a)
    for part in data["parts"]:
        part["amount"] = "0"
    response = post(client, URL, data)
    assert response.status_code == 400
    assert response.json()["fields"] == {"__all__": ["Укажите сумму хотя бы по одному счёту."]}
    response = post(client, URL, body(a, receipt_email="nope"))
    email_error = "Введите e-mail, например ivanov@mail.ru."
    assert response.json()["fields"] == {"receipt_email": [email_error]}
    assert not OnlinePayment.objects.exists()


def test_stranger_gets_404_for_payment_and_account(client, alice, charlie, two):
    a, _b = two
    client.force_login(alice)
    uuid = post(client, URL, body(a)).json()["uuid"]
    client.force_login(charlie)
    assert client.get(f"{URL}{uuid}").status_code == 404
    assert post(client, f"{URL}{uuid}/retry", {}).status_code == 404
    assert client.get(URL).json() == []
    response = post(client, URL, body(a))
    assert response.status_code == 404
    assert OnlinePayment.objects.count() == 1


def test_someone_elses_idempotency_key_is_refused(client, alice, charlie, two):
    a, _b = two
    client.force_login(alice)
    post(client, URL, body(a, idempotency_key="shared-key-1"))
    mine = account(owner=charlie, number="100000003", flat="3")
    client.force_login(charlie)
    data = {
        "parts": [{"account": str(mine.uuid), "amount": "10"}],
        "method": "card",
        "receipt_email": "c@example.ru",
        "idempotency_key": "shared-key-1",
    }
    response = post(client, URL, data)
    assert response.status_code == 400 and response.json()["code"] == "key"
    assert OnlinePayment.objects.count() == 1


def test_staff_see_by_visible_to_but_cannot_pay_for_a_customer(client, alice, staff, two):
    a, _b = two
    client.force_login(alice)
    uuid = post(client, URL, body(a)).json()["uuid"]
    client.force_login(staff)
    assert client.get(f"{URL}{uuid}").status_code == 200
    assert client.get(URL).json() == []  # their own payments: none
    response = post(client, URL, body(a))
    assert response.status_code == 400
    assert response.json()["fields"] == {"parts.0": ["Этого лицевого счёта нет в вашем кабинете."]}
    assert OnlinePayment.objects.count() == 1


def test_retry_after_the_provider_failed(client, alice, two, monkeypatch):
    from kabinet.payments.providers.base import ProviderError
    from kabinet.payments.providers.test_provider import TestProvider

    a, _b = two
    client.force_login(alice)

    def refuse(self, **kwargs):
        raise ProviderError("timeout", retryable=True, code="timeout")

    monkeypatch.setattr(TestProvider, "create_payment", refuse)
    data = post(client, URL, body(a)).json()
    assert data["status"] == "failed"
    assert data["error"] == "Платёжная система не ответила. Попробуйте ещё раз через минуту."
    monkeypatch.undo()
    again = post(client, f"{URL}{data['uuid']}/retry", {})
    assert again.status_code == 200
    assert again.json()["status"] == "pending" and again.json()["redirect_url"]
    assert OnlinePayment.objects.get().provider_payment_id


# --- saved cards and autopay ------------------------------------------------------------


def card_for(user, last4="4242"):
    from kabinet.payments.models import SavedCard

    payment_models.TestProviderPayment.objects.create(
        id=f"test_src_{last4}_{user.pk}",
        idempotency_key=f"src-{last4}-{user.pk}",
        amount_kopecks=100,
        method="card",
        status="succeeded",
        save_method=True,
        method_id=f"test_pm_{last4}_{user.pk}",
        card_title=f"Visa •••• {last4}",
        card_expiry="12/2030",
    )
    return SavedCard.objects.create(
        user=user,
        provider="test",
        method_id=f"test_pm_{last4}_{user.pk}",
        title=f"Visa •••• {last4}",
    )


def test_cards_and_autopay(client, alice, two):
    from kabinet.payments.models import Autopay

    a, _b = two
    card = card_for(alice)
    client.force_login(alice)
    assert [c["title"] for c in client.get(f"{URL}cards").json()] == ["Visa •••• 4242"]
    data = {"account": str(a.uuid), "card": str(card.uuid), "day": 20, "ceiling": "5 000"}
    response = post(client, f"{URL}autopays", data)
    assert response.status_code == 201, response.content
    autopay = response.json()
    assert autopay["status"] == "active" and autopay["ceiling"] == "5000.00"
    assert autopay["account_number"] == a.number and autopay["card_title"] == "Visa •••• 4242"
    assert Autopay.objects.get().ceiling_kopecks == 500000
    assert [x["uuid"] for x in client.get(f"{URL}autopays").json()] == [autopay["uuid"]]
    cancelled = post(client, f"{URL}autopays/{autopay['uuid']}/cancel", {})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    response = client.delete(f"{URL}cards/{card.uuid}")
    assert response.status_code == 204
    card.refresh_from_db()
    assert card.deleted_at is not None
    assert client.get(f"{URL}cards").json() == []


def test_autopay_bad_ceiling_gets_the_pages_message(client, alice, two):
    from kabinet.payments.models import Autopay

    a, _b = two
    card = card_for(alice)
    client.force_login(alice)
    data = {"account": str(a.uuid), "card": str(card.uuid), "day": 20, "ceiling": "-5"}
    response = post(client, f"{URL}autopays", data)
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "ceiling": ["Введите сумму в рублях, например 1234,56 — без минуса и букв."]
    }
    response = post(client, f"{URL}autopays", {**data, "day": 31})
    assert response.status_code == 422
    assert not Autopay.objects.exists()


def test_cards_and_autopays_of_another_customer_are_404(client, alice, charlie, staff, two):
    from kabinet.payments.models import Autopay

    a, _b = two
    card = card_for(alice)
    client.force_login(alice)
    data = {"account": str(a.uuid), "card": str(card.uuid), "day": 20, "ceiling": "5000"}
    autopay = post(client, f"{URL}autopays", data).json()["uuid"]
    for user in (charlie, staff):
        client.force_login(user)
        assert client.get(f"{URL}cards").json() == []
        assert client.get(f"{URL}autopays").json() == []
        assert client.delete(f"{URL}cards/{card.uuid}").status_code == 404
        assert post(client, f"{URL}autopays/{autopay}/cancel", {}).status_code == 404
        assert post(client, f"{URL}autopays", data).status_code == 404  # not their card
    card.refresh_from_db()
    assert card.deleted_at is None
    assert Autopay.objects.get().status == "active"
    # Charlie's own card on Alice's account: the account is not his.
    mine = card_for(charlie, last4="1111")
    client.force_login(charlie)
    response = post(client, f"{URL}autopays", {**data, "card": str(mine.uuid)})
    assert response.status_code == 404
