from django.contrib import admin

from kabinet.integration.models import ExportBatch, ImportBatch, RefreshRun


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
