"""«Показания на проверке»: the billing specialist's queue, read and acted on."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from kabinet.metering.models import Reading
from kabinet.metering.staff import reading_due
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db


def submitted(m, period, value, *, zone=Reading.Zone.TOTAL) -> Reading:
    return Reading.objects.create(
        meter=m, zone=zone, period=period, value=Decimal(value), status=Reading.Status.SUBMITTED
    )


@pytest.fixture
def billing(db):
    return make_user(login="billing-q", staff=True, role="billing")


@pytest.fixture
def queue(alice):
    """Two readings waiting: an ordinary one of March, and a jump of February (overdue)."""
    ordinary = f.meter(f.account(owner=alice))
    f.history(ordinary, [100, 110, 120, 130])
    jumpy = f.meter(f.account())
    f.history(jumpy, [100, 110, 120, 130], end=date(2026, 2, 1))
    return {
        "ordinary": submitted(ordinary, f.PERIOD, "140"),
        "jump": submitted(jumpy, date(2026, 2, 1), "900"),
    }


def test_the_deadline_is_the_months_last_day():
    assert reading_due(date(2026, 2, 1)) == date(2026, 2, 28)
    assert reading_due(date(2024, 2, 1)) == date(2024, 2, 29)


def test_the_queue_lists_waiting_readings_by_deadline_with_remarks(client, billing, queue):
    client.force_login(billing)
    response = client.get(reverse("metering_staff:queue"))
    assert response.status_code == 200
    items = response.context["items"]
    assert [i.reading for i in items] == [queue["jump"], queue["ordinary"]]
    jump, ordinary = items
    assert jump.days_left < 0 and jump.days_overdue > 0
    assert "намного больше обычного" in jump.remarks[0]
    assert ordinary.remarks == [] and ordinary.consumption == Decimal(10)
    text = response.content.decode()
    assert "просрочено на" in text and "Принять отмеченные" in text

    only = client.get(reverse("metering_staff:queue"), {"remarks": "1"}).context["items"]
    assert [i.reading for i in only] == [queue["jump"]]


def test_accept_and_reject_from_the_queue(client, billing, queue):
    client.force_login(billing)
    response = client.post(
        reverse("metering_staff:accept", args=[queue["ordinary"].pk]), {"sort": "new"}
    )
    assert response.status_code == 302 and response.url.endswith("?sort=new")
    queue["ordinary"].refresh_from_db()
    assert queue["ordinary"].status == Reading.Status.ACCEPTED
    assert queue["ordinary"].decided_by == billing

    url = reverse("metering_staff:reject", args=[queue["jump"].pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Укажите причину отклонения." in response.content.decode()
    queue["jump"].refresh_from_db()
    assert queue["jump"].status == Reading.Status.SUBMITTED

    client.post(url, {"reason": "Расход в 80 раз больше обычного, проверим на месте"})
    queue["jump"].refresh_from_db()
    assert queue["jump"].status == Reading.Status.REJECTED
    assert queue["jump"].reject_reason.startswith("Расход в 80 раз")


def test_accept_the_marked_ones(client, billing, queue):
    client.force_login(billing)
    ids = [queue["ordinary"].pk, queue["jump"].pk]
    response = client.post(reverse("metering_staff:accept_many"), {"reading": ids}, follow=True)
    assert "Принято показаний: 2." in response.content.decode()
    assert set(Reading.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"accepted"}

    response = client.post(reverse("metering_staff:accept_many"), {}, follow=True)
    assert "Отметьте показания, которые нужно принять." in response.content.decode()


def test_only_the_billing_specialist_opens_the_queue(client, alice, queue):
    url = reverse("metering_staff:queue")
    client.force_login(alice)
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("metering_staff:accept", args=[queue["ordinary"].pk])).status_code
        == 404
    )
    client.force_login(make_user(login="op-q", staff=True, role="operator"))
    assert client.get(url).status_code == 403
    response = client.post(reverse("metering_staff:accept", args=[queue["ordinary"].pk]))
    assert response.status_code == 403
    queue["ordinary"].refresh_from_db()
    assert queue["ordinary"].status == Reading.Status.SUBMITTED
