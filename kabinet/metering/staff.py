"""«Показания на проверке»: the billing specialist's queue of readings customers sent
that the billing system has not taken yet, with what the portal's own check says about
each, and accepting or rejecting right from the queue."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.metering import services
from kabinet.metering.models import Reading
from kabinet.metering.selectors_silent import (
    LIST_LIMIT,
    SILENT_HOURS,
    silent_devices,
    silent_devices_count,
)

# The checks of the customer's form that staff should look at again.
REMARKS = {"lower", "confirm"}

SORTS = {
    "due": (gettext_lazy("по сроку"), ["period", "submitted_at"]),
    "new": (gettext_lazy("сначала новые"), ["-submitted_at"]),
    "account": (gettext_lazy("по лицевому счёту"), ["meter__account__number", "meter__number"]),
}


def reading_due(period: date) -> date:
    """A reading of a month is checked by the month's last day: the billing system
    closes the month then (docs/decisions.md, «Показания на проверке»)."""
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


@dataclass
class QueueItem:
    reading: Reading
    due: date
    days_left: int
    consumption: Decimal | None
    remarks: list[str]

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def _queue_items(readings: list[Reading], today: date) -> list[QueueItem]:
    """Each reading with the same check the customer's form runs (lower than the last
    accepted one, a jump over the usual consumption): two queries per period."""
    by_period: dict[date, list[Reading]] = defaultdict(list)
    for reading in readings:
        by_period[reading.period].append(reading)
    checked = {}
    for period, group in by_period.items():
        values: dict = defaultdict(dict)
        for reading in group:
            values[reading.meter][reading.zone] = reading.value
        for item in services.readings_check(meters_values=values, period=period):
            checked[(item.meter.pk, item.zone, period)] = item
    items = []
    for reading in readings:
        due = reading_due(reading.period)
        item = checked.get((reading.meter_id, reading.zone, reading.period))
        items.append(
            QueueItem(
                reading=reading,
                due=due,
                days_left=(due - today).days,
                consumption=item.consumption if item else None,
                remarks=[
                    e.message
                    for e in (item.errors if item else [])
                    if e.code in {"lower", "confirm"}
                ],
            )
        )
    return items


@staff_required(roles.BILLING)
def readings_queue_view(request):
    sort = request.GET.get("sort", "due")
    if sort not in SORTS:
        sort = "due"
    only_remarks = request.GET.get("remarks") == "1"
    pending = Reading.objects.filter(status=Reading.Status.SUBMITTED).select_related(
        "meter__account__premises", "submitted_by"
    )
    today = timezone.localdate()
    rows = list(pending.order_by(*SORTS[sort][1]))
    items = _queue_items(rows, today)
    if only_remarks:
        items = [i for i in items if i.remarks]
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "metering/staff_queue.html",
        {
            "page": page,
            "items": page.object_list,
            "total": len(rows),
            "overdue": sum(1 for i in items if i.days_left < 0),
            "sorts": [(key, label) for key, (label, _order) in SORTS.items()],
            "sort": sort,
            "only_remarks": only_remarks,
            # «Счётчики ИСУ без данных»: one query for the list, one for the count.
            "silent": silent_devices(now=now),
            "silent_total": silent_devices_count(now=now),
            "silent_hours": SILENT_HOURS,
            "silent_limit": LIST_LIMIT,
        },
    )


def _back(request):
    """Back to the queue as it was sorted and filtered."""
    keep = {k: request.POST[k] for k in ("sort", "remarks", "page") if request.POST.get(k)}
    url = reverse("metering_staff:queue")
    return redirect(f"{url}?{urlencode(keep)}" if keep else url)


@staff_required(roles.BILLING)
@require_POST
def reading_accept_view(request, pk):
    reading = get_object_or_404(Reading, pk=pk)
    try:
        services.reading_accept(user=request.user, reading=reading)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Показание %(r)s принято.") % {"r": reading})
    return _back(request)


@staff_required(roles.BILLING)
@require_POST
def reading_reject_view(request, pk):
    reading = get_object_or_404(Reading, pk=pk)
    try:
        services.reading_reject(
            user=request.user, reading=reading, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Показание %(r)s отклонено.") % {"r": reading})
    return _back(request)


@staff_required(roles.BILLING)
@require_POST
def readings_accept_many_view(request):
    """«Принять отмеченные»: each reading in its own transaction, so one that another
    specialist decided meanwhile does not stop the rest."""
    ids = [int(x) for x in request.POST.getlist("reading") if x.isdigit()]
    accepted, failed = 0, []
    for reading in Reading.objects.filter(pk__in=ids, status=Reading.Status.SUBMITTED):
        try:
            services.reading_accept(user=request.user, reading=reading)
        except DomainError as exc:
            failed.append(f"{reading}: {exc.message}")
        else:
            accepted += 1
    if not ids:
        messages.error(request, _("Отметьте показания, которые нужно принять."))
    elif accepted:
        messages.success(request, _("Принято показаний: %(n)s.") % {"n": accepted})
    for line in failed:
        messages.error(request, line)
    return _back(request)
