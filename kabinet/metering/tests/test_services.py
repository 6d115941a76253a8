"""Submission rules, replacement, acceptance and the billing loader."""

from datetime import date
from decimal import Decimal

import pytest

from kabinet.core.errors import DomainError
from kabinet.metering import services
from kabinet.metering.models import Meter, Reading, ReadingEvent
from kabinet.metering.services import ReadingsRejected

from . import factories as f
from .factories import IN_WINDOW, PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def acc(alice):
    return f.account(owner=alice)


@pytest.fixture
def m(acc):
    return f.meter(acc, digits=5, decimals=0)


def submit(user, meter, value, **kw):
    kw.setdefault("today", IN_WINDOW)
    return services.reading_submit(user=user, meter=meter, values={"total": value}, **kw)


def refused(user, meter, value, **kw) -> DomainError:
    with pytest.raises(DomainError) as info:
        submit(user, meter, value, **kw)
    assert not Reading.objects.filter(source="customer").exists()
    return info.value


# --- format ---------------------------------------------------------------------------


def test_submit_saves_a_pending_reading(alice, m):
    f.history(m, [100, 200, 300])
    [r] = submit(alice, m, "400")
    assert (r.period, r.value, r.status, r.source, r.submitted_by) == (
        PERIOD,
        Decimal(400),
        "submitted",
        "customer",
        alice,
    )


@pytest.mark.parametrize("raw", ["123,45", "123.45", "1 234,5", Decimal("123.45")])
def test_comma_or_dot(alice, acc, raw):
    meter = f.meter(acc, digits=5, decimals=2)
    [r] = submit(alice, meter, raw)
    assert r.value == Decimal(str(raw).replace(",", ".").replace(" ", ""))


def test_leading_zeros_refused(alice, m):
    exc = refused(alice, m, "00123")
    assert exc.field == "total"
    assert str(exc.message) == "Введите показание без первых нулей: 123."


def test_zero_itself_is_fine(alice, m):
    assert submit(alice, m, "0")[0].value == 0


def test_decimals_beyond_the_meter_refused(alice, m, acc):
    exc = refused(alice, m, "123,5")
    assert "без цифр после запятой" in str(exc.message)
    two = f.meter(acc, digits=5, decimals=2)
    exc = refused(alice, two, "123,456")
    assert str(exc.message) == "У этого счётчика 2 знака после запятой — введите не больше."


def test_trailing_zeros_after_comma_are_fine(alice, m):
    assert submit(alice, m, "123,00")[0].value == 123


def test_more_digits_than_the_meter_refused(alice, m):
    exc = refused(alice, m, "123456")
    assert exc.field == "total"
    assert "5 знаков до запятой, а введено 6" in str(exc.message)


@pytest.mark.parametrize("raw", ["abc", "-5", "12,3,4", "1e5"])
def test_not_a_number_refused(alice, m, raw):
    exc = refused(alice, m, raw)
    assert "цифрами" in str(exc.message)


def test_blank_refused(alice, m):
    assert str(refused(alice, m, "").message) == "Введите показание."


# --- window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "opens"),
    [(date(2026, 3, 10), "15 марта 2026"), (date(2026, 3, 26), "15 апреля 2026")],
)
def test_outside_the_window_says_when_it_opens(alice, m, today, opens):
    exc = refused(alice, m, "100", today=today)
    assert exc.code == "window"
    assert "с 15 по 25 число месяца" in str(exc.message)
    assert opens in str(exc.message)


@pytest.mark.parametrize("day", [15, 25])
def test_window_edges_are_open(alice, m, day):
    assert submit(alice, m, "100", today=date(2026, 3, day))


def test_december_window_opens_in_january():
    w = services.readings_window(today=date(2026, 12, 28))
    assert (w.is_open, w.opens_on) == (False, date(2027, 1, 15))


# --- removed, lower, rollover ------------------------------------------------------------


def test_removed_meter_refused(alice, acc):
    meter = f.meter(acc, state=Meter.State.REMOVED, removed_on=date(2026, 1, 10))
    exc = refused(alice, meter, "100")
    assert str(exc.message) == "Счётчик снят с учёта, внесение показаний невозможно."


def test_lower_than_last_accepted_refused(alice, m):
    f.history(m, [1000, 1100, 1200])
    exc = refused(alice, m, "1150")
    assert exc.code == "lower"
    assert "меньше последнего принятого (1\u00a0200 за 02.2026)" in str(exc.message)


def test_same_as_last_accepted_is_fine(alice, m):
    f.history(m, [1000, 1100, 1200])
    assert submit(alice, m, "1200")


def test_rollover_accepted(alice, m):
    f.history(m, [99700, 99800, 99900])  # five digits: the counter wraps at 100000
    [r] = submit(alice, m, "50")
    assert r.value == 50
    checked = services.readings_check(meters_values={m: {"total": "50"}}, period=PERIOD)
    assert checked[0].consumption == 150


def test_implausible_rollover_refused(alice, m):
    f.history(m, [50000, 50100, 50200])
    assert refused(alice, m, "50").code == "lower"


# --- jump -------------------------------------------------------------------------------


def test_jump_asks_to_confirm_then_accepts(alice, m):
    f.history(m, [1000, 1100, 1200, 1300, 1400])  # 100 a month
    exc = refused(alice, m, "1800")
    assert exc.code == "confirm"
    assert "Расход 400 кВт·ч намного больше обычного (около 100 кВт·ч в месяц)" in str(exc.message)
    [r] = submit(alice, m, "1800", confirm_jump=True)
    assert r.value == 1800


def test_jump_below_three_times_is_fine(alice, m):
    f.history(m, [1000, 1100, 1200, 1300, 1400])
    assert submit(alice, m, "1690")


def test_small_jump_below_the_floor_is_fine(alice, m):
    f.history(m, [1000, 1001, 1002, 1003, 1004])  # 1 a month; 9 is under the floor
    assert submit(alice, m, "1013")


def test_no_jump_check_without_history(alice, m):
    f.history(m, [1000, 1001])
    assert submit(alice, m, "9000")


def test_missed_months_spread_the_consumption(alice, m):
    f.history(m, [1000, 1100, 1200, 1300], end=date(2025, 12, 1))  # last: Nov 2025
    assert submit(alice, m, "1700")  # 400 over four months: 100 a month


def test_confirm_does_not_excuse_other_errors(alice, acc):
    two = f.meter(acc, zones=Meter.Zones.TWO, digits=5)
    f.history(two, [100, 200, 300, 400], zone="day")
    f.history(two, [100, 110, 120, 130], zone="night")
    with pytest.raises(ReadingsRejected) as info:
        services.reading_submit(
            user=alice,
            meter=two,
            values={"day": "2000", "night": "90"},
            confirm_jump=True,
            today=IN_WINDOW,
        )
    assert info.value.code == "lower"
    assert [e.field for e in info.value.errors] == ["night"]
    assert not Reading.objects.filter(source="customer").exists()


# --- zones and replacement --------------------------------------------------------------


def test_every_zone_needed(alice, acc):
    three = f.meter(acc, zones=Meter.Zones.THREE)
    with pytest.raises(ReadingsRejected) as info:
        services.reading_submit(
            user=alice, meter=three, values={"peak": "10", "night": "5"}, today=IN_WINDOW
        )
    [err] = info.value.errors
    assert (err.field, str(err.message)) == (
        "half_peak",
        "Введите показание и для зоны «полупик».",
    )


def test_second_submission_replaces_and_keeps_both(alice, m):
    [first] = submit(alice, m, "100")
    [second] = submit(alice, m, "105")
    first.refresh_from_db()
    assert (first.status, second.status) == ("replaced", "submitted")
    assert Reading.objects.filter(meter=m, period=PERIOD).count() == 2
    assert ReadingEvent.objects.filter(reading=first, to_status="replaced").exists()


def test_stranger_cannot_submit(charlie, m):
    exc = refused(charlie, m, "100")
    assert "не привязан" in str(exc.message)


# --- the whole account ------------------------------------------------------------------


def test_account_submission_is_all_or_nothing(alice, acc):
    a, b = f.meter(acc), f.meter(acc)
    f.history(b, [500, 600, 700])
    with pytest.raises(ReadingsRejected) as info:
        services.readings_submit_for_account(
            user=alice,
            account=acc,
            values={a.uuid: {"total": "10"}, str(b.uuid): {"total": "650"}},
            today=IN_WINDOW,
        )
    assert [e.field for e in info.value.errors] == [services.reading_field(b, "total")]
    assert not Reading.objects.filter(source="customer").exists()
    saved = services.readings_submit_for_account(
        user=alice,
        account=acc,
        values={a.uuid: {"total": "10"}, b.uuid: {"total": "750"}},
        today=IN_WINDOW,
    )
    assert len(saved) == 2


def test_account_submission_skips_blank_meters_but_needs_one(alice, acc):
    a, b = f.meter(acc), f.meter(acc)
    saved = services.readings_submit_for_account(
        user=alice,
        account=acc,
        values={a.uuid: {"total": "10"}, b.uuid: {"total": ""}},
        today=IN_WINDOW,
    )
    assert [r.meter for r in saved] == [a]
    with pytest.raises(DomainError, match="хотя бы одного"):
        services.readings_submit_for_account(
            user=alice, account=acc, values={a.uuid: {"total": " "}}, today=IN_WINDOW
        )


def test_account_submission_refuses_another_accounts_meter(alice, acc):
    other = f.meter(f.account())
    with pytest.raises(DomainError, match="не относится"):
        services.readings_submit_for_account(
            user=alice, account=acc, values={other.uuid: {"total": "1"}}, today=IN_WINDOW
        )


# --- staff ------------------------------------------------------------------------------


def test_accept_replaces_the_earlier_accepted(alice, staff, m):
    billing = f.accepted(m, PERIOD, 100)
    [mine] = submit(alice, m, "105")
    services.reading_accept(user=staff, reading=mine)
    billing.refresh_from_db()
    mine.refresh_from_db()
    assert (billing.status, mine.status, mine.decided_by) == ("replaced", "accepted", staff)


def test_reject_needs_a_reason_and_staff(alice, staff, m):
    [mine] = submit(alice, m, "105")
    with pytest.raises(DomainError, match="только сотрудник"):
        services.reading_reject(user=alice, reading=mine, reason="нет")
    with pytest.raises(DomainError, match="причину") as info:
        services.reading_reject(user=staff, reading=mine, reason=" ")
    assert info.value.field == "reason"
    services.reading_reject(user=staff, reading=mine, reason="Фото не совпадает")
    mine.refresh_from_db()
    assert (mine.status, mine.reject_reason) == ("rejected", "Фото не совпадает")
    with pytest.raises(DomainError, match="нельзя перевести"):
        services.reading_accept(user=staff, reading=mine)


# --- loader -----------------------------------------------------------------------------


def test_loader_is_idempotent_and_reports_bad_rows(m):
    rows = [
        {"account": m.account.number, "meter": m.number, "period": "2026-02", "value": "120"},
        {"account": m.account.number, "meter": "нет такого", "period": "2026-02", "value": 1},
        {"account": m.account.number, "meter": m.number, "period": "01.2026", "value": "100"},
    ]
    report = services.readings_load_accepted(rows=rows)
    assert (report.created, report.unchanged) == (2, 0)
    assert [n for n, _ in report.rejected] == [2]
    again = services.readings_load_accepted(rows=rows)
    assert (again.created, again.unchanged) == (0, 2)
    assert Reading.objects.filter(meter=m, status="accepted").count() == 2


def test_loader_accepts_the_customers_pending_value(alice, m):
    [mine] = submit(alice, m, "105")
    row = {"account": m.account.number, "meter": m.number, "period": PERIOD, "value": 105}
    report = services.readings_load_accepted(rows=[row])
    mine.refresh_from_db()
    assert (report.confirmed, mine.status) == (1, "accepted")
    row["value"] = 107
    services.readings_load_accepted(rows=[row])
    mine.refresh_from_db()
    assert mine.status == "replaced"
    assert Reading.objects.get(meter=m, status="accepted").value == 107


# --- 003: the XXXXXX,XX format ---------------------------------------------------------


@pytest.fixture
def fixed_2(settings):
    settings.KABINET_UTILITY = "tashkent_heat"
    settings.KABINET_SIGNUP_MODES = ["contract"]


@pytest.mark.parametrize(
    "raw,value", [("1234,50", "1234.50"), ("001234,50", "1234.50"), ("0,00", "0")]
)
def test_fixed_2_takes_two_decimals_and_leading_zeros(alice, acc, fixed_2, raw, value):
    meter = f.meter(acc, digits=6, decimals=2)
    [r] = submit(alice, meter, raw)
    assert r.value == Decimal(value)


@pytest.mark.parametrize("raw", ["1234", "1234,5", "1234,567", "1234567,00", "12a4,00"])
def test_fixed_2_refuses_anything_else(alice, acc, fixed_2, raw):
    meter = f.meter(acc, digits=6, decimals=2)
    exc = refused(alice, meter, raw)
    assert str(exc.message).startswith("Введите значение в формате XXXXXX,XX")


def test_plain_format_still_refuses_leading_zeros_with_two_decimals(alice, acc):
    meter = f.meter(acc, digits=6, decimals=2)
    assert "без первых нулей" in str(refused(alice, meter, "001234,50").message)
