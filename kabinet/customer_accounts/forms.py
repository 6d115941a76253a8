import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kabinet.core.utility import get_utility
from kabinet.identity.forms import PhoneField


class AccountLinkForm(forms.Form):
    """Добавить лицевой счёт: its number and the proof the utility asks for."""

    number = forms.CharField(
        label=_("Номер лицевого счёта"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    amount = forms.CharField(
        label=_("Сумма последнего платежа, ₽"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1 234,56"}),
    )
    paid_on = forms.DateField(
        label=_("Дата последнего платежа"),
        required=False,
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    code = forms.CharField(
        label=_("Код активации с квитанции"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ABCD-2345"}),
    )

    meter_number = forms.CharField(
        label=_("Номер счётчика"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = get_utility()
        self.proof = profile.account_link_proof
        digits = profile.account_number_digits
        self.fields["number"].help_text = ngettext(
            "%(n)d цифра, как в квитанции.", "%(n)d цифр, как в квитанции.", digits
        ) % {"n": digits}
        if self.proof != "meter_number":
            del self.fields["meter_number"]
        if self.proof == "meter_number":
            # 002 §4.7.2: the contract number and the number of one of its meters.
            del self.fields["amount"], self.fields["paid_on"], self.fields["code"]
            self.fields["number"].label = _("Номер договора")
            self.fields["number"].help_text = ngettext(
                "%(n)d цифра, как в договоре.", "%(n)d цифр, как в договоре.", digits
            ) % {"n": digits}
            self.fields["meter_number"].required = True
            self.fields["meter_number"].help_text = _(
                "Заводской номер с корпуса счётчика или из договора."
            )
        elif self.proof == "activation_code":
            del self.fields["amount"], self.fields["paid_on"]
            self.fields["code"].required = True
            self.fields["code"].help_text = _("Код напечатан в квитанции и действует три месяца.")
        else:
            del self.fields["code"]
            self.fields["amount"].required = True
            self.fields["paid_on"].required = True
            self.fields["paid_on"].help_text = _(
                "Оплата появляется в системе в течение 7 дней. Если платёж совсем свежий, "
                "укажите предыдущий."
            )

    def clean_number(self):
        value = re.sub(r"\s", "", self.cleaned_data["number"])
        digits = get_utility().account_number_digits
        if not value.isdigit() or len(value) != digits:
            if self.proof == "meter_number":
                raise ValidationError(_("Номер договора состоит из %(n)d цифр.") % {"n": digits})
            raise ValidationError(_("Номер лицевого счёта состоит из %(n)d цифр.") % {"n": digits})
        return value

    def clean_amount(self):
        raw = self.cleaned_data["amount"].replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise ValidationError(_("Введите сумму в рублях, например 1234,56.")) from exc
        if value <= 0 or value.as_tuple().exponent < -2:
            raise ValidationError(_("Введите сумму в рублях, например 1234,56."))
        return value


class LinkRequestForm(forms.Form):
    """Заявка на привязку лицевого счёта (000 §2.3.1): the number, the premises and the
    holder, a phone to call back and, if there is one, a scan of a receipt or a document
    of ownership."""

    number = forms.CharField(
        label=_("Номер лицевого счёта"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Адрес помещения"),
        max_length=300,
        help_text=_("Город, улица, дом, корпус и квартира, как в квитанции."),
    )
    holder_name = forms.CharField(
        label=_("На кого открыт счёт"),
        max_length=200,
        help_text=_("Фамилия, имя и отчество владельца счёта, как в квитанции."),
    )
    details = forms.CharField(
        label=_("Что ещё нам стоит знать"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Например: площадь помещения, кем вы приходитесь владельцу, с какого времени "
            "живёте по этому адресу."
        ),
    )
    phone = PhoneField(
        label=_("Телефон для связи"),
        help_text=_("Позвоним, если понадобится уточнить данные."),
    )
    document = forms.FileField(
        label=_("Квитанция или документ о праве собственности"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_(
            "Необязательно, но ускорит проверку: скан или фото, PDF, JPEG или PNG. Если "
            "форма вернулась с ошибкой, выберите файл заново."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        digits = get_utility().account_number_digits
        self.fields["number"].help_text = ngettext(
            "%(n)d цифра, как в квитанции.", "%(n)d цифр, как в квитанции.", digits
        ) % {"n": digits}

    def clean_number(self):
        value = re.sub(r"\s", "", self.cleaned_data["number"])
        digits = get_utility().account_number_digits
        if not value.isdigit() or len(value) != digits:
            raise ValidationError(_("Номер лицевого счёта состоит из %(n)d цифр.") % {"n": digits})
        return value


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отказа"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Её увидит заявитель."),
    )
