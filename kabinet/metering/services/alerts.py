"""Уведомления о потреблении: the alerts a customer switches on for a smart meter's series
(or a heat unit's), checked once a day by the task ``metering.consumption_alerts``.

* **forecast** — this month on course to exceed the customer's amount: the month so far
  (full days before the run's day) + the mean of the last 7 full days × the days left
  (the run's day included) > ``monthly_limit``. Once a month.
* **night** — abnormal night-time load (hours 00–06): the mean night total of the last 7
  full days > ``night_factor`` × the median of the 28 days before them, and above
  ``night_floor`` (a flat's fridge is not an alarm). Hourly series only; needs at least
  14 days of history. Once a week (the period is the Monday of the last full day's week).
* **silent** — the meter stopped reporting: its last value is older than ``silent_hours``.
  Once per silence (the period is the day of the last value).

A fired alert is a ``ConsumptionAlert`` row, unique per (rule, kind, period), so a rerun
or a second worker changes nothing. The customer is notified after the chunk commits
(``notifications.services.notify``); an alert whose notice was lost is notified by the
next run. Thresholds are in the series' unit (кВт·ч, Гкал…).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, format_period, format_quantity
from kabinet.metering.interval_models import (
    AlertKind,
    ConsumptionAlert,
    ConsumptionAlertRule,
    IntervalDay,
    IntervalSeries,
)

CHUNK = 1000
RECENT_DAYS = 7
BASELINE_DAYS = 28
BASELINE_MIN_DAYS = 14
# An alert whose notice was not sent (a crash after the commit) is retried this long.
RETRY_DAYS = 3
MAX_SILENT_HOURS = 24 * 31
LIMIT_MAX = Decimal("99999999999")
# The notice's kind, whose channels (e-mail, SMS) the customer chooses on the
# notification settings page: «Расход и ИСУ».
NOTICE_KIND = "consumption"


# --- the customer's rules -------------------------------------------------------------


def _visible_series(user, series: IntervalSeries) -> IntervalSeries:
    if series is None or not (
        IntervalSeries.objects.visible_to(user).filter(pk=series.pk).exists()
    ):
        raise DomainError(_("Прибор учёта не найден."), code="not_found")
    return series


def _decimal(value, field: str) -> Decimal:
    try:
        result = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except ArithmeticError:  # InvalidOperation: not a number
        result = None
    if result is None or not result.is_finite():
        raise DomainError(_("Введите число."), field=field)
    return result


@transaction.atomic
def alert_rule_set(
    *,
    user,
    series: IntervalSeries,
    kind: str,
    monthly_limit=None,
    night_factor=None,
    night_floor=None,
    silent_hours=None,
) -> ConsumptionAlertRule:
    """Включить уведомление: switch an alert of ``kind`` on for one of the customer's series
    (or change its threshold). Another customer's series is refused as not found."""
    _visible_series(user, series)
    if kind not in AlertKind.values:
        raise DomainError(_("Неизвестный вид уведомления."), field="kind")
    rule = (
        ConsumptionAlertRule.objects.select_for_update()
        .filter(user=user, series=series, kind=kind)
        .first()
    ) or ConsumptionAlertRule(user=user, series=series, kind=kind)
    before = {
        "monthly_limit": rule.monthly_limit,
        "night_factor": rule.night_factor,
        "night_floor": rule.night_floor,
        "silent_hours": rule.silent_hours,
        "enabled": rule.enabled if rule.pk else False,
    }
    if kind == AlertKind.FORECAST:
        if monthly_limit in (None, ""):
            raise DomainError(_("Укажите объём за месяц."), field="monthly_limit")
        limit = _decimal(monthly_limit, "monthly_limit")
        if not Decimal(0) < limit < LIMIT_MAX:
            raise DomainError(_("Объём за месяц должен быть больше нуля."), field="monthly_limit")
        if limit != limit.quantize(Decimal("0.001")):
            raise DomainError(_("Не больше 3 знаков после запятой."), field="monthly_limit")
        rule.monthly_limit = limit
    elif kind == AlertKind.NIGHT:
        if series.step_minutes != IntervalSeries.Step.HOUR:
            raise DomainError(_("Ночное потребление видно только по часовым данным."))
        if night_factor not in (None, ""):
            factor = _decimal(night_factor, "night_factor")
            if not Decimal("1.1") <= factor <= Decimal(100):
                raise DomainError(_("Кратность — от 1,1 до 100."), field="night_factor")
            rule.night_factor = factor.quantize(Decimal("0.01"))
        if night_floor not in (None, ""):
            floor = _decimal(night_floor, "night_floor")
            if not Decimal(0) <= floor < LIMIT_MAX:
                raise DomainError(_("Порог не может быть отрицательным."), field="night_floor")
            rule.night_floor = floor.quantize(Decimal("0.001"))
    elif silent_hours not in (None, ""):
        try:
            hours = int(silent_hours)
        except (TypeError, ValueError):
            raise DomainError(_("Введите число часов."), field="silent_hours") from None
        if not 1 <= hours <= MAX_SILENT_HOURS:
            raise DomainError(
                _("Число часов — от 1 до %(n)s.") % {"n": MAX_SILENT_HOURS}, field="silent_hours"
            )
        rule.silent_hours = hours
    rule.enabled = True
    rule.save()
    after = {name: getattr(rule, name) for name in before}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit_record(
            actor=user, action="consumption_rule_set", target=rule, subject=user, changes=changes
        )
    return rule


@transaction.atomic
def alert_rule_disable(*, user, series: IntervalSeries, kind: str) -> ConsumptionAlertRule | None:
    """Выключить уведомление of ``kind`` on the customer's series; nothing if it was off."""
    _visible_series(user, series)
    rule = (
        ConsumptionAlertRule.objects.select_for_update()
        .filter(user=user, series=series, kind=kind)
        .first()
    )
    if rule is not None and rule.enabled:
        rule.enabled = False
        rule.save(update_fields=["enabled"])
        audit_record(
            actor=user,
            action="consumption_rule_disable",
            target=rule,
            subject=user,
            changes={"enabled": [True, False]},
        )
    return rule


# --- the daily run --------------------------------------------------------------------


def _month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def _forecast(rule, days: dict[date, tuple[int, int, int]], day: date):
    """(value, threshold) when the month is on course past the limit, else None."""
    if rule.monthly_limit is None:
        return None
    series = rule.series
    start = day.replace(day=1)
    so_far = sum(t for d, (t, _n, p) in days.items() if start <= d < day and p)
    recent = [t for d, (t, _n, p) in days.items() if day - timedelta(RECENT_DAYS) <= d < day and p]
    mean = Decimal(sum(recent)) / len(recent) if recent else Decimal(0)
    left = (_month_end(day) - day).days + 1
    forecast = series.to_decimal(so_far) + mean.scaleb(-series.scale) * left
    forecast = forecast.quantize(Decimal("0.001"))
    if forecast > rule.monthly_limit:
        return start, forecast, rule.monthly_limit
    return None


def _night(rule, days: dict[date, tuple[int, int, int]], day: date):
    series = rule.series
    if series.step_minutes != IntervalSeries.Step.HOUR:
        return None
    last = day - timedelta(days=1)
    recent_from = day - timedelta(days=RECENT_DAYS)
    base_from = recent_from - timedelta(days=BASELINE_DAYS)
    recent = [n for d, (_t, n, p) in days.items() if recent_from <= d < day and p]
    base = [n for d, (_t, n, p) in days.items() if base_from <= d < recent_from and p]
    if len(recent) < RECENT_DAYS // 2 + 1 or len(base) < BASELINE_MIN_DAYS:
        return None
    mean = (Decimal(sum(recent)) / len(recent)).scaleb(-series.scale).quantize(Decimal("0.001"))
    threshold = (Decimal(median(base)).scaleb(-series.scale) * rule.night_factor).quantize(
        Decimal("0.001")
    )
    if mean > threshold and mean > rule.night_floor:
        return last - timedelta(days=last.weekday()), mean, max(threshold, rule.night_floor)
    return None


def _silent(rule, now: datetime):
    series = rule.series
    last = series.last_value_at or series.created_at
    hours = Decimal((now - last).total_seconds()) / 3600
    if hours > rule.silent_hours:
        period = timezone.localtime(last).date()
        return period, hours.quantize(Decimal("0.001")), Decimal(rule.silent_hours)
    return None


def _days(series_ids, since: date, until: date) -> dict[int, dict[date, tuple[int, int, int]]]:
    found: dict[int, dict] = defaultdict(dict)
    rows = IntervalDay.objects.filter(
        series_id__in=series_ids, day__gte=since, day__lt=until
    ).values_list("series_id", "day", "total", "night_total", "present")
    for series_id, d, total, night, present in rows.iterator(chunk_size=5000):
        found[series_id][d] = (total, night, present)
    return found


def _page_url(series: IntervalSeries) -> str:
    if series.meter_id is None:
        return ""
    try:
        return reverse("metering:smart", args=[series.meter.uuid])
    except NoReverseMatch:  # the ИСУ page is not there yet
        return ""


def _month_in_sentence(period) -> str:
    """«ноябрь 2026» inside a Russian sentence; "November 2026" keeps its capital."""
    text = format_period(period)
    return text.lower() if (get_language() or "ru").startswith("ru") else text


def _notice(alert: ConsumptionAlert) -> tuple[str, str]:
    rule = alert.rule
    series = rule.series
    unit = series.unit_label
    device = str(series.parent)
    if alert.kind == AlertKind.FORECAST:
        title = _("Потребление за %(m)s может превысить %(limit)s %(u)s") % {
            "m": _month_in_sentence(alert.period),
            "limit": format_quantity(alert.threshold),
            "u": unit,
        }
        text = _("Прибор %(d)s: по прогнозу за месяц — %(v)s %(u)s.") % {
            "d": device,
            "v": format_quantity(alert.value),
            "u": unit,
        }
    elif alert.kind == AlertKind.NIGHT:
        title = _("Повышенное ночное потребление")
        text = _(
            "Прибор %(d)s: ночью (00:00–06:00) за последние 7 суток в среднем %(v)s %(u)s, "
            "порог — %(t)s %(u)s."
        ) % {
            "d": device,
            "v": format_quantity(alert.value),
            "t": format_quantity(alert.threshold),
            "u": unit,
        }
    else:
        title = _("Прибор учёта перестал передавать данные")
        text = _("Прибор %(d)s: нет данных %(h)s ч.") % {
            "d": device,
            "h": int(alert.value),
        }
    return title, text


def _notify(alert_ids) -> int:
    """Notify the alerts not notified yet; each at most once (the notice's dedupe key)."""
    from kabinet.notifications.services import notify

    sent = 0
    for alert in ConsumptionAlert.objects.filter(
        pk__in=list(alert_ids), notified_at=None
    ).select_related(
        "rule__user", "rule__series__meter", "rule__series__unit", "rule__series__building_meter"
    ):
        with transaction.atomic():
            locked = ConsumptionAlert.objects.select_for_update().get(pk=alert.pk)
            if locked.notified_at is not None:
                continue
            title, text = _notice(alert)
            notify(
                user=alert.rule.user,
                kind=NOTICE_KIND,
                title=title,
                text=text,
                url=_page_url(alert.rule.series),
                dedupe_key=f"consumption-{alert.pk}",
            )
            locked.notified_at = timezone.now()
            locked.save(update_fields=["notified_at"])
            sent += 1
    return sent


def alerts_run(*, day: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """The daily check of every enabled rule, in chunks of ``CHUNK`` rules (one
    transaction each, notices sent after it commits). ``day`` is the run's local day:
    days before it are full. Returns counts per kind of the alerts written."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    since = min(day.replace(day=1), day - timedelta(days=RECENT_DAYS + BASELINE_DAYS))
    counts = {kind: 0 for kind in AlertKind.values}
    # Alerts of earlier runs whose notice was lost.
    _notify(
        ConsumptionAlert.objects.filter(
            notified_at=None, created_at__gte=now - timedelta(days=RETRY_DAYS)
        ).values_list("pk", flat=True)
    )
    rules = ConsumptionAlertRule.objects.filter(enabled=True).order_by("pk")
    last_pk = 0
    while True:
        chunk = list(rules.filter(pk__gt=last_pk).select_related("series")[:CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        days = _days({r.series_id for r in chunk if r.kind != AlertKind.SILENT}, since, day)
        fired = []
        with transaction.atomic():
            for rule in chunk:
                if rule.kind == AlertKind.FORECAST:
                    hit = _forecast(rule, days.get(rule.series_id, {}), day)
                elif rule.kind == AlertKind.NIGHT:
                    hit = _night(rule, days.get(rule.series_id, {}), day)
                else:
                    hit = _silent(rule, now)
                if hit is None:
                    continue
                period, value, threshold = hit
                try:
                    with transaction.atomic():
                        alert = ConsumptionAlert.objects.create(
                            rule=rule,
                            kind=rule.kind,
                            period=period,
                            value=value,
                            threshold=threshold,
                        )
                except IntegrityError:
                    continue  # fired already for this period
                fired.append(alert.pk)
                counts[rule.kind] += 1
            transaction.on_commit(lambda ids=tuple(fired): _notify(ids))
    return counts
