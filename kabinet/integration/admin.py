from django.contrib import admin

from kabinet.integration.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read only: batches are made and applied through the staff screens."""

    list_display = ["created_at", "kind", "original_name", "status", "total", "rejected"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
