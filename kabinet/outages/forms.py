"""Forms of the outages pages: the staff's outage form (the house comes from the
address picker, ``kabinet.premises.forms.AddressPickerForm``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.outages.models import Outage

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")})
        super().__init__(**kwargs)


class OutageForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Вид отключения"), choices=Outage.Kind.choices, widget=forms.RadioSelect
    )
    service = forms.ChoiceField(
        label=_("Услуга"), choices=Outage.Service.choices, widget=forms.RadioSelect
    )
    starts_on = DateField(label=_("Дата начала"))
    ends_on = DateField(label=_("Дата окончания"))
    reason = forms.CharField(
        label=_("Причина"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Например: «Плановые гидравлические испытания тепловой сети»."),
    )

    def __init__(self, *args, comment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment:
            self.fields["comment"] = forms.CharField(
                label=_("Комментарий к изменению"),
                required=False,
                max_length=300,
                help_text=_("Виден в истории отключения; абонентам не отправляется."),
            )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                _("Дата окончания не может быть раньше даты начала (%(d)s).")
                % {"d": starts_on.strftime("%d.%m.%Y")},
            )
        return data
