"""Writes of the premises app: a resident follows a house of the supply zone (000 §2.3.1);
houses and premises loaded from the billing system."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.premises.models import (
    House,
    HouseFollow,
    ManagementCompany,
    Premises,
    Settlement,
    Street,
)

MAX_FOLLOWED_HOUSES = 20


@transaction.atomic
def house_follow(*, user, house: House) -> tuple[HouseFollow, bool]:
    """Add a house to the user's "Мой дом"; following it twice is harmless.

    Returns the follow and whether it is new.
    """
    if not user.is_authenticated:
        raise DomainError(_("Войдите в личный кабинет, чтобы добавить дом."))
    existing = HouseFollow.objects.filter(user=user, house=house).first()
    if existing is not None:
        return existing, False
    # Lock the user's follows so two tabs cannot both pass the limit.
    count = len(HouseFollow.objects.select_for_update().filter(user=user).values_list("pk"))
    if count >= MAX_FOLLOWED_HOUSES:
        raise DomainError(
            _("В разделе «Мой дом» может быть не больше %(n)s домов. Уберите лишний дом.")
            % {"n": MAX_FOLLOWED_HOUSES},
            field="house",
        )
    follow, created = HouseFollow.objects.get_or_create(user=user, house=house)
    return follow, created


@transaction.atomic
def house_unfollow(*, user, house: House) -> bool:
    """Remove a house from the user's "Мой дом". Returns whether it was there."""
    deleted, _rows = HouseFollow.objects.filter(user=user, house=house).delete()
    return bool(deleted)


# --- loading from the billing system (kabinet.integration) ----------------------------


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def house_at(
    *, settlement: str, street: str, number: str, building: str = "", letter: str = ""
) -> House | None:
    """The registry's house at an address written as the billing system writes it,
    compared case-, space- and ё-insensitively; None if there is none."""
    from kabinet.premises.selectors import fold

    town = fold(settlement)
    towns = [s.pk for s in Settlement.objects.all() if fold(s.name) == town]
    wanted = fold(street)
    streets = [
        s.pk
        for s in Street.objects.filter(settlement_id__in=towns).only("id", "name")
        if fold(s.name) == wanted
    ]
    key = (fold(number), fold(building), fold(letter))
    for house in House.objects.filter(street_id__in=streets).select_related("street__settlement"):
        if (fold(house.number), fold(house.building), fold(house.letter)) == key:
            return house
    return None


def house_require(**address: str) -> House:
    """``house_at``, or DomainError naming the address: it is outside the zone."""
    house = house_at(**address)
    if house is None:
        text = ", ".join(
            _clean(address.get(k))
            for k in ("settlement", "street", "number", "building", "letter")
            if _clean(address.get(k))
        )
        raise DomainError(_("Дома «%(a)s» нет в реестре зоны теплоснабжения.") % {"a": text})
    return house


@transaction.atomic
def house_upsert(
    *,
    settlement: str,
    street: str,
    number: str,
    building: str = "",
    letter: str = "",
    management_company: str | None = None,
) -> tuple[House, str]:
    """A house of the supply zone, keyed by its address (settlement, street, number,
    корпус, литера); the settlement and street are added when new. The management
    company is found by name (or added); None leaves it as it is.

    Returns the house and "created", "updated" or "unchanged"."""
    from kabinet.premises.selectors import fold

    settlement, street, number = _clean(settlement), _clean(street), _clean(number)
    building, letter = _clean(building), _clean(letter)
    if not (settlement and street and number):
        raise DomainError(_("Укажите населённый пункт, улицу и номер дома."))
    for value, limit, label in (
        (settlement, 200, _("Населённый пункт")),
        (street, 200, _("Улица")),
        (number, 16, _("Номер дома")),
        (building, 16, _("Корпус")),
        (letter, 8, _("Литера")),
    ):
        if len(value) > limit:
            raise DomainError(_("%(f)s — не длиннее %(n)s символов.") % {"f": label, "n": limit})
    company = None
    if management_company:
        name = _clean(management_company)[:300]
        company = next(
            (c for c in ManagementCompany.objects.all() if fold(c.name) == fold(name)), None
        ) or ManagementCompany.objects.create(name=name)
    house = house_at(
        settlement=settlement, street=street, number=number, building=building, letter=letter
    )
    if house is None:
        town = next(
            (s for s in Settlement.objects.all() if fold(s.name) == fold(settlement)), None
        ) or Settlement.objects.create(name=settlement)
        road = next(
            (s for s in Street.objects.filter(settlement=town) if fold(s.name) == fold(street)),
            None,
        ) or Street.objects.create(settlement=town, name=street)
        house = House.objects.create(
            street=road,
            number=number,
            building=building,
            letter=letter,
            management_company=company,
        )
        return house, "created"
    if company is not None and house.management_company_id != company.pk:
        house.management_company = company
        house.save(update_fields=["management_company"])
        return house, "updated"
    return house, "unchanged"


@transaction.atomic
def premises_upsert(
    *,
    house: House,
    flat: str = "",
    area_m2: Decimal | None = None,
    registered_people: int | None = None,
    beneficiaries: int | None = None,
) -> tuple[Premises, str]:
    """An apartment (or a whole house, ``flat`` empty), keyed by house and flat; a
    value given as None is left as it is (a new premises needs its area).

    Returns the premises and "created", "updated" or "unchanged"."""
    flat = _clean(flat)
    if len(flat) > 16:
        raise DomainError(_("Номер квартиры — не длиннее 16 символов."))
    if area_m2 is not None and not (Decimal(0) < area_m2 < Decimal(1_000_000)):
        raise DomainError(_("Площадь должна быть больше нуля и меньше 1 000 000 м²."))
    given = {
        "area_m2": area_m2,
        "registered_people": registered_people,
        "beneficiaries": beneficiaries,
    }
    given = {k: v for k, v in given.items() if v is not None}
    for name in ("registered_people", "beneficiaries"):
        if name in given and not 0 <= given[name] <= 32767:
            raise DomainError(_("Число людей должно быть от 0 до 32767."))
    premises = Premises.objects.select_for_update().filter(house=house, flat=flat).first()
    if premises is None:
        if area_m2 is None:
            raise DomainError(_("Для нового помещения укажите площадь."))
        return Premises.objects.create(house=house, flat=flat, **given), "created"
    changed = [k for k, v in given.items() if getattr(premises, k) != v]
    if not changed:
        return premises, "unchanged"
    for name in changed:
        setattr(premises, name, given[name])
    premises.save(update_fields=changed)
    return premises, "updated"
