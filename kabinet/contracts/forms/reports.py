"""The forms of the monthly consumption report (003 §3.4): the report itself and the
year filter of its history."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.contracts.models import ConsumptionReport, MeteringPoint
from kabinet.contracts.services.reports import SCAN_FIELD, ReportLine, report_field
from kabinet.core.money import format_period, format_quantity


class ReportForm(forms.Form):
    """Отчёт о потреблении за месяц: for each metering point of the contract its
    consumption (XXXXXX,XX) and the date the reading was taken, and one scan or photo
    of the signed report. Only what a field can say by itself is checked here; the
    rules are the service's (``report_submit``)."""

    def __init__(
        self,
        *args,
        points: list[MeteringPoint],
        last: dict[int, ConsumptionReport],
        disabled: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.points = points
        for point in points:
            previous = last.get(point.pk)
            hint = ""
            if previous is not None:
                hint = _("Последний отчёт: %(v)s %(u)s за %(p)s, показания от %(d)s.") % {
                    "v": format_quantity(previous.consumption),
                    "u": point.unit_of_measure,
                    "p": format_period(previous.period).lower(),
                    "d": date_format(previous.read_on, "d.m.Y"),
                }
            self.fields[report_field(point, "consumption")] = forms.CharField(
                label=_("Расход, %(u)s") % {"u": point.unit_of_measure},
                required=False,
                max_length=16,
                help_text=hint,
                disabled=disabled,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "size": 12,
                        "placeholder": "XXXXXX,XX",
                    }
                ),
            )
            self.fields[report_field(point, "read_on")] = forms.DateField(
                label=_("Дата снятия показаний"),
                required=False,
                disabled=disabled,
                input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "invalid": gettext_lazy("Введите дату в виде ДД.ММ.ГГГГ, например 20.03.2026.")
                },
            )
        self.fields[SCAN_FIELD] = forms.FileField(
            label=_("Скан или фото подписанного отчёта"),
            required=False,
            disabled=disabled,
            help_text=_("PDF, JPEG или PNG, до 10 МБ; один файл на весь отчёт."),
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        )

    def rows(self) -> list[dict]:
        """The point and its two bound fields, for the template's rows."""
        return [
            {
                "point": p,
                "consumption": self[report_field(p, "consumption")],
                "read_on": self[report_field(p, "read_on")],
            }
            for p in self.points
        ]

    def lines(self) -> list[ReportLine]:
        d = self.cleaned_data
        return [
            ReportLine(
                point=p,
                consumption=d.get(report_field(p, "consumption"), ""),
                read_on=d.get(report_field(p, "read_on")),
            )
            for p in self.points
        ]


class ReportYearForm(forms.Form):
    """Фильтр истории отчётов по году (a GET form)."""

    year = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Год")
    )

    def __init__(self, *args, years: list[int], this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(set(years) | {this_year}, reverse=True)
        self.fields["year"].choices = [("", _("Все годы"))] + [(y, str(y)) for y in choices]
        self.this_year = this_year
        self.initial.setdefault("year", this_year)

    def chosen_year(self) -> int | None:
        """The chosen year; this year when the page is opened without a choice."""
        if not self.is_bound or "year" not in self.data:
            return self.this_year
        return self.cleaned_data["year"] if self.is_valid() else self.this_year
