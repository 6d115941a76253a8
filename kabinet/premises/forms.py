"""The address picker (000 §2.1): населённый пункт → улица → дом → корпус / литера.

It works without JavaScript as a form submitted once per step (GET on "Мой дом", or
inside a bigger POST form such as the resident sign-up), and with JavaScript the
street and house fields become type-ahead lists fed by ``premises:lookup``.

Use::

    picker = AddressPickerForm(request.GET or None)   # or request.POST, prefix="address"
    picker.is_valid()        # True only when a registry house is chosen
    picker.step              # "settlement" | "street" | "number" | "variant" | "done"
    picker.house             # the House when step == "done"

and ``{% include "premises/_address_picker.html" with picker=picker %}`` inside a
``<form>``. The include renders the fields of the current step, hidden inputs for the
steps already taken with "изменить" links, and a «Далее» button until the house is
found; the host page adds its own submit button for the final step.
"""

from django import forms
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kabinet.core.errors import DomainError
from kabinet.premises import selectors
from kabinet.premises.models import House, Settlement, Street

STEPS = ("settlement", "street", "number", "variant", "done")
FIELDS_OF_STEP = {
    "settlement": ("settlement",),
    "street": ("street_q", "street"),
    "number": ("number",),
    "variant": ("building", "letter"),
}


class AddressPickerForm(forms.Form):
    settlement = forms.ModelChoiceField(
        label=_("Населённый пункт"),
        queryset=Settlement.objects.all(),
        empty_label=_("— выберите —"),
        required=False,
    )
    street_q = forms.CharField(
        label=_("Найти улицу"),
        help_text=_("Начните вводить название, например «Садовая»."),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    street = forms.ModelChoiceField(
        label=_("Улица"),
        queryset=Street.objects.none(),
        empty_label=_("— выберите —"),
        required=False,
    )
    number = forms.CharField(
        label=_("Номер дома"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    building = forms.ChoiceField(label=_("Корпус"), required=False)
    letter = forms.ChoiceField(label=_("Литера"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = "settlement"
        self.house: House | None = None
        self.chosen: dict[str, str] = {}  # field → value of the steps already taken
        self._summary: list[tuple[str, str, str]] = []  # (label, value, step to change it)
        self.house_numbers: list[str] = []
        self.variant_fields = ["building", "letter"]
        self._fixed: dict[str, str] = {}  # корпус or литера that has one value only
        # The choices of each step depend on the steps before it: set them up before
        # the fields are validated.
        settlement = self._raw_settlement()
        street = self._setup_streets(settlement) if settlement else None
        if street is not None:
            self._setup_numbers(street)
            number = self.raw("number")
            if number:
                self._setup_variants(selectors.house_variants(street_id=street.pk, number=number))

    # --- helpers -----------------------------------------------------------------------

    def raw(self, name: str) -> str:
        if not self.is_bound:
            return ""
        return str(self.data.get(self.add_prefix(name)) or "").strip()

    @property
    def submitted_step(self) -> str:
        """The step the page showed when it was submitted (the hidden ``at`` input)."""
        return self.raw("at")

    @property
    def action(self) -> str:
        return self.raw("action") or "next"

    @property
    def at_name(self) -> str:
        return self.add_prefix("at")

    @property
    def action_name(self) -> str:
        return self.add_prefix("action")

    def _raw_settlement(self) -> Settlement | None:
        value = self.raw("settlement")
        return Settlement.objects.filter(pk=value).first() if value.isdigit() else None

    def _setup_streets(self, settlement: Settlement) -> Street | None:
        field = self.fields["street"]
        q = self.raw("street_q")
        shown = [s.pk for s in selectors.streets_matching(settlement_id=settlement.pk, q=q)]
        self.street_matches = len(shown)
        selected = self.raw("street")
        if selected.isdigit():
            shown.append(int(selected))
        # Valid: a street of this settlement; listed: the filtered ones and the chosen one.
        field.queryset = Street.objects.filter(settlement=settlement, pk__in=shown)
        query = urlencode({"step": "street", "settlement": settlement.pk})
        self.fields["street_q"].widget.attrs.update(
            {
                "data-address-lookup": f"{reverse('premises:lookup')}?{query}",
                "data-address-target": self["street"].auto_id or "",
            }
        )
        if not selected.isdigit():
            return None
        return Street.objects.filter(pk=selected, settlement=settlement).first()

    def _setup_numbers(self, street: Street) -> None:
        self.house_numbers = selectors.house_numbers(street_id=street.pk)
        query = urlencode({"step": "house", "street": street.pk})
        attrs = self.fields["number"].widget.attrs
        attrs["data-address-lookup"] = f"{reverse('premises:lookup')}?{query}"
        attrs["list"] = self["number"].auto_id + "_list" if self["number"].auto_id else ""

    def _setup_variants(self, variants: list[House]) -> None:
        buildings = sorted({h.building for h in variants}, key=selectors.fold)
        letters = sorted({h.letter for h in variants}, key=selectors.fold)
        none = str(_("нет"))
        self.fields["building"].choices = [(b, b or none) for b in buildings]
        self.fields["letter"].choices = [(x, x or none) for x in letters]
        self.variant_fields = []
        for name, values in (("building", buildings), ("letter", letters)):
            if len(values) > 1:
                self.variant_fields.append(name)
            elif values:
                self._fixed[name] = values[0]

    def _change_url(self, step: str) -> str:
        """A query string that goes back to ``step`` keeping the steps before it."""
        keep = {}
        for earlier in STEPS[: STEPS.index(step)]:
            for name in FIELDS_OF_STEP.get(earlier, ()):
                if name in self.chosen:
                    keep[self.add_prefix(name)] = self.chosen[name]
        return "?" + urlencode(keep)

    def _missing(self, step: str, field: str, message) -> None:
        """An empty field is an error only when its step was the one submitted."""
        if self.submitted_step == step and self.action == "next":
            self.add_error(field, message)

    # --- the steps ---------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        if self.errors:
            self._step_of_errors()
            return data
        settlement = data.get("settlement")
        if settlement is None:
            self.step = "settlement"
            self._missing("settlement", "settlement", _("Выберите населённый пункт."))
            return data
        self.chosen["settlement"] = str(settlement.pk)
        self._summary.append((_("Населённый пункт"), settlement.name, "settlement"))

        street = data.get("street")
        if street is None or self.action == "filter":
            self.step = "street"
            self._missing("street", "street", _("Выберите улицу из списка."))
            return data
        self.chosen["street"] = str(street.pk)
        self._summary.append((_("Улица"), street.name, "street"))

        number = " ".join(data.get("number", "").split())
        if not number:
            self.step = "number"
            self._missing("number", "number", _("Укажите номер дома."))
            return data
        variants = selectors.house_variants(street_id=street.pk, number=number)
        if not variants:
            self.step = "number"
            self._find(settlement, street, number, "", "")  # says: outside the zone
            return data
        self.chosen["number"] = variants[0].number
        self._summary.append((_("Дом"), variants[0].number, "number"))

        if len(variants) == 1:
            self.house = variants[0]
        elif self.submitted_step not in ("variant", "done"):
            self.step = "variant"
            return data
        else:
            building = self._fixed.get("building", data.get("building", ""))
            letter = self._fixed.get("letter", data.get("letter", ""))
            self.house = self._find(settlement, street, number, building, letter)
            if self.house is None:
                self.step = "variant"
                return data
        self.step = "done"
        if self.house.building:
            self.chosen["building"] = self.house.building
            self._summary.append((_("Корпус"), self.house.building, "variant"))
        if self.house.letter:
            self.chosen["letter"] = self.house.letter
            self._summary.append((_("Литера"), self.house.letter, "variant"))
        return data

    def _find(self, settlement, street, number, building, letter) -> House | None:
        try:
            return selectors.house_find(
                settlement_id=settlement.pk,
                street_id=street.pk,
                number=number,
                building=building,
                letter=letter,
            )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return None

    def _step_of_errors(self) -> None:
        """A field that failed validation sends the picker back to its step."""
        for step in STEPS[:-1]:
            if any(name in self.errors for name in FIELDS_OF_STEP[step]):
                self.step = step
                break
        for step in STEPS[: STEPS.index(self.step)]:
            for name in FIELDS_OF_STEP[step]:
                value = self.raw(name)
                if value and name != "street_q":
                    self.chosen[name] = value

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(label, value, "изменить" link) of the steps already taken."""
        return [(label, value, self._change_url(step)) for label, value, step in self._summary]

    # --- for the template --------------------------------------------------------------

    @property
    def visible_fields_of_step(self) -> list:
        if self.step == "variant":
            return [self[name] for name in self.variant_fields]
        return [self[name] for name in FIELDS_OF_STEP.get(self.step, ())]

    @property
    def hidden_values(self) -> list[tuple[str, str]]:
        """(input name, value) of the steps already taken, carried as hidden inputs."""
        return [(self.add_prefix(name), value) for name, value in self.chosen.items()]

    @property
    def done(self) -> bool:
        return self.step == "done" and self.house is not None
