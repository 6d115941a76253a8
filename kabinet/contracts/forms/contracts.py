"""Forms of the contract pages: search, sign-up with a contract, adding a contract,
normative data, the curator chat, and staff decisions."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.appeals.forms import files_field
from kabinet.contracts.models import Contract, NormativeReading
from kabinet.core.validators import validate_inn
from kabinet.identity.forms import NewPasswordMixin
from kabinet.metering.forms import MonthField


def _date_field(label, **kw):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Введите дату, например 01.10.2015.")},
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        **kw,
    )


class InnField(forms.CharField):
    def __init__(self, **kw):
        kw.setdefault("label", gettext_lazy("ИНН"))
        kw.setdefault("max_length", 12)
        kw.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kw)

    def clean(self, value):
        value = super().clean(value)
        return validate_inn(value) if value else value


class SearchForm(forms.Form):
    """Простой и расширенный поиск договоров (000 §3.3.3): one box for everything, or
    by number, object, address, state and period."""

    q = forms.CharField(label=gettext_lazy("Поиск"), required=False, max_length=100)
    number = forms.CharField(label=gettext_lazy("Номер договора"), required=False, max_length=32)
    object_name = forms.CharField(label=gettext_lazy("Объект"), required=False, max_length=100)
    address = forms.CharField(label=gettext_lazy("Адрес объекта"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=gettext_lazy("Состояние"),
        required=False,
        choices=[("", gettext_lazy("любое"))] + list(Contract.State.choices),
    )
    active_from = _date_field(gettext_lazy("Действует в период с"), required=False)
    active_to = _date_field(gettext_lazy("по"), required=False)

    ADVANCED = ("number", "object_name", "address", "state", "active_from", "active_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("active_from"), data.get("active_to")
        if start and end and start > end:
            self.add_error("active_to", _("Конец периода раньше начала."))
        return data

    @property
    def advanced_used(self) -> bool:
        return self.is_bound and any(self.data.get(f) for f in self.ADVANCED)


class ContractSignupForm(NewPasswordMixin, forms.Form):
    """Регистрация абонента (000 §3.2): номер и дата заключённого договора, ИНН, e-mail."""

    number = forms.CharField(label=gettext_lazy("Номер договора"), max_length=32)
    signed_on = _date_field(gettext_lazy("Дата договора"))
    inn = InnField()
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("На него придёт письмо со ссылкой для подтверждения."),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("Я даю согласие на обработку персональных данных"),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Без согласия на обработку персональных данных регистрация невозможна."
            )
        },
    )

    field_order = ["number", "signed_on", "inn", "email", "password1", "password2", "consent"]


class ContractRequestForm(forms.Form):
    """Добавление договора (004): ИНН, номер договора, подписанное заявление."""

    inn = InnField(help_text=gettext_lazy("ИНН организации или ИП, с которыми заключён договор."))
    number = forms.CharField(label=gettext_lazy("Номер договора"), max_length=32)
    statement = forms.FileField(
        label=gettext_lazy("Заявление на предоставление доступа"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=gettext_lazy(
            "Подписанное уполномоченным представителем (или заверенное ЭЦП): PDF, JPEG или "
            "PNG до 10 МБ. Если форма вернулась с ошибкой, выберите файл заново."
        ),
    )


class NormativeForm(forms.Form):
    """Сведения для расчёта по нормативам (000 §3.3.4): one meter's reading for a month."""

    period = MonthField(label=gettext_lazy("Период"))
    kind = forms.ChoiceField(label=gettext_lazy("Прибор"), choices=NormativeReading.Kind.choices)
    premises = forms.CharField(
        label=gettext_lazy("Помещение"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Для ИПУ: номер квартиры или помещения."),
    )
    meter_number = forms.CharField(label=gettext_lazy("Номер прибора"), max_length=40)
    value = forms.CharField(
        label=gettext_lazy("Показание"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean_value(self):
        raw = self.cleaned_data["value"].strip().replace(" ", "").replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise ValidationError(_("Введите число, например 1234,567.")) from exc
        if value < 0 or value.as_tuple().exponent < -3 or value >= Decimal("1e11"):
            raise ValidationError(
                _("Показание — неотрицательное число, до трёх знаков после запятой.")
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == NormativeReading.Kind.IPU and not data.get("premises"):
            self.add_error("premises", _("Для ИПУ укажите помещение."))
        return data


class ChatForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Сообщение"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field()


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Причина отказа"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Её увидит заявитель."),
    )
