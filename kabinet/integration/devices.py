"""Finding the device the metering head-end names: a flat's meter by its number (with the
personal account when the number is not unique), a КУУТЭ by its number (with the contract),
an ОДПУ by its number. Read-only; shared by the interval import and the integration API."""

from django.utils.translation import gettext as _

from kabinet.contracts.models import MeteringUnit
from kabinet.core.errors import DomainError
from kabinet.metering.models import Meter
from kabinet.premises.models import BuildingMeter


def _one(qs, *, active: dict | None, missing: str, ambiguous: str):
    found = list(qs[:5])
    if len(found) > 1 and active:
        live = [obj for obj in found if all(getattr(obj, k) == v for k, v in active.items())]
        found = live or found
    if not found:
        raise DomainError(missing)
    if len(found) > 1:
        raise DomainError(ambiguous)
    return found[0]


def device_find(
    *,
    meter_number: str = "",
    account: str = "",
    unit_number: str = "",
    contract: str = "",
    building_meter: str = "",
) -> dict:
    """``{"meter": …}``, ``{"unit": …}`` or ``{"building_meter": …}`` — exactly one device
    named — or ``DomainError`` with the reason in Russian."""
    meter_number, unit_number = (meter_number or "").strip(), (unit_number or "").strip()
    building_meter = (building_meter or "").strip()
    named = [n for n in (meter_number, unit_number, building_meter) if n]
    if len(named) != 1:
        raise DomainError(_("Укажите один прибор: номер ПУ, номер КУУТЭ или номер ОДПУ."))
    if meter_number:
        qs = Meter.objects.filter(number=meter_number)
        if account:
            qs = qs.filter(account__number=account.strip())
        return {
            "meter": _one(
                qs.select_related("account"),
                active={"state": Meter.State.ACTIVE},
                missing=_("Прибор учёта № %(n)s не найден.") % {"n": meter_number},
                ambiguous=_("Прибор учёта № %(n)s есть на нескольких лицевых счетах: укажите счёт.")
                % {"n": meter_number},
            )
        }
    if unit_number:
        qs = MeteringUnit.objects.filter(number=unit_number)
        if contract:
            qs = qs.filter(contract__number=contract.strip())
        return {
            "unit": _one(
                qs,
                active={"state": MeteringUnit.State.IN_SERVICE},
                missing=_("КУУТЭ № %(n)s не найден.") % {"n": unit_number},
                ambiguous=_("КУУТЭ № %(n)s есть в нескольких договорах: укажите договор.")
                % {"n": unit_number},
            )
        }
    return {
        "building_meter": _one(
            BuildingMeter.objects.filter(number=building_meter),
            active=None,
            missing=_("ОДПУ № %(n)s не найден.") % {"n": building_meter},
            ambiguous=_("ОДПУ № %(n)s не единственный: обратитесь в поддержку.")
            % {"n": building_meter},
        )
    }


class DeviceCache:
    """``device_find`` remembered for one request or one chunk of a file (a file names the
    same meter on many rows); a refusal is remembered too."""

    def __init__(self):
        self._found: dict[tuple, dict | DomainError] = {}

    def find(self, **names) -> dict:
        key = tuple(sorted((k, (v or "").strip()) for k, v in names.items()))
        if key not in self._found:
            try:
                self._found[key] = device_find(**names)
            except DomainError as exc:
                self._found[key] = exc
        found = self._found[key]
        if isinstance(found, DomainError):
            raise found
        return found
