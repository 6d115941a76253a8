"""«Счётчики ИСУ без данных»: smart meters, heat units (КУУТЭ) and building meters (ОДПУ)
whose interval archive stopped filling, for the billing specialist.

A device is silent when none of its series got a value for ``SILENT_HOURS`` (or never
did). A device has several series (channels, hourly and daily), so the list shows one row
per device: its freshest series (window functions over the device). The list is one
query, the count one aggregate query, whatever the number of devices."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F, Max, Min, Q, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.contracts.models import MeteringUnit
from kabinet.metering.interval_models import IntervalSeries
from kabinet.metering.models import Meter

SILENT_HOURS = 48
LIST_LIMIT = 100
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

_DEVICE = [F("meter_id"), F("unit_id"), F("building_meter_id")]


def _in_service():
    """Series of devices in service: a removed meter or a unit taken out is silent on
    purpose."""
    return IntervalSeries.objects.exclude(meter__state=Meter.State.REMOVED).exclude(
        unit__state=MeteringUnit.State.OUT
    )


def silent_devices_count(*, now: datetime | None = None) -> int:
    """How many devices are silent: one aggregate query (a count over the devices
    grouped, so it stays linear in the number of series)."""
    cutoff = (now or timezone.now()) - timedelta(hours=SILENT_HOURS)
    return (
        _in_service()
        .values("meter_id", "unit_id", "building_meter_id")
        .annotate(last=Max("last_value_at"))
        .filter(Q(last__lt=cutoff) | Q(last__isnull=True))
        .count()
    )


@dataclass
class SilentDevice:
    series: IntervalSeries
    last_at: datetime | None  # the device's last value, None: never
    silent_for: timedelta  # since the last value, or since the series appeared

    @property
    def device(self):
        return self.series.parent

    @property
    def kind(self) -> str:
        """What the device is, as the list names it."""
        if self.series.meter_id:
            return _("счётчик")
        return _("КУУТЭ") if self.series.unit_id else self.series.building_meter.get_kind_display()

    @property
    def number(self) -> str:
        return self.device.number

    @property
    def holder(self) -> str:
        """The account (a flat's meter), the contract (a КУУТЭ) or the supply contract
        (an ОДПУ), as the billing specialist searches for it."""
        s = self.series
        if s.meter_id:
            return s.meter.account.number
        if s.unit_id:
            return s.unit.contract.number
        return s.building_meter.contract_number

    @property
    def address(self) -> str:
        s = self.series
        if s.meter_id:
            premises = s.meter.account.premises
            return premises.address if premises else ""
        if s.unit_id:
            return s.unit.supply_object.address
        return s.building_meter.location or s.building_meter.house.address

    @property
    def url(self) -> str:
        s = self.series
        if s.meter_id:
            return reverse("metering:smart", args=[s.meter.uuid])
        if s.unit_id:
            return reverse("metering:unit_archive", args=[s.unit.uuid])
        return reverse("metering:building_meter_archive", args=[s.building_meter_id])

    @property
    def silent_days(self) -> int:
        return self.silent_for.days

    @property
    def silent_hours(self) -> int:
        return self.silent_for.seconds // 3600


def silent_devices(*, now: datetime | None = None, limit: int = LIST_LIMIT) -> list[SilentDevice]:
    """The silent devices, the longest silence first (never reported before any), at
    most ``limit``: one query, whatever the number of devices and series."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=SILENT_HOURS)
    rows = (
        _in_service()
        .select_related(
            "meter__account__premises__house__street__settlement",
            "unit__contract",
            "unit__supply_object",
            "building_meter__house__street__settlement",
        )
        .annotate(
            device_last=Window(Max("last_value_at"), partition_by=_DEVICE),
            # never reported counts as the oldest (a window cannot be filtered with OR)
            device_last_or_never=Coalesce(
                Window(Max("last_value_at"), partition_by=_DEVICE), Value(NEVER)
            ),
            device_since=Coalesce(
                Window(Max("last_value_at"), partition_by=_DEVICE),
                Window(Min("created_at"), partition_by=_DEVICE),
            ),
            place=Window(
                RowNumber(),
                partition_by=_DEVICE,
                order_by=[F("last_value_at").desc(nulls_last=True), F("id").asc()],
            ),
        )
        .filter(place=1, device_last_or_never__lt=cutoff)
        .order_by("device_since", "id")[:limit]
    )
    return [SilentDevice(s, s.device_last, now - s.device_since) for s in rows]
