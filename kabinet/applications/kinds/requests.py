"""Заявка на заключение договора теплоснабжения (000 §3.4) and the service requests of
a contract holder (003 §3.5)."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.applications.kinds.base import (
    ApplicationKind,
    Category,
    Choice,
    DocType,
    Step,
    StepForm,
)
from kabinet.applications.kinds.fields import _text
from kabinet.identity.forms import PhoneField

ALL = frozenset({"person", "ip", "legal"})


class ResponsibleForm(StepForm):
    """000 §3.4.4: «заполнить ФИО ответственного за заключение договора лица»; with the
    organisation and the object the contract is for."""

    org_name = _text(
        _("Наименование абонента"),
        max_length=300,
        help_text=_("Организация, ИП или ФИО — кто заключает договор."),
    )
    inn = _text(_("ИНН"), max_length=14, required=False, inputmode="numeric")
    responsible_name = _text(_("ФИО ответственного за заключение договора"))
    responsible_position = _text(_("Должность ответственного"), required=False)
    phone = PhoneField(label=_("Телефон ответственного"))
    email = forms.EmailField(label=_("Электронная почта ответственного"))
    object_name = _text(_("Объект теплоснабжения"), help_text=_("Например: здание школы № 5."))
    object_address = _text(_("Адрес объекта"), max_length=300)
    load = forms.DecimalField(
        label=_("Договорная тепловая нагрузка, Гкал/ч"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=4,
        localize=True,
        help_text=_("Если известна: из технических условий или проекта."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean_inn(self):
        from kabinet.core import validators

        value = self.cleaned_data.get("inn") or ""
        return validators.validate_inn(value) if value else value


def _budget(application) -> bool:
    return application.category == "budget"


def _uk(application) -> bool:
    return application.category == "uk"


def _after_pnr(application) -> bool:
    return application.reason in ("after_pnr",)


CONTRACT = ApplicationKind(
    code="contract",
    group="contract",
    title=_("Заключение договора теплоснабжения"),
    number_code="601",
    reason_label=_("Причина заявки"),
    reason_at_start=True,
    reasons=(
        Choice("pnr", _("Договор на пусконаладочные работы (ПНР)")),
        Choice("after_pnr", _("Договор постоянного теплоснабжения после ПНР")),
        Choice("permanent", _("Договор постоянного теплоснабжения")),
    ),
    category_label=_("Тип контрагента"),
    categories=(
        Category("budget", _("бюджетная организация"), ALL, answer_days=30),
        Category("uk", _("управляющая компания, ТСЖ, ЖСК"), ALL, answer_days=30),
        Category("other", _("прочие потребители"), ALL, answer_days=30),
    ),
    steps=(
        Step("responsible", _("Абонент и объект"), ResponsibleForm),
        Step("documents", _("Документы")),
    ),
    documents=(
        DocType(
            "statement",
            _("Заявка на заключение договора, подписанная руководителем"),
            _("Скан с подписью и печатью."),
        ),
        DocType(
            "constituent",
            _("Учредительные документы, свидетельство ИНН/ОГРН"),
        ),
        DocType(
            "title",
            _("Документы о праве на объект"),
            _("Выписка из ЕГРН, договор аренды, безвозмездного пользования."),
        ),
        DocType(
            "connection_act",
            _("Акт о подключении (технологическом присоединении)"),
        ),
        DocType(
            "pnr_act",
            _("Акт о завершении пусконаладочных работ"),
            when=_after_pnr,
        ),
        DocType(
            "limits",
            _("Доведённые лимиты бюджетных обязательств"),
            when=_budget,
        ),
        DocType(
            "management",
            _("Протокол общего собрания или договор управления домом"),
            when=_uk,
        ),
        DocType("other", _("Другие документы"), required=False),
    ),
    register_days=3,
    answer_days=30,
    hint=_(
        "Для тех, кто хочет заключить договор теплоснабжения или договор на "
        "пусконаладочные работы. Результат — договор, подписанный электронной подписью."
    ),
)


VISIT_SLOTS = (
    ("09-12", "09:00–12:00"),
    ("12-15", "12:00–15:00"),
    ("15-18", "15:00–18:00"),
)
VISIT_HORIZON_DAYS = 60


class ServiceRequestForm(StepForm):
    """003 §3.5: the kind of request, the contract, when the utility's employee may come
    (желаемая дата и время посещения), who meets them."""

    reason = forms.ChoiceField(label=_("Вид заявки"), widget=forms.RadioSelect)
    contract = forms.ModelChoiceField(
        label=_("Договор"), queryset=None, empty_label=None, to_field_name="uuid"
    )
    unit = forms.ModelChoiceField(
        label=_("Узел учёта"),
        queryset=None,
        required=False,
        to_field_name="uuid",
        empty_label=_("— все узлы учёта договора —"),
        help_text=_("Для обследования прибора учёта и снятия контрольных показаний."),
    )
    visit_date = forms.DateField(
        label=_("Желаемая дата посещения"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Рабочий день, не раньше завтрашнего и не позже чем через 60 дней."),
    )
    visit_time = forms.ChoiceField(label=_("Желаемое время посещения"), choices=VISIT_SLOTS)
    contact_name = _text(_("Кто встретит сотрудника (ФИО)"), autocomplete="name")
    contact_phone = _text(
        _("Телефон для связи"),
        max_length=32,
        help_text=_("Сотрудник позвонит накануне визита."),
        inputmode="tel",
    )
    comment = forms.CharField(
        label=_("Комментарий"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def adapt(self) -> None:
        from kabinet.contracts.models import Contract, MeteringUnit

        spec = self.application.spec
        self.fields["reason"].choices = [(r.code, r.label) for r in spec.reasons]
        contracts = Contract.objects.writable_by(self.application.user).order_by("number")
        self.fields["contract"].queryset = contracts
        self.fields["unit"].queryset = MeteringUnit.objects.filter(
            contract__in=contracts.values("pk")
        ).select_related("contract")
        self.fields["unit"].label_from_instance = lambda u: (
            _("№ %(n)s, договор № %(c)s") % {"n": u.number, "c": u.contract.number}
        )

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        today = timezone.localdate()
        if value <= today:
            raise ValidationError(_("Выберите дату не раньше завтрашней."))
        if value > today + timedelta(days=VISIT_HORIZON_DAYS):
            raise ValidationError(_("Заявки принимаются на 60 дней вперёд: выберите дату ближе."))
        if value.weekday() >= 5:
            raise ValidationError(_("Сотрудники выезжают по рабочим дням: выберите будний день."))
        return value

    def clean_contact_phone(self):
        import re

        value = (self.cleaned_data.get("contact_phone") or "").strip()
        digits = re.sub(r"\D", "", value)
        if not re.fullmatch(r"[+\d\s()\-]+", value) or not 9 <= len(digits) <= 15:
            raise ValidationError(_("Введите телефон цифрами, например +998 71 000-00-00."))
        return value

    def clean(self):
        data = super().clean()
        unit, contract = data.get("unit"), data.get("contract")
        if unit is not None and contract is not None and unit.contract_id != contract.pk:
            self.add_error("unit", _("Этот узел учёта относится к другому договору."))
        if unit is not None and data.get("reason") != "meter_inspection":
            data["unit"] = None
        return data

    def derived(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "contract": self.cleaned_data["contract"],
            "visit_date": self.cleaned_data["visit_date"],
            "visit_time": self.cleaned_data["visit_time"],
        }


SERVICE = ApplicationKind(
    code="service",
    group="service",
    title=_("Заявка на услугу по договору"),
    number_code="501",
    reason_label=_("Вид заявки"),
    reasons=(
        Choice("disconnection", _("Отключение от пользования тепловой энергией")),
        Choice(
            "meter_inspection",
            _("Обследование прибора учёта и снятие контрольных показаний"),
        ),
        Choice("system_inspection", _("Обследование системы теплоснабжения")),
        Choice("no_debt", _("Справка об отсутствии задолженности")),
        Choice("renewal", _("Перезаключение договора без изменения нагрузок")),
    ),
    applicant_kinds=("ip", "legal"),
    steps=(Step("request", _("Заявка"), ServiceRequestForm),),
    # A visit needs no separate acceptance: registered, then the visit is being
    # arranged («В работе»), then done or refused.
    moves={
        "draft": {"registered"},
        "registered": {"in_work", "refused"},
        "in_work": {"done", "refused"},
        "done": set(),
        "refused": set(),
    },
    direct=True,
    register_days=1,
    answer_days=10,
    hint=_(
        "Отключение, обследование прибора учёта или системы теплоснабжения, справка, "
        "перезаключение договора. Услуги оказываются бесплатно."
    ),
)
