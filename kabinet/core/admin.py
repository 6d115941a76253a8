from django.contrib import admin

from kabinet.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the journal is written by services and never edited."""

    list_display = ["at", "actor_label", "action", "target_label"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label", "action", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
