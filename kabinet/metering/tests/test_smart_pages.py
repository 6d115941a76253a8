"""ИСУ pages (/meters/smart/…) and the heat archives: charts, periods, exports, access."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.core.charts import Chart, Series, days, hours
from kabinet.metering import smart_views
from kabinet.metering.tests import factories as f
from kabinet.metering.tests import smart_data as data

TODAY = date(2026, 11, 20)


# --- the chart component ---------------------------------------------------------------


def test_gap_is_hatched_never_a_zero_bar():
    values = [Decimal("1.5"), None, None, Decimal("0"), Decimal("2")]
    c = Chart(
        "A+", "кВт·ч", "day", days(date(2026, 11, 1), date(2026, 11, 5)), [Series("A+", values)]
    )
    svg = str(c.svg)
    assert svg.count('class="chart__bar') == 3  # the measured 0 is a (thin) bar, the gap is not
    assert svg.count('class="chart__gap"') == 1  # one hatched run for 02–03.11
    assert "02.11.2026 — 03.11.2026: нет данных" in svg
    assert 'data-i="1"' not in svg and 'data-i="2"' not in svg
    assert f'fill="url(#{c.id}-hatch)"' in svg
    assert c.has_gaps and not c.has_estimated
    assert c.rows[1]["cells"] == [("", False)]


def test_estimated_values_are_lighter_and_labelled():
    values = [Decimal("1"), Decimal("2"), Decimal("3")]
    c = Chart(
        "A+", "кВт·ч", "hour", hours(datetime(2026, 11, 1), 3),
        [Series("A+", values, [False, True, False])],
    )  # fmt: skip
    svg = str(c.svg)
    assert svg.count("chart__bar--est") == 1
    assert "01.11.2026 01:00: 2 кВт·ч (оценка)" in svg
    assert c.has_estimated


def test_axis_labels_and_fewer_ticks_on_a_phone():
    week = Chart("A+", "кВт·ч", "hour", hours(datetime(2026, 11, 1), 7 * 24),
                 [Series("A+", [Decimal(1)] * 168)])  # fmt: skip
    assert [t.label for t in week.ticks] == [f"{d:02d}.11" for d in range(1, 8)]
    assert [t.minor for t in week.ticks] == [False, True, False, True, False, True, False]
    day = Chart("A+", "кВт·ч", "hour", hours(datetime(2026, 11, 1), 24), [Series("A+", [1] * 24)])
    assert [t.label for t in day.ticks][:3] == ["00:00", "03:00", "06:00"]
    month = Chart("A+", "кВт·ч", "day", days(date(2026, 1, 1), date(2026, 12, 31)),
                  [Series("A+", [1] * 365)])  # fmt: skip
    assert len(month.ticks) <= 12
    assert [t.label for t in month.y_ticks] == ["1", "0,5", "0"]
    assert all("," not in t.pos for t in month.ticks)  # a style attribute, never "12,5%"


def test_line_chart_breaks_at_gaps_and_escapes_text():
    c = Chart(
        "T", "°C", "day", days(date(2026, 11, 1), date(2026, 11, 4)),
        [Series("T1<script>", [90, None, 92, 93])], kind="line",
    )  # fmt: skip
    svg = str(c.svg)
    assert svg.count("<polyline") == 2
    assert "<script>" not in svg and "T1&lt;script&gt;" in svg


def test_empty_chart_says_so(rf):
    from django.template import Context, Template

    c = Chart(
        "A+",
        "кВт·ч",
        "day",
        days(date(2026, 11, 1), date(2026, 11, 2)),
        [Series("A+", [None, None])],
    )
    html = Template("{% load charts %}{% chart c %}").render(Context({"c": c}))
    assert "Нет данных за выбранный период." in html and "<svg" not in html


# --- fixtures --------------------------------------------------------------------------

GAP_DAY = TODAY - timedelta(days=3)


@pytest.fixture
def smart(alice, monkeypatch):
    monkeypatch.setattr(smart_views, "_today", lambda: TODAY)
    return data.smart_meter(alice, TODAY, gap_day=GAP_DAY)


def url(m, **q):
    from urllib.parse import urlencode

    return reverse("metering:smart", args=[m.uuid]) + ("?" + urlencode(q) if q else "")


# --- the ИСУ page ----------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["info", "registers", "energy", "power", "events"])
def test_owner_sees_every_tab(client, alice, smart, tab):
    client.force_login(alice)
    r = client.get(url(smart, tab=tab))
    assert r.status_code == 200
    html = r.content.decode()
    for label in ("Справка", "Показания", "Энергия", "Мощность", "Журнал"):
        assert label in html
    assert 'aria-current="page"' in html


def test_info_tab(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart)).content.decode()
    assert "ИСУ-0001" in html and "Милур 307" in html and smart.account.number in html
    assert "A+ активная энергия, приём" in html


def test_energy_week_shows_gap_and_estimate(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="energy")).content.decode()
    assert f"{GAP_DAY:%d.%m.%Y} 00:00 — {GAP_DAY:%d.%m.%Y} 23:00: нет данных" in html
    assert "chart__bar--est" in html and "оценка" in html
    assert "без данных 24 интервал" in html
    assert "Уведомления о потреблении" in html


def test_energy_long_period_is_daily_then_monthly(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="energy", preset="year")).content.decode()
    assert "Потребление по месяцам" not in html and "Потребление по суткам" in html
    html = client.get(url(smart, tab="energy", date_from="2024-01-01", date_to="2026-11-20"))
    assert "Потребление по месяцам" in html.content.decode()


def test_energy_reactive_channel(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="energy", channel="r_imp", preset="day")).content.decode()
    assert "R+ реактивная энергия, приём" in html and "квар·ч" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "31.02.2026"}, "Введите дату в формате дд.мм.гггг."),
        ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, "Дата «по» раньше даты «с»."),
        ({"date_to": "2026-12-31"}, "Данных за будущие дни нет"),
        (
            {"date_from": "2019-01-01", "date_to": "2026-11-01"},
            "Период не может быть длиннее трёх лет.",
        ),
        ({"date_from": "abc", "date_to": "zzz"}, "Введите дату в формате дд.мм.гггг."),
        # The arrows would step a week before 01.01.0001: an OverflowError, a 500.
        (
            {"date_from": "0001-01-01", "date_to": "0001-01-05"},
            "Укажите дату с 01.01.2000 по 31.12.2099.",
        ),
        ({"date_to": "01.01.0001"}, "Укажите дату с 01.01.2000 по 31.12.2099."),
    ],
)
def test_bad_period_is_a_message_not_an_error(client, alice, smart, query, message):
    client.force_login(alice)
    r = client.get(url(smart, tab="energy", **query))
    assert r.status_code == 200
    html = r.content.decode()
    assert message in html
    assert "errorlist" in html and "<svg" in html  # the default week is still shown


def test_period_arrows(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="energy", preset="week")).content.decode()
    assert "date_from=2026-11-07&amp;date_to=2026-11-13" in html  # ← the week before
    assert 'rel="next"' not in html  # nothing after today
    html = client.get(url(smart, tab="energy", preset="month", date_to="")).content.decode()
    assert "date_from=2026-10-01&amp;date_to=2026-10-31" in html


def test_registers_tab(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="registers")).content.decode()
    assert "Суточный профиль показаний" in html
    assert "T1, кВт·ч" in html and "сумма, кВт·ч" in html
    assert "835" in html  # the 00:00 total register on the 19th: 1000 − 150 − 15
    assert "Расход за сутки по показаниям" in html


def test_power_tab(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="power", preset="week")).content.decode()
    assert "Активная мощность P" in html and "Реактивная мощность Q" in html
    assert "Полная мощность S" in html
    assert "0,9" in html  # the maximum of P: 0.5 + 0.4 kWh in one hour


def test_power_extremes_with_times(smart):
    found = smart_views._series_of_meter(smart)
    period = smart_views.Period(TODAY, TODAY, "day")
    rows, daily = smart_views.power_extremes(smart, found, period)
    p = rows[0]
    assert (p["kind"], p["min"], p["max"]) == ("P", Decimal("0.5"), Decimal("0.9"))
    assert p["max_at"].replace(tzinfo=None) == datetime(2026, 11, 20, 4)
    s = rows[2]
    assert s["max"] == Decimal("0.922")  # √(0.9² + 0.2²)
    assert daily[1] == [Decimal("0.9")]


def test_events_tab_with_type_filter(client, alice, smart):
    client.force_login(alice)
    html = client.get(url(smart, tab="events")).content.decode()
    assert "Отключение питания" in html and "Вскрытие крышки" in html
    assert "Пропало напряжение" in html
    html = client.get(url(smart, tab="events", code="cover_open")).content.decode()
    assert "Пропало напряжение" not in html and "18.11.2026 09:00" in html


@pytest.mark.parametrize("tab", ["registers", "energy", "power", "events"])
def test_csv_and_xlsx_of_every_tab(client, alice, smart, tab):
    client.force_login(alice)
    r = client.get(url(smart, tab=tab, format="csv"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    x = client.get(url(smart, tab=tab, format="xlsx"))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert client.get(url(smart, tab=tab, format="exe")).status_code == 404


def test_energy_csv_keeps_gaps_empty_and_marks_estimates(client, alice, smart):
    client.force_login(alice)
    r = client.get(url(smart, tab="energy", preset="week"))
    body = client.get(url(smart, tab="energy", preset="week", format="csv")).content.decode(
        "utf-8-sig"
    )
    lines = body.splitlines()
    assert lines[0] == "Дата;Час;A+, кВт·ч;Оценка"
    assert len(lines) == 1 + 7 * 24
    assert f"{GAP_DAY:%d.%m.%Y};05:00–06:00;;" in lines
    assert f"{TODAY:%d.%m.%Y};03:00–04:00;0,8;оценка" in lines
    assert r.status_code == 200


def test_xlsx_has_the_numbers(client, alice, smart):
    from openpyxl import load_workbook

    client.force_login(alice)
    r = client.get(url(smart, tab="energy", preset="day", format="xlsx"))
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[1] == "04:00–05:00"]
    assert values[0][2] == Decimal("0.9") or float(values[0][2]) == 0.9


def test_stranger_gets_404_everywhere(client, charlie, smart):
    client.force_login(charlie)
    for tab in ("info", "energy", "power", "registers", "events"):
        assert client.get(url(smart, tab=tab)).status_code == 404
        assert client.get(url(smart, tab=tab, format="csv")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, smart):
    r = client.get(url(smart))
    assert r.status_code == 302


def test_staff_see_the_page_read_only(client, staff, smart):
    client.force_login(staff)
    r = client.get(url(smart, tab="energy"))
    assert r.status_code == 200
    block = r.content.decode().split("Уведомления о потреблении")[1].split("</section>")[0]
    assert 'method="post"' not in block and "выключено" in block
    assert client.post(url(smart, tab="energy"), {"night": "on"}).status_code == 404


def test_meter_without_interval_data_has_no_page(client, alice):
    m = f.meter(f.account(owner=alice))
    client.force_login(alice)
    assert client.get(url(m)).status_code == 404


def test_meter_list_links_the_smart_page_only_for_smart_meters(client, alice, smart):
    plain = f.meter(f.account(owner=alice), number="ПРОСТОЙ-1")
    client.force_login(alice)
    html = client.get(reverse("metering:list")).content.decode()
    assert reverse("metering:smart", args=[smart.uuid]) in html
    assert reverse("metering:smart", args=[plain.uuid]) not in html


# --- heat archives ---------------------------------------------------------------------


@pytest.fixture
def heat(alice, monkeypatch):
    monkeypatch.setattr(smart_views, "_today", lambda: TODAY)
    return data.heat_unit(alice, TODAY, gap_day=GAP_DAY)


def heat_url(unit, **q):
    from urllib.parse import urlencode

    return reverse("metering:unit_archive", args=[unit.uuid]) + ("?" + urlencode(q) if q else "")


def test_heat_hourly_archive(client, alice, heat):
    client.force_login(alice)
    html = client.get(heat_url(heat)).content.decode()
    assert "Часовой архив" in html and "Тепловая энергия Q" in html
    assert "Температура T1/T2" in html and "92,5" in html
    assert "нет данных" in html


def test_heat_daily_archive_uses_the_daily_series(client, alice, heat):
    client.force_login(alice)
    r = client.get(heat_url(heat, tab="day", format="csv"))
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Дата;Q, Гкал;")
    assert any(line.startswith(f"{TODAY:%d.%m.%Y};0,3;") for line in lines)


def test_heat_hourly_archive_is_limited_to_a_month(client, alice, heat):
    client.force_login(alice)
    r = client.get(heat_url(heat, date_from="2026-01-01", date_to="2026-11-01"))
    assert r.status_code == 200
    assert "Часовой архив показывается не более чем за 31 суток." in r.content.decode()


def test_heat_abnormal_situations(client, alice, heat):
    client.force_login(alice)
    html = client.get(heat_url(heat, tab="events")).content.decode()
    assert "ΔT ниже допустимой" in html and "ΔT &lt; 3 °C" in html


def test_heat_archive_access(client, charlie, staff, heat):
    client.force_login(charlie)
    assert client.get(heat_url(heat)).status_code == 404
    assert client.get(heat_url(heat, format="csv")).status_code == 404
    client.force_login(staff)
    assert client.get(heat_url(heat)).status_code == 200


def test_unit_page_links_the_archive(client, alice, heat):
    client.force_login(alice)
    html = client.get(reverse("contracts:unit", args=[heat.uuid])).content.decode()
    assert reverse("metering:unit_archive", args=[heat.uuid]) in html


def test_heat_hourly_tab_without_hourly_series_is_empty_not_an_error(client, alice, heat):
    heat.interval_series.filter(step_minutes=60).delete()
    client.force_login(alice)
    r = client.get(heat_url(heat))
    assert r.status_code == 200
    assert "Архив узла учёта за этот период не передавался." in r.content.decode()
    assert client.get(heat_url(heat, tab="day")).status_code == 200


def test_power_period_is_limited_to_hourly_data(client, alice, smart):
    client.force_login(alice)
    r = client.get(url(smart, tab="power", date_from="2026-01-01", date_to="2026-11-01"))
    assert r.status_code == 200
    assert "не более чем за 93 дня" in r.content.decode()


# --- ОДПУ of a followed house ----------------------------------------------------------


@pytest.fixture
def odpu(alice, monkeypatch):
    from kabinet.premises.models import BuildingMeter, HouseFollow

    monkeypatch.setattr(smart_views, "_today", lambda: TODAY)
    house = f.house()
    HouseFollow.objects.create(user=alice, house=house)
    bm = BuildingMeter.objects.create(house=house, number="ОДПУ-77", location="Тепловой пункт")
    q = data.series({"building_meter": bm}, data.Channel.Q_GCAL)
    data.fill(q, TODAY - timedelta(days=6), 7, lambda d, h: Decimal("0.05"))
    return bm


def test_building_meter_archive(client, alice, charlie, odpu):
    path = reverse("metering:building_meter_archive", args=[odpu.pk])
    client.force_login(alice)
    html = client.get(path).content.decode()
    assert "ОДПУ-77" in html and "Тепловая энергия Q" in html
    r = client.get(path + "?tab=day&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    client.force_login(charlie)
    assert client.get(path).status_code == 404


# --- alert settings --------------------------------------------------------------------


class FakeAlerts:
    def __init__(self):
        self.calls = []

    def alert_rule_set(self, **kw):
        self.calls.append(("set", kw["kind"], kw.get("monthly_limit")))

    def alert_rule_disable(self, **kw):
        self.calls.append(("off", kw["kind"], None))


def test_alert_settings_call_the_services(client, alice, smart, monkeypatch):
    fake = FakeAlerts()
    monkeypatch.setattr(smart_views, "_alert_services", lambda: fake)
    client.force_login(alice)
    html = client.get(url(smart, tab="energy")).content.decode()
    assert "Уведомить, если расход за месяц превысит, кВт·ч" in html
    r = client.post(url(smart, tab="energy"), {"monthly_limit": "300,5", "night": "on"})
    assert r.status_code == 302
    assert fake.calls == [
        ("set", "forecast", Decimal("300.5")),
        ("set", "night", None),
        ("off", "silent", None),
    ]


def test_alert_settings_refusal_is_shown_next_to_the_field(client, alice, smart, monkeypatch):
    from kabinet.core.errors import DomainError

    class Refusing(FakeAlerts):
        def alert_rule_set(self, **kw):
            raise DomainError("Объём за месяц должен быть больше нуля.", field="monthly_limit")

    monkeypatch.setattr(smart_views, "_alert_services", lambda: Refusing())
    client.force_login(alice)
    r = client.post(url(smart, tab="energy"), {"monthly_limit": "5"})
    assert r.status_code == 200
    assert "Объём за месяц должен быть больше нуля." in r.content.decode()


def test_alert_settings_with_the_real_services(client, alice, smart):
    if smart_views._alert_services() is None:
        pytest.skip("kabinet.metering.services.alerts is not merged yet")
    from kabinet.metering.interval_models import ConsumptionAlertRule

    client.force_login(alice)
    r = client.post(url(smart, tab="energy"), {"monthly_limit": "250", "silent": "on"})
    assert r.status_code == 302
    rules = {r.kind: r for r in ConsumptionAlertRule.objects.filter(user=alice, enabled=True)}
    assert set(rules) == {"forecast", "silent"} and rules["forecast"].monthly_limit == 250
    html = client.get(url(smart, tab="energy")).content.decode()
    assert 'value="250' in html


def test_meter_with_daily_values_only_is_shown_by_day(client, alice, monkeypatch):
    monkeypatch.setattr(smart_views, "_today", lambda: TODAY)
    m = f.meter(f.account(owner=alice), number="СУТ-1")
    s = data.series({"meter": m}, data.Channel.A_IMP, step=1440)
    for k in range(7):
        row = data.IntervalDay(series=s, day=TODAY - timedelta(days=k), values=[5500] + [None] * 23)
        row.recompute()
        row.save()
    client.force_login(alice)
    html = client.get(url(m, tab="energy")).content.decode()
    assert "Потребление по суткам" in html and f"{TODAY:%d.%m.%Y}: 5,5 кВт·ч" in html
    csv = client.get(url(m, tab="energy", format="csv")).content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "Дата;A+, кВт·ч;Оценка"
    assert client.get(url(m, tab="power")).status_code == 200
