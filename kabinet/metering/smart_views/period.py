"""Periods of the smart metering pages: the form, presets, shifting, chart slots and links."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kabinet.core.money import add_months
from kabinet.metering import selectors_intervals as sel
from kabinet.metering.interval_models import (
    IntervalSeries,
)

MAX_DAYS = 3 * 366  # the longest period a page shows
HOURLY_DAYS = 31  # hourly up to a month, daily up to a year, by month beyond
EXPORT_FORMATS = ("csv", "xlsx")


def _today() -> date:
    return timezone.localdate()


# --- the period ------------------------------------------------------------------------

PRESETS = {
    "day": pgettext_lazy("период", "сутки"),
    "week": gettext_lazy("неделя"),
    "month": gettext_lazy("месяц"),
    "year": gettext_lazy("год"),
}


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("с"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Введите дату в формате дд.мм.гггг.")},
    )
    date_to = forms.DateField(
        label=gettext_lazy("по"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Введите дату в формате дд.мм.гггг.")},
    )
    preset = forms.ChoiceField(required=False, choices=[("", "")] + list(PRESETS.items()))

    def __init__(self, *args, today: date, first_day: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.first_day = today, first_day

    def _in_range(self, name):
        # Interval data exists for 2000–2099 only; a year-0001 date would also overflow
        # the period arrows (a week before 01.01.0001 is no date at all).
        day = self.cleaned_data.get(name)
        if day and not sel.EARLIEST <= day <= sel.LATEST:
            raise forms.ValidationError(
                _("Укажите дату с 01.01.2000 по 31.12.2099."), code="out_of_range"
            )
        return day

    def clean_date_from(self):
        return self._in_range("date_from")

    def clean_date_to(self):
        return self._in_range("date_to")

    def clean(self):
        data = super().clean()
        a, b = data.get("date_from"), data.get("date_to")
        if b and b > self.today:
            self.add_error(
                "date_to",
                _("Данных за будущие дни нет: выберите дату не позже %(d)s.")
                % {"d": self.today.strftime("%d.%m.%Y")},
            )
        if a and a > self.today:
            self.add_error("date_from", _("Дата «с» не может быть позже сегодняшнего дня."))
        if a and b and a > b:
            self.add_error("date_to", _("Дата «по» раньше даты «с»."))
        elif a and b and (b - a).days + 1 > MAX_DAYS:
            self.add_error("date_from", _("Период не может быть длиннее трёх лет."))
        if a and self.first_day and a < self.first_day - timedelta(days=MAX_DAYS):
            self.add_error("date_from", _("Так давно данных нет: выберите более позднюю дату."))
        return data


@dataclass
class Period:
    first: date
    last: date
    preset: str  # "" when the dates were typed

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def step(self) -> str:
        if self.days <= HOURLY_DAYS:
            return "hour"
        return "day" if self.days <= 366 else "month"

    def text(self) -> str:
        if self.first == self.last:
            return self.first.strftime("%d.%m.%Y")
        return f"{self.first:%d.%m.%Y} — {self.last:%d.%m.%Y}"


def preset_period(preset: str, end: date) -> Period:
    if preset == "day":
        return Period(end, end, preset)
    if preset == "week":
        return Period(end - timedelta(days=6), end, preset)
    if preset == "month":
        first = end.replace(day=1)
        return Period(first, min(add_months(first, 1) - timedelta(days=1), end), preset)
    first = add_months(end.replace(day=1), -11)
    return Period(first, end, "year")


def shifted(period: Period, direction: int, today: date) -> Period | None:
    """The period before (−1) or after (+1) this one, of the same kind; None past today."""
    if period.preset == "month":
        first = add_months(period.first, direction)
        last = add_months(first, 1) - timedelta(days=1)
    elif period.preset == "year":
        first = add_months(period.first, 12 * direction)
        last = add_months(first, 12) - timedelta(days=1)
    else:
        first = period.first + timedelta(days=period.days * direction)
        last = period.last + timedelta(days=period.days * direction)
    if first > today:
        return None
    return Period(first, min(last, today), period.preset)


def resolve_period(
    request, *, default: str, today: date, max_days: int | None = None, too_long: str = ""
):
    """(form, period): the period asked for, or the default one when it is wrong (the
    form then carries the message for its field)."""
    form = PeriodForm(request.GET, today=today)
    period = preset_period(default, today)
    if form.is_valid():
        a, b = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        preset = form.cleaned_data["preset"]
        if a or b:
            b = b or min(a + timedelta(days=6), today)
            a = a or b - timedelta(days=6)
            period = Period(a, b, "")
        elif preset:
            period = preset_period(preset, today)
        if max_days and period.days > max_days:
            form.add_error("date_from", too_long % {"n": max_days})
            period = preset_period(default, period.last)
    if not form.errors:  # the fields show the period on screen, presets included
        shown = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
        form = PeriodForm(shown, today=today)
        form.is_valid()
    return form, period


# --- reading the series ----------------------------------------------------------------


def series_slots(series: IntervalSeries, period: Period, step: str):
    """(starts, values, estimated) of one series over the period at ``step`` ("hour",
    "day" or "month"), read through kabinet.metering.selectors_intervals. A slot without
    data is None, never 0; a day or month is estimated if any of its hours is. An hourly
    step of a daily series gives its days."""
    if step == "hour" and series.slots_per_day == 24:
        got = sel.interval_values(series=series, start=period.first, end=period.last)
        starts = [timezone.localtime(v.start).replace(tzinfo=None) for v in got]
        return starts, [v.value for v in got], [v.estimated for v in got]
    if step in ("day", "hour"):
        got = sel.interval_daily(series=series, start=period.first, end=period.last)
        return [d.day for d in got], [d.value for d in got], [d.estimated > 0 for d in got]
    got = sel.interval_monthly(series=series, start=period.first, end=period.last)
    return [m.period for m in got], [m.value for m in got], [m.estimated > 0 for m in got]


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    query.pop("format", None)
    return query.urlencode()


def _period_links(request, period: Period, today: date) -> dict:
    prev, nxt = shifted(period, -1, today), shifted(period, 1, today)

    def link(p):
        if p is None:
            return None
        return "?" + _query(
            request,
            date_from=p.first.isoformat(),
            date_to=p.last.isoformat(),
            preset=p.preset,
        )

    presets = [
        {
            "label": label,
            "href": "?" + _query(request, preset=key, date_from=None, date_to=None),
            "current": period.preset == key,
        }
        for key, label in PRESETS.items()
    ]
    return {
        "prev": link(prev),
        "next": link(nxt),
        "presets": presets,
        "prev_p": prev,
        "next_p": nxt,
    }
