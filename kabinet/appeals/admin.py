"""Appeals in the admin, read-only: staff answer and move them on the staff pages, so
every change goes through the services and writes its history."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from kabinet.appeals.models import Appeal, AppealEvent, Attachment, Message


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    fields = ["at", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "topic", "status", "user", "account", "created_at", "answer_due"]
    list_filter = ["status", "topic"]
    search_fields = ["user__email", "user__phone", "account__number", "about"]
    readonly_fields = ["staff_page"]
    inlines = [AppealEventInline]

    @admin.display(description="")
    def staff_page(self, obj):
        return format_html(
            '<a href="{}">→ /staff/appeals/</a>', reverse("appeals_staff:detail", args=[obj.uuid])
        )


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["download", "content_type", "size", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="файл")
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("appeals:attachment", args=[obj.uuid]), obj.name
        )


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "from_staff", "created_at"]
    list_filter = ["from_staff"]
    exclude = ["text"]
    readonly_fields = ["conversation", "author", "from_staff", "created_at", "text_shown"]
    inlines = [AttachmentInline]

    @admin.display(description="текст")
    def text_shown(self, obj):
        return obj.text
