from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from kabinet.core.errors import DomainError
from kabinet.metering import services
from kabinet.metering.models import Meter, Reading, ReadingEvent


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ["number", "model_name", "account", "zones", "verified_until", "state"]
    list_filter = ["state", "zones"]
    search_fields = ["number", "account__number"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]


class ReadingActionForm(ActionForm):
    reason = forms.CharField(label=_("Причина отклонения"), required=False, max_length=300)


class ReadingEventInline(admin.TabularInline):
    model = ReadingEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    """Readings are read-only here; the actions accept or reject them through services."""

    list_display = [
        "period", "meter", "zone", "value", "source", "status", "submitted_at", "submitted_by",
    ]  # fmt: skip
    list_filter = ["status", "source", "period"]
    search_fields = ["meter__number", "meter__account__number"]
    list_select_related = ["meter", "submitted_by"]
    readonly_fields = [
        "meter", "zone", "period", "value", "submitted_at", "source", "status",
        "reject_reason", "submitted_by", "decided_by", "decided_at",
    ]  # fmt: skip
    inlines = [ReadingEventInline]
    action_form = ReadingActionForm
    actions = ["accept", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, do, done_message):
        done = 0
        for reading in queryset:
            try:
                do(reading)
            except DomainError as exc:
                self.message_user(request, f"{reading}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Принять выбранные показания"))
    def accept(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.reading_accept(user=request.user, reading=r),
            _("Принято показаний: %(n)s."),
        )

    @admin.action(description=_("Отклонить выбранные показания (укажите причину)"))
    def reject(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._each(
            request,
            queryset,
            lambda r: services.reading_reject(user=request.user, reading=r, reason=reason),
            _("Отклонено показаний: %(n)s."),
        )
