"""``{% last_refresh %}``: «Данные обновлены 23.11.2026 в 19:00» — when data last came
from the billing system by the daily refresh; nothing when it never has."""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("integration/refresh_last.html")
def last_refresh():
    from kabinet.integration.refresh import last_refresh_at

    at = last_refresh_at()
    return {"refreshed_at": timezone.localtime(at) if at else None}
