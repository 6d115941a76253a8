import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kabinet.core import validators
from kabinet.core.utility import get_utility
from kabinet.identity.models import Party
from kabinet.identity.passwords import POLICY_DESCRIPTIONS
from kabinet.identity.services import PartyData


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Телефон"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "+7 900 000-00-00"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return validators.validate_ru_phone(value) if value else ""


class LoginChoiceField(forms.CharField):
    """A login the customer makes up (002): Latin letters, digits, «.», «_», «-»; not only
    digits, so it can never be mistaken for a contract number, a phone or an ИНН."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Логин"))
        kwargs.setdefault(
            "help_text", _("От 3 до 64 знаков: латинские буквы, цифры, «.», «_», «-».")
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "username"}))
        super().__init__(max_length=64, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if len(value) < 3:
            raise ValidationError(_("Логин короче 3 знаков."))
        if not re.fullmatch(r"[A-Za-z0-9._-]+", value):
            raise ValidationError(_("В логине допустимы латинские буквы, цифры, «.», «_» и «-»."))
        if value.isdigit():
            raise ValidationError(_("Логин не может состоять только из цифр."))
        return value


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Код из сообщения"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}
            ),
        )
        super().__init__(min_length=6, max_length=6, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value.isdigit():
            raise ValidationError(_("Код состоит из 6 цифр."))
        return value


def password_help() -> str:
    return str(POLICY_DESCRIPTIONS[get_utility().password_policy])


class NewPasswordMixin(forms.Form):
    """Two password fields checked against each other; the policy is the service's."""

    password1 = forms.CharField(
        label=_("Новый пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Повторите пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_help()

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("Пароли не совпадают."))
        return data


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Логин"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember = forms.BooleanField(label=_("Запомнить меня"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = get_utility()
        names = {
            "email": _("e-mail"),
            "phone": _("телефон"),
            "login": _("логин"),
            "inn": _("ИНН"),
            "contract": _("номер договора"),
        }
        order = ["login", "contract", "email", "phone", "inn"]
        parts = [str(names[m]) for m in order if m in profile.login_methods]
        if "login" in profile.login_methods and "contract" in profile.login_methods:
            parts.remove(str(names["login"]))
        label = ", ".join(parts)
        self.fields["identifier"].label = label[:1].upper() + label[1:]
        if not getattr(profile, "remember_me", True):
            del self.fields["remember"]


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("Код из приложения"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SignupForm(NewPasswordMixin, forms.Form):
    """Регистрация: the party kind decides which fields are required (000 §3.2)."""

    kind = forms.ChoiceField(
        label=_("Вы регистрируетесь как"), choices=Party.Kind.choices, widget=forms.RadioSelect
    )
    last_name = forms.CharField(label=_("Фамилия"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Имя"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Отчество (при наличии)"), max_length=100, required=False)
    org_name = forms.CharField(label=_("Наименование организации"), max_length=500, required=False)
    inn = forms.CharField(label=_("ИНН"), max_length=12, required=False)
    ogrn = forms.CharField(label=_("ОГРН"), max_length=13, required=False)
    ogrnip = forms.CharField(label=_("ОГРНИП"), max_length=15, required=False)
    kpp = forms.CharField(label=_("КПП"), max_length=9, required=False)
    responsible_name = forms.CharField(
        label=_("ФИО ответственного лица"), max_length=255, required=False
    )
    responsible_position = forms.CharField(
        label=_("Должность ответственного лица"), max_length=255, required=False
    )
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = PhoneField()
    consent = forms.BooleanField(
        label=_("Я даю согласие на обработку моих персональных данных"),
        required=True,
        error_messages={
            "required": _("Без согласия на обработку персональных данных регистрация невозможна.")
        },
    )

    by_kind = {
        Party.Kind.PERSON: {
            "last_name": True,
            "first_name": True,
            "inn": False,
        },
        Party.Kind.IP: {
            "last_name": True,
            "first_name": True,
            "inn": True,
            "ogrnip": True,
        },
        Party.Kind.LEGAL: {
            "org_name": True,
            "inn": True,
            "ogrn": True,
            "kpp": True,
            "responsible_name": True,
            "responsible_position": False,
        },
    }

    party_fields = (
        "last_name",
        "first_name",
        "middle_name",
        "org_name",
        "inn",
        "ogrn",
        "ogrnip",
        "kpp",
        "responsible_name",
        "responsible_position",
    )

    def __init__(self, *args, mode: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        kinds = get_utility().party_kinds
        self.fields["kind"].choices = [c for c in Party.Kind.choices if c[0] in kinds]
        # The first kind the utility serves is chosen, so the form opens short.
        self.fields["kind"].initial = self.fields["kind"].choices[0][0]
        if mode == "email" and get_utility().signup_chooses_login:
            self.fields["login"] = LoginChoiceField()
            self.order_fields(["kind", "login"])
        if mode == "phone":
            self.fields["email"].required = False
            self.fields["email"].label = _("E-mail (необязательно)")
            self.order_fields(["phone", "email"])
        else:
            self.fields["phone"].required = False
            self.fields["phone"].label = _("Телефон (необязательно)")
        self.fields["password1"].label = _("Пароль")
        self.fields["inn"].help_text = _("10 цифр у организации, 12 цифр у физического лица и ИП")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        required = self.by_kind[kind]
        for name, needed in required.items():
            if needed and not data.get(name, "").strip():
                self.add_error(name, _("Заполните это поле."))
        checks = {
            "inn": {
                Party.Kind.PERSON: validators.validate_inn_person,
                Party.Kind.IP: validators.validate_inn_person,
                Party.Kind.LEGAL: validators.validate_inn_legal,
            }[kind],
            "ogrn": validators.validate_ogrn,
            "ogrnip": validators.validate_ogrnip,
            "kpp": validators.validate_kpp,
        }
        for name, check in checks.items():
            if name in required and data.get(name):
                try:
                    data[name] = check(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        # Fields of another kind are dropped, so a switch of kind leaves no stray data.
        keep = set(required) | ({"middle_name"} if kind != Party.Kind.LEGAL else set())
        for name in self.party_fields:
            if name not in keep:
                data[name] = ""
        return data

    def party(self) -> PartyData:
        d = self.cleaned_data
        return PartyData(
            kind=d["kind"],
            last_name=d["last_name"].strip(),
            first_name=d["first_name"].strip(),
            middle_name=d["middle_name"].strip(),
            org_name=d["org_name"].strip(),
            inn=d["inn"],
            ogrn=d["ogrn"],
            ogrnip=d["ogrnip"],
            kpp=d["kpp"],
            responsible_name=d["responsible_name"].strip(),
            responsible_position=d["responsible_position"].strip(),
        )


class CodeForm(forms.Form):
    code = CodeField()


class EmailResendForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))


class ActivationForm(NewPasswordMixin, forms.Form):
    pass


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=_("E-mail, телефон, логин или ИНН"), max_length=254)
    channel = forms.ChoiceField(
        label=_("Куда прислать код"),
        choices=[("email", _("На e-mail")), ("sms", _("В SMS на телефон"))],
        widget=forms.RadioSelect,
        initial="email",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        methods = get_utility().recovery_methods
        choices = []
        if "email_code" in methods or "inn" in methods:
            choices.append(("email", _("На e-mail")))
        if "sms_code" in methods:
            choices.append(("sms", _("В SMS на телефон")))
        self.fields["channel"].choices = choices
        self.fields["channel"].initial = choices[0][0] if choices else None
        labels = {
            "email_code": _("e-mail"),
            "sms_code": _("телефон"),
            "inn": _("ИНН"),
        }
        parts = [str(labels[m]) for m in ("email_code", "sms_code", "inn") if m in methods]
        if "login" in get_utility().login_methods or "contract" in get_utility().login_methods:
            parts.append(str(_("логин")))
        label = ", ".join(parts) or str(_("e-mail"))
        self.fields["identifier"].label = label[:1].upper() + label[1:]


class ResetConfirmForm(NewPasswordMixin, forms.Form):
    code = CodeField()
    field_order = ["code", "password1", "password2"]


class LoginReminderForm(forms.Form):
    email = forms.EmailField(label=_("E-mail, указанный при регистрации"))


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    current_password = forms.CharField(
        label=_("Текущий пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password1", "password2"]


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("Новый e-mail"))


class PhoneChangeForm(forms.Form):
    phone = PhoneField(label=_("Новый телефон"))


class TotpEnableForm(forms.Form):
    code = forms.CharField(label=_("Код из приложения"), max_length=6)


class TotpDisableForm(forms.Form):
    password = forms.CharField(label=_("Пароль"), strip=False, widget=forms.PasswordInput)
