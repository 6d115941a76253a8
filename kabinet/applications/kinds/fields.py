"""Steps several kinds share: the applicant's requisites and contacts (by applicant
kind, 002 §4.6.1 рисунок 12), and the object (picked from the developer's registry,
000 §4.4, or described for a new one)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kabinet.applications.kinds.base import StepForm
from kabinet.core import validators
from kabinet.identity.forms import PhoneField

PASSPORT_RE = re.compile(r"^\d{2}\s?\d{2}\s?\d{6}$")


def _text(label, *, required=True, max_length=200, help_text="", **attrs):
    widget = forms.TextInput(attrs=attrs) if attrs else None
    kwargs = {"label": label, "required": required, "max_length": max_length}
    if help_text:
        kwargs["help_text"] = help_text
    if widget is not None:
        kwargs["widget"] = widget
    return forms.CharField(**kwargs)


class ReasonField(forms.ChoiceField):
    """«В связи с *» — the kind's reasons, as radio buttons."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(**kwargs)


class RequisitesForm(StepForm):
    """Реквизиты и контакты: the reason, the applicant's requisites by kind, contacts."""

    reason = ReasonField(label=_("В связи с"))
    # Физическое лицо и ИП
    last_name = _text(_("Фамилия"), required=False, autocomplete="family-name")
    first_name = _text(_("Имя"), required=False, autocomplete="given-name")
    middle_name = _text(
        _("Отчество"), required=False, help_text=_("Если есть."), autocomplete="additional-name"
    )
    passport = _text(
        _("Паспорт: серия и номер"),
        required=False,
        max_length=20,
        help_text=_("10 цифр, например 69 04 123456."),
    )
    passport_issued = _text(
        _("Паспорт выдан: кем и когда"),
        required=False,
        max_length=300,
        help_text=_("Как в паспорте, с датой выдачи и кодом подразделения."),
    )
    # ИП и юридическое лицо
    org_name = _text(
        _("Полное наименование организации"),
        required=False,
        max_length=300,
        help_text=_("Как в ЕГРЮЛ, например ООО «Ромашка»."),
    )
    inn = _text(_("ИНН"), required=False, max_length=14, inputmode="numeric")
    kpp = _text(_("КПП"), required=False, max_length=11, inputmode="numeric")
    ogrn = _text(_("ОГРН"), required=False, max_length=15, inputmode="numeric")
    ogrnip = _text(_("ОГРНИП"), required=False, max_length=17, inputmode="numeric")
    head_name = _text(
        _("ФИО руководителя или представителя"),
        required=False,
        max_length=200,
        help_text=_("Кто подписывает заявку и договор."),
    )
    head_position = _text(_("Должность"), required=False, max_length=200)
    # Все
    by_representative = forms.BooleanField(
        label=_("Подаётся представителем заявителя"),
        required=False,
        help_text=_("Тогда в документах понадобится доверенность."),
    )
    registered_address = _text(
        _("Адрес регистрации (индекс и адрес)"),
        required=False,
        max_length=300,
        help_text=_("Для организации — юридический адрес."),
    )
    actual_address = _text(
        _("Фактический адрес (индекс и адрес)"),
        required=False,
        max_length=300,
        help_text=_("Куда отправлять документы, если отличается от адреса регистрации."),
    )
    phone = PhoneField(label=_("Телефон"))
    email = forms.EmailField(
        label=_("Электронная почта"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    PERSON = ("last_name", "first_name", "middle_name", "passport", "passport_issued")
    IP = ("last_name", "first_name", "middle_name", "inn", "ogrnip")
    LEGAL = ("org_name", "inn", "kpp", "ogrn", "head_name", "head_position")
    REQUIRED = {
        "person": ("last_name", "first_name", "passport", "passport_issued", "registered_address"),
        "ip": ("last_name", "first_name", "inn", "ogrnip", "registered_address"),
        "legal": (
            "org_name",
            "inn",
            "kpp",
            "ogrn",
            "head_name",
            "head_position",
            "registered_address",
        ),
    }
    ALWAYS = ("reason", "by_representative", "registered_address", "actual_address")

    def adapt(self) -> None:
        spec = self.application.spec
        self.fields["reason"].choices = [(r.code, r.label) for r in spec.reasons]
        self.fields["reason"].label = spec.reason_label
        kind = self.application.applicant_kind or "person"
        keep = set(self.ALWAYS) | {"phone", "email"}
        keep |= set({"person": self.PERSON, "ip": self.IP, "legal": self.LEGAL}[kind])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in self.REQUIRED[kind]:
            self.fields[name].required = True
        if kind == "legal":
            self.fields["registered_address"].label = _("Юридический адрес (индекс и адрес)")
            self.fields["registered_address"].help_text = ""
        if kind == "ip":
            self.fields["inn"].help_text = _("12 цифр.")
        if kind == "legal":
            self.fields["inn"].help_text = _("10 цифр.")

    def clean_passport(self):
        value = (self.cleaned_data.get("passport") or "").strip()
        if value and not PASSPORT_RE.match(value):
            raise ValidationError(_("Серия и номер паспорта — 10 цифр, например 69 04 123456."))
        return value

    def clean_inn(self):
        value = self.cleaned_data.get("inn") or ""
        if not value:
            return value
        if self.application.applicant_kind == "legal":
            return validators.validate_inn_legal(value)
        return validators.validate_inn_person(value)

    def clean_kpp(self):
        value = self.cleaned_data.get("kpp") or ""
        return validators.validate_kpp(value) if value else value

    def clean_ogrn(self):
        value = self.cleaned_data.get("ogrn") or ""
        return validators.validate_ogrn(value) if value else value

    def clean_ogrnip(self):
        value = self.cleaned_data.get("ogrnip") or ""
        return validators.validate_ogrnip(value) if value else value

    def derived(self) -> dict:
        return {"reason": self.cleaned_data.get("reason", "")}


class ObjectForm(StepForm):
    """Объект: one from the registry of the applicant's objects (000 §4.4), or a new one
    described here (it joins the registry)."""

    connection_object = forms.ModelChoiceField(
        label=_("Объект из реестра"),
        queryset=None,
        required=False,
        empty_label=_("— новый объект —"),
        help_text=_("Объекты создаются на странице «Объекты»; можно описать новый ниже."),
    )
    name = _text(
        _("Наименование объекта"),
        required=False,
        help_text=_("Например: жилой дом, садовый дом, магазин, гараж."),
    )
    address = _text(
        _("Адрес (местоположение) объекта"),
        required=False,
        max_length=300,
        help_text=_("Если адреса ещё нет — ориентир и населённый пункт."),
    )
    cadastral_number = _text(
        _("Кадастровый номер земельного участка"),
        required=False,
        max_length=40,
        help_text=_("Например 70:21:0100024:15."),
    )

    # Heat connection (000 §4.5) takes only an object «из числа ранее созданных».
    registry_only = False

    def adapt(self) -> None:
        from kabinet.applications.models import ConnectionObject

        objects = ConnectionObject.objects.filter(user=self.application.user)
        self.fields["connection_object"].queryset = objects
        self.fields["connection_object"].to_field_name = "uuid"
        if self.registry_only:
            self.fields["connection_object"].required = True
            self.fields["connection_object"].empty_label = None
            for name in ("name", "address", "cadastral_number"):
                del self.fields[name]
            self.fields["connection_object"].label = _("Объект подключения")
            self.fields["connection_object"].help_text = _(
                "Заявка подаётся на объект из реестра: создайте его на странице «Объекты»."
            )

    def clean_cadastral_number(self):
        value = (self.cleaned_data.get("cadastral_number") or "").strip()
        if value and not re.fullmatch(r"\d{2}:\d{2}:\d{6,7}:\d{1,6}", value):
            raise ValidationError(
                _("Кадастровый номер пишется так: 70:21:0100024:15 (четыре группы через «:»).")
            )
        return value

    def clean(self):
        data = super().clean()
        if self.registry_only or data.get("connection_object"):
            return data
        for name in ("name", "address"):
            if not data.get(name) and name not in self.errors:
                self.add_error(
                    name, _("Выберите объект из реестра или заполните это поле для нового.")
                )
        return data

    def derived(self) -> dict:
        obj = self.cleaned_data.get("connection_object")
        if obj is not None:
            return {"connection_object": obj}
        return {
            "new_object": {
                "name": self.cleaned_data.get("name", ""),
                "address": self.cleaned_data.get("address", ""),
                "cadastral_number": self.cleaned_data.get("cadastral_number", ""),
            }
        }


class RegistryObjectForm(ObjectForm):
    registry_only = True
