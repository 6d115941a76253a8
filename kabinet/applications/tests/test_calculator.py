"""Калькулятор стоимости технологического присоединения (002 §4.6.3): the figures the
page shows for the configured rates, the formula's parts (the free distance, two lines
for categories I and II, rounding), the table in force, the heat variant, the message
when no rate applies, and bad input."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_user
from kabinet.applications import calculator
from kabinet.applications.admin import RateForm
from kabinet.applications.calculator import cost_estimate, demo_rate_tables
from kabinet.applications.models import Rate, RateTable
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility

URL = "/connection/calculator/"
NBSP = "\u00a0"
NO_RATE = "Для такой мощности ставки не утверждены — рассчитаем стоимость при рассмотрении заявки."


def rub(text: str) -> str:
    """ "13 202,00" as the page shows it: no-break spaces, the rouble sign."""
    return text.replace(" ", NBSP) + NBSP + "₽"


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def field_errors(text: str, name: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', text, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def electric(settings, db):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    return demo_rate_tables(get_utility())[0]


@pytest.fixture
def heat(settings, db):
    settings.KABINET_UTILITY = "tek_spb"
    return demo_rate_tables(get_utility())[0]


def test_the_seeds_example_gives_the_seeds_figures(client, electric):
    text = page(client, power="15", distance="100", voltage="0.4", reliability="3")
    assert (
        "Расчёт стоимости технологического присоединения по стандартизированным тарифным "
        "ставкам: <strong>" + rub("13 202,00") + "</strong>"
    ) in text
    assert (
        "Расчёт стоимости технологического присоединения по ставке за кВт присоединяемой "
        "мощности: <strong>" + rub("10 491,60") + "</strong>"
    ) in text
    assert "Выполненный расчёт является ориентировочным" in text
    assert "будет определена сетевой организацией" in text


def test_the_form_shows_the_seeds_fields_and_the_tables_voltages(client, electric):
    text = page(client)
    for label in (
        "Мощность, кВт",
        "Расстояние до сетей электроснабжения, метры",
        "до 150 м расстояние не имеет значения",
        "Напряжение, кВ",
        "Категория электроснабжения",
    ):
        assert label in text
    for value, shown in (("0.23", "0,23"), ("0.4", "0,4"), ("6", "6"), ("10", "10")):
        assert f'<option value="{value}"' in text and f">{shown}</option>" in text
    assert "Итого" not in text  # nothing is calculated before the form is sent


def test_a_comma_is_a_decimal_point(client, electric):
    text = page(client, power="7,5", distance="0", voltage="0.4", reliability="3")
    assert rub("5 245,80") in text  # 7,5 × 699,44


def test_category_one_and_two_build_two_lines(client, electric):
    # 1 150 m: 1 km beyond the free 150 m at 1 150 000,00 ₽ per km.
    one_line = page(client, power="15", distance="1150", voltage="0.4", reliability="3")
    assert rub("1 163 202,00") in one_line
    for category in ("1", "2"):
        two_lines = page(client, power="15", distance="1150", voltage="0.4", reliability=category)
        assert rub("2 313 202,00") in two_lines
        assert rub("10 491,60") in two_lines  # the per-kW figure does not depend on lines


def test_distance_up_to_the_free_threshold_does_not_count(client, electric):
    for distance in ("0", "149", "150"):
        assert rub("13 202,00") in page(
            client, power="15", distance=distance, voltage="0.4", reliability="1"
        )
    # One metre beyond is 0,001 km × 1 150 000,00 ₽.
    assert rub("14 352,00") in page(
        client, power="15", distance="151", voltage="0.4", reliability="3"
    )


def test_the_table_says_what_is_free(client, electric):
    RateTable.objects.filter(pk=electric.pk).update(free_distance_m=300)
    text = page(client, power="15", distance="299", voltage="0.4", reliability="3")
    assert "до 300 м расстояние не имеет значения" in text
    assert rub("13 202,00") in text


def test_the_power_band_decides_the_row(electric):
    day = date(2026, 6, 1)
    at_15 = cost_estimate(power=Decimal("15"), distance_m=Decimal("0"), voltage="0.4", day=day)
    above = cost_estimate(power=Decimal("15.001"), distance_m=Decimal("0"), voltage="0.4", day=day)
    assert (at_15.rate.power_from, at_15.rate.power_to) == (Decimal("0"), Decimal("15"))
    assert (above.rate.power_from, above.rate.power_to) == (Decimal("15"), Decimal("150"))
    assert above.standardized_kopecks == 1285000 + 3125000


def test_amounts_are_rounded_half_up_to_the_kopeck(db):
    table = RateTable.objects.create(title="Т", valid_from=date(2020, 1, 1))
    Rate.objects.create(
        table=table,
        voltage="0.4",
        power_from=0,
        power_to=100,
        c1_kopecks=0,
        per_km_kopecks=0,
        c8_kopecks=0,
        per_unit_kopecks=333,
    )
    estimate = cost_estimate(power=Decimal("0.5"), distance_m=Decimal("0"), voltage="0.4")
    assert estimate.per_unit_kopecks == 167  # 166,5 → 167 (not the banker's 166)


def test_no_table_in_force_says_so_next_to_the_power(client, settings, db):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    text = page(client, power="15", distance="100", voltage="0.4", reliability="3")
    assert NO_RATE in field_errors(text, "power")
    assert "Итого" not in text
    assert 'value="15"' in text  # what was typed stays


def test_an_expired_or_future_table_is_not_used(client, electric):
    today = timezone.localdate()
    RateTable.objects.filter(pk=electric.pk).update(
        valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1)
    )
    assert NO_RATE in field_errors(
        page(client, power="15", distance="0", voltage="0.4", reliability="3"), "power"
    )
    RateTable.objects.filter(pk=electric.pk).update(
        valid_from=today + timedelta(days=1), valid_to=None
    )
    assert NO_RATE in field_errors(
        page(client, power="15", distance="0", voltage="0.4", reliability="3"), "power"
    )


def test_the_newest_table_in_force_wins(client, electric):
    newer = RateTable.objects.create(
        title="Новые ставки", valid_from=electric.valid_from + timedelta(days=1)
    )
    Rate.objects.create(
        table=newer,
        voltage="0.4",
        power_from=0,
        power_to=15,
        c1_kopecks=100000,
        c8_kopecks=50000,
        per_unit_kopecks=10000,
    )
    text = page(client, power="15", distance="0", voltage="0.4", reliability="3")
    assert rub("1 500,00") in text  # 1 000 + 500
    assert "Новые ставки" in text


def test_a_power_no_band_holds_says_so(client, electric):
    text = page(client, power="20000", distance="0", voltage="0.4", reliability="3")
    assert NO_RATE in field_errors(text, "power")
    assert 'value="20000"' in text


@pytest.mark.parametrize(
    ("power", "message"),
    [
        ("abc", "Введите мощность числом, например 15 или 7,5."),
        ("", "Укажите мощность."),
        ("0", "Укажите мощность больше нуля."),
        ("-5", "Число не может быть отрицательным."),
        ("1,23456", "Слишком много знаков после запятой: не больше 3."),
    ],
)
def test_bad_power_is_refused_next_to_the_field(client, electric, power, message):
    text = page(client, power=power, distance="100", voltage="0.4", reliability="3")
    assert message in field_errors(text, "power")
    assert "Итого" not in text
    if power:
        assert f'value="{power}"' in text


def test_bad_distance_and_voltage_are_refused_next_to_their_fields(client, electric):
    text = page(client, power="15", distance="сто", voltage="35", reliability="3")
    assert "Введите расстояние в метрах числом, например 100." in field_errors(text, "distance")
    assert "Выберите напряжение из списка." in field_errors(text, "voltage")
    assert 'value="сто"' in text


def test_the_service_refuses_the_same_as_the_page(electric):
    with pytest.raises(DomainError) as exc:
        cost_estimate(power=Decimal("15"), distance_m=Decimal("0"), voltage="35")
    assert exc.value.field == "power"
    assert str(exc.value.message) == NO_RATE


def test_heat_asks_for_the_load_and_the_distance_only(client, heat):
    text = page(client)
    assert "Подключаемая тепловая нагрузка, Гкал/ч" in text
    assert "Расстояние до тепловых сетей, метры" in text
    assert "Напряжение" not in text
    assert "Категория электроснабжения" not in text
    assert "Калькулятор стоимости подключения к системе теплоснабжения" in text


def test_heat_figures(client, heat):
    # 0,5 Гкал/ч, 1 150 m: С1 38 400,00 + 1 km × 14 200 000,00 (one line, always).
    text = page(client, power="0,5", distance="1150", reliability="1")
    assert (
        "Расчёт стоимости подключения к системе теплоснабжения по стандартизированным "
        "ставкам: <strong>" + rub("14 238 400,00") + "</strong>"
    ) in text
    assert (
        "по ставке за Гкал/ч подключаемой нагрузки: <strong>" + rub("1 975 000,00") + "</strong>"
    ) in text
    assert "будет определена теплоснабжающей организацией" in text
    small = page(client, power="0,05", distance="100")
    assert rub("550,00") in small  # up to 0,1 Гкал/ч: the fixed fee


def test_heat_takes_four_decimals(client, heat):
    text = page(client, power="0,0505", distance="0")
    assert rub("550,00") in text
    assert field_errors(text, "power") == ""


def test_heat_rows_are_not_used_for_electricity(client, settings, heat):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    text = page(client, power="0,05", distance="0", voltage="0.4", reliability="3")
    assert NO_RATE in field_errors(text, "power")


@pytest.mark.parametrize("utility", ["tgk2", "tashkent_heat"])
def test_no_calculator_without_a_connection_kind(client, settings, db, utility):
    settings.KABINET_UTILITY = utility
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"power": "15"}).status_code == 404


def test_the_calculator_follows_the_kinds_taken_in(client, settings, db):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_APPLICATION_KINDS = ["contract"]
    assert client.get(URL).status_code == 404
    settings.KABINET_APPLICATION_KINDS = ["tc_electric"]
    assert calculator.calculator_kind() == calculator.ELECTRIC
    assert "Мощность, кВт" in page(client)


def test_demo_tables_are_made_once(settings, db):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    first = demo_rate_tables(get_utility())
    Rate.objects.filter(table=first[0], voltage="0.4", power_to=15).update(c1_kopecks=1)
    second = demo_rate_tables(get_utility())
    assert [t.pk for t in first] == [t.pk for t in second]
    assert RateTable.objects.count() == 1
    assert Rate.objects.count() == 16
    assert Rate.objects.get(voltage="0.4", power_to=15).c1_kopecks == 1  # edits kept
    assert first[0].valid_from == date(2026, 1, 1)
    assert "№ 6-ТП" in first[0].title


def test_demo_tables_follow_the_profiles_kinds(settings, db):
    settings.KABINET_UTILITY = "tgk2"
    assert demo_rate_tables(get_utility()) == []
    settings.KABINET_UTILITY = "tek_spb"
    (table,) = demo_rate_tables(get_utility())
    assert set(table.rates.values_list("voltage", flat=True)) == {""}
    assert table.rates.count() == 3


def test_the_page_says_how_the_figure_was_made(client, electric):
    text = page(client, power="15", distance="1150", voltage="0.4", reliability="1")
    assert "1 км × 2 × " + rub("1 150 000,00") + " за км = " + rub("2 300 000,00") in text
    assert electric.title in text


def test_the_admin_takes_rates_in_roubles(db):
    table = RateTable.objects.create(title="Т", valid_from=date(2026, 1, 1))
    form = RateForm(
        data={
            "voltage": "0,4",
            "power_from": "0",
            "power_to": "15",
            "c1": "7520",
            "per_km": "1150000",
            "c8": "5682",
            "per_unit": "699,44",
        },
        instance=Rate(table=table),
    )
    assert form.is_valid(), form.errors
    rate = form.save()
    assert (rate.voltage, rate.c1_kopecks, rate.per_km_kopecks, rate.c8_kopecks) == (
        "0.4",
        752000,
        115000000,
        568200,
    )
    assert rate.per_unit_kopecks == 69944
    assert RateForm(instance=rate).initial["per_unit"] == Decimal("699.44")
    upside_down = RateForm(
        data={
            "voltage": "0.4",
            "power_from": "15",
            "power_to": "15",
            "c1": "0",
            "per_km": "0",
            "c8": "0",
            "per_unit": "0",
        },
        instance=Rate(table=table),
    )
    assert not upside_down.is_valid()
    assert "power_to" in upside_down.errors


def test_the_admin_pages_open(client, electric):
    admin = make_user(login="root", staff=True, is_superuser=True)
    client.force_login(admin)
    for path in (
        "/admin/applications/ratetable/",
        f"/admin/applications/ratetable/{electric.pk}/change/",
        "/admin/applications/ratetable/add/",
        "/admin/applications/application/",
        "/admin/applications/connectionobject/",
    ):
        assert client.get(path).status_code == 200, path
