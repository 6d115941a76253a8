"""Показания потребителя: the value, the window of the month, the checks, the
submission and staff decisions (принять, отклонить) on a reading.

The rules of a submission are in the package's docstring and in docs/decisions.md,
«Показания: правила приёма».
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from statistics import median
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kabinet.backoffice import roles
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, format_quantity, period_of
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering import selectors
from kabinet.metering.models import Meter, Reading, ReadingEvent

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


def _audit(user, action: str, reading: Reading, note: str = "") -> None:
    was = ReadingEvent.objects.filter(reading=reading).order_by("-pk").first().from_status
    audit_record(
        actor=user,
        action=action,
        target=reading,
        subject=reading.meter.account.owner,
        changes={"status": [was, reading.status]},
        note=note,
    )


def _staff_only(user) -> None:
    if not roles.can(user, roles.BILLING):
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
        _audit(user, "reading_accept", locked)
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
        _audit(user, "reading_reject", locked, note=locked.reject_reason)
    return locked
