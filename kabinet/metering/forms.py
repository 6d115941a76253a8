from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.money import format_period
from kabinet.metering.models import Meter, Reading
from kabinet.metering.services import format_value, reading_field


class ReadingsForm(forms.Form):
    """Передача показаний: a field for each zone of each active meter of the account."""

    confirm_jump = forms.BooleanField(
        required=False, label=gettext_lazy("Да, показания верные, передать их")
    )

    def __init__(self, *args, meters: list[Meter], last: dict, disabled: bool = False, **kw):
        super().__init__(*args, **kw)
        self.meters = [m for m in meters if not m.is_removed]
        for meter in self.meters:
            for zone in meter.zone_codes:
                previous = last.get((meter.pk, zone))
                help_text = ""
                if previous is not None:
                    help_text = _("Предыдущее показание: %(v)s за %(p)s, от %(d)s") % {
                        "v": format_value(previous.value),
                        "p": format_period(previous.period).lower(),
                        "d": date_format(timezone.localtime(previous.submitted_at), "d.m.Y"),
                    }
                label = (
                    Reading.Zone(zone).label.capitalize()
                    if len(meter.zone_codes) > 1
                    else _("Показание")
                )
                self.fields[reading_field(meter, zone)] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=24,
                    help_text=help_text,
                    disabled=disabled,
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12}
                    ),
                )

    def values(self) -> dict:
        return {
            m.uuid: {z: self.cleaned_data.get(reading_field(m, z), "") for z in m.zone_codes}
            for m in self.meters
        }


class MonthField(forms.DateField):
    """A period (месяц) typed as ГГГГ-ММ or ММ.ГГГГ, stored as the first day of the month.

    Years are bounded as the API's ``Month`` (1900–2099): strptime takes any four digits,
    and a page that steps a month back from 0001-01 (``add_months``) would crash."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%m.%Y", "%Y-%m-%d"]
    min_year, max_year = 1900, 2099

    def to_python(self, value):
        result = super().to_python(value)
        if not isinstance(result, date):
            return result
        if not self.min_year <= result.year <= self.max_year:
            raise ValidationError(
                _("Укажите месяц с %(first)s по %(last)s год.")
                % {"first": self.min_year, "last": self.max_year},
                code="out_of_range",
            )
        return result.replace(day=1)


class HistoryFilterForm(forms.Form):
    """Фильтр истории показаний: by meter and by period (a GET form)."""

    meter = forms.ChoiceField(required=False, label=gettext_lazy("Счётчик"))
    period_from = MonthField(required=False, label=gettext_lazy("Период с"))
    period_to = MonthField(required=False, label=gettext_lazy("по"))

    def __init__(self, *args, meters: list[Meter], **kw):
        super().__init__(*args, **kw)
        self._meters = {str(m.uuid): m for m in meters}
        self.fields["meter"].choices = [("", _("Все счётчики"))] + [
            (str(m.uuid), str(m)) for m in meters
        ]

    def clean_meter(self):
        return self._meters.get(self.cleaned_data["meter"])

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("Конец периода раньше начала."))
        return data
