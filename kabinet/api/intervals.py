"""Интервальные данные (ИСУ, КУУТЭ, ОДПУ): the series a customer sees, their hourly values,
daily and monthly totals, and per meter the power extremes, the daily register profile and the
event log — the same selectors the «ИСУ» pages draw.

A gap is ``null``, never 0; an estimated value says so. Periods are bounded: hourly values at
most 93 days per request, daily and the rest at most 3 years (400 with the field otherwise).
"""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from kabinet.api.errors import ERRORS
from kabinet.contracts.models import MeteringUnit
from kabinet.core.errors import DomainError
from kabinet.metering import selectors_intervals as selectors
from kabinet.metering.interval_models import IntervalSeries
from kabinet.metering.models import Meter

router = Router()


# --- schemas ----------------------------------------------------------------------------


class SeriesOut(Schema):
    uuid: UUID
    device: Literal["meter", "unit", "building_meter"] = Field(
        description="Прибор: счётчик (ИСУ), узел учёта тепловой энергии (КУУТЭ) или ОДПУ дома"
    )
    device_uuid: UUID | None = Field(description="Идентификатор счётчика или КУУТЭ")
    device_number: str = Field(description="Заводской номер счётчика или номер узла учёта")
    channel: str = Field(description="Канал: a_imp, a_exp, r_imp, r_exp, q_gcal, t1_c, …")
    channel_label: str
    unit_label: str = Field(description="Единица: кВт·ч, квар·ч, Гкал, т, м³, °C, ч")
    step_minutes: Literal[60, 1440] = Field(description="60 — часовой архив, 1440 — суточный")
    last_value_at: datetime | None = Field(description="Последнее полученное значение")


class IntervalPeriodIn(Schema):
    date_from: date = Field(description="Первый день периода (включительно)")
    date_to: date = Field(description="Последний день периода (включительно)")


class IntervalValueOut(Schema):
    start: datetime = Field(description="Начало интервала, местное время со смещением")
    value: Decimal | None = Field(description="Значение; null — нет данных (не ноль)")
    estimated: bool = Field(description="Оценочное (расчётное) значение")


class IntervalDayOut(Schema):
    day: date
    value: Decimal | None = Field(description="Сумма (для температур — среднее); null — нет данных")
    present: int = Field(description="Сколько интервалов получено")
    expected: int = Field(description="Сколько интервалов в сутках")
    estimated: int = Field(description="Сколько из них оценочные")


class IntervalMonthOut(Schema):
    period: date = Field(description="Первый день месяца")
    value: Decimal | None
    present: int
    expected: int
    estimated: int


class PowerExtremeOut(Schema):
    kind: Literal["P", "Q", "S"] = Field(
        description="P — активная (кВт), Q — реактивная (квар), S — полная (кВ·А) мощность"
    )
    unit_label: str
    max_value: Decimal | None
    max_at: datetime | None
    min_value: Decimal | None
    min_at: datetime | None
    hours: int = Field(description="За сколько часов с данными посчитано")


class PowerExtremesOut(Schema):
    active: PowerExtremeOut
    reactive: PowerExtremeOut
    apparent: PowerExtremeOut


class RegisterReadingOut(Schema):
    day: date = Field(description="Показание на 00:00 этого дня")
    scale: str = Field(
        validation_alias="register",
        description="Шкала: a_imp (A+), a_exp (A−), r_imp (R+) или r_exp (R−)",
    )
    scale_label: str = Field(validation_alias="register_label")
    zone: str = Field(description="Тарифная зона (шкала): t1, t2, t3 или total")
    zone_label: str
    value: Decimal


class DeviceEventOut(Schema):
    occurred_at: datetime
    code: str
    label: str
    severity: str
    severity_label: str
    text: str


# --- helpers ----------------------------------------------------------------------------

# The selectors name a period's ends as the pages' form does; the API calls them so.
PERIOD_FIELDS = {"start": "date_from", "end": "date_to"}


@contextmanager
def _api_fields():
    try:
        yield
    except DomainError as error:
        error.field = PERIOD_FIELDS.get(error.field, error.field)
        raise


def _series_out(series: IntervalSeries) -> dict:
    device = "meter" if series.meter_id else "unit" if series.unit_id else "building_meter"
    parent = series.parent
    return {
        "uuid": series.uuid,
        "device": device,
        "device_uuid": getattr(parent, "uuid", None),
        "device_number": parent.number,
        "channel": series.channel,
        "channel_label": series.get_channel_display(),
        "unit_label": series.unit_label,
        "step_minutes": series.step_minutes,
        "last_value_at": series.last_value_at,
    }


def _series(request, uuid: UUID) -> IntervalSeries:
    return get_object_or_404(
        IntervalSeries.objects.visible_to(request.user).select_related(
            "meter", "unit", "building_meter"
        ),
        uuid=uuid,
    )


def _meter(request, uuid: UUID) -> Meter:
    return get_object_or_404(Meter.objects.visible_to(request.user), uuid=uuid)


# --- operations -------------------------------------------------------------------------


@router.get("/series", response={200: list[SeriesOut], **ERRORS}, summary="Мои ряды данных")
def series_list(request, meter: UUID | None = None, unit: UUID | None = None):
    """Every series the caller sees; narrowed to one счётчик (``meter``) or КУУТЭ (``unit``)."""
    rows = IntervalSeries.objects.visible_to(request.user).select_related(
        "meter", "unit", "building_meter"
    )
    if meter is not None:
        rows = rows.filter(meter__uuid=meter)
    if unit is not None:
        rows = rows.filter(unit__uuid=unit)
    return [_series_out(s) for s in rows.order_by("id")]


@router.get("/series/{uuid}", response={200: SeriesOut, **ERRORS}, summary="Ряд данных")
def series_detail(request, uuid: UUID):
    return _series_out(_series(request, uuid))


@router.get(
    "/series/{uuid}/values",
    response={200: list[IntervalValueOut], **ERRORS},
    summary="Значения по интервалам (часовой профиль)",
)
def series_values(request, uuid: UUID, period: Query[IntervalPeriodIn]):
    """Each interval of the period (≤ 93 days): a gap is ``null``, never 0."""
    series = _series(request, uuid)
    with _api_fields():
        return selectors.interval_values(series=series, start=period.date_from, end=period.date_to)


@router.get(
    "/series/{uuid}/daily",
    response={200: list[IntervalDayOut], **ERRORS},
    summary="Итоги по суткам",
)
def series_daily(request, uuid: UUID, period: Query[IntervalPeriodIn]):
    series = _series(request, uuid)
    with _api_fields():
        return selectors.interval_daily(series=series, start=period.date_from, end=period.date_to)


@router.get(
    "/series/{uuid}/monthly",
    response={200: list[IntervalMonthOut], **ERRORS},
    summary="Итоги по месяцам",
)
def series_monthly(request, uuid: UUID, period: Query[IntervalPeriodIn]):
    series = _series(request, uuid)
    with _api_fields():
        return selectors.interval_monthly(series=series, start=period.date_from, end=period.date_to)


@router.get(
    "/meters/{uuid}/power",
    response={200: PowerExtremesOut, **ERRORS},
    summary="Мощность: минимум и максимум за период",
)
def meter_power(request, uuid: UUID, period: Query[IntervalPeriodIn], export: bool = False):
    """Min and max of active, reactive and apparent power over the period (≤ 93 days), from
    the hourly profile; ``export=true`` for the отдача direction."""
    meter = _meter(request, uuid)
    with _api_fields():
        return selectors.interval_power(
            meter=meter, start=period.date_from, end=period.date_to, export=export
        )


@router.get(
    "/meters/{uuid}/registers",
    response={200: list[RegisterReadingOut], **ERRORS},
    summary="Суточный профиль показаний (по шкалам)",
)
def meter_registers(
    request,
    uuid: UUID,
    period: Query[IntervalPeriodIn],
    scale: Literal["a_imp", "a_exp", "r_imp", "r_exp"] | None = None,
):
    meter = _meter(request, uuid)
    with _api_fields():
        return selectors.register_profile(
            meter=meter,
            start=period.date_from,
            end=period.date_to,
            register=scale,
        )


@router.get(
    "/meters/{uuid}/events",
    response={200: list[DeviceEventOut], **ERRORS},
    summary="Журнал событий",
)
def meter_events(request, uuid: UUID, period: Query[IntervalPeriodIn]):
    meter = _meter(request, uuid)
    with _api_fields():
        return selectors.device_events(meter=meter, start=period.date_from, end=period.date_to)


@router.get(
    "/units/{uuid}/events",
    response={200: list[DeviceEventOut], **ERRORS},
    summary="Нештатные ситуации узла учёта (КУУТЭ)",
)
def unit_events(request, uuid: UUID, period: Query[IntervalPeriodIn]):
    unit = get_object_or_404(MeteringUnit.objects.visible_to(request.user), uuid=uuid)
    with _api_fields():
        return selectors.device_events(unit=unit, start=period.date_from, end=period.date_to)
