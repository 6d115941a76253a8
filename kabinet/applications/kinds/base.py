"""What a kind of application declares: its steps (each a form), reasons, categories,
required documents, number code and deadlines. The engine (``services``) reads only
this; adding a kind is adding a declaration."""

import contextlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import pgettext

from kabinet.core.money import working_days_after  # noqa: F401  (kinds' deadlines)


@dataclass(frozen=True)
class Choice:
    code: str
    label: str  # lazily translated


@dataclass(frozen=True)
class Category:
    """A category of applicant (002 рисунок 9): a band of power or heat load, who may
    choose it, and the deadlines the rules set for it."""

    code: str
    label: str
    applicant_kinds: frozenset[str]
    power_min: Decimal | None = None  # exclusive
    power_max: Decimal | None = None  # inclusive
    # Working days the utility has to send the contract (or a refusal) once registered.
    answer_days: int = 10
    # Months the utility has to carry out the connection once the contract is signed
    # (or working days, for temporary connections: ``connect_working_days``).
    connect_months: int = 6
    connect_working_days: int | None = None


@dataclass(frozen=True)
class DocType:
    """A document the kind asks for: required always, or only for some applicants or
    reasons (``when`` returns whether it is needed for this application)."""

    code: str
    title: str
    hint: str = ""
    required: bool = True
    when: object = None  # callable(application) -> bool, or None for always

    def needed(self, application) -> bool:
        return self.when is None or bool(self.when(application))


@dataclass(frozen=True)
class Step:
    """One page of the form: its slug in the URL, its title, and its form class.
    ``form`` is None for the documents step (files are checked by the engine)."""

    slug: str
    title: str
    form: type | None = None
    hint: str = ""


@dataclass(frozen=True)
class ApplicationKind:
    """A kind of application as the utility takes it in."""

    code: str
    group: str  # "connection", "contract" or "service"
    title: str
    number_code: str
    steps: tuple[Step, ...]
    reasons: tuple[Choice, ...]
    reason_label: str
    categories: tuple[Category, ...] = ()
    category_label: str = ""
    applicant_kinds: tuple[str, ...] = ("person", "ip", "legal")
    documents: tuple[DocType, ...] = ()
    # The reason is chosen with the kind, before the form (000 §3.4.4), not in a step.
    reason_at_start: bool = False
    # Filed straight from the one form (service requests: the number at once), with no
    # draft and no preview.
    direct: bool = False
    # The result is a contract signed by the utility (connection), or only a status.
    result_contract: bool = False
    # Working days to accept the application or ask for what is missing, after filing.
    register_days: int = 3
    # Working days to give the result after filing, where the category does not say.
    answer_days: int = 30
    # The unit a power or load is measured in, for the technical step and the queue.
    power_unit: str = ""
    hint: str = ""
    extra: dict = field(default_factory=dict)
    # The kind's own status moves, where they differ from the seed's table
    # (``Application.TRANSITIONS``); statuses are always the seed's six.
    moves: dict | None = None

    @property
    def transitions(self) -> dict:
        from kabinet.applications.models import Application

        return self.moves if self.moves is not None else Application.TRANSITIONS

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def categories_for(self, applicant_kind: str) -> list[Category]:
        return [c for c in self.categories if applicant_kind in c.applicant_kinds]

    def reason_title(self, code: str) -> str:
        return next((str(r.label) for r in self.reasons if r.code == code), code)

    def document_title(self, code: str) -> str:
        return next((str(d.title) for d in self.documents if d.code == code), code)

    def documents_for(self, application) -> list[DocType]:
        return [d for d in self.documents if d.needed(application)]

    def step(self, slug: str) -> Step | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def type_title(self, application) -> str:
        """«Тип заявки»: «Заявка физического лица, до 15 кВт для бытовых нужд»."""
        rest = application.applicant_category()
        return f"{self.title}, {rest}" if rest else str(self.title)

    def answer_days_for(self, application) -> int:
        category = self.category(application.category)
        return category.answer_days if category else self.answer_days


class StepForm(forms.Form):
    """A step's form: bound to what the customer typed, with the application at hand
    (its applicant kind, category, reason, the user's objects and contracts)."""

    template_name = "applications/_step_form.html"

    def __init__(self, *args, application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)
        self.adapt()

    def adapt(self) -> None:
        """Change fields by applicant kind, category or reason."""

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) for the preview and the card: what was typed, as shown."""
        rows = []
        for name, bound in self.fields.items():
            value = self.data.get(self.add_prefix(name), "")
            if value in ("", None) and not isinstance(bound, forms.BooleanField):
                continue
            if isinstance(bound, forms.ChoiceField) and not isinstance(
                bound, forms.ModelChoiceField
            ):
                value = dict((str(k), str(v)) for k, v in bound.choices).get(str(value), value)
            elif isinstance(bound, forms.ModelChoiceField):
                value = next((str(label) for k, label in bound.choices if str(k) == str(value)), "")
            elif isinstance(bound, forms.BooleanField):
                yes = value in ("on", "true", "True", True)
                value = pgettext("ответ", "да") if yes else pgettext("ответ", "нет")
            elif isinstance(bound, forms.DateField):
                with contextlib.suppress(ValueError):
                    value = date.fromisoformat(str(value)).strftime("%d.%m.%Y")
            if value in ("", None):
                continue
            rows.append((str(bound.label), str(value)))
        return rows

    def derived(self) -> dict:
        """What the step sets on the application itself (reason, object, contract...)."""
        return {}


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
