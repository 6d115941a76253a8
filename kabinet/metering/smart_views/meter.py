"""The smart meter page (ИСУ): tabs, energy, registers, power, events and alerts."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.charts import Chart, Series, days
from kabinet.core.errors import DomainError
from kabinet.core.exports import Column, Table, export_response
from kabinet.core.http import form_error
from kabinet.metering import selectors_intervals as sel
from kabinet.metering import smart_views as views
from kabinet.metering.interval_models import (
    AlertKind,
    Channel,
    ConsumptionAlertRule,
    DeviceEvent,
    IntervalSeries,
    RegisterReading,
)
from kabinet.metering.models import Meter
from kabinet.metering.smart_views.period import (
    EXPORT_FORMATS,
    Period,
    _period_links,
    _query,
    resolve_period,
    series_slots,
)

# --- the smart meter page --------------------------------------------------------------

TABS = {
    "info": gettext_lazy("Справка"),
    "registers": gettext_lazy("Показания"),
    "energy": gettext_lazy("Энергия"),
    "power": gettext_lazy("Мощность"),
    "events": gettext_lazy("Журнал"),
}
ENERGY_CHANNELS = [Channel.A_IMP, Channel.A_EXP, Channel.R_IMP, Channel.R_EXP]
SHORT = {
    Channel.A_IMP: "A+",
    Channel.A_EXP: "A−",
    Channel.R_IMP: "R+",
    Channel.R_EXP: "R−",
}


def _meter(request, uuid) -> Meter:
    meters = Meter.objects.visible_to(request.user).select_related(
        "account__premises__house__street__settlement"
    )
    meter = get_object_or_404(meters, uuid=uuid)
    return meter


def _series_of_meter(meter: Meter) -> dict:
    """channel -> the hourly series if there is one, else the daily one."""
    found = {}
    for s in sorted(meter.interval_series.all(), key=lambda s: s.step_minutes, reverse=True):
        found[s.channel] = s
    return found


def _value_table(title, subtitle, chart: Chart, value_titles: list[str]) -> Table:
    """The chart's figures for a download: date, hour (for hourly charts), one column
    per series and «оценка»; a slot without data stays an empty cell."""
    hourly = chart.step == "hour"
    columns = [Column("date", _("Дата") if chart.step != "month" else _("Месяц"),
                      "date" if chart.step != "month" else "period")]  # fmt: skip
    if hourly:
        columns.append(Column("hour", _("Час")))
    columns += [Column(f"v{i}", t, "quantity") for i, t in enumerate(value_titles)]
    columns.append(Column("est", _("Оценка")))
    rows = []
    for i, start in enumerate(chart.starts):
        row = {
            "date": start.date() if isinstance(start, datetime) else start,
            "est": _("оценка") if any(s.is_estimated(i) for s in chart.series) else "",
        }
        if hourly:
            row["hour"] = f"{start:%H}:00–{(start + timedelta(hours=1)):%H}:00"
        for k, s in enumerate(chart.series):
            row[f"v{k}"] = s.values[i]
        rows.append(row)
    return Table(title=title, subtitle=subtitle, columns=columns, rows=rows)


class AlertForm(forms.Form):
    monthly_limit = forms.DecimalField(
        label=gettext_lazy("Уведомить, если расход за месяц превысит, кВт·ч"),
        required=False,
        min_value=Decimal(1),
        max_digits=10,
        decimal_places=3,
        localize=True,
    )
    night = forms.BooleanField(label=gettext_lazy("Необычная нагрузка ночью"), required=False)
    silent = forms.BooleanField(
        label=gettext_lazy("Счётчик перестал передавать данные"), required=False
    )


def _alert_services():
    try:
        from kabinet.metering.services import alerts
    except ImportError:
        return None
    if hasattr(alerts, "alert_rule_set") and hasattr(alerts, "alert_rule_disable"):
        return alerts
    return None


def _alert_block(request, series: IntervalSeries | None):
    """The alert settings of the user on the meter's A+ series, and the form to change
    them (read-only when the alert services are not there)."""
    if series is None:
        return None
    rules = {
        r.kind: r
        for r in ConsumptionAlertRule.objects.visible_to(request.user).filter(
            series=series, user=request.user
        )
    }
    forecast, night, silent = (rules.get(k) for k in AlertKind.values)
    initial = {
        "monthly_limit": forecast.monthly_limit if forecast and forecast.enabled else None,
        "night": bool(night and night.enabled),
        "silent": bool(silent and silent.enabled),
    }
    return {
        "form": AlertForm(initial=initial),
        "initial": initial,
        "editable": views._alert_services() is not None and not request.user.is_staff,
        "series": series,
    }


def _save_alerts(request, meter: Meter, series: IntervalSeries):
    alerts = views._alert_services()
    if alerts is None or request.user.is_staff:
        raise Http404
    form = AlertForm(request.POST)
    if form.is_valid():
        limit = form.cleaned_data["monthly_limit"]
        wanted = {
            AlertKind.FORECAST: limit is not None,
            AlertKind.NIGHT: form.cleaned_data["night"],
            AlertKind.SILENT: form.cleaned_data["silent"],
        }
        try:
            for kind, on in wanted.items():
                if on:
                    options = {"monthly_limit": limit} if kind == AlertKind.FORECAST else {}
                    alerts.alert_rule_set(user=request.user, series=series, kind=kind, **options)
                else:
                    alerts.alert_rule_disable(user=request.user, series=series, kind=kind)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Настройки уведомлений сохранены."))
            return redirect(reverse("metering:smart", args=[meter.uuid]) + "?tab=energy"), form
    return None, form


@login_required
def smart_meter_view(request, uuid):
    """ИСУ: one smart meter's data (004 «Интеллектуальная система учёта»)."""
    meter = _meter(request, uuid)
    found = _series_of_meter(meter)
    if not found:
        raise Http404("no interval data")
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "info"
    today = views._today()
    a_plus = found.get(Channel.A_IMP)
    alert_form = None
    if request.method == "POST" and a_plus is not None:
        response, alert_form = _save_alerts(request, meter, a_plus)
        if response:
            return response
        tab = "energy"
    context = {
        "meter": meter,
        "account": meter.account,
        "tab": tab,
        "tabs": [
            {"key": k, "label": label, "href": "?" + _query(request, tab=k)}
            for k, label in TABS.items()
        ],
    }
    if tab != "info":
        form, period = resolve_period(
            request,
            default="week" if tab == "energy" else "month",
            today=today,
            max_days=sel.MAX_HOURLY_DAYS if tab == "power" else None,
            too_long=_("Мощность рассчитывается по часовым данным не более чем за %(n)s дня."),
        )
        context.update(form=form, period=period, nav=_period_links(request, period, today))
    table = None
    if tab == "info":
        context.update(channels=[found[c] for c in ENERGY_CHANNELS if c in found])
    elif tab == "energy":
        table = _energy(request, meter, found, period, context)
        context["alerts"] = _alert_block(request, a_plus)
        if alert_form is not None and context["alerts"]:
            context["alerts"]["form"] = alert_form
    elif tab == "registers":
        table = _registers(request, meter, period, context)
    elif tab == "power":
        table = _power(meter, found, period, context)
    else:
        table = _events(request, meter=meter, period=period, context=context)
    fmt = request.GET.get("format")
    if fmt and table is not None:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        stem = f"isu-{meter.number}-{tab}-{period.first:%Y%m%d}-{period.last:%Y%m%d}"
        return export_response(table, fmt, stem)
    context["table"] = table
    context["export_query"] = _query(request)
    return render(request, "metering/smart/meter.html", context)


def _energy(request, meter, found, period, context) -> Table:
    available = [c for c in ENERGY_CHANNELS if c in found]
    channel = request.GET.get("channel")
    channel = channel if channel in available else available[0]
    series = found[channel]
    # A meter that sends only daily values is shown by day even for a short period.
    step = "day" if period.step == "hour" and series.slots_per_day == 1 else period.step
    starts, values, est = series_slots(series, period, step)
    name = SHORT.get(channel, series.get_channel_display())
    chart = Chart(
        caption=series.get_channel_display(),
        unit=series.unit_label,
        step=step,
        starts=starts,
        series=[Series(name, values, est)],
    )
    present = [v for v in values if v is not None]
    context.update(
        chart=chart,
        channel=channel,
        channels=[
            {
                "label": SHORT[c],
                "title": found[c].get_channel_display(),
                "href": "?" + _query(request, channel=c),
                "current": c == channel,
            }
            for c in available
        ],  # fmt: skip
        total=sum(present, Decimal(0)) if present else None,
        unit=series.unit_label,
        missing=len(values) - len(present),
        slots=len(values),
    )
    return _value_table(
        _("ИСУ: %(c)s, счётчик № %(n)s") % {"c": name, "n": meter.number},
        f"{meter.account.premises.address}, {period.text()}",
        chart,
        [f"{name}, {series.unit_label}"],
    )


def _registers(request, meter, period, context) -> Table:
    next_day = period.last + timedelta(days=1)
    # The next day's 00:00 register closes the last day of the period.
    readings = sel.register_profile(meter=meter, start=period.first, end=next_day)
    available = [
        r for r in RegisterReading.Register.values if any(x.register == r for x in readings)
    ]
    register = request.GET.get("register")
    register = register if register in available else (available[0] if available else "a_imp")
    readings = [x for x in readings if x.register == register]
    zones = [z for z in RegisterReading.Zone.values if any(x.zone == z for x in readings)]
    zones = [z for z in zones if z != "total"] + (["total"] if "total" in zones else [])
    by_day: dict[date, dict] = {}
    for r in readings:
        by_day.setdefault(r.day, {})[r.zone] = r.value
    all_days = days(period.first, period.last)
    # A day's consumption: the next day's 00:00 register minus this one's («сумма», or
    # the only zone).
    zone = "total" if "total" in zones else (zones[0] if len(zones) == 1 else None)
    marks = [by_day.get(d, {}).get(zone) for d in [*all_days, next_day]]
    used = [
        (b - a) if a is not None and b is not None and b >= a else None
        for a, b in zip(marks, marks[1:], strict=False)
    ]
    labels = dict(RegisterReading.Register.choices)
    zone_labels = dict(RegisterReading.Zone.choices)
    unit = "кВт·ч" if register.startswith("a") else "квар·ч"
    chart = Chart(
        caption=_("Расход за сутки по показаниям %(r)s") % {"r": labels.get(register, register)},
        unit=unit,
        step="day",
        starts=all_days,
        series=[Series(SHORT.get(register, register), used)],
    )
    columns = [Column("day", _("Дата"), "date")]
    columns += [Column(z, f"{zone_labels[z]}, {unit}", "quantity") for z in zones]
    rows = [{"day": d, **by_day[d]} for d in all_days if d in by_day]
    context.update(
        chart=chart,
        registers=[
            {
                "label": SHORT.get(r, r),
                "title": labels[r],
                "href": "?" + _query(request, register=r),
                "current": r == register,
            }
            for r in available
        ],  # fmt: skip
        register_label=labels.get(register, register),
    )
    return Table(
        title=_("Профиль показаний %(r)s, счётчик № %(n)s")
        % {"r": SHORT.get(register, register), "n": meter.number},
        subtitle=f"{meter.account.premises.address}, {period.text()}",
        columns=columns,
        rows=rows,
    )


def power_extremes(meter, found: dict, period: Period):
    """(rows, daily): min and max of P, Q and S with their hours for the period
    (selectors_intervals.interval_power, from hourly A+ and R+), and each day's maximum
    of P for the chart."""
    summary = sel.interval_power(meter=meter, start=period.first, end=period.last)
    rows = [
        {
            "kind": e.kind,
            "label": label,
            "unit": e.unit_label,
            "min": e.min_value,
            "min_at": timezone.localtime(e.min_at),
            "max": e.max_value,
            "max_at": timezone.localtime(e.max_at),
        }
        for e, label in (
            (summary.active, _("Активная мощность P")),
            (summary.reactive, _("Реактивная мощность Q")),
            (summary.apparent, _("Полная мощность S")),
        )
        if e.hours
    ]
    a = found.get(Channel.A_IMP)
    if not rows or a is None or a.slots_per_day != 24:
        return rows, None
    p = series_slots(a, period, "hour")[1]
    daily = []
    for i in range(period.days):
        got = [v for v in p[i * 24 : i * 24 + 24] if v is not None]
        daily.append(max(got) if got else None)
    return rows, (days(period.first, period.last), daily)


def _power(meter, found, period, context) -> Table:
    rows, daily = power_extremes(meter, found, period)
    chart = None
    if daily:
        chart = Chart(
            caption=_("Максимум активной мощности за сутки"),
            unit=_("кВт"),
            step="day",
            starts=daily[0],
            series=[Series("P", daily[1])],
        )
    context.update(chart=chart, power=rows)
    return Table(
        title=_("Мощность, счётчик № %(n)s") % {"n": meter.number},
        subtitle=f"{meter.account.premises.address}, {period.text()}",
        columns=[
            Column("label", _("Мощность")),
            Column("unit", _("Единица")),
            Column("min", _("Минимум"), "quantity"),
            Column("min_at", _("Время минимума")),
            Column("max", _("Максимум"), "quantity"),
            Column("max_at", _("Время максимума")),
        ],
        rows=[
            {
                **r,
                "min_at": f"{r['min_at']:%d.%m.%Y %H:00}",
                "max_at": f"{r['max_at']:%d.%m.%Y %H:00}",
            }
            for r in rows
        ],
    )


def _events(request, *, period, context, meter=None, unit=None, building_meter=None) -> Table:
    events = sel.device_events(
        start=period.first, end=period.last, meter=meter, unit=unit, building_meter=building_meter
    )
    codes = dict(DeviceEvent.Code.choices)
    present = sorted({e.code for e in events}, key=list(codes).index)
    code = request.GET.get("code")
    code = code if code in codes else ""
    if code:
        events = [e for e in events if e.code == code]
    context.update(
        events=events[:1000],
        codes=[{"value": c, "label": codes[c]} for c in present],
        code=code,
    )
    return Table(
        title=_("Журнал событий"),
        subtitle=period.text(),
        columns=[
            Column("at", _("Время события")),
            Column("event", _("Событие")),
            Column("severity", _("Важность")),
            Column("text", _("Описание")),
        ],
        rows=[
            {
                "at": f"{timezone.localtime(e.occurred_at):%d.%m.%Y %H:%M}",
                "event": e.label,
                "severity": e.severity_label,
                "text": e.text,
            }
            for e in events
        ],
    )


# --- heat archives (КУУТЭ, ОДПУ) -------------------------------------------------------
