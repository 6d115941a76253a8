"""Interval (smart metering, ИСУ) data: hourly and daily archives of electricity meters,
heat metering units (КУУТЭ) and building meters (ОДПУ), register profiles, device event
logs and consumption alerts. Layout and reasons: ``docs/intervals.md``.

Values are stored as integers scaled by ``10 ** series.scale`` (e.g. kWh with scale 3 are
stored in Wh), one ``IntervalDay`` row per series and local day with 24 slots. A missing
hour is ``None``, never 0. Every write goes through ``services.intervals``.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.core.access import OwnedQuerySet
from kabinet.metering.fields import HourValuesField

# Hours 00:00–05:59 are "night" for the night-load alert (slots 0..5).
NIGHT_SLOTS = range(0, 6)


class Channel(models.TextChoices):
    """What a series measures. Electricity: energy by direction; heat: the unit's archive."""

    A_IMP = "a_imp", _("A+ активная энергия, приём")
    A_EXP = "a_exp", _("A− активная энергия, отдача")
    R_IMP = "r_imp", _("R+ реактивная энергия, приём")
    R_EXP = "r_exp", _("R− реактивная энергия, отдача")
    Q_GCAL = "q_gcal", _("Q тепловая энергия")
    M1_T = "m1_t", _("M1 масса теплоносителя, подающий трубопровод")
    M2_T = "m2_t", _("M2 масса теплоносителя, обратный трубопровод")
    V1_M3 = "v1_m3", _("V1 объём теплоносителя, подающий трубопровод")
    V2_M3 = "v2_m3", _("V2 объём теплоносителя, обратный трубопровод")
    T1_C = "t1_c", _("T1 температура, подающий трубопровод")
    T2_C = "t2_c", _("T2 температура, обратный трубопровод")
    HOURS_OK = "hours_ok", _("время нормальной работы")
    HOURS_OUT = "hours_out", _("время простоя")


ELECTRIC_CHANNELS = frozenset({Channel.A_IMP, Channel.A_EXP, Channel.R_IMP, Channel.R_EXP})
ACTIVE_CHANNELS = frozenset({Channel.A_IMP, Channel.A_EXP})
REACTIVE_CHANNELS = frozenset({Channel.R_IMP, Channel.R_EXP})
# Channels whose slot values add up over a day (energy, mass, volume, hours); temperatures
# are averaged instead.
ADDITIVE_CHANNELS = frozenset(set(Channel) - {Channel.T1_C, Channel.T2_C})

# channel -> (unit label, scale = decimal places kept)
CHANNEL_DEFAULTS: dict[str, tuple[str, int]] = {
    Channel.A_IMP: ("кВт·ч", 3),
    Channel.A_EXP: ("кВт·ч", 3),
    Channel.R_IMP: ("квар·ч", 3),
    Channel.R_EXP: ("квар·ч", 3),
    Channel.Q_GCAL: ("Гкал", 4),
    Channel.M1_T: ("т", 3),
    Channel.M2_T: ("т", 3),
    Channel.V1_M3: ("м³", 3),
    Channel.V2_M3: ("м³", 3),
    Channel.T1_C: ("°C", 2),
    Channel.T2_C: ("°C", 2),
    Channel.HOURS_OK: ("ч", 2),
    Channel.HOURS_OUT: ("ч", 2),
}


class IntervalSeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever sees the parent sees the series: a flat's meter (its account's owner),
        a КУУТЭ (whoever sees the contract), an ОДПУ (the house's followers); staff all."""
        from kabinet.contracts.models import MeteringUnit
        from kabinet.metering.models import Meter
        from kabinet.premises.models import House

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(meter__in=Meter.objects.visible_to(user).values("pk"))
            | Q(unit__in=MeteringUnit.objects.visible_to(user).values("pk"))
            | Q(building_meter__house__in=House.objects.visible_to(user).values("pk"))
        )


class IntervalSeries(models.Model):
    """One channel of one device at one step (hourly or daily archive)."""

    class Step(models.IntegerChoices):
        HOUR = 60, _("час")
        DAY = 1440, _("сутки")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meter = models.ForeignKey(
        "metering.Meter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interval_series",
        verbose_name=_("прибор учёта"),
    )
    unit = models.ForeignKey(
        "contracts.MeteringUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interval_series",
        verbose_name=_("КУУТЭ"),
    )
    building_meter = models.ForeignKey(
        "premises.BuildingMeter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interval_series",
        verbose_name=_("ОДПУ"),
    )
    channel = models.CharField(_("канал"), max_length=10, choices=Channel.choices)
    unit_label = models.CharField(_("единица"), max_length=12)
    scale = models.PositiveSmallIntegerField(_("знаков после запятой"), default=3)
    step_minutes = models.PositiveSmallIntegerField(
        _("интервал, мин"), choices=Step.choices, default=Step.HOUR
    )
    source = models.CharField(_("источник"), max_length=40, blank=True)
    last_value_at = models.DateTimeField(_("последнее значение"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    objects = IntervalSeriesQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("ряд интервальных данных")
        verbose_name_plural = _("ряды интервальных данных")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(meter__isnull=False, unit__isnull=True, building_meter__isnull=True)
                    | Q(meter__isnull=True, unit__isnull=False, building_meter__isnull=True)
                    | Q(meter__isnull=True, unit__isnull=True, building_meter__isnull=False)
                ),
                name="interval_series_one_parent",
            ),
            models.CheckConstraint(
                condition=Q(step_minutes__in=[60, 1440]), name="interval_series_step"
            ),
            models.CheckConstraint(condition=Q(scale__lte=6), name="interval_series_scale"),
            models.UniqueConstraint(
                fields=["meter", "channel", "step_minutes"], name="interval_series_meter_once"
            ),
            models.UniqueConstraint(
                fields=["unit", "channel", "step_minutes"], name="interval_series_unit_once"
            ),
            models.UniqueConstraint(
                fields=["building_meter", "channel", "step_minutes"],
                name="interval_series_bm_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent} {self.get_channel_display()} ({self.get_step_minutes_display()})"

    @property
    def parent(self):
        return self.meter or self.unit or self.building_meter

    @property
    def is_electric(self) -> bool:
        return self.channel in ELECTRIC_CHANNELS

    @property
    def is_additive(self) -> bool:
        return self.channel in ADDITIVE_CHANNELS

    @property
    def slots_per_day(self) -> int:
        return 24 if self.step_minutes == self.Step.HOUR else 1

    @property
    def factor(self) -> int:
        return 10**self.scale

    def to_decimal(self, stored: int | None) -> Decimal | None:
        """A stored integer as a Decimal in the series' unit (None stays None)."""
        if stored is None:
            return None
        return Decimal(stored).scaleb(-self.scale)

    def to_stored(self, value) -> int:
        """A value in the series' unit (Decimal, int, str or float) as the stored integer."""
        return int((Decimal(str(value)) * self.factor).to_integral_value())


class IntervalDay(models.Model):
    """One series over one local day: 24 hourly slots (a daily series uses slot 0).

    Slot h is the hour that starts at h:00 local time (Russian zones have no DST, so a day
    always has 24 hours). On PostgreSQL the table is partitioned by month of ``day``."""

    pk = models.CompositePrimaryKey("series", "day")
    series = models.ForeignKey(
        IntervalSeries, on_delete=models.CASCADE, related_name="days", db_index=False
    )
    day = models.DateField(_("дата"))
    values = HourValuesField(_("значения"))
    # bit h set = slot h is an estimate (оценка), not a measured value
    estimated_mask = models.IntegerField(_("оценочные часы"), default=0)
    total = models.BigIntegerField(_("сумма"), default=0)
    present = models.SmallIntegerField(_("часов с данными"), default=0)
    night_total = models.BigIntegerField(_("сумма 00–06"), default=0)
    updated_at = models.DateTimeField(_("изменено"), default=timezone.now)

    class Meta:
        ordering = ["series", "day"]
        verbose_name = _("сутки интервальных данных")
        verbose_name_plural = _("сутки интервальных данных")

    def __str__(self) -> str:
        return f"{self.series_id} {self.day:%d.%m.%Y}"

    def recompute(self) -> None:
        """Fill ``total``, ``present`` and ``night_total`` from ``values``."""
        present = [v for v in self.values if v is not None]
        self.present = len(present)
        self.total = sum(present)
        self.night_total = sum(self.values[h] or 0 for h in NIGHT_SLOTS)

    def is_estimated(self, slot: int) -> bool:
        return bool(self.estimated_mask >> slot & 1)


class IntervalRevision(models.Model):
    """A replaced slot value: kept so a correction can be traced (old → new)."""

    series = models.ForeignKey(IntervalSeries, on_delete=models.CASCADE, related_name="revisions")
    day = models.DateField(_("дата"))
    slot = models.PositiveSmallIntegerField(_("час"))
    old_value = models.IntegerField(_("было"), null=True, blank=True)
    old_estimated = models.BooleanField(_("было оценкой"), default=False)
    new_value = models.IntegerField(_("стало"), null=True, blank=True)
    new_estimated = models.BooleanField(_("стало оценкой"), default=False)
    source = models.CharField(_("источник"), max_length=40, blank=True)
    batch = models.ForeignKey(
        "integration.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("пакет загрузки"),
    )
    replaced_at = models.DateTimeField(_("заменено"), default=timezone.now)

    class Meta:
        ordering = ["series", "day", "slot", "replaced_at", "id"]
        verbose_name = _("исправление интервальных данных")
        verbose_name_plural = _("исправления интервальных данных")
        indexes = [models.Index(fields=["series", "day"], name="interval_rev_series_day")]
        constraints = [
            models.CheckConstraint(condition=Q(slot__lte=23), name="interval_rev_slot"),
        ]

    def __str__(self) -> str:
        change = f"{self.old_value} → {self.new_value}"
        return f"{self.series_id} {self.day:%d.%m.%Y} {self.slot:02d}: {change}"


class RegisterReadingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from kabinet.metering.models import Meter

        return self.filter(meter__in=Meter.objects.visible_to(user).values("pk"))


class RegisterReading(models.Model):
    """Профиль показаний: the meter's register at 00:00 of ``day`` by direction and zone."""

    class Register(models.TextChoices):
        A_IMP = "a_imp", _("A+ (активная, приём)")
        A_EXP = "a_exp", _("A− (активная, отдача)")
        R_IMP = "r_imp", _("R+ (реактивная, приём)")
        R_EXP = "r_exp", _("R− (реактивная, отдача)")

    class Zone(models.TextChoices):
        TOTAL = "total", _("сумма")
        T1 = "t1", _("T1")
        T2 = "t2", _("T2")
        T3 = "t3", _("T3")
        T4 = "t4", _("T4")

    meter = models.ForeignKey(
        "metering.Meter",
        on_delete=models.CASCADE,
        related_name="register_readings",
        verbose_name=_("прибор учёта"),
    )
    day = models.DateField(_("дата"))
    register = models.CharField(_("шкала"), max_length=6, choices=Register.choices)
    zone = models.CharField(_("тарифная зона"), max_length=6, choices=Zone.choices)
    value = models.DecimalField(_("показание"), max_digits=14, decimal_places=3)
    source = models.CharField(_("источник"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("получено"), default=timezone.now)

    objects = RegisterReadingQuerySet.as_manager()

    class Meta:
        ordering = ["meter", "day", "register", "zone"]
        verbose_name = _("показание профиля")
        verbose_name_plural = _("профиль показаний")
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "day", "register", "zone"], name="register_reading_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.day:%d.%m.%Y} {self.register}/{self.zone}: {self.value}"


class DeviceEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        from kabinet.contracts.models import MeteringUnit
        from kabinet.metering.models import Meter
        from kabinet.premises.models import House

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(meter__in=Meter.objects.visible_to(user).values("pk"))
            | Q(unit__in=MeteringUnit.objects.visible_to(user).values("pk"))
            | Q(building_meter__house__in=House.objects.visible_to(user).values("pk"))
        )


class DeviceEvent(models.Model):
    """Журнал событий of a smart meter or a heat unit's calculator (нештатные ситуации)."""

    class Code(models.TextChoices):
        POWER_OFF = "power_off", _("Отключение питания")
        POWER_ON = "power_on", _("Включение питания")
        TAMPER = "tamper", _("Вмешательство")
        COVER_OPEN = "cover_open", _("Вскрытие крышки")
        VOLTAGE = "voltage", _("Напряжение вне допустимых пределов")
        CLOCK_SET = "clock_set", _("Коррекция времени")
        RELAY = "relay", _("Переключение реле нагрузки")
        ABNORMAL = "abnormal", _("Нештатная ситуация")
        DT_LOW = "dt_low", _("Нештатная ситуация: ΔT ниже допустимой")
        FLOW_RANGE = "flow_range", _("Нештатная ситуация: расход вне диапазона")
        CALC_POWER = "calc_power", _("Нештатная ситуация: отключение питания вычислителя")

    class Severity(models.TextChoices):
        INFO = "info", _("информация")
        WARNING = "warning", _("предупреждение")
        ALARM = "alarm", _("авария")

    meter = models.ForeignKey(
        "metering.Meter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="device_events",
        verbose_name=_("прибор учёта"),
    )
    unit = models.ForeignKey(
        "contracts.MeteringUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="device_events",
        verbose_name=_("КУУТЭ"),
    )
    building_meter = models.ForeignKey(
        "premises.BuildingMeter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="device_events",
        verbose_name=_("ОДПУ"),
    )
    occurred_at = models.DateTimeField(_("время события"))
    code = models.CharField(_("событие"), max_length=12, choices=Code.choices)
    severity = models.CharField(
        _("важность"), max_length=8, choices=Severity.choices, default=Severity.INFO
    )
    text = models.CharField(_("описание"), max_length=300, blank=True)
    raw = models.JSONField(_("исходные данные"), default=dict, blank=True)
    source = models.CharField(_("источник"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("получено"), default=timezone.now)

    objects = DeviceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "id"]
        verbose_name = _("событие прибора учёта")
        verbose_name_plural = _("журнал событий приборов учёта")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(meter__isnull=False, unit__isnull=True, building_meter__isnull=True)
                    | Q(meter__isnull=True, unit__isnull=False, building_meter__isnull=True)
                    | Q(meter__isnull=True, unit__isnull=True, building_meter__isnull=False)
                ),
                name="device_event_one_parent",
            ),
            models.UniqueConstraint(
                fields=["meter", "occurred_at", "code"], name="device_event_meter_once"
            ),
            models.UniqueConstraint(
                fields=["unit", "occurred_at", "code"], name="device_event_unit_once"
            ),
            models.UniqueConstraint(
                fields=["building_meter", "occurred_at", "code"], name="device_event_bm_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%d.%m.%Y %H:%M} {self.get_code_display()}"

    @property
    def parent(self):
        return self.meter or self.unit or self.building_meter


class ConsumptionAlertRuleQuerySet(OwnedQuerySet):
    """A rule is its user's own; staff see all (to answer a complaint)."""

    owner_lookup = "user"


class AlertKind(models.TextChoices):
    FORECAST = "forecast", _("прогноз превышения месячного объёма")
    NIGHT = "night", _("повышенное ночное потребление")
    SILENT = "silent", _("нет данных от прибора")


class ConsumptionAlertRule(models.Model):
    """A customer's alert on one series: the thresholds are in the series' unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consumption_rules"
    )
    series = models.ForeignKey(IntervalSeries, on_delete=models.CASCADE, related_name="alert_rules")
    kind = models.CharField(_("вид уведомления"), max_length=10, choices=AlertKind.choices)
    # forecast: the month's limit in the series' unit (e.g. 300 кВт·ч)
    monthly_limit = models.DecimalField(
        _("месячный объём"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    # night: 7-day mean of the night total > factor × median of the 28 days before
    night_factor = models.DecimalField(
        _("кратность ночного потребления"), max_digits=5, decimal_places=2, default=Decimal(2)
    )
    night_floor = models.DecimalField(
        _("минимальное ночное потребление"),
        max_digits=14,
        decimal_places=3,
        default=Decimal("0.5"),
    )
    # silent: no value for this many hours
    silent_hours = models.PositiveIntegerField(_("нет данных, часов"), default=48)
    enabled = models.BooleanField(_("включено"), default=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now)

    objects = ConsumptionAlertRuleQuerySet.as_manager()

    class Meta:
        ordering = ["series", "kind"]
        verbose_name = _("правило уведомления о потреблении")
        verbose_name_plural = _("правила уведомлений о потреблении")
        constraints = [
            models.UniqueConstraint(fields=["user", "series", "kind"], name="consumption_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.series_id} {self.get_kind_display()}"


class ConsumptionAlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(rule__in=ConsumptionAlertRule.objects.visible_to(user).values("pk"))


class ConsumptionAlert(models.Model):
    """A fired alert: once per rule, kind and period (a day, or a month for forecasts)."""

    rule = models.ForeignKey(ConsumptionAlertRule, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("вид уведомления"), max_length=10, choices=AlertKind.choices)
    period = models.DateField(_("период"))
    value = models.DecimalField(_("значение"), max_digits=14, decimal_places=3)
    threshold = models.DecimalField(_("порог"), max_digits=14, decimal_places=3)
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    notified_at = models.DateTimeField(_("уведомление отправлено"), null=True, blank=True)

    objects = ConsumptionAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "id"]
        verbose_name = _("уведомление о потреблении")
        verbose_name_plural = _("уведомления о потреблении")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "kind", "period"], name="consumption_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.get_kind_display()} {self.period:%d.%m.%Y}"
