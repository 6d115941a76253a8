from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from kabinet.core.errors import DomainError
from kabinet.metering import services
from kabinet.metering.models import (
    ConsumptionAlert,
    ConsumptionAlertRule,
    DeviceEvent,
    IntervalRevision,
    IntervalSeries,
    Meter,
    MeterEvent,
    Reading,
    ReadingEvent,
    RegisterReading,
)


class MeterForm(forms.ModelForm):
    """Checks through the services before anything is saved, so a refused form shows the
    services' message next to its field and writes nothing."""

    class Meta:
        model = Meter
        fields = ["account", "number", *services.METER_DESCRIPTIVE_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self._errors:
            return cleaned
        if self.instance.pk is None:
            names = ["number", *services.METER_DESCRIPTIVE_FIELDS]
            values = {name: cleaned[name] for name in names if name in cleaned}
            _values, errors = services.meter_check_new(account=cleaned["account"], values=values)
        else:
            changes = {
                name: cleaned[name]
                for name in self.changed_data
                if name in services.METER_DESCRIPTIVE_FIELDS and name in cleaned
            }
            _diff, errors = services.meter_check_changes(meter=self.instance, changes=changes)
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class MeterActionForm(ActionForm):
    removed_on = forms.DateField(
        label=_("Дата снятия с учёта"), required=False, widget=AdminDateWidget
    )
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=300)


class MeterEventInline(admin.TabularInline):
    """The meter's history, read-only: every row is written by a service."""

    model = MeterEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "by", "changes_shown", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("изменения"))
    def changes_shown(self, event: MeterEvent):
        rows = []
        for name, (old, new) in (event.changes or {}).items():
            try:
                label = Meter._meta.get_field(name).verbose_name
            except FieldDoesNotExist:  # a field since renamed: show its name
                label = name
            rows.append((label, old or "—", new or "—"))
        return format_html_join("", "<div>{}: {} → {}</div>", rows) or "—"


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    """Meters are registered, edited, removed and restored through the services; each
    writes a MeterEvent. They are never deleted: their history and readings stay."""

    form = MeterForm
    list_display = ["number", "model_name", "account", "zones", "verified_until", "state"]
    list_filter = ["state", "zones"]
    search_fields = ["number", "account__number"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]
    inlines = [MeterEventInline]
    action_form = MeterActionForm
    actions = ["remove", "restore"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["state", "removed_on"]
        # The number and the account name the meter; meter_update does not change them.
        return ["account", "number", "state", "removed_on"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {
                name: data[name]
                for name in form.changed_data
                if name in services.METER_DESCRIPTIVE_FIELDS
            }
            meter = services.meter_update(by=request.user, meter=obj, **changes)
        else:
            meter = services.meter_register(
                by=request.user,
                account=data["account"],
                number=data["number"],
                **{name: data[name] for name in services.METER_DESCRIPTIVE_FIELDS if name in data},
            )
        # The admin goes on with ``obj`` (its log entry, the redirect): make it the saved row.
        for f in Meter._meta.concrete_fields:
            setattr(obj, f.attname, getattr(meter, f.attname))
        obj._state.adding = False
        obj._state.db = meter._state.db

    def _each(self, request, queryset, do, done_message):
        done = 0
        for meter in queryset:
            try:
                do(meter)
            except DomainError as exc:
                self.message_user(request, f"{meter}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Снять с учёта (укажите дату снятия)"), permissions=["change"])
    def remove(self, request, queryset):
        try:
            removed_on = forms.DateField(required=True).clean(request.POST.get("removed_on"))
        except ValidationError:
            self.message_user(
                request,
                _("Укажите дату снятия с учёта в виде ДД.ММ.ГГГГ."),
                messages.ERROR,
            )
            return
        comment = request.POST.get("comment", "")
        self._each(
            request,
            queryset,
            lambda m: services.meter_remove(
                by=request.user, meter=m, removed_on=removed_on, comment=comment
            ),
            _("Снято с учёта приборов: %(n)s."),
        )

    @admin.action(description=_("Вернуть в работу"), permissions=["change"])
    def restore(self, request, queryset):
        comment = request.POST.get("comment", "")
        self._each(
            request,
            queryset,
            lambda m: services.meter_restore(by=request.user, meter=m, comment=comment),
            _("Возвращено в работу приборов: %(n)s."),
        )


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


# --- interval (smart metering) data: read-only, written by services.intervals ----------


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntervalSeries)
class IntervalSeriesAdmin(_ReadOnlyAdmin):
    list_display = ["uuid", "meter", "unit", "building_meter", "channel", "step_minutes",
                    "unit_label", "last_value_at"]  # fmt: skip
    list_filter = ["channel", "step_minutes"]
    search_fields = ["meter__number", "unit__number", "building_meter__number"]
    list_select_related = ["meter", "unit", "building_meter"]
    raw_id_fields = ["meter", "unit", "building_meter"]


@admin.register(IntervalRevision)
class IntervalRevisionAdmin(_ReadOnlyAdmin):
    list_display = ["series", "day", "slot", "old_value", "new_value", "new_estimated",
                    "source", "replaced_at"]  # fmt: skip
    list_filter = ["source"]
    raw_id_fields = ["series", "batch"]
    date_hierarchy = "replaced_at"


@admin.register(RegisterReading)
class RegisterReadingAdmin(_ReadOnlyAdmin):
    list_display = ["meter", "day", "register", "zone", "value", "source"]
    list_filter = ["register", "zone"]
    search_fields = ["meter__number"]
    raw_id_fields = ["meter"]
    date_hierarchy = "day"


@admin.register(DeviceEvent)
class DeviceEventAdmin(_ReadOnlyAdmin):
    list_display = ["occurred_at", "code", "severity", "meter", "unit", "building_meter", "text"]
    list_filter = ["severity", "code"]
    search_fields = ["meter__number", "unit__number", "building_meter__number", "text"]
    raw_id_fields = ["meter", "unit", "building_meter"]
    date_hierarchy = "occurred_at"


@admin.register(ConsumptionAlertRule)
class ConsumptionAlertRuleAdmin(_ReadOnlyAdmin):
    list_display = ["user", "series", "kind", "monthly_limit", "night_factor", "silent_hours",
                    "enabled"]  # fmt: skip
    list_filter = ["kind", "enabled"]
    raw_id_fields = ["user", "series"]


@admin.register(ConsumptionAlert)
class ConsumptionAlertAdmin(_ReadOnlyAdmin):
    list_display = ["rule", "kind", "period", "value", "threshold", "notified_at"]
    list_filter = ["kind"]
    raw_id_fields = ["rule"]
