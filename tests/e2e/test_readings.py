"""A resident passes the readings of their meters from the account page, sees them in the
history beside the accepted ones, and is stopped, field by field, when a value is wrong."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kabinet.customer_accounts.tests.factories import account
from kabinet.metering import services, views
from kabinet.metering.models import Meter, Reading
from kabinet.metering.services import reading_field
from kabinet.metering.tests.factories import meter
from tests.e2e.journeys import alert, field_error, go, main_text, sign_in

# The default window takes readings from the 15th to the 25th; March 2026 is the period.
IN_WINDOW = date(2026, 3, 20)
AFTER_WINDOW = date(2026, 3, 27)


@pytest.fixture
def today(monkeypatch):
    """Move the portal's today (the live server runs in a thread of this process)."""

    def move(day: date) -> None:
        monkeypatch.setattr(views, "_today", lambda: day)

    move(IN_WINDOW)
    return move


@pytest.fixture
def acc(alice):
    return account(owner=alice)


@pytest.fixture
def two_zone(acc):
    """День/ночь, six digits: about 150 by day and 60 by night a month."""
    m = meter(acc, number="1111", zones=Meter.Zones.TWO, digits=6)
    _load(acc, m, "day", [10000, 10150, 10300, 10450], day_of_month=24)
    _load(acc, m, "night", [5000, 5060, 5120, 5180], day_of_month=24)
    return m


@pytest.fixture
def single(acc):
    """Сутки, five digits: about 100 a month."""
    m = meter(acc, number="2222", digits=5)
    _load(acc, m, "total", [1000, 1100, 1200, 1300], day_of_month=23)
    return m


def _load(acc, m, zone, values, *, day_of_month):
    """Accepted readings from the billing system for November 2025 to February 2026,
    each taken on ``day_of_month`` (a date, the way the billing export gives it)."""
    months = [(2025, 11), (2025, 12), (2026, 1), (2026, 2)][-len(values) :]
    report = services.readings_load_accepted(
        rows=[
            {
                "account": acc.number,
                "meter": m.number,
                "zone": zone,
                "period": f"{y}-{mo:02d}",
                "value": v,
                "taken_at": date(y, mo, day_of_month),
            }
            for (y, mo), v in zip(months, values, strict=True)
        ]
    )
    assert report.created == len(values) and not report.rejected


def box(page, m, zone):
    return page.locator(f'[name="{reading_field(m, zone)}"]')


def help_text(page, m, zone):
    return page.locator(f'[id="id_{reading_field(m, zone)}_helptext"]')


def error(page, m, zone):
    return field_error(page, reading_field(m, zone))


def submit(page):
    page.get_by_role("button", name="Передать показания").click()
    page.wait_for_load_state()


def customer_readings():
    return Reading.objects.filter(source=Reading.Source.CUSTOMER)


def open_submit_page(page, acc):
    sign_in(page, "alice@example.ru")
    go(page, f"/accounts/{acc.uuid}/")
    page.get_by_role("link", name="Передать показания").click()
    expect(page.get_by_role("heading", name="Передача показаний")).to_be_visible()


@pytest.mark.usefixtures("today")
def test_pass_readings_of_two_meters_and_see_them_in_the_history(page, acc, two_zone, single):
    open_submit_page(page, acc)
    assert page.url.endswith(f"/meters/account/{acc.uuid}/submit/")
    text = main_text(page)
    assert "период «Март 2026»" in text
    assert "принимаются до 25 марта включительно" in text

    # The previous accepted value and the day it was taken, for every zone.
    expect(help_text(page, two_zone, "day")).to_have_text(
        "Предыдущее показание: 10 450 за февраль 2026, от 24.02.2026"
    )
    expect(help_text(page, two_zone, "night")).to_have_text(
        "Предыдущее показание: 5 180 за февраль 2026, от 24.02.2026"
    )
    expect(help_text(page, single, "total")).to_have_text(
        "Предыдущее показание: 1 300 за февраль 2026, от 23.02.2026"
    )
    two = page.get_by_role("region", name="Счётчик № 1111")
    expect(two.get_by_label("День")).to_be_visible()
    expect(two.get_by_label("Ночь")).to_be_visible()
    expect(two).to_contain_text("день/ночь")
    expect(
        page.get_by_role("region", name="Счётчик № 2222").get_by_label("Показание")
    ).to_be_visible()

    box(page, two_zone, "day").fill("10600")
    box(page, two_zone, "night").fill("5240")
    box(page, single, "total").fill("1385")
    submit(page)

    assert page.url.endswith(f"/meters/account/{acc.uuid}/history/")
    expect(page.get_by_role("heading", name="История показаний")).to_be_visible()
    assert "Показания переданы. Спасибо!" in main_text(page)

    saved = {
        (r.meter.number, r.zone): (r.value, r.status, r.period, r.submitted_by)
        for r in customer_readings().select_related("meter", "submitted_by")
    }
    march = date(2026, 3, 1)
    assert saved == {
        ("1111", "day"): (Decimal("10600"), "submitted", march, acc.owner),
        ("1111", "night"): (Decimal("5240"), "submitted", march, acc.owner),
        ("2222", "total"): (Decimal("1385"), "submitted", march, acc.owner),
    }

    rows = page.locator("table.readings-table tbody tr")

    def row(period, number, zone):
        found = (
            rows.filter(has_text=period)
            .filter(has_text=f"№ {number}")
            .filter(has=page.locator(f'td[data-label="Зона суток"]:text-is("{zone}")'))
        )
        expect(found).to_have_count(1)
        return found

    def cell(r, label):
        return r.locator(f'td[data-label="{label}"]')

    # This month: what was passed, «передан», nothing accepted yet.
    for number, zone, value in (
        ("1111", "День", "10\u00a0600"),  # shown the Russian way: 10 600
        ("1111", "Ночь", "5\u00a0240"),
        ("2222", "Сутки", "1\u00a0385"),
    ):
        r = row("Март 2026", number, zone)
        expect(cell(r, "Переданное")).to_contain_text(value)
        expect(cell(r, "Переданное").locator(".badge")).to_have_text("передан")
        expect(cell(r, "Принятое к расчёту")).to_have_text("—")
    # Last month: the accepted values, with the day they were taken and their source.
    for number, zone, value, taken in (
        ("1111", "День", "10\u00a0450", "24.02.2026"),
        ("1111", "Ночь", "5\u00a0180", "24.02.2026"),
        ("2222", "Сутки", "1\u00a0300", "23.02.2026"),
    ):
        r = row("Февраль 2026", number, zone)
        expect(cell(r, "Принятое к расчёту")).to_contain_text(value)
        expect(cell(r, "Принятое к расчёту")).to_contain_text(taken)
        expect(cell(r, "Принятое к расчёту")).to_contain_text("Источник: биллинг")
    # Newest period first.
    expect(rows.first).to_contain_text("Март 2026")

    # The consumption chart: one SVG per meter, a bar per month with an accepted reading.
    expect(
        page.get_by_role("heading", name="Расход по месяцам: Апрель 2025 — Март 2026")
    ).to_be_visible()
    for number, bars in (("1111", 3), ("2222", 3)):
        chart = page.get_by_role("img", name=f"Расход по месяцам, счётчик № {number}")
        expect(chart).to_be_visible()
        assert chart.evaluate("e => e.tagName.toLowerCase()") == "svg"
        expect(chart.locator("rect.readings-chart__bar")).to_have_count(bars)
    # December–February: 150 + 60 = 210 a month for the two-zone meter, 100 for the other.
    expect(
        page.get_by_role("img", name="Расход по месяцам, счётчик № 1111").locator(
            "text.readings-chart__value"
        )
    ).to_have_text(["210", "210", "210"])

    # Passing again replaces the pending value of the month; the first one stays as «заменён».
    page.get_by_role("link", name="Передать показания").click()
    box(page, single, "total").fill("1390")
    submit(page)
    r = row("Март 2026", "2222", "Сутки")
    expect(cell(r, "Переданное").locator(".badge")).to_have_text(["передан", "заменён"])
    assert list(
        customer_readings().filter(meter=single).order_by("id").values_list("value", "status")
    ) == [(Decimal("1385"), "replaced"), (Decimal("1390"), "submitted")]


@pytest.mark.usefixtures("today")
def test_each_wrong_reading_is_refused_next_to_its_field_and_nothing_is_saved(
    page, acc, two_zone, single
):
    open_submit_page(page, acc)
    before = Reading.objects.count()

    def attempt(day, night, total):
        box(page, two_zone, "day").fill(day)
        box(page, two_zone, "night").fill(night)
        box(page, single, "total").fill(total)
        submit(page)
        # Still the submission page, the typed values kept, nothing written.
        expect(page.get_by_role("heading", name="Передача показаний")).to_be_visible()
        expect(alert(page)).to_have_text("Проверьте поля, отмеченные ниже.")
        expect(box(page, two_zone, "day")).to_have_value(day)
        expect(box(page, two_zone, "night")).to_have_value(night)
        expect(box(page, single, "total")).to_have_value(total)
        assert Reading.objects.count() == before
        assert not customer_readings().exists()

    # Lower than the last accepted value.
    attempt("10400", "5240", "1385")
    expect(error(page, two_zone, "day")).to_have_text(
        "Показание меньше последнего принятого (10 450 за 02.2026). "
        "Показания счётчика не уменьшаются — проверьте число."
    )
    expect(error(page, two_zone, "night")).to_have_count(0)
    expect(error(page, single, "total")).to_have_count(0)

    # More digits than the meter has.
    attempt("10600", "5240", "123456")
    expect(error(page, single, "total")).to_have_text(
        "У этого счётчика 5 знаков до запятой, а введено 6. Проверьте показание."
    )
    expect(error(page, two_zone, "day")).to_have_count(0)

    # Leading zeros.
    attempt("10600", "05240", "1385")
    expect(error(page, two_zone, "night")).to_have_text("Введите показание без первых нулей: 5240.")
    expect(error(page, two_zone, "day")).to_have_count(0)

    # Not a number.
    attempt("10600", "5240", "13-85")
    expect(error(page, single, "total")).to_have_text(
        "Введите показание цифрами, например 16360 или 16360,5."
    )

    # A fraction on a meter without one.
    attempt("10600,5", "5240", "1385")
    expect(error(page, two_zone, "day")).to_have_text(
        "Введите показание без цифр после запятой: у этого счётчика их нет."
    )

    # One zone of a two-zone meter left blank.
    attempt("10600", "", "1385")
    expect(error(page, two_zone, "night")).to_have_text("Введите показание и для зоны «ночь».")

    # Two wrong fields at once: each gets its own message.
    attempt("10400", "5240", "0")
    expect(error(page, two_zone, "day")).to_contain_text("меньше последнего принятого (10 450")
    expect(error(page, single, "total")).to_contain_text("меньше последнего принятого (1 300")

    # Nothing typed at all.
    box(page, two_zone, "day").fill("")
    box(page, two_zone, "night").fill("")
    box(page, single, "total").fill("")
    submit(page)
    expect(alert(page)).to_have_text("Введите показания хотя бы одного счётчика.")
    assert Reading.objects.count() == before


@pytest.mark.usefixtures("today")
def test_a_jump_far_above_usual_is_accepted_once_confirmed(page, acc, two_zone, single):
    open_submit_page(page, acc)
    before = Reading.objects.count()
    confirm = page.get_by_label("Да, показания верные, передать их")
    expect(confirm).to_have_count(0)

    box(page, single, "total").fill("1700")
    submit(page)
    expect(error(page, single, "total")).to_have_text(
        "Расход 400 кВт·ч намного больше обычного (около 100 кВт·ч в месяц). "
        "Проверьте показание; если оно верное, подтвердите."
    )
    assert "Расход: 400 кВт·ч" in main_text(page)
    assert "Расход намного больше обычного." in main_text(page)
    expect(box(page, single, "total")).to_have_value("1700")
    expect(confirm).not_to_be_checked()
    assert Reading.objects.count() == before

    # Submitting again without the tick asks again.
    submit(page)
    expect(error(page, single, "total")).to_contain_text("намного больше обычного")
    assert Reading.objects.count() == before

    confirm.check()
    submit(page)
    assert page.url.endswith(f"/meters/account/{acc.uuid}/history/")
    assert "Показания переданы. Спасибо!" in main_text(page)
    assert Reading.objects.count() == before + 1
    r = customer_readings().get()
    assert (r.meter, r.zone, r.value, r.status) == (single, "total", Decimal("1700"), "submitted")


def test_outside_the_window_the_page_says_when_it_opens(page, acc, two_zone, single, today):
    today(AFTER_WINDOW)
    open_submit_page(page, acc)
    expect(page.get_by_role("status")).to_have_text(
        "Показания принимаются с 15 по 25 число месяца. Приём откроется 15 апреля 2026."
    )
    expect(box(page, two_zone, "day")).to_be_disabled()
    expect(box(page, single, "total")).to_be_disabled()
    expect(page.get_by_role("button", name="Передать показания")).to_have_count(0)
    # The previous values are still shown.
    expect(help_text(page, single, "total")).to_contain_text("1 300 за февраль 2026")

    # Before the 15th it opens this month.
    today(date(2026, 4, 3))
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("Приём откроется 15 апреля 2026.")

    # The page was opened in the window, and the window closed before it was sent.
    today(IN_WINDOW)
    page.reload()
    box(page, single, "total").fill("1385")
    today(date(2026, 3, 26))
    submit(page)
    expect(alert(page)).to_have_text(
        "Показания принимаются с 15 по 25 число месяца. Приём откроется 15 апреля 2026."
    )
    assert not customer_readings().exists()


@pytest.mark.usefixtures("today")
def test_another_customer_gets_404_on_the_pages_of_someone_elses_account(
    page, acc, single, charlie
):
    sign_in(page, "charlie@example.ru")
    for path in (f"/meters/account/{acc.uuid}/submit/", f"/meters/account/{acc.uuid}/history/"):
        response = go(page, path)
        assert response.status == 404, path
        assert "2222" not in page.content()
    assert not customer_readings().exists()
