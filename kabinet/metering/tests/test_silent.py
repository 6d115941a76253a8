"""«Счётчики ИСУ без данных»: devices whose interval archive stopped filling, in the
billing specialist's readings queue and on the dashboard."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from kabinet.backoffice.selectors import day_summary
from kabinet.contracts.tests import factories as cf
from kabinet.metering.interval_models import Channel, IntervalSeries
from kabinet.metering.models import Meter
from kabinet.metering.selectors_silent import silent_devices, silent_devices_count
from kabinet.metering.tests import factories as f
from kabinet.premises.tests import factories as pf

pytestmark = pytest.mark.django_db

TILE = "Счётчики ИСУ без данных"


def series(*, last_hours_ago, channel=Channel.A_IMP, **parent) -> IntervalSeries:
    last = None if last_hours_ago is None else timezone.now() - timedelta(hours=last_hours_ago)
    return IntervalSeries.objects.create(
        **parent, channel=channel, unit_label="кВт·ч", scale=3, last_value_at=last
    )


@pytest.fixture
def billing(db):
    return make_user(login="billing-s", staff=True, role="billing")


def silent_meter(hours, *, fresh_channel=False) -> Meter:
    m = f.meter(f.account())
    series(meter=m, last_hours_ago=hours)
    series(meter=m, last_hours_ago=hours + 1, channel=Channel.R_IMP)
    if fresh_channel:
        series(meter=m, last_hours_ago=1, channel=Channel.A_EXP)
    return m


def test_a_silent_series_shows_and_a_fresh_one_does_not(client, billing):
    silent = silent_meter(72)
    fresh = silent_meter(5)
    partly = silent_meter(100, fresh_channel=True)  # one channel still reports
    removed = silent_meter(200)
    Meter.objects.filter(pk=removed.pk).update(state=Meter.State.REMOVED)
    never = f.meter(f.account())
    never_series = series(meter=never, last_hours_ago=None)
    IntervalSeries.objects.filter(pk=never_series.pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    contract = cf.contract()
    unit = contract.units.get()
    series(unit=unit, last_hours_ago=49, channel=Channel.Q_GCAL)
    house_meter = pf.meter(pf.house("9"), "УУТЭ-77", months=0)
    series(building_meter=house_meter, last_hours_ago=47, channel=Channel.Q_GCAL)  # not yet

    found = silent_devices()
    assert [d.number for d in found] == [never.number, silent.number, unit.number]
    never_row, silent_row, unit_row = found
    assert never_row.last_at is None and never_row.silent_days == 10
    assert silent_row.silent_days == 3 and silent_row.silent_hours == 0
    assert silent_row.holder == silent.account.number
    assert silent_row.address == silent.account.premises.address
    assert silent_row.url == reverse("metering:smart", args=[silent.uuid])
    assert unit_row.holder == contract.number
    assert unit_row.url == reverse("metering:unit_archive", args=[unit.uuid])
    assert silent_devices_count() == 3

    client.force_login(billing)
    response = client.get(reverse("metering_staff:queue"))
    text = response.content.decode()
    assert TILE in text
    assert silent.number in text and unit.number in text and never.number in text
    assert fresh.number not in text and partly.number not in text and removed.number not in text
    assert (
        silent_row.last_at.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y %H:%M")
        in text
    )
    assert "3 сут. 0 ч" in text and "не поступали" in text
    assert "Счётчики ИСУ без данных: 3" in text  # a link down to the block
    assert reverse("metering:smart", args=[silent.uuid]) in text


def test_nothing_silent(client, billing):
    silent_meter(1)
    client.force_login(billing)
    text = client.get(reverse("metering_staff:queue")).content.decode()
    assert "Все счётчики ИСУ передают данные." in text


def test_a_house_meter_links_to_its_archive():
    house_meter = pf.meter(pf.house("9"), "УУТЭ-77", months=0)
    series(building_meter=house_meter, last_hours_ago=60, channel=Channel.Q_GCAL)
    (row,) = silent_devices()
    assert row.url == reverse("metering:building_meter_archive", args=[house_meter.pk])
    assert row.holder == "Д-7788" and row.kind == "УУТЭ"


def test_the_list_is_bounded_and_counted(client, billing):
    for hours in range(50, 55):
        silent_meter(hours)
    assert len(silent_devices(limit=3)) == 3
    assert silent_devices_count() == 5


def test_only_the_billing_specialist_sees_it(client, alice):
    silent_meter(72)
    url = reverse("metering_staff:queue")
    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(make_user(login="op-s", staff=True, role="operator"))
    assert client.get(url).status_code == 403
    assert TILE not in {
        t.title for t in day_summary(user=make_user(login="op-t", staff=True, role="operator"))
    }


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_silent_devices(client, billing):
    silent_meter(72)
    client.force_login(billing)
    url = reverse("metering_staff:queue")
    dashboard = reverse("backoffice:dashboard")
    _queries(client, url)  # warm the session
    few, few_dash = _queries(client, url), _queries(client, dashboard)
    for hours in range(50, 60):
        silent_meter(hours)
    contract = cf.contract()
    series(unit=contract.units.get(), last_hours_ago=80, channel=Channel.Q_GCAL)
    house_meter = pf.meter(pf.house("9"), "УУТЭ-77", months=0)
    series(building_meter=house_meter, last_hours_ago=90, channel=Channel.Q_GCAL)
    assert _queries(client, url) == few
    assert _queries(client, dashboard) == few_dash


def test_the_dashboard_tile_counts_silent_devices(billing):
    silent_meter(72)
    silent_meter(3)
    tiles = {t.title: t for t in day_summary(user=billing)}
    assert tiles[TILE].figure == 1
    assert tiles[TILE].url == reverse("metering_staff:queue") + "#isu-silent"
