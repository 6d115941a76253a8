"""Приборы учёта и показания: the meters of the cabinet and of an account, the readings
history, the month's submission window and submitting a meter's readings — over the
selectors, forms and services the pages use (``kabinet.metering``), so the rules and
the messages are the page's.

Every meter and account is looked up from ``visible_to``: another customer's is a 404.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kabinet.api.accounts import account_for, form_invalid
from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.core.money import add_months, period_of
from kabinet.metering import selectors, services
from kabinet.metering.forms import HistoryFilterForm
from kabinet.metering.models import Meter, Reading
from kabinet.metering.services import ReadingsRejected

router = Router()

CHART_MONTHS = 12  # as the history page: without a filter, the last twelve months
MAX_CHART_MONTHS = 36

ZoneCode = Literal["total", "day", "night", "peak", "half_peak"]
Month = Annotated[
    str,
    Field(
        pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$",
        description="Период: ГГГГ-ММ (или дата ГГГГ-ММ-ДД — берётся её месяц), 1900–2099 годы.",
        examples=["2026-03"],
    ),
]


def _today() -> date:
    """Today in the portal's time zone (tests move it into or out of the window)."""
    return timezone.localdate()


def quantity(value: Decimal | None) -> str | None:
    """A reading or a volume as a plain decimal string without trailing zeros."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _meter_for(request, uuid) -> Meter:
    qs = Meter.objects.visible_to(request.user).select_related(
        "account__premises__house__street__settlement"
    )
    return get_object_or_404(qs, uuid=uuid)


def _account_meters(request, account) -> list[Meter]:
    """The account's meters the caller may see, the active ones first (as the pages)."""
    qs = Meter.objects.visible_to(request.user).filter(account=account).select_related("account")
    return sorted(qs, key=lambda m: (m.is_removed, m.number))


# --- schemas ----------------------------------------------------------------------------


class MeterLastReadingOut(Schema):
    zone: ZoneCode = Field(description="Зона суток.")
    zone_label: str = Field(description="Зона по-русски.")
    value: str | None = Field(description="Последнее принятое показание (строка) или null.")
    period: date | None = Field(description="Его период (первое число месяца).")


class MeteringMeterOut(Schema):
    uuid: UUID = Field(description="Идентификатор прибора учёта.")
    account: UUID = Field(description="Лицевой счёт прибора.")
    account_number: str = Field(description="Номер лицевого счёта.")
    address: str = Field(description="Адрес помещения.")
    number: str = Field(description="Заводской номер.")
    model_name: str = Field(description="Тип счётчика.")
    service: str = Field(description="Услуга.")
    unit: str = Field(description="Единица: кВт·ч, м³, Гкал.")
    zones: Literal["single", "two", "three"] = Field(
        description="Тарифность: single — сутки, two — день/ночь, three — пик/полупик/ночь."
    )
    zone_codes: list[ZoneCode] = Field(description="Зоны, по которым передаются показания.")
    digits: int = Field(description="Знаков до запятой.")
    decimals: int = Field(description="Знаков после запятой.")
    coefficient: str = Field(description="Расчётный коэффициент (десятичная строка).")
    installed_on: date | None = Field(description="Дата установки.")
    verified_until: date | None = Field(description="Дата следующей поверки.")
    verification_overdue: bool = Field(description="Срок поверки истёк.")
    state: Literal["active", "removed"] = Field(description="active — в работе; removed — снят.")
    removed_on: date | None = Field(description="Когда снят с учёта.")
    last: list[MeterLastReadingOut] = Field(description="Последние принятые показания по зонам.")


class MeteringReadingOut(Schema):
    meter: UUID = Field(description="Прибор учёта.")
    zone: ZoneCode = Field(description="Зона суток.")
    zone_label: str = Field(description="Зона по-русски.")
    period: date = Field(description="Период показания (первое число месяца).")
    value: str = Field(description="Показание (десятичная строка).")
    submitted_at: datetime = Field(description="Когда снято или передано (ISO 8601).")
    source: Literal["customer", "iku", "grid", "inspection", "billing"] = Field(
        description="Источник показания."
    )
    source_label: str = Field(description="Источник по-русски.")
    status: Literal["submitted", "accepted", "rejected", "replaced"] = Field(
        description="submitted — передано, accepted — принято, rejected — отклонено, "
        "replaced — заменено более новым."
    )
    status_label: str = Field(description="Статус по-русски.")
    reject_reason: str = Field(description="Причина отклонения.")


class ReadingHistoryRowOut(Schema):
    meter: UUID = Field(description="Прибор учёта.")
    meter_number: str = Field(description="Заводской номер.")
    zone: ZoneCode = Field(description="Зона суток.")
    zone_label: str = Field(description="Зона по-русски.")
    period: date = Field(description="Период (первое число месяца).")
    submitted: list[MeteringReadingOut] = Field(
        description="Переданные потребителем, новые первыми."
    )
    accepted: MeteringReadingOut | None = Field(description="Принятое к расчёту показание периода.")


class ReadingsWindowOut(Schema):
    is_open: bool = Field(description="Принимаются ли показания сегодня.")
    start_day: int = Field(description="С какого числа месяца принимаются показания.")
    end_day: int = Field(description="По какое число месяца.")
    opens_on: date = Field(description="Когда приём открывается (в этом месяце, если открыт).")
    closes_on: date = Field(description="Когда приём закрывается.")
    period: date = Field(description="Период, в который сегодня попадут показания.")


class MeterConsumptionPointOut(Schema):
    period: date = Field(description="Период (первое число месяца).")
    consumption: str | None = Field(
        description="Расход за месяц с учётом коэффициента; null — нет принятого показания."
    )


class MeterConsumptionOut(Schema):
    meter: UUID = Field(description="Прибор учёта.")
    meter_number: str = Field(description="Заводской номер.")
    unit: str = Field(description="Единица.")
    points: list[MeterConsumptionPointOut] = Field(description="Помесячный расход.")


class ReadingsSubmitIn(Schema):
    values: dict[ZoneCode, str] = Field(
        description='Показания по зонам счётчика: {"total": "16360"} или '
        '{"day": "1234,5", "night": "567"} — строкой, как их вводят на странице '
        "(запятая или точка). Нужны все зоны счётчика.",
        examples=[{"total": "16360"}],
    )
    confirm_jump: bool = Field(
        False,
        description="Подтвердить расход намного больше обычного: если передача вернула "
        '400 с code="confirm", повторите её с confirm_jump=true.',
    )


# --- serialisers ------------------------------------------------------------------------


def _meter_out(meter: Meter, last: dict, today: date) -> dict:
    account = meter.account
    return {
        "uuid": meter.uuid,
        "account": account.uuid,
        "account_number": account.number,
        "address": account.where,
        "number": meter.number,
        "model_name": meter.model_name,
        "service": meter.service,
        "unit": meter.unit,
        "zones": meter.zones,
        "zone_codes": meter.zone_codes,
        "digits": meter.digits,
        "decimals": meter.decimals,
        "coefficient": quantity(meter.coefficient),
        "installed_on": meter.installed_on,
        "verified_until": meter.verified_until,
        "verification_overdue": not meter.is_removed and meter.verification_overdue(today),
        "state": meter.state,
        "removed_on": meter.removed_on,
        "last": [
            {
                "zone": z,
                "zone_label": str(Reading.Zone(z).label),
                "value": quantity(r.value) if (r := last.get((meter.pk, z))) else None,
                "period": r.period if r else None,
            }
            for z in meter.zone_codes
        ],
    }


def _reading_out(r: Reading, meter: Meter) -> dict:
    return {
        "meter": meter.uuid,
        "zone": r.zone,
        "zone_label": str(r.get_zone_display()),
        "period": r.period,
        "value": quantity(r.value),
        "submitted_at": r.submitted_at,
        "source": r.source,
        "source_label": str(r.get_source_display()),
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "reject_reason": r.reject_reason,
    }


def _history(account, meters, request, *, meter_uuid=None, period_from=None, period_to=None):
    """The history page's filter form and selector: the same defaults and messages."""
    given = {"meter": meter_uuid, "period_from": period_from, "period_to": period_to}
    data = {k: v for k, v in given.items() if v}
    form = HistoryFilterForm(data, meters=meters)
    if not form.is_valid():
        return form_invalid(form)
    d = form.cleaned_data
    end = d["period_to"] or period_of(_today())
    rows = selectors.account_history(
        account=account,
        meter=d["meter"],
        period_from=d["period_from"] or add_months(end, -(CHART_MONTHS - 1)),
        period_to=d["period_to"],
    )
    return [
        {
            "meter": row.meter.uuid,
            "meter_number": row.meter.number,
            "zone": row.zone,
            "zone_label": str(row.zone_label),
            "period": row.period,
            "submitted": [_reading_out(r, row.meter) for r in row.submitted],
            "accepted": _reading_out(row.accepted, row.meter) if row.accepted else None,
        }
        for row in rows
    ]


class ReadingHistoryQuery(Schema):
    period_from: Month | None = None
    period_to: Month | None = None


class AccountReadingHistoryQuery(ReadingHistoryQuery):
    meter: UUID | None = Field(None, description="Только этот прибор учёта счёта.")


# --- operations -------------------------------------------------------------------------


@router.get(
    "/meters/",
    response={200: list[MeteringMeterOut], **ERRORS},
    summary="Мои приборы учёта",
    description="Все приборы учёта лицевых счетов кабинета с последними принятыми "
    "показаниями, как на странице «Мои приборы учёта».",
)
def meter_list(request):
    meters = Meter.objects.filter(account__owner=request.user).select_related(
        "account__premises__house__street__settlement"
    )
    meters = sorted(meters, key=lambda m: (m.is_removed, m.account.number, m.number))
    last = selectors.last_accepted(meters=meters)
    today = _today()
    return [_meter_out(m, last, today) for m in meters]


@router.get(
    "/meters/{uuid}",
    response={200: MeteringMeterOut, **ERRORS},
    summary="Прибор учёта",
)
def meter_detail(request, uuid: UUID):
    meter = _meter_for(request, uuid)
    return _meter_out(meter, selectors.last_accepted(meters=[meter]), _today())


@router.get(
    "/meters/{uuid}/readings",
    response={200: list[ReadingHistoryRowOut], **ERRORS},
    summary="История показаний прибора",
    description="Переданные и принятые показания по периодам, новые первыми; без периода — "
    "последние двенадцать месяцев, как на странице истории.",
)
def meter_readings(request, uuid: UUID, filters: Query[ReadingHistoryQuery]):
    meter = _meter_for(request, uuid)
    return _history(
        meter.account,
        [meter],
        request,
        meter_uuid=str(meter.uuid),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )


@router.post(
    "/meters/{uuid}/readings",
    response={201: list[MeteringReadingOut], **WRITE_ERRORS},
    summary="Передать показания",
    description="Показания всех зон счётчика за текущий период, по тем же правилам, что на "
    "странице: окно приёма, формат и разрядность счётчика, не меньше последнего принятого, "
    'подтверждение резкого роста (code="confirm"). Отказ — 400, сообщение каждой зоны в '
    "fields под её кодом; ничего не сохраняется.",
)
def meter_readings_submit(request, uuid: UUID, payload: ReadingsSubmitIn):
    require_full(request)
    meter = _meter_for(request, uuid)
    try:
        readings = services.reading_submit(
            user=request.user,
            meter=meter,
            values=payload.values,
            confirm_jump=payload.confirm_jump,
            today=_today(),
        )
    except ReadingsRejected as exc:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(error.field or "__all__", []).append(str(error.message))
        return Status(400, {"code": exc.code, "message": str(exc.message), "fields": fields})
    return Status(201, [_reading_out(r, meter) for r in readings])


@router.get(
    "/readings/window",
    response={200: ReadingsWindowOut, **ERRORS},
    summary="Окно приёма показаний",
    description="С какого по какое число месяца принимаются показания, открыт ли приём "
    "сегодня и когда откроется.",
)
def readings_window(request):
    today = _today()
    w = services.readings_window(today=today)
    return {
        "is_open": w.is_open,
        "start_day": w.start_day,
        "end_day": w.end_day,
        "opens_on": w.opens_on,
        "closes_on": w.closes_on,
        "period": period_of(today),
    }


@router.get(
    "/accounts/{uuid}/meters",
    response={200: list[MeteringMeterOut], **ERRORS},
    summary="Приборы учёта лицевого счёта",
)
def account_meters(request, uuid: UUID):
    account = account_for(request, uuid, residential=True)
    meters = _account_meters(request, account)
    last = selectors.last_accepted(meters=meters)
    today = _today()
    return [_meter_out(m, last, today) for m in meters]


@router.get(
    "/accounts/{uuid}/readings",
    response={200: list[ReadingHistoryRowOut], **ERRORS},
    summary="История показаний лицевого счёта",
    description="Все приборы счёта (или один, meter=…), по периодам, новые первыми; без "
    "периода — последние двенадцать месяцев, как на странице истории.",
)
def account_readings(request, uuid: UUID, filters: Query[AccountReadingHistoryQuery]):
    account = account_for(request, uuid, residential=True)
    return _history(
        account,
        _account_meters(request, account),
        request,
        meter_uuid=str(filters.meter) if filters.meter else None,
        period_from=filters.period_from,
        period_to=filters.period_to,
    )


@router.get(
    "/accounts/{uuid}/consumption",
    response={200: list[MeterConsumptionOut], **ERRORS},
    summary="Помесячный расход по приборам счёта",
    description="Данные графика на странице истории: расход каждого прибора по месяцам до "
    "текущего, с учётом коэффициента.",
)
def account_consumption(
    request,
    uuid: UUID,
    months: int = Query(CHART_MONTHS, ge=1, le=MAX_CHART_MONTHS, description="Сколько месяцев."),
):
    account = account_for(request, uuid, residential=True)
    series = selectors.consumption_series(
        account=account,
        months=months,
        today=_today(),
        meters=_account_meters(request, account),
    )
    return [
        {
            "meter": s.meter.uuid,
            "meter_number": s.meter.number,
            "unit": s.meter.unit,
            "points": [
                {"period": p.period, "consumption": quantity(p.consumption)} for p in s.points
            ],
        }
        for s in series
    ]
