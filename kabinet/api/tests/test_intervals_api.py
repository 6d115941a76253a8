"""Interval data through the API: what the owner gets, gaps and estimates, period limits."""

from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from django.test import Client
from django.utils import timezone

from kabinet.identity.services import api_token_issue
from kabinet.metering.models import Channel
from kabinet.metering.services import intervals as svc
from kabinet.metering.tests.factories import account, meter

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def bearer(user, scope="read") -> Client:
    _token, secret = api_token_issue(user=user, name=f"t {uuid4().hex[:8]}", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def series(alice):
    m = meter(account(owner=alice), number="ЭЛ-1", unit="кВт·ч")
    s = svc.interval_series_get_or_create(meter=m, channel=Channel.A_IMP)
    points = [
        svc.Point(timezone.make_aware(datetime(2026, 3, 10, h)), Decimal("1.250"), h == 7)
        for h in range(24)
        if h not in (3, 4)  # no data for 03:00 and 04:00
    ]
    svc.interval_ingest(series=s, points=points, source="test")
    return s


def test_owner_reads_hourly_values_with_gaps_as_null(alice, series):
    client = bearer(alice)
    answer = client.get(
        f"/api/v1/intervals/series/{series.uuid}/values",
        {"date_from": "2026-03-10", "date_to": "2026-03-10"},
    )
    assert answer.status_code == 200
    values = answer.json()
    assert len(values) == 24
    assert values[3]["value"] is None and values[4]["value"] is None  # a gap, never 0
    assert Decimal(values[0]["value"]) == Decimal("1.250")
    assert values[7]["estimated"] is True and values[8]["estimated"] is False
    assert values[0]["start"].startswith("2026-03-10T00:00:00+03:00")


def test_daily_total_counts_present_and_estimated(alice, series):
    answer = bearer(alice).get(
        f"/api/v1/intervals/series/{series.uuid}/daily",
        {"date_from": "2026-03-09", "date_to": "2026-03-10"},
    )
    days = answer.json()
    assert days[0] == {
        "day": "2026-03-09",
        "value": None,
        "present": 0,
        "expected": 24,
        "estimated": 0,
    }
    assert Decimal(days[1]["value"]) == Decimal("27.5")
    assert days[1]["present"] == 22 and days[1]["estimated"] == 1


def test_series_list_is_the_callers_own(alice, charlie, series):
    assert [s["uuid"] for s in bearer(alice).get("/api/v1/intervals/series").json()] == [
        str(series.uuid)
    ]
    assert bearer(charlie).get("/api/v1/intervals/series").json() == []


def test_too_long_hourly_period_names_the_field(alice, series):
    answer = bearer(alice).get(
        f"/api/v1/intervals/series/{series.uuid}/values",
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert "не более чем за 93 дня" in body["message"]
    assert list(body["fields"]) == ["date_to"]


def test_reversed_and_absurd_dates_are_refused(alice, series):
    url = f"/api/v1/intervals/series/{series.uuid}/daily"
    reversed_ = bearer(alice).get(url, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert reversed_.status_code == 400 and "date_from" in reversed_.json()["fields"]
    ancient = bearer(alice).get(url, {"date_from": "0001-01-01", "date_to": "0001-01-02"})
    assert ancient.status_code == 400
    assert ancient.json()["message"] == "Укажите дату с 01.01.2000 по 31.12.2099."
    missing = bearer(alice).get(url)
    assert missing.status_code == 422
    assert set(missing.json()["fields"]) == {"date_from", "date_to"}
    assert missing.json()["fields"]["date_from"] == ["Обязательное поле."]


def test_stranger_gets_404_on_series_and_meter(charlie, series):
    client = bearer(charlie)
    period = {"date_from": "2026-03-10", "date_to": "2026-03-10"}
    for url in (
        f"/api/v1/intervals/series/{series.uuid}",
        f"/api/v1/intervals/series/{series.uuid}/values",
        f"/api/v1/intervals/meters/{series.meter.uuid}/power",
        f"/api/v1/intervals/meters/{series.meter.uuid}/events",
    ):
        answer = client.get(url, period)
        assert answer.status_code == 404, url
        assert answer.json() == {"code": "not_found", "message": "Не найдено.", "fields": {}}
        # UTF-8 as it is, not \u escapes.
        assert "Не найдено." in answer.content.decode("utf-8")


def test_staff_read_the_customers_series(staff, series):
    client = Client()
    client.force_login(staff)
    answer = client.get(f"/api/v1/intervals/series/{series.uuid}")
    assert answer.status_code == 200
    assert answer.json()["device_number"] == "ЭЛ-1"
