"""Индивидуальные приборы учёта (ИПУ) of personal accounts and their readings.

A meter has one, two or three tariff zones (сутки; день/ночь; пик/полупик/ночь) and
gets one reading per zone per period. Readings come from the customer, the management
company (ИКУ), the grid company, a check visit or the billing system; only accepted
readings count for consumption. Every write goes through ``services``.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.core.access import OwnedQuerySet
from kabinet.customer_accounts.models import PersonalAccount


class MeterQuerySet(OwnedQuerySet):
    owner_lookup = "account__owner"


class Meter(models.Model):
    """Прибор учёта (счётчик) of a personal account."""

    class Zones(models.TextChoices):
        SINGLE = "single", _("сутки")
        TWO = "two", _("день/ночь")
        THREE = "three", _("пик/полупик/ночь")

    class State(models.TextChoices):
        ACTIVE = "active", _("в работе")
        REMOVED = "removed", _("снят с учёта")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        PersonalAccount,
        on_delete=models.CASCADE,
        related_name="meters",
        verbose_name=_("лицевой счёт"),
    )
    number = models.CharField(_("заводской номер"), max_length=64)
    model_name = models.CharField(_("тип счётчика"), max_length=100, blank=True)
    service = models.CharField(_("услуга"), max_length=100, blank=True)
    unit = models.CharField(_("единица"), max_length=16, default="кВт·ч")
    zones = models.CharField(
        _("тарифные зоны"), max_length=8, choices=Zones.choices, default=Zones.SINGLE
    )
    digits = models.PositiveSmallIntegerField(_("разрядность (знаков до запятой)"), default=6)
    decimals = models.PositiveSmallIntegerField(_("знаков после запятой"), default=0)
    coefficient = models.DecimalField(
        _("расчётный коэффициент"), max_digits=10, decimal_places=4, default=Decimal(1)
    )
    installed_on = models.DateField(_("дата установки"), null=True, blank=True)
    verified_until = models.DateField(_("дата следующей поверки"), null=True, blank=True)
    state = models.CharField(
        _("состояние"), max_length=8, choices=State.choices, default=State.ACTIVE
    )
    removed_on = models.DateField(_("снят с учёта"), null=True, blank=True)

    objects = MeterQuerySet.as_manager()

    class Meta:
        ordering = ["account", "number"]
        verbose_name = _("прибор учёта")
        verbose_name_plural = _("приборы учёта")
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="meter_unique_in_account"),
            models.CheckConstraint(
                condition=Q(digits__gte=1, digits__lte=12), name="meter_digits_range"
            ),
            models.CheckConstraint(condition=Q(decimals__lte=4), name="meter_decimals_range"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}" + (f" — {self.model_name}" if self.model_name else "")

    @property
    def zone_codes(self) -> list[str]:
        """The zones this meter is read in, in the order they are shown."""
        return ZONES_OF[self.zones]

    @property
    def is_removed(self) -> bool:
        return self.state == self.State.REMOVED

    @property
    def modulus(self) -> int:
        """10 ** digits: the value after which the counter rolls over to zero."""
        return 10**self.digits

    def verification_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.verified_until is not None and self.verified_until < today


class ReadingQuerySet(OwnedQuerySet):
    owner_lookup = "meter__account__owner"

    def accepted(self):
        return self.filter(status=Reading.Status.ACCEPTED)


class Reading(models.Model):
    """Показание прибора учёта for one zone and one period."""

    class Zone(models.TextChoices):
        TOTAL = "total", _("сутки")
        DAY = "day", _("день")
        NIGHT = "night", _("ночь")
        PEAK = "peak", _("пик")
        HALF_PEAK = "half_peak", _("полупик")

    class Source(models.TextChoices):
        CUSTOMER = "customer", _("потребитель")
        IKU = "iku", _("исполнитель коммунальных услуг")
        GRID = "grid", _("сетевая компания")
        INSPECTION = "inspection", _("контрольный обход")
        BILLING = "billing", _("биллинг")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("передан")
        ACCEPTED = "accepted", _("принят")
        REJECTED = "rejected", _("отклонён")
        REPLACED = "replaced", _("заменён")

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings")
    zone = models.CharField(_("зона суток"), max_length=10, choices=Zone.choices)
    period = models.DateField(_("период"))
    value = models.DecimalField(_("показание"), max_digits=17, decimal_places=4)
    submitted_at = models.DateTimeField(_("дата показания"), default=timezone.now)
    source = models.CharField(
        _("источник показания"), max_length=12, choices=Source.choices, default=Source.CUSTOMER
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    reject_reason = models.CharField(_("причина отклонения"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("передал"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("рассмотрел"),
    )
    decided_at = models.DateTimeField(_("рассмотрено"), null=True, blank=True)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "meter", "zone", "-submitted_at"]
        verbose_name = _("показание")
        verbose_name_plural = _("показания")
        indexes = [models.Index(fields=["meter", "zone", "status", "period"])]
        constraints = [
            # One accepted and one pending reading per meter, zone and period; older
            # ones are "заменён" and kept.
            models.UniqueConstraint(
                fields=["meter", "zone", "period"],
                condition=Q(status="accepted"),
                name="reading_one_accepted",
            ),
            models.UniqueConstraint(
                fields=["meter", "zone", "period"],
                condition=Q(status="submitted"),
                name="reading_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.get_zone_display()} {self.period:%m.%Y}: {self.value}"


class ReadingEvent(models.Model):
    """A move of a reading between statuses: who, when, from, to and why."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=Reading.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Reading.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("изменение статуса показания")
        verbose_name_plural = _("история статусов показаний")

    def __str__(self) -> str:
        return f"{self.reading_id}: {self.from_status} → {self.to_status}"


class MeterEvent(models.Model):
    """A change of a meter: registration, an edit (old and new values), a new поверка,
    removal from metering or a return to work; who, when and why."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("зарегистрирован")
        CHANGED = "changed", _("изменён")
        VERIFIED = "verified", _("поверен")
        REMOVED = "removed", _("снят с учёта")
        RESTORED = "restored", _("возвращён в работу")

    meter = models.ForeignKey(
        Meter, on_delete=models.CASCADE, related_name="events", verbose_name=_("прибор учёта")
    )
    action = models.CharField(_("действие"), max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(_("когда"), default=timezone.now)
    # {field: [old, new]}, both as strings ("" for empty).
    changes = models.JSONField(_("изменения"), default=dict, blank=True)
    comment = models.CharField(_("комментарий"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("изменение прибора учёта")
        verbose_name_plural = _("история приборов учёта")

    def __str__(self) -> str:
        return f"{self.meter_id}: {self.get_action_display()}"


ZONES_OF: dict[str, list[str]] = {
    Meter.Zones.SINGLE: [Reading.Zone.TOTAL],
    Meter.Zones.TWO: [Reading.Zone.DAY, Reading.Zone.NIGHT],
    Meter.Zones.THREE: [Reading.Zone.PEAK, Reading.Zone.HALF_PEAK, Reading.Zone.NIGHT],
}


# Interval (smart metering) models live in their own module; imported here so Django
# finds them as metering models.
from kabinet.metering.interval_models import (  # noqa: E402, F401
    AlertKind,
    Channel,
    ConsumptionAlert,
    ConsumptionAlertRule,
    DeviceEvent,
    IntervalDay,
    IntervalRevision,
    IntervalSeries,
    RegisterReading,
)
