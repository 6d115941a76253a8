"""Уведомления о потреблении: each kind fires when it should and only then, once per
period, and only on the customer's own series."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from kabinet.core.errors import DomainError
from kabinet.metering.interval_models import (
    ConsumptionAlert,
    ConsumptionAlertRule,
    IntervalDay,
    IntervalSeries,
)
from kabinet.metering.services.alerts import alert_rule_disable, alert_rule_set, alerts_run
from kabinet.metering.tests import factories as f
from kabinet.notifications.models import Kind, Notice
from kabinet.notifications.services import preferences_set

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
RUN = date(2026, 3, 21)  # the run's day: 1–20 March are full days
NOW = datetime(2026, 3, 21, 6, 0, tzinfo=MSK)


@pytest.fixture
def series(alice):
    meter = f.meter(f.account(owner=alice))
    return IntervalSeries.objects.create(
        meter=meter, channel="a_imp", unit_label="кВт·ч", scale=3, step_minutes=60
    )


def fill(series, first: date, last: date, *, hour=500, night=None):
    """Every hour of the days ``first``..``last`` (inclusive): ``hour`` Wh, and ``night``
    Wh in hours 00–05 when given."""
    rows = []
    d = first
    while d <= last:
        values = [night if night is not None and h < 6 else hour for h in range(24)]
        row = IntervalDay(series=series, day=d, values=values)
        row.recompute()
        rows.append(row)
        d += timedelta(days=1)
    IntervalDay.objects.bulk_create(rows)


def run(capture, **kw):
    with capture(execute=True):
        return alerts_run(day=kw.pop("day", RUN), now=kw.pop("now", NOW))


# --- forecast ---------------------------------------------------------------------------


def test_forecast_fires_when_the_month_is_on_course_past_the_limit(
    alice, series, django_capture_on_commit_callbacks
):
    fill(series, date(2026, 3, 1), date(2026, 3, 20))  # 12 kWh a day
    alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="350")
    counts = run(django_capture_on_commit_callbacks)
    assert counts["forecast"] == 1
    alert = ConsumptionAlert.objects.get()
    # 240 so far + 12 × 11 days left (21–31 March)
    assert (alert.period, alert.value, alert.threshold) == (
        date(2026, 3, 1),
        Decimal("372.000"),
        Decimal("350.000"),
    )
    assert alert.notified_at is not None
    notice = Notice.objects.get(user=alice)
    assert "350" in notice.title and "372" in notice.text
    assert "за март 2026" in notice.title
    assert notice.kind == Kind.CONSUMPTION  # «Расход по данным ИСУ», not «Приём показаний»


def test_the_month_keeps_its_capital_in_english():
    from django.utils import translation

    from kabinet.metering.services.alerts import _month_in_sentence

    assert _month_in_sentence(date(2026, 3, 1)) == "март 2026"
    with translation.override("en"):
        assert _month_in_sentence(date(2026, 3, 1)) == "March 2026"


def test_alerts_follow_the_channels_chosen_for_consumption_not_readings(
    alice, series, mailoutbox, django_capture_on_commit_callbacks
):
    fill(series, date(2026, 3, 1), date(2026, 3, 20))
    alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="350")
    preferences_set(user=alice, choices={Kind.READINGS: (False, False)})
    run(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1  # e-mail by default for consumption
    ConsumptionAlert.objects.all().delete()
    Notice.objects.all().delete()
    mailoutbox.clear()
    preferences_set(
        user=alice, choices={Kind.READINGS: (True, False), Kind.CONSUMPTION: (False, False)}
    )
    run(django_capture_on_commit_callbacks)
    assert Notice.objects.get(user=alice).kind == Kind.CONSUMPTION and mailoutbox == []


def test_forecast_is_quiet_under_the_limit(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 3, 1), date(2026, 3, 20))
    alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="400")
    assert run(django_capture_on_commit_callbacks)["forecast"] == 0
    assert not ConsumptionAlert.objects.exists() and not Notice.objects.exists()


def test_a_rerun_does_not_duplicate(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 3, 1), date(2026, 3, 20))
    alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="350")
    run(django_capture_on_commit_callbacks)
    # The same day again, and the next day: still one alert this month, one notice.
    assert run(django_capture_on_commit_callbacks)["forecast"] == 0
    fill(series, date(2026, 3, 21), date(2026, 3, 21))
    assert run(django_capture_on_commit_callbacks, day=RUN + timedelta(days=1))["forecast"] == 0
    assert ConsumptionAlert.objects.count() == 1
    assert Notice.objects.filter(user=alice).count() == 1


def test_a_lost_notice_is_sent_by_the_next_run(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 3, 1), date(2026, 3, 20))
    alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="350")
    alerts_run(day=RUN, now=NOW)  # committed callbacks never run: the notice is lost
    assert ConsumptionAlert.objects.get().notified_at is None
    run(django_capture_on_commit_callbacks)
    assert ConsumptionAlert.objects.get().notified_at is not None
    assert Notice.objects.filter(user=alice).count() == 1


def test_a_disabled_rule_is_not_checked(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 3, 1), date(2026, 3, 20))
    alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="350")
    alert_rule_disable(user=alice, series=series, kind="forecast")
    assert run(django_capture_on_commit_callbacks)["forecast"] == 0
    rule = alert_rule_set(user=alice, series=series, kind="forecast", monthly_limit="350")
    assert rule.enabled and ConsumptionAlertRule.objects.count() == 1


# --- night ------------------------------------------------------------------------------


def test_night_load_fires_on_a_jump_over_the_usual(
    alice, series, django_capture_on_commit_callbacks
):
    fill(series, date(2026, 2, 14), date(2026, 3, 13), night=100)  # 0,6 kWh a night
    fill(series, date(2026, 3, 14), date(2026, 3, 20), night=500)  # 3 kWh a night
    alert_rule_set(user=alice, series=series, kind="night")
    assert run(django_capture_on_commit_callbacks)["night"] == 1
    alert = ConsumptionAlert.objects.get()
    # the week of the last full day (Friday 20 March) starts on Monday 16 March
    assert (alert.period, alert.value, alert.threshold) == (
        date(2026, 3, 16),
        Decimal("3.000"),
        Decimal("1.200"),
    )
    assert Notice.objects.get(user=alice).title == "Повышенное ночное потребление"


def test_night_load_as_usual_is_quiet(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 2, 14), date(2026, 3, 20), night=300)
    alert_rule_set(user=alice, series=series, kind="night")
    assert run(django_capture_on_commit_callbacks)["night"] == 0


def test_night_load_under_the_floor_is_quiet(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 2, 14), date(2026, 3, 13), night=10)  # 0,06 kWh
    fill(series, date(2026, 3, 14), date(2026, 3, 20), night=50)  # 0,3 kWh: ×5, under 0,5
    alert_rule_set(user=alice, series=series, kind="night", night_floor="0,5")
    assert run(django_capture_on_commit_callbacks)["night"] == 0


def test_night_load_needs_history(alice, series, django_capture_on_commit_callbacks):
    fill(series, date(2026, 3, 10), date(2026, 3, 13), night=100)
    fill(series, date(2026, 3, 14), date(2026, 3, 20), night=500)
    alert_rule_set(user=alice, series=series, kind="night")
    assert run(django_capture_on_commit_callbacks)["night"] == 0


# --- silent -----------------------------------------------------------------------------


def test_a_silent_meter_fires_once_per_silence(alice, series, django_capture_on_commit_callbacks):
    series.last_value_at = NOW - timedelta(hours=50)
    series.save()
    alert_rule_set(user=alice, series=series, kind="silent", silent_hours=48)
    assert run(django_capture_on_commit_callbacks)["silent"] == 1
    later = NOW + timedelta(days=1)
    assert run(django_capture_on_commit_callbacks, now=later, day=RUN + timedelta(days=1)) == {
        "forecast": 0,
        "night": 0,
        "silent": 0,
    }
    alert = ConsumptionAlert.objects.get()
    assert alert.period == date(2026, 3, 19) and alert.value == Decimal("50.000")
    assert "перестал передавать" in Notice.objects.get(user=alice).title


def test_a_meter_that_reports_is_not_silent(alice, series, django_capture_on_commit_callbacks):
    series.last_value_at = NOW - timedelta(hours=47)
    series.save()
    alert_rule_set(user=alice, series=series, kind="silent", silent_hours=48)
    assert run(django_capture_on_commit_callbacks)["silent"] == 0


# --- rules ------------------------------------------------------------------------------


def test_another_customers_series_cannot_get_a_rule(charlie, series):
    with pytest.raises(DomainError) as caught:
        alert_rule_set(user=charlie, series=series, kind="forecast", monthly_limit="100")
    assert caught.value.code == "not_found"
    with pytest.raises(DomainError):
        alert_rule_disable(user=charlie, series=series, kind="forecast")
    assert not ConsumptionAlertRule.objects.exists()


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("forecast", {}, "monthly_limit"),
        ("forecast", {"monthly_limit": "-5"}, "monthly_limit"),
        ("forecast", {"monthly_limit": "много"}, "monthly_limit"),
        ("night", {"night_factor": "1"}, "night_factor"),
        ("silent", {"silent_hours": "0"}, "silent_hours"),
        ("cats", {}, "kind"),
    ],
)
def test_bad_thresholds_are_refused(alice, series, kind, values, field):
    with pytest.raises(DomainError) as caught:
        alert_rule_set(user=alice, series=series, kind=kind, **values)
    assert caught.value.field == field
    assert not ConsumptionAlertRule.objects.exists()


def test_the_task_is_scheduled_daily_at_six():
    from kabinet.metering.tasks import consumption_alerts

    entry = settings.CELERY_BEAT_SCHEDULE["consumption-alerts"]
    assert entry["task"] == consumption_alerts.name == "metering.consumption_alerts"
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    assert consumption_alerts.apply().get() == {"forecast": 0, "night": 0, "silent": 0}
