from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.core import validators
from kabinet.core.money import add_months, period_of
from kabinet.identity.forms import PhoneField
from kabinet.metering.forms import MonthField


class ContractNumberField(forms.CharField):
    """A contract number is kept exactly as printed, leading zeros included (003)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Номер договора"))
        super().__init__(max_length=32, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value.replace("-", "").replace("/", "").isalnum():
            raise ValidationError(
                _("Номер договора может содержать только цифры, буквы, «-» и «/».")
            )
        return value


class IssueAccessForm(forms.Form):
    """Выдача доступа организации (001 §2)."""

    org_name = forms.CharField(label=_("Наименование организации"), max_length=500)
    inn = forms.CharField(label=_("ИНН"), max_length=12)
    kpp = forms.CharField(label=_("КПП"), max_length=9, required=False)
    contract_number = ContractNumberField()
    email = forms.EmailField(label=_("E-mail для ссылки активации"))
    contact_name = forms.CharField(label=_("Контактное лицо (ФИО)"), max_length=255)
    contact_phone = PhoneField(label=_("Телефон контактного лица"))

    def clean_inn(self):
        return validators.validate_inn(self.cleaned_data["inn"])

    def clean_kpp(self):
        kpp = self.cleaned_data["kpp"]
        return validators.validate_kpp(kpp) if kpp else ""

    def clean(self):
        data = super().clean()
        if len(data.get("inn", "")) == 10 and not data.get("kpp"):
            self.add_error("kpp", _("Для юридического лица укажите КПП."))
        return data


class ContractLoginForm(forms.Form):
    """Вход по номеру договора: логин — номер договора, первый пароль — ИНН (003 §2)."""

    org_name = forms.CharField(label=_("Наименование потребителя"), max_length=500)
    inn = forms.CharField(label=_("ИНН"), max_length=12)
    contract_number = ContractNumberField(help_text=_("Как в договоре, с ведущими нулями."))
    email = forms.EmailField(label=_("E-mail (необязательно)"), required=False)

    def clean_inn(self):
        return validators.validate_inn(self.cleaned_data["inn"])


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Найти пользователя"),
        required=False,
        help_text=_("Логин, e-mail, телефон, ИНН или наименование"),
    )


class BillingRunForm(forms.Form):
    """Запуск расчётного задания: what to do and for which month."""

    kind = forms.ChoiceField(label=_("Задание"))
    period = MonthField(label=_("Период"))

    def __init__(self, *args, **kwargs):
        from kabinet.billing.models import BillingRun

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, str(v).capitalize()) for k, v in BillingRun.Kind.choices]
        # The last closed month: what a run is usually for.
        self.initial.setdefault("period", add_months(period_of(timezone.localdate()), -1))
