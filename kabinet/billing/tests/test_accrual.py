"""Тарифы and the portal's own начисление: consumption × tariff by zone, the norm where
there is no reading, seasonal services, пени on old debt; billing's own charges are
never touched, and a run repeated gives the same rows."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kabinet.billing import services
from kabinet.billing.models import Charge, Tariff
from kabinet.billing.tests import factories as f
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.metering.models import Meter, Reading

pytestmark = pytest.mark.django_db

P = date(2026, 3, 1)
FEB = date(2026, 2, 1)
JAN = date(2026, 1, 1)
POWER = "Электроэнергия"
HEAT = "Отопление"


def rows(acc, period=P):
    """The charges of a period as plain tuples, in a fixed order."""
    return sorted(
        (
            c.service,
            c.kind,
            c.zone,
            c.volume,
            c.unit,
            c.tariff_kopecks,
            c.amount_kopecks,
            c.reason,
            c.base_kopecks,
            c.rate,
            c.accrued,
        )
        for c in Charge.objects.filter(account=acc, period=period)
    )


def accrue(acc, period=P):
    return services.accrual_for_account(account=acc, period=period)


# --- tariffs --------------------------------------------------------------------------


def test_a_new_tariff_ends_the_previous_one_the_day_before():
    old = f.tariff(POWER, 550, valid_from=date(2025, 1, 1))
    new = f.tariff(POWER, 600, valid_from=date(2026, 1, 1))
    old.refresh_from_db()
    assert old.valid_to == date(2025, 12, 31) and new.valid_to is None
    assert list(Tariff.objects.valid_on(date(2025, 12, 31))) == [old]
    assert list(Tariff.objects.valid_on(date(2026, 1, 1))) == [new]


def test_tariffs_of_other_zones_and_services_stay_in_force():
    day = f.tariff(POWER, 600, zone="day")
    night = f.tariff(POWER, 300, zone="night", valid_from=date(2025, 6, 1))
    heat = f.tariff(HEAT, 300000, unit="Гкал", valid_from=date(2025, 6, 1))
    for t in (day, night, heat):
        t.refresh_from_db()
        assert t.valid_to is None
    assert set(Tariff.objects.valid_on(date(2025, 7, 1))) == {day, night, heat}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price_kopecks": -1}, "price_kopecks"),
        ({"valid_from": date(2026, 1, 1)}, "valid_from"),  # the same day as the one in force
        ({"valid_from": date(2025, 6, 1)}, "valid_from"),  # before it
        ({"norm": Decimal(80)}, "norm"),  # without saying per what
        ({"norm_basis": "person"}, "norm"),  # a basis without a norm
        ({"norm": Decimal(80), "norm_basis": "flat"}, "norm"),
        ({"norm": Decimal(-1), "norm_basis": "person"}, "norm"),
        ({"zone": "evening"}, "zone"),
        ({"months": "10,13"}, "months"),
        ({"months": "осень"}, "months"),
    ],
)
def test_tariff_refusals_change_nothing(changes, field):
    f.tariff(POWER, 600, valid_from=date(2026, 1, 1))
    before = list(Tariff.objects.values_list("pk", "valid_from", "valid_to", "price_kopecks"))
    args = {"service": POWER, "unit": "кВт·ч", "price_kopecks": 650, "valid_from": P, **changes}
    with pytest.raises(DomainError) as err:
        services.tariff_add(**args)
    assert err.value.field == field
    after = list(Tariff.objects.values_list("pk", "valid_from", "valid_to", "price_kopecks"))
    assert after == before


def test_months_are_kept_in_the_form_the_tariff_reads():
    t = f.tariff(HEAT, 300000, unit="Гкал", months=" 10, 11 ,12;1,2,3,4, 5")
    assert t.months == "1,2,3,4,5,10,11,12"
    assert t.charged_in(date(2026, 11, 1)) and not t.charged_in(date(2026, 7, 1))


# --- metered consumption --------------------------------------------------------------


def test_two_zone_meter_is_charged_by_its_day_and_night_tariffs():
    f.tariff(POWER, 600, zone="day")
    f.tariff(POWER, 300, zone="night")
    acc = f.account()
    m = f.meter(acc, zones=Meter.Zones.TWO)
    f.accepted(m, FEB, 1000, zone=Reading.Zone.DAY)
    f.accepted(m, FEB, 500, zone=Reading.Zone.NIGHT)
    f.accepted(m, P, "1150.5", zone=Reading.Zone.DAY)
    f.accepted(m, P, 560, zone=Reading.Zone.NIGHT)

    made = accrue(acc)

    assert len(made) == 2
    assert rows(acc) == [
        (POWER, "charge", "day", Decimal("150.5"), "кВт·ч", 600, 90300, "", None, None, True),
        (POWER, "charge", "night", Decimal(60), "кВт·ч", 300, 18000, "", None, None, True),
    ]


def test_the_meter_coefficient_multiplies_the_consumption():
    f.tariff(POWER, 550)
    acc = f.account()
    m = f.meter(acc, coefficient=Decimal(40))
    f.accepted(m, FEB, "100.25")
    f.accepted(m, P, "103.5")
    accrue(acc)
    [c] = Charge.objects.filter(account=acc)
    assert c.volume == Decimal(130) and c.amount_kopecks == 130 * 550


def test_a_counter_that_rolled_over_is_charged_through_zero():
    f.tariff(POWER, 550)
    acc = f.account()
    m = f.meter(acc, digits=5)
    f.accepted(m, FEB, 99990)
    f.accepted(m, P, 15)
    accrue(acc)
    [c] = Charge.objects.filter(account=acc)
    assert c.volume == Decimal(25) and c.amount_kopecks == 25 * 550


def test_the_last_accepted_reading_before_the_period_is_the_previous_one():
    f.tariff(POWER, 550)
    acc = f.account()
    m = f.meter(acc)
    f.accepted(m, date(2025, 12, 1), 10)
    f.accepted(m, JAN, 40)
    f.accepted(m, P, 100)
    f.accepted(m, date(2026, 4, 1), 500)  # a later period does not count
    accrue(acc)
    [c] = Charge.objects.filter(account=acc)
    assert c.volume == Decimal(60)


@pytest.mark.parametrize(
    ("readings", "reason"),
    [
        ({FEB: 100}, "по нормативу: нет показаний за период"),
        ({P: 100}, "по нормативу: нет предыдущих показаний"),
        ({FEB: 500, P: 100}, "по нормативу: показание меньше предыдущего"),
    ],
)
def test_the_norm_per_person_where_the_period_has_no_consumption(readings, reason):
    f.tariff(POWER, 550, norm=Decimal("80"), norm_basis=Tariff.NormBasis.PERSON)
    acc = f.account(people=3)
    m = f.meter(acc)
    for period, value in readings.items():
        f.accepted(m, period, value)
    # A rejected reading for the period is no reading.
    Reading.objects.create(
        meter=m, zone="total", period=P, value=900, status=Reading.Status.REJECTED
    )
    accrue(acc)
    [c] = Charge.objects.filter(account=acc)
    assert (c.volume, c.amount_kopecks, c.reason) == (Decimal(240), 240 * 550, reason)


def test_no_reading_and_no_norm_charges_nothing():
    f.tariff(POWER, 550)
    acc = f.account()
    f.meter(acc)
    assert accrue(acc) == [] and not Charge.objects.exists()


def test_a_removed_meter_is_not_charged():
    f.tariff(POWER, 550)
    acc = f.account()
    m = f.meter(acc, state=Meter.State.REMOVED)
    f.accepted(m, FEB, 100)
    f.accepted(m, P, 200)
    assert accrue(acc) == []


def test_a_service_without_a_meter_is_charged_by_the_norm_per_square_metre():
    f.tariff(HEAT, 300000, unit="Гкал", norm=Decimal("0.0185"), norm_basis=Tariff.NormBasis.AREA)
    acc = f.account(services="отопление", area_m2="54.30")
    accrue(acc)
    [c] = Charge.objects.filter(account=acc)
    assert c.service == HEAT and c.volume == Decimal("1.0046")  # 54,30 × 0,0185 = 1,004550
    assert c.amount_kopecks == 301380 and c.unit == "Гкал" and c.reason == ""


def test_a_service_with_a_meter_is_not_charged_by_the_norm_as_well():
    f.tariff(POWER, 550, norm=Decimal("80"), norm_basis=Tariff.NormBasis.PERSON)
    acc = f.account(services=POWER)
    m = f.meter(acc)
    f.accepted(m, FEB, 100)
    f.accepted(m, P, 130)
    accrue(acc)
    assert [c.volume for c in Charge.objects.filter(account=acc)] == [Decimal(30)]


def test_a_seasonal_service_is_charged_only_in_its_months():
    f.tariff(
        HEAT,
        300000,
        unit="Гкал",
        norm=Decimal("0.02"),
        norm_basis=Tariff.NormBasis.AREA,
        months="1,2,3,4,5,10,11,12",
    )
    acc = f.account(services=HEAT, area_m2="50")
    assert accrue(acc, date(2026, 7, 1)) == []
    assert [c.service for c in accrue(acc, date(2026, 10, 1))] == [HEAT]
    assert [c.service for c in accrue(acc, P)] == [HEAT]


def test_a_tariff_not_yet_in_force_is_not_used():
    f.tariff(POWER, 550, valid_from=date(2026, 4, 1))
    acc = f.account()
    m = f.meter(acc)
    f.accepted(m, FEB, 100)
    f.accepted(m, P, 130)
    assert accrue(acc) == []


# --- пени -----------------------------------------------------------------------------


def test_penalty_on_the_debt_older_than_one_period():
    acc = f.account()
    f.charge(acc, JAN, 10000_00)
    f.charge(acc, FEB, 5000_00)  # not overdue yet: its receipt is only due in March
    f.payment(acc, date(2026, 2, 10), 2000_00)
    f.payment(acc, date(2026, 3, 5), 1000_00)  # March's payments come after March's пени

    made = accrue(acc)

    [penalty] = made
    overdue = 10000_00 + 5000_00 - 2000_00 - 5000_00
    assert penalty.kind == Charge.Kind.PENALTY and penalty.accrued
    assert penalty.base_kopecks == overdue == 8000_00
    assert penalty.rate == Decimal("0.0007")
    assert penalty.amount_kopecks == 17360  # 8 000 ₽ × 0,0007 × 31 days
    assert penalty.service == "Пени" and penalty.reason == "на просроченный долг за 31 дн."


@pytest.mark.parametrize("paid", [8000_00, 9000_00])
def test_no_penalty_when_the_old_debt_is_paid(paid):
    acc = f.account()
    f.charge(acc, JAN, 10000_00)
    f.charge(acc, FEB, 5000_00)
    f.payment(acc, date(2026, 2, 10), 2000_00 + paid)
    assert accrue(acc) == []


def test_no_penalty_where_the_profile_charges_none(monkeypatch):
    profile = dataclasses.replace(get_utility(), penalty_rate_per_day=Decimal(0))
    monkeypatch.setattr(services, "get_utility", lambda: profile)
    acc = f.account()
    f.charge(acc, JAN, 10000_00)
    assert accrue(acc) == []


def test_the_ledger_words_are_russian_whatever_language_the_staff_reads():
    f.tariff(POWER, 550, norm=Decimal("80"), norm_basis=Tariff.NormBasis.PERSON)
    acc = f.account()
    f.meter(acc)
    f.charge(acc, JAN, 10000_00)
    with translation.override("en"):
        accrue(acc)
    assert {(c.service, c.reason) for c in Charge.objects.filter(account=acc, period=P)} == {
        (POWER, "по нормативу: нет показаний за период"),
        ("Пени", "на просроченный долг за 31 дн."),
    }


# --- billing's charges and repeated runs -----------------------------------------------


def test_charges_loaded_from_billing_make_the_run_do_nothing_for_the_account():
    f.tariff(POWER, 550)
    acc = f.account()
    m = f.meter(acc)
    f.accepted(m, FEB, 100)
    f.accepted(m, P, 130)
    f.charge(acc, JAN, 10000_00)
    loaded = f.charge(acc, P, 123_45, service=POWER)
    before = rows(acc)

    assert accrue(acc) == []

    assert rows(acc) == before and list(Charge.objects.filter(account=acc, period=P)) == [loaded]


def test_other_periods_and_accounts_are_not_touched():
    f.tariff(POWER, 550)
    acc, other = f.account(), f.account()
    for a in (acc, other):
        m = f.meter(a)
        f.accepted(m, FEB, 100)
        f.accepted(m, P, 130)
    accrue(other)
    feb = services.accrual_for_account(account=acc, period=FEB)  # no previous: nothing
    may = f.charge(acc, date(2026, 5, 1), 1_00)
    accrue(acc)
    accrue(acc)
    assert feb == [] and Charge.objects.filter(pk=may.pk).exists()
    assert rows(other) == rows(acc)


def test_a_rerun_after_a_correction_replaces_the_portals_own_charges():
    f.tariff(POWER, 550, norm=Decimal("80"), norm_basis=Tariff.NormBasis.PERSON)
    acc = f.account(people=1)
    m = f.meter(acc)
    f.accepted(m, FEB, 100)
    first = accrue(acc)
    assert [(c.volume, c.reason) for c in first] == [
        (Decimal(80), "по нормативу: нет показаний за период")
    ]

    f.accepted(m, P, 125)  # the reading arrives late
    second = accrue(acc)

    assert not Charge.objects.filter(pk__in=[c.pk for c in first]).exists()
    assert rows(acc) == [
        (POWER, "charge", "total", Decimal(25), "кВт·ч", 550, 25 * 550, "", None, None, True)
    ]
    assert [c.pk for c in second] == list(
        Charge.objects.filter(account=acc).values_list("pk", flat=True)
    )


@settings(max_examples=25)
@given(
    day=st.one_of(st.none(), st.integers(0, 99999)),
    night=st.one_of(st.none(), st.integers(0, 99999)),
    day_used=st.integers(0, 5000),
    night_used=st.integers(-50, 5000),
    coefficient=st.sampled_from([Decimal(1), Decimal("2.5"), Decimal(40)]),
    old_debt=st.integers(-(10**6), 10**8),
    heating=st.booleans(),
)
def test_running_the_accrual_twice_gives_the_same_rows(
    day, night, day_used, night_used, coefficient, old_debt, heating
):
    if not Tariff.objects.exists():
        f.tariff(POWER, 600, zone="day", norm=Decimal(60), norm_basis="person")
        f.tariff(POWER, 300, zone="night", norm=Decimal(20), norm_basis="person")
        f.tariff(HEAT, 300000, unit="Гкал", norm=Decimal("0.0185"), norm_basis="m2")
    acc = f.account(services=HEAT if heating else "")
    m = f.meter(acc, zones=Meter.Zones.TWO, digits=5, coefficient=coefficient)
    for zone, before, used in (
        (Reading.Zone.DAY, day, day_used),
        (Reading.Zone.NIGHT, night, night_used),
    ):
        if before is not None:
            f.accepted(m, FEB, before, zone=zone)
            f.accepted(m, P, (before + used) % 100000, zone=zone)
    f.charge(acc, JAN, old_debt)

    accrue(acc)
    once = rows(acc)
    accrue(acc)

    assert rows(acc) == once
    assert all(c[-1] for c in once), "every row is the portal's own"
    assert sum(c[6] for c in once) == sum(
        Charge.objects.filter(account=acc, period=P).values_list("amount_kopecks", flat=True)
    )


def test_a_catch_up_reading_does_not_charge_the_norm_months_twice():
    """January read, February charged by the norm (no reading), March read again: March
    is charged what was used since January less what February's norm already charged."""
    f.tariff(POWER, 500, norm=Decimal("40"), norm_basis="person")
    acc = f.account()
    m = f.meter(acc)
    f.accepted(m, JAN, 1000)
    accrue(acc, FEB)
    [feb] = Charge.objects.filter(account=acc, period=FEB, kind="charge")
    people = acc.premises.registered_people
    assert feb.volume == Decimal(40 * people) and feb.reason.startswith("по нормативу")
    f.accepted(m, P, 1000 + 40 * people + 25)
    accrue(acc, P)
    [mar] = Charge.objects.filter(account=acc, period=P, kind="charge")
    assert mar.volume == Decimal(25)
    assert mar.amount_kopecks == 25 * 500
    assert "начисленных по нормативу" in mar.reason
    # Used less than the norm charged: nothing more, never a negative charge.
    f.accepted(m, date(2026, 5, 1), 1000 + 40 * people + 25 + 10)
    accrue(acc, date(2026, 4, 1))
    accrue(acc, date(2026, 5, 1))
    [may] = Charge.objects.filter(account=acc, period=date(2026, 5, 1), kind="charge")
    assert may.volume == 0 and may.amount_kopecks == 0
