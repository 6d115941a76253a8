"""Applications in the admin.

Rate tables of the public calculator (002 §4.6.3) are reference data staff keep here:
a table with its rows, amounts typed in roubles and stored as kopecks. Applications and
connection objects are read-only: staff move applications on the staff pages, where
every change goes through the services and writes its history."""

import re
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kabinet.applications.models import Application, ConnectionObject, Rate, RateTable
from kabinet.core.money import from_kopecks, to_kopecks

# (form field, model field, label)
MONEY = (
    ("c1", "c1_kopecks", _("С1, руб. за присоединение")),
    ("per_km", "per_km_kopecks", _("С2–С7, руб. за км линии")),
    ("c8", "c8_kopecks", _("С8, руб. за точку учёта")),
    ("per_unit", "per_unit_kopecks", _("Ставка за кВт (Гкал/ч), руб.")),
)


class RoublesField(forms.DecimalField):
    """Roubles as staff type them: «699,44», «699.44», «1 150 000»."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        return super().to_python(value)


def _rub_field(label):
    return RoublesField(
        label=label, min_value=Decimal("0"), max_digits=14, decimal_places=2, required=False
    )


class RateForm(forms.ModelForm):
    """A row with its amounts in roubles (the model keeps kopecks)."""

    c1 = _rub_field(MONEY[0][2])
    per_km = _rub_field(MONEY[1][2])
    c8 = _rub_field(MONEY[2][2])
    per_unit = _rub_field(MONEY[3][2])

    class Meta:
        model = Rate
        fields = ["voltage", "power_from", "power_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name, model_field, _label in MONEY:
                self.initial[name] = from_kopecks(getattr(self.instance, model_field))

    def clean_voltage(self):
        return (self.cleaned_data.get("voltage") or "").strip().replace(",", ".")

    def clean(self):
        data = super().clean()
        low, high = data.get("power_from"), data.get("power_to")
        if low is not None and high is not None and high <= low:
            self.add_error("power_to", _("Верхняя граница должна быть больше нижней."))
        if low is not None and low < 0:
            self.add_error("power_from", _("Мощность не может быть отрицательной."))
        return data

    def save(self, commit=True):
        for name, model_field, _label in MONEY:
            value = self.cleaned_data.get(name)
            setattr(self.instance, model_field, to_kopecks(value or 0))
        return super().save(commit=commit)


class RateInline(admin.TabularInline):
    model = Rate
    form = RateForm
    extra = 1
    fields = ["voltage", "power_from", "power_to", "c1", "per_km", "c8", "per_unit"]


@admin.register(RateTable)
class RateTableAdmin(admin.ModelAdmin):
    list_display = ["title", "valid_from", "valid_to", "free_distance_m"]
    date_hierarchy = "valid_from"
    search_fields = ["title"]
    inlines = [RateInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "kind",
        "applicant_kind",
        "applicant_name",
        "status",
        "filed_at",
        "due_date",
    ]
    list_filter = ["status", "kind", "applicant_kind"]
    search_fields = ["number", "applicant_name", "object_address", "user__email"]
    exclude = ["data", "check_key"]
    readonly_fields = ["staff_page"]
    list_select_related = ["user"]

    @admin.display(description="")
    def staff_page(self, obj):
        if obj.is_draft:
            return ""
        return format_html(
            '<a href="{}">→ /staff/applications/</a>',
            reverse("applications_staff:detail", args=[obj.uuid]),
        )


@admin.register(ConnectionObject)
class ConnectionObjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "address", "cadastral_number", "user", "created_at"]
    search_fields = ["name", "address", "cadastral_number", "user__email"]
    list_select_related = ["user"]
