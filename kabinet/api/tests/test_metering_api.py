"""Приборы учёта и показания through the API, with the cabinet's session: the meters and
the history the pages show, the window, and a submission under the page's rules and
messages; another customer gets 404 on every meter and account URL."""

from datetime import date

import pytest

from kabinet.api import metering as metering_api
from kabinet.metering.models import Meter, Reading
from kabinet.metering.tests import factories as f
from kabinet.metering.tests.factories import IN_WINDOW

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def in_window(monkeypatch):
    monkeypatch.setattr(metering_api, "_today", lambda: IN_WINDOW)


@pytest.fixture
def acc(alice):
    return f.account(owner=alice)


@pytest.fixture
def m(acc):
    meter = f.meter(acc, digits=5, verified_until=date(2030, 1, 1), unit="кВт·ч")
    f.history(meter, [1000, 1100, 1200, 1300])
    return meter


def object_urls(acc, m):
    return [
        f"{API}/meters/{m.uuid}",
        f"{API}/meters/{m.uuid}/readings",
        f"{API}/accounts/{acc.uuid}/meters",
        f"{API}/accounts/{acc.uuid}/readings",
        f"{API}/accounts/{acc.uuid}/consumption",
    ]


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.usefixtures("in_window")
def test_owner_and_staff_read_stranger_gets_404(client, alice, charlie, staff, acc, m):
    for user, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(user)
        for url in object_urls(acc, m):
            response = client.get(url)
            assert response.status_code == code, (user, url)
            if code == 404:
                assert response.json()["code"] == "not_found"


@pytest.mark.usefixtures("in_window")
def test_stranger_cannot_submit(client, charlie, m):
    client.force_login(charlie)
    response = post(client, f"{API}/meters/{m.uuid}/readings", {"values": {"total": "1400"}})
    assert response.status_code == 404
    assert not Reading.objects.filter(source="customer").exists()


@pytest.mark.usefixtures("in_window")
def test_meters_of_the_account_with_last_readings(client, alice, acc, m):
    f.meter(acc, number="777", state=Meter.State.REMOVED)
    f.meter(acc, number="555", verified_until=date(2025, 1, 1), zones=Meter.Zones.TWO)
    client.force_login(alice)
    rows = client.get(f"{API}/accounts/{acc.uuid}/meters").json()
    assert [r["number"] for r in rows] == [m.number, "555", "777"]  # the removed last
    mine = rows[0]
    assert mine["uuid"] == str(m.uuid) and mine["account"] == str(acc.uuid)
    assert mine["last"] == [
        {"zone": "total", "zone_label": "сутки", "value": "1300", "period": "2026-02-01"}
    ]
    assert mine["verification_overdue"] is False and mine["coefficient"] == "1"
    assert rows[1]["verification_overdue"] is True
    assert rows[1]["zone_codes"] == ["day", "night"]
    assert rows[2]["state"] == "removed"
    # «Мои приборы учёта»: every meter of the cabinet; the other customer's are not there.
    f.meter(f.account(), number="999")
    assert {r["number"] for r in client.get(f"{API}/meters/").json()} == {"555", m.number, "777"}


def test_staff_meter_list_is_their_own_cabinets(client, staff, m):
    client.force_login(staff)
    assert client.get(f"{API}/meters/").json() == []


@pytest.mark.usefixtures("in_window")
def test_window(client, alice, monkeypatch):
    client.force_login(alice)
    data = client.get(f"{API}/readings/window").json()
    assert data == {
        "is_open": True,
        "start_day": 15,
        "end_day": 25,
        "opens_on": "2026-03-15",
        "closes_on": "2026-03-25",
        "period": "2026-03-01",
    }
    monkeypatch.setattr(metering_api, "_today", lambda: date(2026, 3, 27))
    data = client.get(f"{API}/readings/window").json()
    assert data["is_open"] is False and data["opens_on"] == "2026-04-15"


@pytest.mark.usefixtures("in_window")
def test_submit_saves_the_reading(client, alice, m):
    client.force_login(alice)
    response = post(client, f"{API}/meters/{m.uuid}/readings", {"values": {"total": "1 400"}})
    assert response.status_code == 201, response.content
    (row,) = response.json()
    assert row["value"] == "1400" and row["status"] == "submitted"
    assert row["period"] == "2026-03-01" and row["source"] == "customer"
    saved = Reading.objects.get(source="customer")
    assert saved.value == 1400 and saved.submitted_by == alice


@pytest.mark.usefixtures("in_window")
def test_submit_bad_value_is_400_with_the_pages_message(client, alice, m):
    client.force_login(alice)
    url = f"{API}/meters/{m.uuid}/readings"
    response = post(client, url, {"values": {"total": "1250"}})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "lower"
    assert body["fields"]["total"] == [
        "Показание меньше последнего принятого (1\u00a0300 за 02.2026). "
        "Показания счётчика не уменьшаются — проверьте число."
    ]
    response = post(client, url, {"values": {"total": "042"}})
    assert response.json()["fields"] == {"total": ["Введите показание без первых нулей: 42."]}
    response = post(client, url, {"values": {"total": "1400,5"}})
    assert response.json()["fields"]["total"] == [
        "Введите показание без цифр после запятой: у этого счётчика их нет."
    ]
    assert not Reading.objects.filter(source="customer").exists()


@pytest.mark.usefixtures("in_window")
def test_submit_jump_asks_to_confirm(client, alice, m):
    client.force_login(alice)
    url = f"{API}/meters/{m.uuid}/readings"
    response = post(client, url, {"values": {"total": "1900"}})
    assert response.status_code == 400
    assert response.json()["code"] == "confirm"
    assert "намного больше обычного" in response.json()["fields"]["total"][0]
    assert not Reading.objects.filter(source="customer").exists()
    response = post(client, url, {"values": {"total": "1900"}, "confirm_jump": True})
    assert response.status_code == 201
    assert Reading.objects.get(source="customer").value == 1900


@pytest.mark.usefixtures("in_window")
def test_submit_two_zones_needs_both(client, alice, acc):
    two = f.meter(acc, number="555", zones=Meter.Zones.TWO)
    client.force_login(alice)
    response = post(client, f"{API}/meters/{two.uuid}/readings", {"values": {"day": "10"}})
    assert response.status_code == 400
    assert response.json()["fields"] == {"night": ["Введите показание и для зоны «ночь»."]}


@pytest.mark.usefixtures("in_window")
def test_unknown_zone_is_422(client, alice, m):
    client.force_login(alice)
    response = post(client, f"{API}/meters/{m.uuid}/readings", {"values": {"evening": "1"}})
    assert response.status_code == 422
    assert response.json()["code"] == "validation"


def test_outside_the_window_submit_says_when_it_opens(client, alice, m, monkeypatch):
    monkeypatch.setattr(metering_api, "_today", lambda: date(2026, 3, 27))
    client.force_login(alice)
    response = post(client, f"{API}/meters/{m.uuid}/readings", {"values": {"total": "1400"}})
    assert response.status_code == 400
    assert response.json()["code"] == "window"
    assert "Приём откроется 15 апреля 2026." in response.json()["message"]
    assert not Reading.objects.filter(source="customer").exists()


@pytest.mark.usefixtures("in_window")
def test_removed_meter_takes_no_readings(client, alice, acc):
    gone = f.meter(acc, number="777", state=Meter.State.REMOVED)
    client.force_login(alice)
    response = post(client, f"{API}/meters/{gone.uuid}/readings", {"values": {"total": "1"}})
    assert response.status_code == 400
    assert response.json()["code"] == "removed"


@pytest.mark.usefixtures("in_window")
def test_history_both_sides_and_filters(client, alice, acc, m):
    f.accepted(m, date(2026, 3, 1), 1400, source="customer")
    Reading.objects.create(
        meter=m, zone="total", period=date(2026, 3, 1), value=1401, status="rejected",
        source="customer", reject_reason="Не совпадает с фото",
    )  # fmt: skip
    second = f.meter(acc, number="888")
    f.history(second, [5, 6])
    client.force_login(alice)
    url = f"{API}/accounts/{acc.uuid}/readings"
    rows = client.get(url).json()
    march = next(r for r in rows if r["meter"] == str(m.uuid) and r["period"] == "2026-03-01")
    assert march["accepted"]["value"] == "1400"
    statuses = {(s["value"], s["status"]) for s in march["submitted"]}
    assert statuses == {("1400", "accepted"), ("1401", "rejected")}
    assert any(s["reject_reason"] == "Не совпадает с фото" for s in march["submitted"])
    only = client.get(url, {"meter": str(second.uuid)}).json()
    assert {r["meter_number"] for r in only} == {"888"}
    march_only = client.get(url, {"period_from": "2026-03", "period_to": "2026-03"}).json()
    assert {r["period"] for r in march_only} == {"2026-03-01"}
    per_meter = client.get(f"{API}/meters/{second.uuid}/readings").json()
    assert {r["meter_number"] for r in per_meter} == {"888"} and len(per_meter) == 2


@pytest.mark.usefixtures("in_window")
def test_history_bad_filter_is_400_with_the_pages_message(client, alice, acc, m):
    client.force_login(alice)
    url = f"{API}/accounts/{acc.uuid}/readings"
    response = client.get(url, {"period_from": "2026-03", "period_to": "2026-01"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"period_to": ["Конец периода раньше начала."]}
    foreign = f.meter(f.account())
    response = client.get(url, {"meter": str(foreign.uuid)})
    assert response.status_code == 400 and "meter" in response.json()["fields"]


@pytest.mark.usefixtures("in_window")
def test_consumption_series(client, alice, acc, m):
    f.accepted(m, date(2026, 3, 1), 1450)
    client.force_login(alice)
    (series,) = client.get(f"{API}/accounts/{acc.uuid}/consumption", {"months": 3}).json()
    assert series["meter"] == str(m.uuid) and series["unit"] == "кВт·ч"
    assert series["points"] == [
        {"period": "2026-01-01", "consumption": "100"},
        {"period": "2026-02-01", "consumption": "100"},
        {"period": "2026-03-01", "consumption": "150"},
    ]
