"""Links to the ИСУ pages from the meter list and the account page, in one query."""

from django import template

from kabinet.metering.interval_models import IntervalSeries

register = template.Library()


@register.simple_tag
def smart_meter_ids(meters) -> set[int]:
    """The pks of those ``meters`` (Meter objects, or rows with a "meter") that have
    interval data: ``{% smart_meter_ids rows as smart %}…{% if m.pk in smart %}``."""
    pks = [getattr(m, "pk", None) or m["meter"].pk for m in meters]
    return set(
        IntervalSeries.objects.filter(meter__in=pks).values_list("meter_id", flat=True).distinct()
    )


@register.simple_tag
def smart_meters_of(account) -> list:
    """The account's meters with interval data, in one query."""
    found = IntervalSeries.objects.filter(meter__account=account).select_related("meter")
    return sorted({s.meter for s in found}, key=lambda m: m.number)
