"""Query counts do not grow with the number of meters or months."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kabinet.metering import selectors, services, views
from kabinet.metering.models import Meter

from . import factories as f
from .factories import IN_WINDOW, PERIOD

pytestmark = pytest.mark.django_db


def build(owner, *, meters: int, months: int):
    acc = f.account(owner=owner)
    made = []
    for i in range(meters):
        zones = Meter.Zones.TWO if i % 2 else Meter.Zones.SINGLE
        m = f.meter(acc, zones=zones, verified_until=date(2030, 1, 1))
        for zone in m.zone_codes:
            f.history(m, [1000 + 100 * k for k in range(months)], zone=zone)
        made.append(m)
    return acc, made


def count(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_selectors_do_not_grow(alice):
    small, small_meters = build(alice, meters=1, months=3)
    big, big_meters = build(alice, meters=5, months=24)
    for fn in (
        lambda a, ms: selectors.last_accepted(meters=ms, before=PERIOD),
        lambda a, ms: selectors.account_history(account=a),
        lambda a, ms: selectors.consumption_series(account=a, months=24, today=PERIOD),
        lambda a, ms: services.readings_baselines(meters=ms, period=PERIOD),
    ):
        assert count(lambda fn=fn: fn(small, small_meters)) == count(
            lambda fn=fn: fn(big, big_meters)
        )


def test_last_accepted_is_one_query(alice, django_assert_num_queries):
    _acc, meters = build(alice, meters=5, months=24)
    with django_assert_num_queries(1):
        last = selectors.last_accepted(meters=meters, before=PERIOD)
    assert last[(meters[0].pk, "total")].value == 1000 + 100 * 23


def test_submission_does_not_grow(alice):
    small, small_meters = build(alice, meters=1, months=3)
    big, big_meters = build(alice, meters=5, months=24)

    def submit(acc, meters):
        values = {}
        for m in meters:
            last = m.readings.filter(zone=m.zone_codes[0]).order_by("-period").first().value
            values[m.uuid] = {z: str(last + 100) for z in m.zone_codes}
        return lambda: services.readings_submit_for_account(
            user=alice, account=acc, values=values, today=IN_WINDOW
        )

    assert count(submit(small, small_meters)) == count(submit(big, big_meters))


@pytest.mark.parametrize("name", ["submit", "history"])
def test_pages_do_not_grow(client, alice, monkeypatch, name, django_assert_max_num_queries):
    monkeypatch.setattr(views, "_today", lambda: IN_WINDOW)
    small, _ = build(alice, meters=1, months=3)
    big, _ = build(alice, meters=5, months=24)
    client.force_login(alice)
    small_url = reverse(f"metering:{name}", args=[small.uuid])
    big_url = reverse(f"metering:{name}", args=[big.uuid])
    client.get(small_url)  # warm the session and caches
    n = count(lambda: client.get(small_url))
    with django_assert_max_num_queries(n):
        assert client.get(big_url).status_code == 200
    with django_assert_max_num_queries(n):
        assert client.get(big_url, {"period_from": "2024-04"}).status_code == 200
