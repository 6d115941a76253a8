"""Online payments in the admin: read-only; every change goes through services."""

from django.contrib import admin

from kabinet.payments.models import (
    Autopay,
    OnlinePayment,
    PaymentEvent,
    PaymentPart,
    ProviderEvent,
    SavedCard,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartInline(admin.TabularInline):
    model = PaymentPart
    extra = 0
    fields = ["account", "purpose", "amount_kopecks"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(PartInline):
    model = PaymentEvent
    fields = ["at", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "method", "amount_kopecks", "status", "provider"]
    list_filter = ["status", "method", "provider"]
    search_fields = ["provider_payment_id", "user__email", "parts__account__number"]
    inlines = [PartInline, EventInline]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event", "object_id", "remote_addr", "outcome"]
    list_filter = ["provider", "event"]
    search_fields = ["object_id"]


@admin.register(SavedCard)
class SavedCardAdmin(ReadOnlyAdmin):
    list_display = ["user", "title", "created_at", "deleted_at"]


@admin.register(Autopay)
class AutopayAdmin(ReadOnlyAdmin):
    list_display = ["account", "user", "day", "ceiling_kopecks", "status", "valid_until"]
    list_filter = ["status"]
