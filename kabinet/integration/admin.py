from django.contrib import admin

from kabinet.integration.models import (
    ExportBatch,
    ImportBatch,
    IntegrationCredential,
    RefreshRun,
)


class ReadOnly(admin.ModelAdmin):
    """Read only: made and applied through the staff screens and their services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnly):
    list_display = ["created_at", "kind", "source", "original_name", "status", "total", "rejected"]
    list_filter = ["kind", "status", "source"]


@admin.register(ExportBatch)
class ExportBatchAdmin(ReadOnly):
    list_display = ["created_at", "kind", "date_from", "date_to", "format", "status", "rows"]
    list_filter = ["kind", "status"]


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnly):
    list_display = ["day", "started_at", "finished_at", "status", "forced"]
    list_filter = ["status"]


@admin.register(IntegrationCredential)
class IntegrationCredentialAdmin(ReadOnly):
    """Listed only: made and revoked with ``manage.py integration_credential`` (the token is
    shown once there); the hash is never shown."""

    list_display = ["name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    exclude = ["secret_hash"]

    def has_delete_permission(self, request, obj=None):
        return False
