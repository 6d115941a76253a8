"""Передача показаний и история показаний of a personal account."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.core.money import add_months, period_of
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering import selectors, services
from kabinet.metering.forms import HistoryFilterForm, ReadingsForm
from kabinet.metering.models import Meter, Reading
from kabinet.metering.services import ReadingsRejected, reading_field
from kabinet.premises.selectors import fold

CHART_MONTHS = 12


def _today() -> date:
    """Today in the portal's time zone (tests move it into or out of the window)."""
    return timezone.localdate()


def _account(request, uuid) -> PersonalAccount:
    """The account, if the user may see it (404 otherwise), with its meters."""
    accounts = (
        PersonalAccount.objects.visible_to(request.user)
        .residential()
        .select_related("premises__house__street__settlement")
    )
    return get_object_or_404(accounts, uuid=uuid)


def _meters(request, account) -> list[Meter]:
    qs = Meter.objects.visible_to(request.user).filter(account=account)
    return sorted(qs, key=lambda m: (m.is_removed, m.number))


@dataclass
class ZoneRow:
    field: object
    consumption: Decimal | None = None


@login_required
def submit_view(request, uuid):
    """Передача показаний: every meter of the account on one page."""
    account = _account(request, uuid)
    meters = _meters(request, account)
    today = _today()
    window = services.readings_window(today=today)
    period = period_of(today)
    active = [m for m in meters if not m.is_removed]
    last = selectors.last_accepted(meters=active, before=period)
    form = ReadingsForm(
        request.POST if request.method == "POST" else None,
        meters=meters,
        last=last,
        disabled=not window.is_open,
    )
    consumption: dict[str, Decimal] = {}
    needs_confirm = False
    if request.method == "POST" and form.is_valid():
        try:
            services.readings_submit_for_account(
                user=request.user,
                account=account,
                values=form.values(),
                confirm_jump=form.cleaned_data["confirm_jump"],
                today=today,
            )
        except ReadingsRejected as exc:
            consumption = _consumption(form, period)  # before add_error drops the values
            for error in exc.errors:
                form_error(form, error)
            needs_confirm = exc.code == "confirm"
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Показания переданы. Спасибо!"))
            return redirect("metering:history", uuid=account.uuid)
    meters_rows = [
        {
            "meter": m,
            "overdue": m.verification_overdue(today),
            "zones": [
                ZoneRow(
                    field=form[reading_field(m, z)],
                    consumption=consumption.get(reading_field(m, z)),
                )
                for z in m.zone_codes
            ]
            if not m.is_removed
            else [],
        }
        for m in meters
    ]
    return render(
        request,
        "metering/submit.html",
        {
            "account": account,
            "form": form,
            "meters": meters_rows,
            "window": window,
            "period": period,
            "needs_confirm": needs_confirm,
            "any_active": bool(active),
            "no_decimals": all(m.decimals == 0 for m in active),
            "reading_format": get_utility().reading_format,
        },
    )


def _consumption(form: ReadingsForm, period: date) -> dict[str, Decimal]:
    """What the typed values give, for the fields that parse: shown next to them."""
    values = {m: v for m, v in zip(form.meters, form.values().values(), strict=True)}
    values = {m: v for m, v in values.items() if any(str(x).strip() for x in v.values())}
    if not values:
        return {}
    checked = services.readings_check(meters_values=values, period=period)
    return {
        reading_field(c.meter, c.zone): c.consumption * c.meter.coefficient
        for c in checked
        if c.consumption is not None
    }


@dataclass
class Bar:
    x: float
    y: float
    height: float
    label: str
    value: Decimal | None
    show_label: bool


def _chart(series: selectors.MeterSeries) -> dict:
    """Geometry of an SVG bar chart: the viewBox scales it to any width."""
    bar_w, gap, top, plot_h = 24, 8, 18, 120
    peak = series.peak or Decimal(1)
    n = len(series.points)
    every = 1 if n <= 12 else 3
    bars = []
    for i, p in enumerate(series.points):
        value = p.consumption
        h = float(value / peak) * plot_h if value else 0.0
        bars.append(
            Bar(
                x=gap + i * (bar_w + gap),
                y=top + plot_h - h,
                height=h,
                label=p.period.strftime("%m.%y"),
                value=value,
                show_label=(n - 1 - i) % every == 0,
            )
        )
    return {
        "series": series,
        "bars": bars,
        "width": gap + n * (bar_w + gap),
        "height": top + plot_h + 22,
        "bar_width": bar_w,
        "base": top + plot_h,
        "label_y": top + plot_h + 15,
        "has_data": any(p.consumption for p in series.points),
    }


@login_required
def meter_list_view(request):
    """Мои приборы учёта (002 §4.7.1): every meter of the cabinet's accounts, with the
    last accepted reading of each zone and a search by number, type or address."""
    q = request.GET.get("q", "").strip()[:100]
    meters = Meter.objects.filter(account__owner=request.user).select_related(
        "account__premises__house__street__settlement"
    )
    if q:
        # A cabinet has a handful of meters: matched in Python, because SQLite's LIKE
        # folds only ASCII case and "эл-5" must find "ЭЛ-555" on both databases.
        wanted = fold(q)
        meters = [
            m
            for m in meters
            if wanted
            in fold(
                " ".join((m.number, m.model_name, m.account.number, m.account.premises.address))
            )
        ]
    meters = sorted(meters, key=lambda m: (m.is_removed, m.account.number, m.number))
    last = selectors.last_accepted(meters=meters)
    today = _today()
    rows = [
        {
            "meter": m,
            "overdue": not m.is_removed and m.verification_overdue(today),
            "last": [(Reading.Zone(z).label, last.get((m.pk, z))) for z in m.zone_codes],
        }
        for m in meters
    ]
    return render(
        request,
        "metering/list.html",
        {"rows": rows, "q": q, "link_proof": get_utility().account_link_proof},
    )


@login_required
def history_view(request, uuid):
    """История показаний: the submitted and the accepted side by side, and a chart."""
    account = _account(request, uuid)
    meters = _meters(request, account)
    form = HistoryFilterForm(request.GET or None, meters=meters)
    meter = period_from = period_to = None
    if form.is_bound and form.is_valid():
        meter = form.cleaned_data["meter"]
        period_from = form.cleaned_data["period_from"]
        period_to = form.cleaned_data["period_to"]
    end = period_to or period_of(_today())
    months = CHART_MONTHS
    # Without a filter the page shows the last twelve months, table and chart alike.
    rows = selectors.account_history(
        account=account,
        meter=meter,
        period_from=period_from or add_months(end, -(CHART_MONTHS - 1)),
        period_to=period_to,
    )
    if period_from:
        months = min(
            max((end.year - period_from.year) * 12 + end.month - period_from.month, 0) + 1, 36
        )
    series = selectors.consumption_series(
        account=account,
        months=months,
        today=end,
        meters=[meter] if meter else meters,
    )
    return render(
        request,
        "metering/history.html",
        {
            "account": account,
            "form": form,
            "rows": rows,
            "charts": [_chart(s) for s in series],
            "chart_from": add_months(end, -(months - 1)),
            "chart_to": end,
        },
    )
