"""Технологическое присоединение: to electricity networks (002 §4.6.1) and to heat
networks (000 §4). Deadlines from the rules: Правила технологического присоединения
(ПП РФ № 861, пп. 15, 16) and Правила подключения к системам теплоснабжения (ПП РФ
№ 2115); the numbers are the declarations below, so a utility changes them in one
place."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.applications.kinds.base import (
    ApplicationKind,
    Category,
    Choice,
    DocType,
    Step,
    StepForm,
)
from kabinet.applications.kinds.fields import ObjectForm, RegistryObjectForm, RequisitesForm

ALL = frozenset({"person", "ip", "legal"})
BUSINESS = frozenset({"ip", "legal"})


def _decimal(label, *, required=True, help_text="", places=2):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=places,
        help_text=help_text,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class TechnicalElectricForm(StepForm):
    """Технические данные (002 §4.6.1): the power asked for, what is connected now,
    the voltage and the reliability category."""

    max_power = _decimal(
        _("Максимальная мощность присоединяемых устройств, кВт"),
        help_text=_("С учётом ранее присоединённой мощности."),
    )
    existing_power = _decimal(
        _("Ранее присоединённая мощность, кВт"),
        required=False,
        help_text=_("Заполните, если мощность увеличивается."),
    )
    voltage = forms.ChoiceField(
        label=_("Уровень напряжения, кВ"),
        choices=[("0.23", "0,23"), ("0.4", "0,4"), ("6", "6"), ("10", "10")],
        help_text=_("Для жилого дома обычно 0,23 (одна фаза) или 0,4 (три фазы)."),
    )
    reliability = forms.ChoiceField(
        label=_("Категория надёжности"),
        choices=[("3", "III"), ("2", "II"), ("1", "I")],
        help_text=_("Для бытовых нужд — III: один источник питания."),
    )
    points = forms.IntegerField(
        label=_("Количество точек присоединения"), min_value=1, max_value=20, initial=1
    )
    load_character = forms.ChoiceField(
        label=_("Характер нагрузки"),
        choices=[
            ("household", _("бытовая")),
            ("production", _("производственная")),
            ("other", _("иная")),
        ],
    )
    schedule = forms.CharField(
        label=_("Сроки проектирования и ввода в эксплуатацию"),
        max_length=200,
        required=False,
        help_text=_("Например: IV квартал 2027 года."),
    )

    def adapt(self) -> None:
        category = self.application.spec.category(self.application.category)
        if category and category.code == "household15":
            self.fields["reliability"].choices = [("3", "III")]
            self.fields["load_character"].choices = [("household", _("бытовая"))]

    def clean(self):
        data = super().clean()
        power = data.get("max_power")
        category = self.application.spec.category(self.application.category)
        if power is not None and category is not None:
            if power <= 0:
                self.add_error("max_power", _("Укажите мощность больше нуля."))
            elif category.power_max is not None and power > category.power_max:
                self.add_error(
                    "max_power",
                    _(
                        "Для категории «%(c)s» мощность не больше %(max)s кВт: "
                        "выберите другую категорию заявки."
                    )
                    % {"c": category.label, "max": _number(category.power_max)},
                )
            elif category.power_min is not None and power <= category.power_min:
                self.add_error(
                    "max_power",
                    _("Для категории «%(c)s» мощность должна быть больше %(min)s кВт.")
                    % {"c": category.label, "min": _number(category.power_min)},
                )
        existing = data.get("existing_power")
        if self.application.reason == "increase":
            if not existing:
                self.add_error(
                    "existing_power", _("При увеличении мощности укажите присоединённую сейчас.")
                )
            elif power is not None and existing >= power:
                self.add_error(
                    "max_power", _("Новая мощность должна быть больше присоединённой сейчас.")
                )
        return data


class TechnicalHeatForm(StepForm):
    """Характеристики объекта (000 §4.5 рисунок 60): the heat load by use, the carrier
    and when the object is to be connected."""

    load_heating = _decimal(_("Отопление, Гкал/ч"), places=4)
    load_ventilation = _decimal(_("Вентиляция, Гкал/ч"), required=False, places=4)
    load_hot_water = _decimal(_("Горячее водоснабжение, Гкал/ч"), required=False, places=4)
    carrier = forms.ChoiceField(
        label=_("Теплоноситель"), choices=[("water", _("горячая вода")), ("steam", _("пар"))]
    )
    floors = forms.IntegerField(label=_("Этажность"), required=False, min_value=1, max_value=200)
    connect_date = forms.CharField(
        label=_("Планируемый срок подключения"),
        max_length=100,
        help_text=_("Например: II квартал 2028 года."),
    )

    def clean(self):
        data = super().clean()
        total = sum(
            (data.get(name) or Decimal("0"))
            for name in ("load_heating", "load_ventilation", "load_hot_water")
        )
        category = self.application.spec.category(self.application.category)
        if "load_heating" not in self.errors and total <= 0:
            self.add_error("load_heating", _("Укажите тепловую нагрузку больше нуля."))
        elif category is not None:
            if category.power_max is not None and total > category.power_max:
                self.add_error(
                    "load_heating",
                    _(
                        "Суммарная нагрузка %(t)s Гкал/ч больше, чем допускает категория "
                        "«%(c)s»: выберите другую категорию заявки."
                    )
                    % {"t": _number(total), "c": category.label},
                )
            elif category.power_min is not None and total <= category.power_min:
                self.add_error(
                    "load_heating",
                    _("Суммарная нагрузка для категории «%(c)s» должна быть больше %(min)s Гкал/ч.")
                    % {"c": category.label, "min": _number(category.power_min)},
                )
        return data


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _increase(application) -> bool:
    return application.reason == "increase"


def _representative(application) -> bool:
    value = (application.data.get("requisites") or {}).get("by_representative")
    return value in ("on", "true", "True", True)


def _legal(application) -> bool:
    return application.applicant_kind in ("ip", "legal")


def _person(application) -> bool:
    return application.applicant_kind == "person"


COMMON_DOCS = (
    DocType(
        "plan",
        _("План расположения энергопринимающих устройств"),
        _("Схема участка с местом подключения."),
    ),
    DocType(
        "title",
        _("Документ о праве собственности или ином законном основании на объект"),
        _("Выписка из ЕГРН, договор аренды и т. п."),
    ),
    DocType(
        "passport", _("Копия паспорта"), _("Страницы с фотографией и пропиской."), when=_person
    ),
    DocType(
        "power_of_attorney",
        _("Доверенность представителя"),
        _("Нужна, если заявку подаёт представитель."),
        when=_representative,
    ),
    DocType(
        "existing_act",
        _("Акт о ранее осуществлённом технологическом присоединении"),
        _("Нужен при увеличении мощности."),
        when=_increase,
    ),
    DocType(
        "other",
        _("Другие документы"),
        _("Всё, что поможет рассмотреть заявку."),
        required=False,
    ),
)


TC_ELECTRIC = ApplicationKind(
    code="tc_electric",
    group="connection",
    title=_("Технологическое присоединение к электрическим сетям"),
    number_code="702",
    reason_label=_("В связи с"),
    reasons=(
        Choice("first", _("Присоединение впервые")),
        Choice("increase", _("Увеличение мощности")),
        Choice("reliability", _("Изменение категории надёжности")),
        Choice("point", _("Изменение точки присоединения")),
        Choice("activity", _("Изменение вида производственной деятельности")),
    ),
    category_label=_("Категория заявителя"),
    # 002 рисунок 9; answer days: ПП 861 п. 15 (10 рабочих дней до 150 кВт, 20 — выше);
    # connection: п. 16 (4–6 месяцев до 150 кВт, 1 год до 670 кВт, 2 года выше,
    # 15 рабочих дней — временное).
    categories=(
        Category(
            "household15",
            _("до 15 кВт для бытовых нужд"),
            frozenset({"person"}),
            power_max=Decimal("15"),
            answer_days=10,
            connect_months=6,
        ),
        Category("upto150", _("до 150 кВт"), ALL, power_max=Decimal("150"), answer_days=10),
        Category(
            "upto670",
            _("от 150 до 670 кВт"),
            BUSINESS,
            power_min=Decimal("150"),
            power_max=Decimal("670"),
            answer_days=20,
            connect_months=12,
        ),
        Category(
            "over670",
            _("свыше 670 кВт"),
            BUSINESS,
            power_min=Decimal("670"),
            answer_days=20,
            connect_months=24,
        ),
        Category(
            "temporary",
            _("временное присоединение"),
            ALL,
            answer_days=10,
            connect_working_days=15,
        ),
    ),
    steps=(
        Step("requisites", _("Реквизиты и контакты"), RequisitesForm),
        Step("object", _("Объект"), ObjectForm),
        Step("technical", _("Технические данные"), TechnicalElectricForm),
        Step("documents", _("Документы")),
    ),
    documents=COMMON_DOCS,
    result_contract=True,
    register_days=3,
    power_unit=_("кВт"),
    hint=_(
        "Заявка на присоединение энергопринимающих устройств: новых, с увеличением "
        "мощности или с изменением схемы. Результат — договор, подписанный электронной "
        "подписью, или мотивированный отказ."
    ),
)


HEAT_DOCS = (
    DocType(
        "situation_plan",
        _("Ситуационный план расположения объекта"),
        _("С привязкой к территории населённого пункта."),
    ),
    DocType(
        "title",
        _("Правоустанавливающие документы на земельный участок"),
        _("Выписка из ЕГРН, договор аренды и т. п."),
    ),
    DocType(
        "gpzu",
        _("Градостроительный план земельного участка"),
        _("Если объект строится или реконструируется."),
        required=False,
    ),
    DocType(
        "load_calc",
        _("Расчёт максимальной часовой тепловой нагрузки"),
        _("Отопление, вентиляция, горячее водоснабжение."),
    ),
    DocType(
        "constituent",
        _("Учредительные документы и документ о полномочиях руководителя"),
        when=_legal,
    ),
    DocType("passport", _("Копия паспорта"), when=_person),
    DocType(
        "power_of_attorney",
        _("Доверенность представителя"),
        _("Нужна, если заявку подаёт представитель."),
        when=_representative,
    ),
    DocType("other", _("Другие документы"), required=False),
)


TC_HEAT = ApplicationKind(
    code="tc_heat",
    group="connection",
    title=_("Подключение к системе теплоснабжения"),
    number_code="701",
    reason_label=_("Причина заявки"),
    reasons=(
        Choice("first", _("Подключение нового объекта")),
        Choice("increase", _("Увеличение подключаемой тепловой нагрузки")),
        Choice("reconstruction", _("Реконструкция объекта с изменением нагрузки")),
        Choice("conditions", _("Получение технических условий подключения")),
    ),
    category_label=_("Подключаемая нагрузка"),
    # ПП РФ № 2115: льготная плата до 0,1 Гкал/ч; договор — 20 рабочих дней; срок
    # подключения — 18 месяцев (больше — по договору).
    categories=(
        Category(
            "upto01",
            _("до 0,1 Гкал/ч"),
            ALL,
            power_max=Decimal("0.1"),
            answer_days=20,
            connect_months=18,
        ),
        Category(
            "upto15",
            _("от 0,1 до 1,5 Гкал/ч"),
            ALL,
            power_min=Decimal("0.1"),
            power_max=Decimal("1.5"),
            answer_days=20,
            connect_months=18,
        ),
        Category(
            "over15",
            _("свыше 1,5 Гкал/ч"),
            BUSINESS,
            power_min=Decimal("1.5"),
            answer_days=20,
            connect_months=36,
        ),
    ),
    steps=(
        Step("requisites", _("Реквизиты и контакты"), RequisitesForm),
        Step("object", _("Объект"), RegistryObjectForm),
        Step("technical", _("Характеристики объекта"), TechnicalHeatForm),
        Step("documents", _("Документы")),
    ),
    documents=HEAT_DOCS,
    result_contract=True,
    register_days=3,
    power_unit=_("Гкал/ч"),
    hint=_(
        "Заявка на подключение объекта из вашего реестра объектов к тепловым сетям. "
        "Результат — договор о подключении, подписанный электронной подписью, или отказ."
    ),
)
