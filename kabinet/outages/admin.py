"""Outages in the admin: saved through the services, so a change of dates is kept in
the history and notified exactly as from the staff page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kabinet.core.errors import DomainError
from kabinet.outages import services
from kabinet.outages.models import Outage, OutageEvent, OutageSubscription


class OutageEventInline(admin.TabularInline):
    model = OutageEvent
    extra = 0
    can_delete = False
    fields = [
        "at",
        "action",
        "from_starts_on",
        "from_ends_on",
        "to_starts_on",
        "to_ends_on",
        "by",
        "comment",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OutageAdminForm(forms.ModelForm):
    class Meta:
        model = Outage
        fields = ["house", "kind", "service", "starts_on", "ends_on", "reason", "external_id"]

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError(
                {"ends_on": services.ENDS_BEFORE_START % {"d": f"{starts_on:%d.%m.%Y}"}}
            )
        return data


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    form = OutageAdminForm
    list_display = ["house", "service", "kind", "starts_on", "ends_on", "external_id"]
    list_filter = ["service", "kind", "starts_on"]
    list_select_related = ["house__street__settlement"]
    search_fields = ["house__street__name", "house__number", "reason", "external_id"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["house"]
    inlines = [OutageEventInline]

    def get_readonly_fields(self, request, obj=None):
        # The house and the external code identify an outage: changed only by a new one.
        return ["house", "external_id"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {
            k: form.cleaned_data[k] for k in ("kind", "service", "starts_on", "ends_on", "reason")
        }
        try:
            if change:
                services.outage_update(outage=obj, by=request.user, **data)
            else:
                created = services.outage_create(
                    house=form.cleaned_data["house"],
                    external_id=form.cleaned_data.get("external_id", ""),
                    by=request.user,
                    **data,
                )
                obj.pk = created.pk
        except DomainError as exc:
            # The form's own checks catch what they can; the rest is shown as a message.
            self.message_user(request, exc.message, level="error")

    def save_related(self, request, form, formsets, change):
        # The history rows are written by the services, never from the admin's inline.
        pass


@admin.register(OutageSubscription)
class OutageSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "house", "created_at"]
    list_select_related = ["user", "house__street__settlement"]
    search_fields = ["user__email", "user__phone", "house__street__name", "house__number"]
    readonly_fields = ["user", "house", "created_at"]

    def has_add_permission(self, request):
        return False
