from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.money import format_rub, parse_rub
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.payments.models import OnlinePayment, PaymentPart, SavedCard

PURPOSES = [
    (PaymentPart.Purpose.ENERGY, gettext_lazy("За услуги, ₽")),
    (PaymentPart.Purpose.PENALTY, gettext_lazy("Пени, ₽")),
    (PaymentPart.Purpose.FEE, gettext_lazy("Госпошлина, ₽")),
]


def _amount_text(kopecks: int) -> str:
    return format_rub(kopecks).replace("\u00a0₽", "") if kopecks > 0 else ""


class AmountField(forms.CharField):
    """Roubles as people type them: "4 123,45", "4123.45", "4123"; empty is zero."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 10}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value.strip():
            return 0
        try:
            return parse_rub(value)
        except ValueError as exc:
            raise ValidationError(
                _("Введите сумму в рублях, например 1234,56 — без минуса и букв.")
            ) from exc


@dataclass
class AccountRow:
    account: PersonalAccount
    to_pay: int
    penalties: int
    fields: list  # bound fields, one per purpose


class PayForm(forms.Form):
    """Оплата (000 §2.2.6.1, 004): an amount per account and purpose, prefilled with
    what is owed; the method; the e-mail for the fiscal receipt."""

    method = forms.ChoiceField(
        label=gettext_lazy("Способ оплаты"),
        choices=[
            (OnlinePayment.Method.CARD, gettext_lazy("Банковская карта — МИР, Visa, Mastercard")),
            (OnlinePayment.Method.SBP, gettext_lazy("СБП — QR-код для приложения банка")),
        ],
        initial=OnlinePayment.Method.CARD,
        widget=forms.RadioSelect,
    )
    receipt_email = forms.EmailField(
        label=gettext_lazy("E-mail для кассового чека"),
        help_text=gettext_lazy("Чек по 54-ФЗ придёт на этот адрес."),
        error_messages={"invalid": gettext_lazy("Введите e-mail, например ivanov@mail.ru.")},
    )
    save_card = forms.BooleanField(
        required=False,
        label=gettext_lazy("Сохранить карту для следующих оплат и автоплатежа"),
    )
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, accounts: list, summaries: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        self.summaries = summaries
        for account in accounts:
            summary = summaries[account.pk]
            penalties = summary.penalties_in_debt if summary.to_pay > 0 else 0
            energy = max(summary.to_pay - penalties, 0)
            initial = {
                PaymentPart.Purpose.ENERGY: energy,
                PaymentPart.Purpose.PENALTY: min(penalties, summary.to_pay),
                PaymentPart.Purpose.FEE: 0,
            }
            for purpose, label in PURPOSES:
                name = f"a_{account.uuid}_{purpose}"
                self.fields[name] = AmountField(label=label, initial=_amount_text(initial[purpose]))

    def rows(self) -> list[AccountRow]:
        out = []
        for account in self.accounts:
            summary = self.summaries[account.pk]
            out.append(
                AccountRow(
                    account=account,
                    to_pay=summary.to_pay,
                    penalties=summary.penalties_in_debt,
                    fields=[self[f"a_{account.uuid}_{p}"] for p, _label in PURPOSES],
                )
            )
        return out

    def parts(self) -> list[tuple[PersonalAccount, str, int]]:
        return [
            (account, purpose, self.cleaned_data[f"a_{account.uuid}_{purpose}"])
            for account in self.accounts
            for purpose, _label in PURPOSES
            if self.cleaned_data.get(f"a_{account.uuid}_{purpose}")
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.parts():
            raise ValidationError(_("Укажите сумму хотя бы по одному счёту."))
        return data


class AutopayForm(forms.Form):
    """Автоплатёж (000 §2.2.6.5): account, card, day, ceiling."""

    account = forms.ModelChoiceField(
        queryset=PersonalAccount.objects.none(), label=gettext_lazy("Лицевой счёт")
    )
    card = forms.ModelChoiceField(queryset=SavedCard.objects.none(), label=gettext_lazy("Карта"))
    day = forms.TypedChoiceField(
        coerce=int,
        choices=[(d, str(d)) for d in range(1, 29)],
        initial=20,
        label=gettext_lazy("Число месяца"),
    )
    ceiling = AmountField(
        label=gettext_lazy("Не больше, ₽ в месяц"),
        required=True,
        help_text=gettext_lazy("Списывается то, что осталось оплатить, но не больше этой суммы."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = PersonalAccount.objects.filter(owner=user)
        self.fields["account"].label_from_instance = lambda a: f"{a.number} — {a.premises}"
        self.fields["card"].queryset = SavedCard.objects.filter(user=user, deleted_at=None)
        self.fields["card"].label_from_instance = lambda c: c.title
        for name in ("account", "card"):  # one choice: chosen already
            options = list(self.fields[name].queryset[:2])
            if len(options) == 1:
                self.initial.setdefault(name, options[0].pk)
