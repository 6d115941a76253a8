"""Saved cards and autopay (000 §2.2.6.5): set for a year, charged once a month up to
the ceiling, e-mailed, stopped safely when the card fails, cancellable any time."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.tests.factories import account, charge
from kabinet.payments import services
from kabinet.payments.models import Autopay, OnlinePayment, SavedCard, TestProviderPayment

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date(2026, 11, 20)
LAST = add_months(period_of(TODAY), -1)


def card_for(user, last4="4242") -> SavedCard:
    """A card saved by a paid test-provider payment, as after «Сохранить карту»."""
    TestProviderPayment.objects.create(
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


@pytest.fixture
def acc(alice):
    a = account(owner=alice)
    charge(a, LAST, 412345)
    return a


def test_autopay_is_set_for_a_year_and_replaces_the_old(alice, acc):
    card = card_for(alice)
    first = services.autopay_set(
        user=alice, account=acc, card=card, day=25, ceiling_kopecks=500000, today=TODAY
    )
    assert first.valid_until == date(2027, 11, 19)
    second = services.autopay_set(
        user=alice, account=acc, card=card, day=10, ceiling_kopecks=300000, today=TODAY
    )
    first.refresh_from_db()
    assert first.status == "cancelled" and second.status == "active"
    assert second.last_period == period_of(TODAY)  # the 10th has passed: next month first


@pytest.mark.parametrize(
    "day,ceiling,field",
    [(0, 100, "day"), (29, 100, "day"), (10, 0, "ceiling"), (10, 10**12, "ceiling")],
)
def test_autopay_refuses_bad_settings(alice, acc, day, ceiling, field):
    with pytest.raises(DomainError) as err:
        services.autopay_set(
            user=alice, account=acc, card=card_for(alice), day=day, ceiling_kopecks=ceiling
        )
    assert err.value.field == field and not Autopay.objects.exists()


def test_autopay_refuses_anothers_account_or_card(alice, charlie, acc):
    with pytest.raises(DomainError):
        services.autopay_set(
            user=charlie, account=acc, card=card_for(charlie), day=10, ceiling_kopecks=100
        )
    with pytest.raises(DomainError):
        services.autopay_set(
            user=alice, account=acc, card=card_for(charlie, "1111"), day=10, ceiling_kopecks=100
        )


def test_autopay_charges_what_is_owed_up_to_the_ceiling_once(alice, acc, mailoutbox):
    autopay = services.autopay_set(
        user=alice, account=acc, card=card_for(alice), day=20, ceiling_kopecks=300000,
        today=TODAY - timedelta(days=5),
    )  # fmt: skip
    assert services.autopays_run(today=TODAY) == 1
    assert services.autopays_run(today=TODAY) == 0  # the job again: nothing more
    assert services.autopays_run(today=TODAY + timedelta(days=3)) == 0
    [payment] = OnlinePayment.objects.filter(autopay=autopay)
    assert (payment.status, payment.amount_kopecks) == ("succeeded", 300000)
    assert list(LedgerPayment.objects.values_list("amount_kopecks", "channel")) == [
        (300000, "online")
    ]
    assert [m.subject for m in mailoutbox] == [
        f"Автоплатёж: списано 3\xa0000,00\xa0₽ по счёту {acc.number}"
    ]


def test_nothing_owed_charges_nothing(alice):
    a = account(owner=alice)
    services.autopay_set(
        user=alice, account=a, card=card_for(alice), day=1, ceiling_kopecks=300000,
        today=date(2026, 10, 31),
    )  # fmt: skip
    assert services.autopays_run(today=TODAY) == 0
    assert not OnlinePayment.objects.exists()
    assert "нечего оплачивать" in Autopay.objects.get().note


def test_a_failing_card_stops_the_autopay_and_says_so(alice, acc, mailoutbox):
    autopay = services.autopay_set(
        user=alice, account=acc, card=card_for(alice, "0341"), day=20, ceiling_kopecks=300000,
        today=TODAY - timedelta(days=5),
    )  # fmt: skip
    assert services.autopays_run(today=TODAY) == 0
    autopay.refresh_from_db()
    assert autopay.status == "stopped"
    assert not LedgerPayment.objects.exists()
    assert OnlinePayment.objects.get().status == "canceled"
    assert [m.subject for m in mailoutbox] == [f"Автоплатёж по счёту {acc.number} остановлен"]
    # Next month it does not try again.
    assert services.autopays_run(today=date(2026, 12, 20)) == 0
    assert OnlinePayment.objects.count() == 1


def test_an_expired_autopay_ends(alice, acc):
    autopay = services.autopay_set(
        user=alice, account=acc, card=card_for(alice), day=20, ceiling_kopecks=300000,
        today=date(2025, 11, 1),
    )  # fmt: skip
    services.autopays_run(today=TODAY)
    autopay.refresh_from_db()
    assert autopay.status == "expired" and not OnlinePayment.objects.exists()


def test_deleting_a_card_ends_its_autopays(alice, acc):
    card = card_for(alice)
    autopay = services.autopay_set(user=alice, account=acc, card=card, day=20, ceiling_kopecks=100)
    services.card_delete(user=alice, card=card)
    autopay.refresh_from_db()
    assert autopay.status == "cancelled" and autopay.note == "карта удалена"
    assert SavedCard.objects.get().deleted_at is not None


def test_cards_page_access_and_cancel(client, alice, charlie, acc):
    card = card_for(alice)
    autopay = services.autopay_set(user=alice, account=acc, card=card, day=20, ceiling_kopecks=100)
    client.force_login(charlie)
    assert "Visa •••• 4242" not in client.get(reverse("payments:cards")).content.decode()
    cancel = reverse("payments:autopay_cancel", args=[autopay.uuid])
    assert client.post(cancel).status_code == 404
    delete = reverse("payments:card_delete", args=[card.uuid])
    assert client.post(delete).status_code == 404
    client.force_login(alice)
    assert "Visa •••• 4242" in client.get(reverse("payments:cards")).content.decode()
    assert client.post(cancel).status_code == 302
    autopay.refresh_from_db()
    assert autopay.status == "cancelled" and autopay.ended_at <= timezone.now()
