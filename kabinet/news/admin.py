"""News in the admin: published and corrected through the services."""

from django.contrib import admin

from kabinet.core.errors import DomainError
from kabinet.news import services
from kabinet.news.models import News


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "created_by", "notified_at"]
    list_select_related = ["created_by"]
    search_fields = ["title", "text"]
    date_hierarchy = "published_at"
    fields = ["title", "text", "published_at"]

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("title", "text", "published_at")}
        try:
            if change:
                services.news_update(news=obj, by=request.user, **data)
            else:
                obj.pk = services.news_publish(by=request.user, **data).pk
        except DomainError as exc:
            self.message_user(request, exc.message, level="error")
