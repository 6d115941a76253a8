"""Напоминания о приёме показаний: the day the window opens and two days before it
closes, every customer with an active meter gets a notice (by the channels they chose
for «Приём показаний»), once a month each."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kabinet.core.money import period_of
from kabinet.metering.models import Meter
from kabinet.metering.services.readings import readings_window

CLOSING_NOTICE_DAYS = 2


def readings_window_remind(*, today: date | None = None) -> int:
    """Run daily; does something on the opening day and two days before the close.
    Returns how many customers were notified."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import notify

    today = today or timezone.localdate()
    window = readings_window(today=today)
    if not window.is_open:
        return 0
    if today == window.opens_on:
        step = "open"
        title = _("Приём показаний открыт: передайте их до %(d)s") % {
            "d": date_format(window.closes_on, "j E")
        }
    elif today == window.closes_on - timedelta(days=CLOSING_NOTICE_DAYS):
        step = "closing"
        title = _("Осталось %(n)d дня: передайте показания до %(d)s") % {
            "n": CLOSING_NOTICE_DAYS,
            "d": date_format(window.closes_on, "j E"),
        }
    else:
        return 0
    month = period_of(today)
    # One notice per customer, pointing at the first of their accounts with a meter.
    firsts: dict[int, object] = {}
    for meter in (
        Meter.objects.filter(state=Meter.State.ACTIVE, account__owner__isnull=False)
        .select_related("account__owner")
        .order_by("account__number")
    ):
        firsts.setdefault(meter.account.owner_id, meter.account)
    for account in firsts.values():
        notify(
            user=account.owner,
            kind=Kind.READINGS,
            title=title,
            url=reverse("metering:submit", args=[account.uuid]),
            dedupe_key=f"readings-{month:%Y%m}-{step}",
        )
    return len(firsts)
