"""The admin's actions go through the services."""

import pytest
from django.urls import reverse

from kabinet.metering.models import Reading

from . import factories as f
from .factories import PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(alice):
    m = f.meter(f.account(owner=alice))
    return Reading.objects.create(meter=m, zone="total", period=PERIOD, value=10)


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_accept_action(admin_client, pending, staff):
    url = reverse("admin:metering_reading_changelist")
    admin_client.post(url, {"action": "accept", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == ("accepted", staff)


def test_reject_action_needs_a_reason(admin_client, pending):
    url = reverse("admin:metering_reading_changelist")
    response = admin_client.post(
        url, {"action": "reject", "_selected_action": [pending.pk], "reason": ""}, follow=True
    )
    assert "Укажите причину отклонения." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "submitted"
    admin_client.post(
        url, {"action": "reject", "_selected_action": [pending.pk], "reason": "Нет фото"}
    )
    pending.refresh_from_db()
    assert (pending.status, pending.reject_reason) == ("rejected", "Нет фото")


def test_changelist_and_change_pages_open(admin_client, pending):
    assert admin_client.get(reverse("admin:metering_reading_changelist")).status_code == 200
    url = reverse("admin:metering_reading_change", args=[pending.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:metering_meter_changelist")).status_code == 200
