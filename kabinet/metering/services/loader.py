"""The billing loader: readings the billing system accepted, loaded as accepted
readings of the cabinet; a repeated load changes nothing."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.core.money import period_of
from kabinet.metering.models import Meter, Reading
from kabinet.metering.services.readings import _replace_accepted, _transition

# --- the billing loader -----------------------------------------------------------------


@dataclass
class LoadReport:
    created: int = 0  # new accepted readings
    confirmed: int = 0  # the customer's pending reading, accepted as it was
    unchanged: int = 0  # already there: a repeated load
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)


def _row_period(value) -> date:
    if isinstance(value, datetime):
        return period_of(value.date())
    if isinstance(value, date):
        return period_of(value)
    text = str(value).strip()
    for pattern, build in (
        (r"^(\d{4})-(\d{2})(?:-\d{2})?$", lambda m: date(int(m[1]), int(m[2]), 1)),
        (r"^(?:\d{2}\.)?(\d{2})\.(\d{4})$", lambda m: date(int(m[2]), int(m[1]), 1)),
    ):
        match = re.match(pattern, text)
        if match:
            return build(match)
    raise DomainError(_("Период «%(p)s» не распознан.") % {"p": text}, field="period")


def _load_row(row: Mapping[str, Any]) -> str:
    try:
        meter = Meter.objects.get(account__number=row["account"], number=row["meter"])
    except Meter.DoesNotExist as exc:
        raise DomainError(
            _("Счётчик %(m)s лицевого счёта %(a)s не найден.")
            % {"m": row["meter"], "a": row["account"]},
            field="meter",
        ) from exc
    zone = row.get("zone") or Reading.Zone.TOTAL
    if zone not in meter.zone_codes:
        raise DomainError(_("У счётчика нет зоны «%(z)s».") % {"z": zone}, field="zone")
    period = _row_period(row["period"])
    try:
        value = Decimal(str(row["value"]).replace(",", "."))
    except ArithmeticError as exc:
        raise DomainError(_("Показание не число."), field="value") from exc
    if value < 0:
        raise DomainError(_("Показание не может быть отрицательным."), field="value")
    source = row.get("source") or Reading.Source.BILLING
    if source not in Reading.Source.values:
        raise DomainError(_("Источник «%(s)s» не известен.") % {"s": source}, field="source")
    taken_at = row.get("taken_at") or timezone.now()
    if isinstance(taken_at, date) and not isinstance(taken_at, datetime):
        taken_at = timezone.make_aware(datetime(taken_at.year, taken_at.month, taken_at.day))

    current = (
        Reading.objects.select_for_update()
        .filter(meter=meter, zone=zone, period=period, status=Reading.Status.ACCEPTED)
        .first()
    )
    if current is not None and current.value == value:
        return "unchanged"
    comment = _("загружено из биллинга")
    pending = (
        Reading.objects.select_for_update()
        .filter(meter=meter, zone=zone, period=period, status=Reading.Status.SUBMITTED)
        .first()
    )
    _replace_accepted(meter_id=meter.pk, zone=zone, period=period, user=None, comment=comment)
    if pending is not None and pending.value == value:
        pending = _transition(
            reading=pending, to=Reading.Status.ACCEPTED, user=None, comment=comment
        )
        pending.decided_at = timezone.now()
        pending.save(update_fields=["status", "decided_at"])
        return "confirmed"
    if pending is not None:
        pending = _transition(
            reading=pending, to=Reading.Status.REPLACED, user=None, comment=comment
        )
        pending.save(update_fields=["status"])
    Reading.objects.create(
        meter=meter,
        zone=zone,
        period=period,
        value=value,
        submitted_at=taken_at,
        source=source,
        status=Reading.Status.ACCEPTED,
        decided_at=timezone.now(),
    )
    return "created"


def readings_load_accepted(*, rows: Iterable[Mapping[str, Any]]) -> LoadReport:
    """Load readings the billing system accepted; a repeated load changes nothing.

    A row has ``account`` and ``meter`` (numbers), ``zone`` (default "total"),
    ``period`` (a date, "2026-03" or "03.2026"), ``value``, and optionally ``source``
    and ``taken_at``. A bad row is reported with its number and the good ones are kept.
    A customer's pending reading of the same value becomes the accepted one; another
    accepted or pending value of the period becomes "заменён".
    """
    report = LoadReport()
    for number, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                outcome = _load_row(row)
        except DomainError as exc:
            report.rejected.append((number, str(exc.message)))
            continue
        except (KeyError, TypeError) as exc:
            report.rejected.append((number, _("Нет поля %(f)s.") % {"f": exc}))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
