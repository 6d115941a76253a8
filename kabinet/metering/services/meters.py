"""Приборы учёта: регистрация, изменение описания, поверка, снятие с учёта и
возврат в работу, each with its checks and a MeterEvent that keeps what changed.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering.models import Meter, MeterEvent, Reading

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
    event = MeterEvent.objects.create(
        meter=meter,
        action=action,
        by=by,
        changes={
            name: [_meter_text(old), _meter_text(new)] for name, (old, new) in changes.items()
        },
        comment=(comment or "").strip()[:300],
    )
    if by is not None:  # an import's rows are not journalled one by one
        audit_record(
            actor=by,
            action=AUDIT_ACTIONS[action],
            target=meter,
            subject=meter.account.owner,
            changes=event.changes,
            note=event.comment,
        )
    return event


AUDIT_ACTIONS = {
    MeterEvent.Action.REGISTERED: "meter_register",
    MeterEvent.Action.CHANGED: "meter_update",
    MeterEvent.Action.VERIFIED: "meter_verify",
    MeterEvent.Action.REMOVED: "meter_remove",
    MeterEvent.Action.RESTORED: "meter_restore",
}


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


# --- loading from the billing system (kabinet.integration) ----------------------------


def meter_upsert(*, account_number: str, number: str, **fields: Any) -> tuple[Meter, str]:
    """A meter keyed by its account and number, as the billing system has it: a new
    one is registered (``meter_register``), a known one changed (``meter_update``,
    with its event). Fields given as None are left as they are; the same refusals
    apply (zones and digits do not change once there are readings).

    Returns the meter and "created", "updated" or "unchanged"."""
    given = {k: v for k, v in fields.items() if v is not None}
    with transaction.atomic():
        account = PersonalAccount.objects.filter(number=account_number).first()
        if account is None:
            raise DomainError(
                _("Лицевой счёт %(a)s не найден.") % {"a": account_number}, field="account"
            )
        meter = Meter.objects.filter(account=account, number=str(number).strip()).first()
        if meter is None:
            return meter_register(by=None, account=account, number=number, **given), "created"
        locked = _meter_locked(meter)
        diff, errors = meter_check_changes(meter=locked, changes=given)
        if errors:
            raise errors[0]
        if not diff:
            return locked, "unchanged"
        return meter_update(by=None, meter=locked, **given), "updated"
