"""Hourly and daily archives of a heat metering unit (КУУТЭ) or a building meter (ОДПУ)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.contracts.models import MeteringUnit
from kabinet.core.charts import Chart, Series, days
from kabinet.core.exports import Column, Table, export_response
from kabinet.metering import smart_views as views
from kabinet.metering.interval_models import (
    Channel,
    IntervalSeries,
)
from kabinet.metering.smart_views.meter import _events
from kabinet.metering.smart_views.period import (
    EXPORT_FORMATS,
    HOURLY_DAYS,
    _period_links,
    _query,
    resolve_period,
    series_slots,
)
from kabinet.premises.models import BuildingMeter, House

HEAT_TABS = {
    "hour": gettext_lazy("Часовой архив"),
    "day": gettext_lazy("Суточный архив"),
    "events": gettext_lazy("Нештатные ситуации"),
}
HEAT_COLUMNS = [
    Channel.Q_GCAL,
    Channel.M1_T,
    Channel.M2_T,
    Channel.V1_M3,
    Channel.V2_M3,
    Channel.T1_C,
    Channel.T2_C,
    Channel.HOURS_OK,
    Channel.HOURS_OUT,
]
HEAT_SHORT = {
    Channel.Q_GCAL: "Q",
    Channel.M1_T: "M1",
    Channel.M2_T: "M2",
    Channel.V1_M3: "V1",
    Channel.V2_M3: "V2",
    Channel.T1_C: "T1",
    Channel.T2_C: "T2",
    Channel.HOURS_OK: gettext_lazy("Время работы"),
    Channel.HOURS_OUT: gettext_lazy("Время простоя"),
}


def _heat_page(request, *, device, title: str, back: tuple[str, str], kind: str):
    series = list(device.interval_series.all())
    tab = request.GET.get("tab") if request.GET.get("tab") in HEAT_TABS else "hour"
    today = views._today()
    form, period = resolve_period(
        request,
        default="week" if tab == "hour" else "month",
        today=today,
        max_days=HOURLY_DAYS if tab == "hour" else None,
        too_long=_("Часовой архив показывается не более чем за %(n)s суток."),
    )
    step_minutes = 60 if tab == "hour" else 1440
    chosen: dict[str, IntervalSeries] = {}
    for s in sorted(series, key=lambda s: s.step_minutes != step_minutes):
        if tab == "hour" and s.step_minutes != step_minutes:
            continue  # the hourly archive shows hourly series only
        chosen.setdefault(s.channel, s)  # the daily archive, else days of the hourly one
    context = {
        "device": device,
        "title": title,
        "back": back,
        "tab": tab,
        "tabs": [
            {
                "key": k,
                "label": label,
                "href": "?" + _query(request, tab=k, date_from=None, date_to=None, preset=None),
            }
            for k, label in HEAT_TABS.items()
        ],  # fmt: skip
        "form": form,
        "period": period,
        "nav": _period_links(request, period, today),
        "kind": kind,
    }
    if tab == "events":
        parent = {"unit": device} if kind == "unit" else {"building_meter": device}
        table = _events(request, period=period, context=context, **parent)
    else:
        step = "hour" if tab == "hour" else ("day" if period.days <= 366 else "month")
        data = {}
        for channel in HEAT_COLUMNS:
            if channel in chosen:
                data[channel] = series_slots(chosen[channel], period, step)
        starts = next(iter(data.values()))[0] if data else days(period.first, period.last)
        charts = []

        def add(caption, unit, channels, kind="bar"):
            got = [c for c in channels if c in data]
            if got:
                charts.append(Chart(
                    caption=caption, unit=unit, step=step, starts=starts, kind=kind,
                    series=[Series(str(HEAT_SHORT[c]), data[c][1], data[c][2]) for c in got],
                ))  # fmt: skip

        add(_("Тепловая энергия Q"), "Гкал", [Channel.Q_GCAL])
        add(_("Масса теплоносителя M1/M2"), "т", [Channel.M1_T, Channel.M2_T], "line")
        add(_("Объём теплоносителя V1/V2"), "м³", [Channel.V1_M3, Channel.V2_M3], "line")
        add(_("Температура T1/T2"), "°C", [Channel.T1_C, Channel.T2_C], "line")
        add(_("Время простоя"), "ч", [Channel.HOURS_OUT])
        context["charts"] = charts
        columns = [Column("date", _("Дата"), "date" if step != "month" else "period")]
        if step == "hour":
            columns.append(Column("hour", _("Час")))
        columns += [Column(c, f"{HEAT_SHORT[c]}, {chosen[c].unit_label}", "quantity") for c in data]
        columns.append(Column("est", _("Оценка")))
        rows = []
        for i, start in enumerate(starts):
            row = {"date": start.date() if isinstance(start, datetime) else start}
            if step == "hour":
                row["hour"] = f"{start:%H}:00–{(start + timedelta(hours=1)):%H}:00"
            for c, (_s, values, _est) in data.items():
                row[c] = values[i]
            row["est"] = _("оценка") if any(data[c][2][i] for c in data) else ""
            rows.append(row)
        totals = {}
        for c in (Channel.Q_GCAL, Channel.M1_T, Channel.M2_T, Channel.HOURS_OK, Channel.HOURS_OUT):
            if c in data:
                got = [v for v in data[c][1] if v is not None]
                totals[c] = sum(got, Decimal(0)) if got else None
        context["totals"] = [
            {"label": HEAT_SHORT[c], "value": v, "unit": chosen[c].unit_label}
            for c, v in totals.items()
            if v is not None
        ]
        table = Table(
            title=f"{title}: {HEAT_TABS[tab]}",
            subtitle=period.text(),
            columns=columns,
            rows=rows,
            totals={c: v for c, v in totals.items() if v is not None} or None,
        )
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        stem = f"archive-{device.number}-{tab}-{period.first:%Y%m%d}-{period.last:%Y%m%d}"
        return export_response(table, fmt, stem)
    context["table"] = table
    context["export_query"] = _query(request)
    return render(request, "metering/smart/heat.html", context)


@login_required
def unit_archive_view(request, uuid):
    """Архив КУУТЭ: hourly and daily archives and the abnormal-situation log."""
    unit = get_object_or_404(
        MeteringUnit.objects.visible_to(request.user).select_related("contract", "supply_object"),
        uuid=uuid,
    )
    return _heat_page(
        request,
        device=unit,
        title=_("КУУТЭ № %(n)s") % {"n": unit.number},
        back=(
            reverse("contracts:unit", args=[unit.uuid]),
            _("Узел учёта № %(n)s") % {"n": unit.number},
        ),
        kind="unit",
    )


@login_required
def building_meter_archive_view(request, pk):
    """Архив ОДПУ of a house the user follows (staff: any house)."""
    meter = get_object_or_404(
        BuildingMeter.objects.filter(house__in=House.objects.visible_to(request.user)),
        pk=pk,
    )
    return _heat_page(
        request,
        device=meter,
        title=f"{meter.get_kind_display()} № {meter.number}",
        back=(reverse("premises:detail", args=[meter.house_id]), str(meter.house)),
        kind="building_meter",
    )
