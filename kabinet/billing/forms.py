from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.money import add_months
from kabinet.metering.forms import MonthField

MAX_MONTHS = 36


class PeriodRangeForm(forms.Form):
    """Периоды с … по … (a GET form); without them, the page's default range."""

    period_from = MonthField(required=False, label=gettext_lazy("Период с"))
    period_to = MonthField(required=False, label=gettext_lazy("по"))

    def __init__(self, *args, default_to: date, default_months: int = 12, default_from=None, **kw):
        super().__init__(*args, **kw)
        self.default_to = default_to
        self.default_from = default_from or add_months(default_to, -(default_months - 1))
        # The inputs show the range the page shows, not empty month pickers.
        self.initial = {"period_from": self.default_from, "period_to": self.default_to}

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("Конец периода раньше начала."))
        elif start and end and add_months(start, MAX_MONTHS) <= end:
            self.add_error("period_to", _("Выберите не больше трёх лет."))
        return data

    def range(self) -> tuple[date, date]:
        """The chosen periods, or the defaults when the form is empty or wrong."""
        if not self.is_bound or not self.is_valid():
            return self.default_from, self.default_to
        end = self.cleaned_data.get("period_to") or self.default_to
        start = self.cleaned_data.get("period_from") or min(self.default_from, end)
        if start > end:
            start = end
        return start, end


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Год")
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        this = date.today().year
        self.fields["year"].choices = [("", _("Все годы"))] + [
            (y, str(y)) for y in range(this, this - 6, -1)
        ]


class DeliveryForm(forms.Form):
    """Настройка получения квитанций (004)."""

    paperless = forms.BooleanField(
        required=False, label=gettext_lazy("Получать квитанции в электронном виде")
    )
    email = forms.EmailField(
        required=False,
        label=gettext_lazy("E-mail для квитанций"),
        help_text=gettext_lazy(
            "Квитанция в PDF придёт сразу после выпуска, со ссылкой для оплаты. "
            "Бумажная квитанция по этому счёту больше приходить не будет."
        ),
        error_messages={"invalid": gettext_lazy("Введите e-mail, например ivanov@mail.ru.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("paperless") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Укажите e-mail, на который присылать квитанции."))
        return data
