"""Public connection tools, no sign-in (002 §4.6.3–4.6.4; 000 §4 «на официальном портале
можно…»): the cost calculator, the status check by number and name, the list of
documents with the deadlines, and the blank forms.

The calculator is a GET form (it writes nothing, and a result can be bookmarked); the
status check is a POST form, so the applicant's name never lands in a URL or a log, and
every miss is counted (per address and per number) against guessing."""

import re
from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.applications import calculator
from kabinet.applications.kinds import connection_enabled, enabled_kinds, get_kind
from kabinet.applications.models import Application
from kabinet.applications.selectors import name_key
from kabinet.applications.views.printing import blank_form_pdf, document_note
from kabinet.core.errors import DomainError
from kabinet.core.http import client_ip, form_error
from kabinet.core.money import format_quantity, format_rub
from kabinet.identity import throttle
from kabinet.identity.codes import minutes_text

# The status check: misses allowed in a window, per client address and per number.
CHECK_WINDOW_SECONDS = 3600
CHECK_MISSES_PER_IP = 10
CHECK_MISSES_PER_NUMBER = 5
NUMBER_RE = re.compile(r"\d{4}-\d{2}-\d{2}-\d{3}-\d{1,6}")
DEFAULT_VOLTAGES = ["0.23", "0.4", "6", "10"]


# --- the calculator (002 §4.6.3) ---------------------------------------------------------


class _DecimalField(forms.DecimalField):
    """A number as people type it: «7,5», «7.5», «1 500»."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        return super().to_python(value)


def _decimal_field(label, *, places: int, invalid, required, max_value):
    return _DecimalField(
        label=label,
        max_digits=12,
        decimal_places=places,
        min_value=Decimal("0"),
        max_value=max_value,
        error_messages={
            "required": required,
            "invalid": invalid,
            "max_decimal_places": gettext_lazy(
                "Слишком много знаков после запятой: не больше %(max)s."
            ),
            "max_digits": gettext_lazy("Слишком большое число."),
            "max_whole_digits": gettext_lazy("Слишком большое число."),
            "min_value": gettext_lazy("Число не может быть отрицательным."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class CalculatorForm(forms.Form):
    """Калькулятор (002 рисунок 15): мощность, расстояние до сетей, напряжение и
    категория электроснабжения; for heat, the load and the distance only."""

    power = _decimal_field(
        gettext_lazy("Мощность, кВт"),
        places=3,
        required=gettext_lazy("Укажите мощность."),
        invalid=gettext_lazy("Введите мощность числом, например 15 или 7,5."),
        max_value=Decimal("100000"),
    )
    distance = _decimal_field(
        gettext_lazy("Расстояние до сетей электроснабжения, метры"),
        places=1,
        required=gettext_lazy("Укажите расстояние в метрах."),
        invalid=gettext_lazy("Введите расстояние в метрах числом, например 100."),
        max_value=Decimal("100000"),
    )
    voltage = forms.ChoiceField(
        label=gettext_lazy("Напряжение, кВ"),
        error_messages={
            "required": gettext_lazy("Выберите напряжение."),
            "invalid_choice": gettext_lazy("Выберите напряжение из списка."),
        },
    )
    reliability = forms.ChoiceField(
        label=gettext_lazy("Категория электроснабжения"),
        choices=[("3", "III"), ("2", "II"), ("1", "I")],
        initial="3",
        help_text=gettext_lazy(
            "I и II — два независимых источника питания: линия строится в две цепи; "
            "III — один источник, как у жилого дома."
        ),
        error_messages={
            "required": gettext_lazy("Выберите категорию."),
            "invalid_choice": gettext_lazy("Выберите категорию из списка."),
        },
    )

    def __init__(self, *args, heat: bool, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.heat = heat
        free = table.free_distance_m if table is not None else 150
        self.fields["distance"].help_text = _("до %(m)s м расстояние не имеет значения") % {
            "m": free
        }
        if heat:
            # A load has four decimals (0,0505 Гкал/ч): a field of its own, since the
            # places are checked by a validator made with the field.
            self.fields["power"] = _decimal_field(
                _("Подключаемая тепловая нагрузка, Гкал/ч"),
                places=4,
                required=_("Укажите тепловую нагрузку."),
                invalid=_("Введите нагрузку числом, например 0,05 или 1,2."),
                max_value=Decimal("10000"),
            )
            self.fields["distance"].label = _("Расстояние до тепловых сетей, метры")
            del self.fields["voltage"]
            del self.fields["reliability"]
        else:
            found = calculator.voltages(table) or DEFAULT_VOLTAGES
            self.fields["voltage"].choices = [(v, v.replace(".", ",")) for v in found]
            self.fields["voltage"].initial = "0.4" if "0.4" in found else found[0]

    def clean_power(self):
        value = self.cleaned_data["power"]
        if value is not None and value <= 0:
            if self.heat:
                raise forms.ValidationError(_("Укажите тепловую нагрузку больше нуля."))
            raise forms.ValidationError(_("Укажите мощность больше нуля."))
        return value


def _calculator_labels(heat: bool) -> dict:
    if heat:
        return {
            "title": _("Калькулятор стоимости подключения к системе теплоснабжения"),
            "section": _("Подключение к системе теплоснабжения"),
            "lead": _(
                "Ориентировочная плата за подключение (технологическое присоединение) к "
                "системе теплоснабжения по ставкам, утверждённым тарифным органом."
            ),
            "standardized": _(
                "Расчёт стоимости подключения к системе теплоснабжения по "
                "стандартизированным ставкам"
            ),
            "per_unit": _(
                "Расчёт стоимости подключения к системе теплоснабжения по ставке за Гкал/ч "
                "подключаемой нагрузки"
            ),
            "disclaimer": _(
                "Выполненный расчёт является ориентировочным, итоговая стоимость "
                "подключения к системе теплоснабжения будет определена теплоснабжающей "
                "организацией в соответствии с утверждёнными ставками после подачи Вами "
                "заявки на подключение при подготовке договора о подключении."
            ),
            "unit": _("Гкал/ч"),
            "lines": _("Строительство тепловой сети (С2–С7)"),
        }
    return {
        "title": _("Калькулятор стоимости технологического присоединения"),
        "section": _("Технологическое присоединение"),
        "lead": _(
            "Ориентировочная стоимость технологического присоединения к электрическим "
            "сетям по стандартизированным тарифным ставкам и по ставке за кВт "
            "присоединяемой мощности."
        ),
        "standardized": _(
            "Расчёт стоимости технологического присоединения по стандартизированным "
            "тарифным ставкам"
        ),
        "per_unit": _(
            "Расчёт стоимости технологического присоединения по ставке за кВт "
            "присоединяемой мощности"
        ),
        "disclaimer": _(
            "Выполненный расчёт является ориентировочным, итоговая стоимость "
            "технологического присоединения будет определена сетевой организацией в "
            "соответствии с утверждёнными ставками после подачи Вами заявки на ТП при "
            "подготовке Договора об осуществлении технологического присоединения."
        ),
        "unit": _("кВт"),
        "lines": _("Строительство линий (С2–С7)"),
    }


def _breakdown(estimate: calculator.Estimate, labels: dict) -> list[tuple[str, str]]:
    """Where the two figures come from, line by line."""
    free = estimate.table.free_distance_m
    if estimate.line_kopecks:
        line = _("%(km)s км × %(n)s × %(rate)s за км = %(sum)s") % {
            "km": format_quantity(estimate.line_km),
            "n": estimate.lines,
            "rate": format_rub(estimate.rate.per_km_kopecks),
            "sum": format_rub(estimate.line_kopecks),
        }
    else:
        line = _("не учитывается: до сетей не больше %(m)s м") % {"m": free}
    return [
        (_("Организационные мероприятия (С1)"), format_rub(estimate.c1_kopecks)),
        (labels["lines"], line),
        (_("Учёт (С8)"), format_rub(estimate.c8_kopecks)),
        (
            _("Ставка за %(unit)s") % {"unit": labels["unit"]},
            _("%(rate)s × %(p)s %(unit)s = %(sum)s")
            % {
                "rate": format_rub(estimate.rate.per_unit_kopecks),
                "p": format_quantity(estimate.power),
                "unit": labels["unit"],
                "sum": format_rub(estimate.per_unit_kopecks),
            },
        ),
        (
            _("Ставки"),
            _("%(title)s, действуют с %(day)s")
            % {
                "title": estimate.table.title,
                "day": estimate.table.valid_from.strftime("%d.%m.%Y"),
            },
        ),
    ]


def calculator_view(request):
    """Калькулятор стоимости технологического присоединения (002 §4.6.3), or of the
    connection to heat networks (000 §4), by the rates in force today."""
    kind = calculator.calculator_kind()
    if kind is None:
        raise Http404
    heat = kind == calculator.HEAT
    table = calculator.table_in_force(heat=heat)
    bound = any(name in request.GET for name in CalculatorForm.base_fields)
    form = CalculatorForm(request.GET if bound else None, heat=heat, table=table)
    labels = _calculator_labels(heat)
    estimate = None
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            estimate = calculator.cost_estimate(
                power=data["power"],
                distance_m=data["distance"],
                voltage=data.get("voltage", ""),
                reliability=int(data.get("reliability") or 3),
                heat=heat,
            )
        except DomainError as exc:
            form_error(form, exc)
    context = {"form": form, "labels": labels, "estimate": estimate}
    if estimate is not None:
        context.update(
            standardized=format_rub(estimate.standardized_kopecks),
            per_unit=format_rub(estimate.per_unit_kopecks),
            breakdown=_breakdown(estimate, labels),
        )
    return render(request, "applications/public_calculator.html", context)


# --- the status check (002 §4.6.4) -------------------------------------------------------


class CheckForm(forms.Form):
    """Проверить заявку: its number and the applicant's surname or organisation name."""

    number = forms.CharField(
        label=gettext_lazy("Номер заявки"),
        max_length=40,
        help_text=gettext_lazy("Например 2026-01-10-702-5."),
        error_messages={"required": gettext_lazy("Укажите номер заявки.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Фамилия или название организации"),
        max_length=300,
        help_text=gettext_lazy(
            "Для физического лица и ИП — фамилия, для организации — её название, как в заявке."
        ),
        error_messages={"required": gettext_lazy("Укажите фамилию или название организации.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_number(self):
        value = re.sub(r"\s+", "", self.cleaned_data["number"]).lstrip("№")
        if not NUMBER_RE.fullmatch(value):
            raise forms.ValidationError(
                _("Номер заявки выглядит так: 2026-01-10-702-5 — дата, код и номер через дефис.")
            )
        return value

    def clean_name(self):
        value = self.cleaned_data["name"]
        if not name_key(value):
            raise forms.ValidationError(_("Укажите фамилию или название организации."))
        return value


NOT_FOUND = gettext_lazy(
    "Заявка с таким номером и фамилией (названием организации) не найдена. Проверьте "
    "номер: он выглядит так — 2026-01-10-702-5."
)


def _check_wait(ip_key: str, number: str) -> int:
    return max(
        throttle.retry_after(
            "application_check", ip_key, limit=CHECK_MISSES_PER_IP, seconds=CHECK_WINDOW_SECONDS
        ),
        throttle.retry_after(
            "application_check_number",
            number,
            limit=CHECK_MISSES_PER_NUMBER,
            seconds=CHECK_WINDOW_SECONDS,
        ),
    )


def application_check_find(*, number: str, name: str, ip: str | None) -> Application:
    """The filed application with this number whose applicant is ``name`` (surname or
    organisation name, folded by ``selectors.name_key``). A miss — no such number, or
    another name — says the same and is counted per address and per number; once
    either is used up nothing is looked up until the window passes."""
    ip_key = ip or "-"
    wait = _check_wait(ip_key, number)
    if wait:
        raise DomainError(
            _("Слишком много неудачных попыток. Повторите через %(wait)s.")
            % {"wait": minutes_text(wait)},
            code="throttled",
        )
    codes = [k.code for k in enabled_kinds()]
    application = Application.objects.filed().filter(number=number, kind__in=codes).first()
    typed = name_key(name)
    if application is None or not application.check_key or typed != application.check_key:
        throttle.hit("application_check", ip_key)
        throttle.hit("application_check_number", number)
        raise DomainError(NOT_FOUND, code="not_found")
    return application


def check_view(request):
    """Проверить заявку (002 §4.6.4 рисунок 16): the status of an application by its
    number and the applicant's surname or organisation name — and nothing else."""
    if not connection_enabled():
        raise Http404
    form = CheckForm(request.POST if request.method == "POST" else None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            application = application_check_find(
                number=form.cleaned_data["number"],
                name=form.cleaned_data["name"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            found = [
                (_("Номер заявки"), application.number),
                (_("Статус заявки"), application.get_status_display()),
                (_("В связи с"), application.reason_title()),
                (_("Тип заявки"), application.type_title()),
            ]
    return render(
        request,
        "applications/public_check.html",
        {"form": form, "found": found, "calculator": calculator.calculator_kind() is not None},
    )


# --- documents and blank forms (000 §4) --------------------------------------------------


def _days(n: int) -> str:
    # «раб. дн.» and «мес.» read right after any number, with no plural forms to keep.
    return _("%(n)s раб. дн.") % {"n": n}


def _kind_card(spec) -> dict:
    applicant_labels = {k: str(Application.ApplicantKind(k).label) for k in spec.applicant_kinds}
    categories = []
    for c in spec.categories:
        if c.connect_working_days:
            connect = _days(c.connect_working_days)
        else:
            connect = _("%(n)s мес.") % {"n": c.connect_months}
        who = [applicant_labels[k] for k in spec.applicant_kinds if k in c.applicant_kinds]
        categories.append(
            {
                "label": str(c.label),
                "who": ", ".join(who),
                "answer": _days(c.answer_days),
                "connect": connect,
            }
        )
    documents = [
        {"title": str(d.title), "hint": str(d.hint), "note": document_note(d, spec)}
        for d in spec.documents
    ]
    return {
        "spec": spec,
        "applicants": list(applicant_labels.values()),
        "reasons": [str(r.label) for r in spec.reasons],
        "categories": categories,
        "connection": spec.group == "connection",
        "documents": documents,
        "register": _days(spec.register_days),
        "answer": _days(spec.answer_days),
    }


def documents_view(request):
    """Порядок подачи заявок и перечень документов (000 §4): for every kind the utility
    takes in, who may apply, the reasons, the categories and their deadlines, the
    documents, and the blank form."""
    kinds = enabled_kinds()
    if not kinds:
        raise Http404
    return render(
        request,
        "applications/public_documents.html",
        {
            "kinds": [_kind_card(spec) for spec in kinds],
            "connection": connection_enabled(),
            "calculator": calculator.calculator_kind() is not None,
        },
    )


def blank_form_view(request, kind):
    """Типовая форма заявки of a kind (PDF), to print and fill in by hand."""
    spec = get_kind(kind)
    if spec is None or spec not in enabled_kinds():
        raise Http404
    return blank_form_pdf(spec)
