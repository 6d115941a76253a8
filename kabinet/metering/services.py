"""Every write of meters and readings: submission rules, acceptance, the billing loader.

Rules of a customer's submission (docs/decisions.md, «Показания: правила приёма»):
the window of the month, an active meter, the meter's format and number of digits,
not lower than the last accepted value (unless the counter rolled over), and a jump
far above the usual monthly consumption only when confirmed. A refused submission
saves nothing and says, next to the field, what to fix.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from statistics import median
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, format_quantity, period_of
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering import selectors
from kabinet.metering.models import Meter, MeterEvent, Reading, ReadingEvent

# A reading is "far above usual" when its consumption per month is more than
# JUMP_FACTOR times the median of the last JUMP_HISTORY_MONTHS accepted months and
# more than JUMP_FLOOR units; the median needs JUMP_MIN_HISTORY months to mean anything.
JUMP_FACTOR = Decimal(3)
JUMP_FLOOR = Decimal(10)
JUMP_HISTORY_MONTHS = 6
JUMP_MIN_HISTORY = 3

# Allowed moves of a reading's status.
TRANSITIONS: dict[str, set[str]] = {
    Reading.Status.SUBMITTED: {
        Reading.Status.ACCEPTED,
        Reading.Status.REJECTED,
        Reading.Status.REPLACED,
    },
    Reading.Status.ACCEPTED: {Reading.Status.REPLACED},
    Reading.Status.REJECTED: set(),
    Reading.Status.REPLACED: set(),
}


class ReadingsRejected(DomainError):
    """A submission refused for one or more fields; ``errors`` holds each of them.

    Its code is "confirm" when the only objections are jumps the customer may confirm.
    """

    def __init__(self, errors: list[DomainError]):
        hard = [e for e in errors if e.code != "confirm"]
        first = (hard or errors)[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.errors = errors


def reading_field(meter: Meter, zone: str) -> str:
    """The form field of a meter's zone on the account's submission page."""
    return f"meter-{meter.pk}-{zone}"


# --- the window -------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    is_open: bool
    start_day: int
    end_day: int
    opens_on: date  # the next opening (today's month when open)
    closes_on: date


def readings_window(*, today: date | None = None) -> Window:
    """Whether readings are taken today, and when the window opens and closes."""
    today = today or timezone.localdate()
    profile = get_utility()
    start, end = profile.readings_window_start, profile.readings_window_end
    month = period_of(today)
    if today.day > end:
        month = add_months(month, 1)
    return Window(
        is_open=start <= today.day <= end,
        start_day=start,
        end_day=end,
        opens_on=month.replace(day=start),
        closes_on=month.replace(day=end),
    )


def _window_error(window: Window) -> DomainError:
    return DomainError(
        _("Показания принимаются с %(start)s по %(end)s число месяца. Приём откроется %(opens)s.")
        % {
            "start": window.start_day,
            "end": window.end_day,
            "opens": date_format(window.opens_on, "j E Y"),
        },
        code="window",
    )


# --- the value ----------------------------------------------------------------------

_VALUE_RE = re.compile(r"^(\d+)(?:[.,](\d+))?$")
_FIXED_2_RE = re.compile(r"^(\d{1,6})[.,](\d{2})$")
_SPACES_RE = re.compile(r"[\s\u00a0\u202f]")


def reading_parse(*, meter: Meter, raw: Any, field: str | None = None) -> Decimal:
    """The customer's text ("16360", "123,45", "123.45") as a value in the meter's
    format, or a DomainError saying what to fix."""
    if isinstance(raw, Decimal):
        text = format(raw, "f")
    else:
        text = _SPACES_RE.sub("", str(raw if raw is not None else ""))
    if not text:
        raise DomainError(_("Введите показание."), field=field, code="required")
    fixed_2 = get_utility().reading_format == "fixed_2"
    match = (_FIXED_2_RE if fixed_2 else _VALUE_RE).match(text)
    if not match:
        if fixed_2:
            message = _(
                "Введите значение в формате XXXXXX,XX: до шести цифр, запятая и две цифры "
                "после неё, например 1234,50."
            )
        else:
            message = _("Введите показание цифрами, например 16360 или 16360,5.")
        raise DomainError(message, field=field)
    whole, frac = match.group(1), match.group(2) or ""
    if fixed_2:
        # 003: the format is a fixed mask, so leading zeros (000123,45) are allowed.
        whole = whole.lstrip("0") or "0"
    if len(whole) > 1 and whole.startswith("0"):
        hint = (whole.lstrip("0") or "0") + ("," + frac if frac else "")
        raise DomainError(
            _("Введите показание без первых нулей: %(hint)s.") % {"hint": hint}, field=field
        )
    frac = frac.rstrip("0")
    if len(frac) > meter.decimals:
        if meter.decimals == 0:
            message = _("Введите показание без цифр после запятой: у этого счётчика их нет.")
        else:
            message = ngettext(
                "У этого счётчика %(n)s знак после запятой — введите не больше.",
                "У этого счётчика %(n)s знака после запятой — введите не больше.",
                meter.decimals,
            ) % {"n": meter.decimals}
        raise DomainError(message, field=field)
    if len(whole) > meter.digits:
        raise DomainError(
            ngettext(
                "У этого счётчика %(n)s знак до запятой, а введено %(m)s. Проверьте показание.",
                "У этого счётчика %(n)s знаков до запятой, а введено %(m)s. Проверьте показание.",
                meter.digits,
            )
            % {"n": meter.digits, "m": len(whole)},
            field=field,
        )
    return Decimal(f"{whole}.{frac or '0'}")


format_value = format_quantity  # the name the forms and messages use


# --- the checks -----------------------------------------------------------------------


@dataclass
class Baseline:
    """What a new value of a meter's zone is checked against."""

    last: Reading | None  # last accepted before the period
    usual: Decimal | None  # median monthly consumption, or None when too little history


@dataclass
class Checked:
    meter: Meter
    zone: str
    value: Decimal
    consumption: Decimal | None = None  # in counter units, before the coefficient
    errors: list[DomainError] = field(default_factory=list)


def readings_baselines(*, meters: list[Meter], period: date) -> dict[tuple[int, str], Baseline]:
    """The last accepted value and the usual monthly consumption of every meter and zone:
    two queries for any number of meters."""
    last = selectors.last_accepted(meters=meters, before=period)
    recent = selectors.accepted_since(
        meters=meters, since=add_months(period, -(JUMP_HISTORY_MONTHS + 1))
    )
    result = {}
    for meter in meters:
        for zone in meter.zone_codes:
            monthly: list[Decimal] = []
            history = [r for r in recent.get((meter.pk, zone), []) if r.period < period]
            for older, newer in zip(history, history[1:], strict=False):
                used = selectors.consumption_between(meter, older.value, newer.value)
                months = selectors.months_between(older.period, newer.period)
                if used is not None and months > 0:
                    monthly.append(used / months)
            monthly = monthly[-JUMP_HISTORY_MONTHS:]
            usual = Decimal(median(monthly)) if len(monthly) >= JUMP_MIN_HISTORY else None
            result[(meter.pk, zone)] = Baseline(last=last.get((meter.pk, zone)), usual=usual)
    return result


def _check(
    checked: Checked, *, baseline: Baseline, period: date, field_name: str, unit: str
) -> None:
    """Lower than the last accepted value, and a jump: appended to ``checked.errors``."""
    meter, last = checked.meter, baseline.last
    if last is None:
        return
    used = selectors.consumption_between(meter, last.value, checked.value)
    if used is None:
        checked.errors.append(
            DomainError(
                _(
                    "Показание меньше последнего принятого (%(last)s за %(period)s). "
                    "Показания счётчика не уменьшаются — проверьте число."
                )
                % {
                    "last": format_value(last.value),
                    "period": date_format(last.period, "m.Y"),
                },
                field=field_name,
                code="lower",
            )
        )
        return
    checked.consumption = used
    months = max(selectors.months_between(last.period, period), 1)
    per_month = used / months
    usual = baseline.usual
    if usual is not None and per_month > JUMP_FACTOR * usual and per_month > JUMP_FLOOR:
        checked.errors.append(
            DomainError(
                _(
                    "Расход %(used)s %(unit)s намного больше обычного (около %(usual)s "
                    "%(unit)s в месяц). Проверьте показание; если оно верное, подтвердите."
                )
                % {
                    "used": format_value(used * meter.coefficient),
                    "usual": format_value(
                        (usual * meter.coefficient).quantize(Decimal(1))
                        if usual >= 1
                        else usual * meter.coefficient
                    ),
                    "unit": meter.unit,
                },
                field=field_name,
                code="confirm",
            )
        )


def readings_check(
    *,
    meters_values: Mapping[Meter, Mapping[str, Any]],
    period: date,
    field_name=reading_field,
) -> list[Checked]:
    """Parse and check the values for each meter's zones; nothing is written.

    Each returned item carries its consumption (when there is a last accepted value)
    and its errors; a value that cannot be parsed is returned with its error only.
    """
    meters = list(meters_values)
    baselines = readings_baselines(meters=meters, period=period)
    result: list[Checked] = []
    for meter, values in meters_values.items():
        zones = meter.zone_codes
        if meter.is_removed:
            result.append(
                Checked(
                    meter=meter,
                    zone=zones[0],
                    value=Decimal(0),
                    errors=[
                        DomainError(
                            _("Счётчик снят с учёта, внесение показаний невозможно."),
                            field=field_name(meter, zones[0]),
                            code="removed",
                        )
                    ],
                )
            )
            continue
        unknown = set(values) - set(zones)
        if unknown:
            raise DomainError(
                _("У счётчика %(n)s нет зоны «%(z)s».")
                % {"n": meter.number, "z": ", ".join(sorted(unknown))}
            )
        for zone in zones:
            name = field_name(meter, zone)
            try:
                value = reading_parse(meter=meter, raw=values.get(zone), field=name)
            except DomainError as exc:
                if exc.code == "required" and len(zones) > 1:
                    exc.message = _("Введите показание и для зоны «%(z)s».") % {
                        "z": Reading.Zone(zone).label
                    }
                result.append(Checked(meter=meter, zone=zone, value=Decimal(0), errors=[exc]))
                continue
            item = Checked(meter=meter, zone=zone, value=value)
            _check(
                item,
                baseline=baselines[(meter.pk, zone)],
                period=period,
                field_name=name,
                unit=meter.unit,
            )
            result.append(item)
    return result


# --- submission ---------------------------------------------------------------------


def _may_submit(user, account: PersonalAccount) -> None:
    if not (user.is_staff or (account.owner_id is not None and account.owner_id == user.pk)):
        raise DomainError(_("Этот лицевой счёт не привязан к вашему кабинету."))


def _save(*, user, checked: list[Checked], period: date) -> list[Reading]:
    """Mark the earlier pending readings of these zones "заменён" and add the new ones."""
    now = timezone.now()
    pairs = Q()
    for item in checked:
        pairs |= Q(meter=item.meter, zone=item.zone)
    earlier = list(
        Reading.objects.select_for_update()
        .filter(pairs, period=period, status=Reading.Status.SUBMITTED)
        .values_list("pk", flat=True)
    )
    if earlier:
        Reading.objects.filter(pk__in=earlier).update(status=Reading.Status.REPLACED)
        ReadingEvent.objects.bulk_create(
            ReadingEvent(
                reading_id=pk,
                from_status=Reading.Status.SUBMITTED,
                to_status=Reading.Status.REPLACED,
                by=user,
                at=now,
                comment=_("передано новое показание"),
            )
            for pk in earlier
        )
    return Reading.objects.bulk_create(
        Reading(
            meter=item.meter,
            zone=item.zone,
            period=period,
            value=item.value,
            submitted_at=now,
            source=Reading.Source.CUSTOMER,
            status=Reading.Status.SUBMITTED,
            submitted_by=user,
        )
        for item in checked
    )


def _submit(
    *,
    user,
    account: PersonalAccount,
    meters_values: Mapping[Meter, Mapping[str, Any]],
    confirm_jump: bool,
    today: date | None,
    field_name=reading_field,
) -> list[Reading]:
    _may_submit(user, account)
    today = today or timezone.localdate()
    window = readings_window(today=today)
    if not window.is_open:
        raise _window_error(window)
    period = period_of(today)
    with transaction.atomic():
        # One submission of an account at a time.
        PersonalAccount.objects.select_for_update().filter(pk=account.pk).first()
        # The meters' state as it is now, under the lock meter_remove takes too: a meter
        # removed since the caller loaded it takes no readings.
        states = dict(
            Meter.objects.filter(pk__in=[m.pk for m in meters_values]).values_list("pk", "state")
        )
        for meter in meters_values:
            meter.state = states.get(meter.pk, meter.state)
        checked = readings_check(meters_values=meters_values, period=period, field_name=field_name)
        errors = [
            e for item in checked for e in item.errors if not (confirm_jump and e.code == "confirm")
        ]
        if errors:
            raise ReadingsRejected(errors)
        return _save(user=user, checked=checked, period=period)


def reading_submit(
    *,
    user,
    meter: Meter,
    values: Mapping[str, Decimal | str],
    confirm_jump: bool = False,
    today: date | None = None,
) -> list[Reading]:
    """Передать показания одного счётчика, every zone of it. Errors name the zone as the
    field ("total", "day", "night", "peak", "half_peak")."""
    return _submit(
        user=user,
        account=meter.account,
        meters_values={meter: values},
        confirm_jump=confirm_jump,
        today=today,
        field_name=lambda _meter, zone: zone,
    )


def readings_submit_for_account(
    *,
    user,
    account: PersonalAccount,
    values: Mapping[Any, Mapping[str, Decimal | str]],
    confirm_jump: bool = False,
    today: date | None = None,
) -> list[Reading]:
    """Передать показания всех счётчиков лицевого счёта at once: all or nothing.

    ``values`` maps a meter (its uuid, or the Meter) to its zones' values. A meter whose
    zones are all blank is left out; at least one meter must be given. Errors name
    ``reading_field(meter, zone)`` as the field.
    """
    _may_submit(user, account)
    window = readings_window(today=today)
    if not window.is_open:
        raise _window_error(window)
    meters = {m.uuid: m for m in account.meters.all()}
    meters_values: dict[Meter, Mapping[str, Any]] = {}
    for key, zones in values.items():
        meter_uuid = key.uuid if isinstance(key, Meter) else key
        meter = meters.get(meter_uuid) or meters.get(_as_uuid(meter_uuid))
        if meter is None:
            raise DomainError(_("Этот счётчик не относится к лицевому счёту."))
        if all(_SPACES_RE.sub("", str(v if v is not None else "")) == "" for v in zones.values()):
            continue
        meters_values[meter] = zones
    if not meters_values:
        raise DomainError(_("Введите показания хотя бы одного счётчика."), code="required")
    return _submit(
        user=user,
        account=account,
        meters_values=meters_values,
        confirm_jump=confirm_jump,
        today=today,
    )


def _as_uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- staff decisions ------------------------------------------------------------------


def _transition(*, reading: Reading, to: str, user, comment: str = "") -> Reading:
    """Move a locked reading to another status and write the history row."""
    locked = Reading.objects.select_for_update().get(pk=reading.pk)
    if to not in TRANSITIONS[locked.status]:
        raise DomainError(
            _("Показание в статусе «%(from)s» нельзя перевести в «%(to)s».")
            % {"from": locked.get_status_display(), "to": Reading.Status(to).label}
        )
    ReadingEvent.objects.create(
        reading=locked, from_status=locked.status, to_status=to, by=user, comment=comment
    )
    locked.status = to
    return locked


def _replace_accepted(*, meter_id: int, zone: str, period: date, user, comment: str) -> None:
    for old in Reading.objects.select_for_update().filter(
        meter_id=meter_id, zone=zone, period=period, status=Reading.Status.ACCEPTED
    ):
        old = _transition(reading=old, to=Reading.Status.REPLACED, user=user, comment=comment)
        old.save(update_fields=["status"])


def _staff_only(user) -> None:
    if not user.is_staff:
        raise DomainError(_("Принимать и отклонять показания может только сотрудник."))


def reading_accept(*, user, reading: Reading) -> Reading:
    """Принять показание к расчёту; an earlier accepted one of the period is "заменён"."""
    _staff_only(user)
    with transaction.atomic():
        locked = _transition(reading=reading, to=Reading.Status.ACCEPTED, user=user)
        _replace_accepted(
            meter_id=locked.meter_id,
            zone=locked.zone,
            period=locked.period,
            user=user,
            comment=_("принято другое показание"),
        )
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def reading_reject(*, user, reading: Reading, reason: str) -> Reading:
    """Отклонить показание с причиной, которую увидит потребитель."""
    _staff_only(user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Укажите причину отклонения."), field="reason")
    with transaction.atomic():
        locked = _transition(
            reading=reading, to=Reading.Status.REJECTED, user=user, comment=reason[:300]
        )
        locked.reject_reason = reason[:300]
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    return locked


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


# --- meters -----------------------------------------------------------------------------

# What meter_update may change; the number and the account name the meter and stay.
METER_DESCRIPTIVE_FIELDS = (
    "model_name",
    "service",
    "unit",
    "zones",
    "digits",
    "decimals",
    "coefficient",
    "installed_on",
    "verified_until",
)
# Fixed once the meter has readings: its earlier readings would no longer read right.
METER_FORMAT_FIELDS = ("zones", "digits", "decimals")

_METER_DEFAULTS: dict[str, Any] = {
    "model_name": "",
    "service": "",
    "unit": "кВт·ч",
    "zones": Meter.Zones.SINGLE,
    "digits": 6,
    "decimals": 0,
    "coefficient": Decimal(1),
    "installed_on": None,
    "verified_until": None,
}


def _meter_text(value: Any) -> str:
    """A value as it is kept in MeterEvent.changes: "" for none, ISO dates, plain decimals."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _meter_label(name: str) -> str:
    return str(Meter._meta.get_field(name).verbose_name)


def _meter_clean(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    """Normalise a meter's values and say what is wrong with them, each naming its field.

    Only the keys given are checked; a value that cannot be read is kept as it came.
    """
    cleaned = dict(values)
    errors: list[DomainError] = []
    for name in ("number", "model_name", "service", "unit"):
        if name not in cleaned:
            continue
        text = str(cleaned[name] if cleaned[name] is not None else "").strip()
        cleaned[name] = text
        limit = Meter._meta.get_field(name).max_length
        if len(text) > limit:
            errors.append(
                DomainError(
                    _("Не длиннее %(n)s знаков, а введено %(m)s.") % {"n": limit, "m": len(text)},
                    field=name,
                )
            )
    if "number" in cleaned and not cleaned["number"]:
        errors.append(
            DomainError(
                _("Укажите заводской номер прибора учёта."), field="number", code="required"
            )
        )
    if "unit" in cleaned and not cleaned["unit"]:
        errors.append(
            DomainError(
                _("Укажите единицу измерения, например кВт·ч."), field="unit", code="required"
            )
        )
    if "zones" in cleaned and cleaned["zones"] not in Meter.Zones.values:
        errors.append(
            DomainError(
                _("Выберите тарифные зоны: сутки, день/ночь или пик/полупик/ночь."), field="zones"
            )
        )
    for name, low, high, message in (
        ("digits", 1, 12, _("Разрядность счётчика — от 1 до 12 знаков до запятой.")),
        ("decimals", 0, 4, _("Знаков после запятой у счётчика может быть от 0 до 4.")),
    ):
        if name not in cleaned:
            continue
        try:
            number = int(cleaned[name])
        except (TypeError, ValueError):
            errors.append(DomainError(message, field=name))
            continue
        cleaned[name] = number
        if not low <= number <= high:
            errors.append(DomainError(message, field=name))
    if "coefficient" in cleaned:
        try:
            coefficient = Decimal(str(cleaned["coefficient"]).replace(",", "."))
            if not coefficient.is_finite():
                raise ArithmeticError
        except ArithmeticError:
            errors.append(
                DomainError(
                    _("Введите расчётный коэффициент числом, например 1 или 40."),
                    field="coefficient",
                )
            )
        else:
            cleaned["coefficient"] = coefficient
            if coefficient <= 0:
                errors.append(
                    DomainError(
                        _("Расчётный коэффициент должен быть больше нуля."), field="coefficient"
                    )
                )
            elif coefficient >= 10**6 or coefficient != coefficient.quantize(Decimal("0.0001")):
                errors.append(
                    DomainError(
                        _(
                            "Расчётный коэффициент — не больше шести цифр до запятой "
                            "и четырёх после."
                        ),
                        field="coefficient",
                    )
                )
    return cleaned, errors


def _dates_error(*, installed_on: date | None, verified_until: date | None, field: str):
    if installed_on is not None and verified_until is not None and verified_until < installed_on:
        return DomainError(
            _("Дата следующей поверки (%(v)s) не может быть раньше даты установки (%(i)s).")
            % {
                "v": date_format(verified_until, "d.m.Y"),
                "i": date_format(installed_on, "d.m.Y"),
            },
            field=field,
        )
    return None


def meter_check_new(
    *, account: PersonalAccount, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[DomainError]]:
    """Check the values of a meter to register on an account; nothing is written.

    ``values`` has ``number`` and any of METER_DESCRIPTIVE_FIELDS (the rest take their
    defaults). Returns the cleaned values and every objection, each naming its field;
    meter_register refuses with the first one. The admin's form shows them all.
    """
    unknown = set(values) - {"number", *METER_DESCRIPTIVE_FIELDS}
    if unknown:
        raise TypeError(f"meter_check_new(): unknown fields {sorted(unknown)}")
    cleaned, errors = _meter_clean({**_METER_DEFAULTS, "number": "", **values})
    bad = {e.field for e in errors}
    if (
        "number" not in bad
        and Meter.objects.filter(account=account, number=cleaned["number"]).exists()
    ):
        errors.append(
            DomainError(
                _("На лицевом счёте %(a)s уже есть прибор учёта с заводским номером %(n)s.")
                % {"a": account.number, "n": cleaned["number"]},
                field="number",
                code="duplicate",
            )
        )
    dates = _dates_error(
        installed_on=cleaned["installed_on"],
        verified_until=cleaned["verified_until"],
        field="verified_until",
    )
    if dates:
        errors.append(dates)
    return cleaned, errors


def meter_check_changes(
    *, meter: Meter, changes: Mapping[str, Any]
) -> tuple[dict[str, tuple[Any, Any]], list[DomainError]]:
    """Check changes of a meter's descriptive fields; nothing is written.

    Returns ``{field: (old, new)}`` for the fields that really change, and every
    objection, each naming its field. Zones and digits cannot change once the meter
    has readings.
    """
    unknown = set(changes) - set(METER_DESCRIPTIVE_FIELDS)
    if unknown:
        raise TypeError(f"meter_update() cannot change {sorted(unknown)}")
    current = {name: getattr(meter, name) for name in METER_DESCRIPTIVE_FIELDS}
    cleaned, errors = _meter_clean(changes)
    errors = [e for e in errors if e.field in changes]
    bad = {e.field for e in errors}
    diff = {
        name: (current[name], cleaned[name])
        for name in changes
        if name not in bad and cleaned[name] != current[name]
    }
    installed_on = cleaned.get("installed_on", current["installed_on"])
    verified_until = cleaned.get("verified_until", current["verified_until"])
    if not bad & {"installed_on", "verified_until"}:
        dates = _dates_error(
            installed_on=installed_on,
            verified_until=verified_until,
            field="verified_until" if "verified_until" in diff else "installed_on",
        )
        if dates and ({"installed_on", "verified_until"} & set(diff)):
            errors.append(dates)
    fixed = [name for name in METER_FORMAT_FIELDS if name in diff]
    if fixed and meter.pk is not None and meter.readings.exists():
        for name in fixed:
            errors.append(
                DomainError(
                    _(
                        "Поле «%(f)s» нельзя изменить: по счётчику уже есть показания, и "
                        "прежние показания читались бы по-другому. Если счётчик заменили, "
                        "снимите этот с учёта и зарегистрируйте новый."
                    )
                    % {"f": _meter_label(name)},
                    field=name,
                    code="has_readings",
                )
            )
    return diff, errors


def _meter_locked(meter: Meter) -> Meter:
    return Meter.objects.select_for_update().get(pk=meter.pk)


def _meter_event(
    *, meter: Meter, action: str, by, changes: Mapping[str, tuple[Any, Any]], comment: str = ""
) -> MeterEvent:
    return MeterEvent.objects.create(
        meter=meter,
        action=action,
        by=by,
        changes={
            name: [_meter_text(old), _meter_text(new)] for name, (old, new) in changes.items()
        },
        comment=(comment or "").strip()[:300],
    )


def meter_register(
    *,
    by,
    account: PersonalAccount,
    number: str,
    model_name: str = "",
    service: str = "",
    unit: str = "кВт·ч",
    zones: str = Meter.Zones.SINGLE,
    digits: int = 6,
    decimals: int = 0,
    coefficient: Decimal = Decimal(1),
    installed_on: date | None = None,
    verified_until: date | None = None,
) -> Meter:
    """Зарегистрировать прибор учёта на лицевом счёте; the event lists its first values.

    ``by`` may be None (an import). Refuses a number the account already has, digits
    outside 1..12, more than 4 decimals, a coefficient not above zero and a поверка
    date before the installation date.
    """
    values = {
        "number": number,
        "model_name": model_name,
        "service": service,
        "unit": unit,
        "zones": zones,
        "digits": digits,
        "decimals": decimals,
        "coefficient": coefficient,
        "installed_on": installed_on,
        "verified_until": verified_until,
    }
    with transaction.atomic():
        # One registration on an account at a time, so the number check holds.
        PersonalAccount.objects.select_for_update().filter(pk=account.pk).first()
        cleaned, errors = meter_check_new(account=account, values=values)
        if errors:
            raise errors[0]
        meter = Meter.objects.create(account=account, **cleaned)
        _meter_event(
            meter=meter,
            action=MeterEvent.Action.REGISTERED,
            by=by,
            changes={
                name: (None, value) for name, value in cleaned.items() if value not in ("", None)
            },
        )
    return meter


def meter_update(*, by, meter: Meter, **changes: Any) -> Meter:
    """Изменить описание прибора учёта (METER_DESCRIPTIVE_FIELDS); the event keeps the
    old and new values. A change that changes nothing writes nothing."""
    with transaction.atomic():
        locked = _meter_locked(meter)
        diff, errors = meter_check_changes(meter=locked, changes=changes)
        if errors:
            raise errors[0]
        if not diff:
            return locked
        for name, (_old, new) in diff.items():
            setattr(locked, name, new)
        locked.save(update_fields=list(diff))
        _meter_event(meter=locked, action=MeterEvent.Action.CHANGED, by=by, changes=diff)
    return locked


def meter_verify(*, by, meter: Meter, verified_until: date, comment: str = "") -> Meter:
    """Поверка: the date of the next поверка, later than the current one."""
    with transaction.atomic():
        locked = _meter_locked(meter)
        if locked.is_removed:
            raise DomainError(
                _("Счётчик снят с учёта: сначала верните его в работу."), code="removed"
            )
        if verified_until is None:
            raise DomainError(
                _("Укажите дату следующей поверки."), field="verified_until", code="required"
            )
        current = locked.verified_until
        if current is not None and verified_until <= current:
            raise DomainError(
                _("Новая дата поверки должна быть позже текущей (%(d)s).")
                % {"d": date_format(current, "d.m.Y")},
                field="verified_until",
            )
        dates = _dates_error(
            installed_on=locked.installed_on, verified_until=verified_until, field="verified_until"
        )
        if dates:
            raise dates
        locked.verified_until = verified_until
        locked.save(update_fields=["verified_until"])
        _meter_event(
            meter=locked,
            action=MeterEvent.Action.VERIFIED,
            by=by,
            changes={"verified_until": (current, verified_until)},
            comment=comment,
        )
    return locked


def meter_remove(
    *, by, meter: Meter, removed_on: date, comment: str = "", today: date | None = None
) -> Meter:
    """Снять с учёта: the meter takes no more readings. The date is not in the future and
    not before the period of its last live (accepted or pending) reading."""
    today = today or timezone.localdate()
    if removed_on is None:
        raise DomainError(_("Укажите дату снятия с учёта."), field="removed_on", code="required")
    with transaction.atomic():
        # The lock a submission of the account's readings takes, then the meter's.
        PersonalAccount.objects.select_for_update().filter(pk=meter.account_id).first()
        locked = _meter_locked(meter)
        if locked.is_removed:
            raise DomainError(
                _("Счётчик уже снят с учёта (%(d)s).")
                % {"d": date_format(locked.removed_on, "d.m.Y") if locked.removed_on else "—"},
                code="removed",
            )
        if removed_on > today:
            raise DomainError(_("Дата снятия с учёта не может быть в будущем."), field="removed_on")
        if locked.installed_on is not None and removed_on < locked.installed_on:
            raise DomainError(
                _("Дата снятия с учёта не может быть раньше даты установки (%(d)s).")
                % {"d": date_format(locked.installed_on, "d.m.Y")},
                field="removed_on",
            )
        last = (
            locked.readings.filter(status__in=[Reading.Status.ACCEPTED, Reading.Status.SUBMITTED])
            .order_by("-period")
            .first()
        )
        if last is not None and removed_on < last.period:
            raise DomainError(
                _(
                    "По счётчику есть показание за %(p)s: дата снятия с учёта не может быть "
                    "раньше этого периода."
                )
                % {"p": date_format(last.period, "m.Y")},
                field="removed_on",
            )
        old_state = locked.state
        locked.state = Meter.State.REMOVED
        locked.removed_on = removed_on
        locked.save(update_fields=["state", "removed_on"])
        _meter_event(
            meter=locked,
            action=MeterEvent.Action.REMOVED,
            by=by,
            changes={"state": (old_state, locked.state), "removed_on": (None, removed_on)},
            comment=comment,
        )
    return locked


def meter_restore(*, by, meter: Meter, comment: str = "") -> Meter:
    """Вернуть в работу a meter removed by mistake; the removal date is cleared."""
    with transaction.atomic():
        locked = _meter_locked(meter)
        if not locked.is_removed:
            raise DomainError(_("Счётчик и так в работе."), code="active")
        old_state, old_removed_on = locked.state, locked.removed_on
        locked.state = Meter.State.ACTIVE
        locked.removed_on = None
        locked.save(update_fields=["state", "removed_on"])
        _meter_event(
            meter=locked,
            action=MeterEvent.Action.RESTORED,
            by=by,
            changes={"state": (old_state, locked.state), "removed_on": (old_removed_on, None)},
            comment=comment,
        )
    return locked
