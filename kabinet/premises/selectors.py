"""Reads of the address registry: the step-by-step address lookups and "Мой дом".

Matching is done in Python on purpose: SQLite's LIKE and lower() fold only ASCII, so
"сад" would not find "Садовая улица" there; a settlement has a few thousand streets
and a street a few hundred houses at most, so one narrow query and a scan are cheap
and behave the same on SQLite and PostgreSQL.
"""

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from kabinet.core.errors import DomainError
from kabinet.premises.models import (
    BuildingMeter,
    BuildingMeterMonth,
    House,
    HouseDebt,
    HouseFollow,
    Street,
)

LOOKUP_LIMIT = 20

OUTSIDE_ZONE = _(
    "Этот адрес вне зоны теплоснабжения: такого дома нет в нашем реестре. "
    "Проверьте улицу и номер дома."
)
OUTSIDE_ZONE_VARIANT = _(
    "Этот адрес вне зоны теплоснабжения: у дома %(number)s нет такого корпуса или литеры. "
    "Выберите их из списка."
)


def fold(text: str) -> str:
    """Case- and ё-insensitive form for comparing what a person typed with the registry."""
    return " ".join((text or "").split()).casefold().replace("ё", "е")


def _word_starts(name: str, query: str) -> int | None:
    """0 when the name starts with the query, 1 when a later word does, None otherwise.

    "мар" finds "улица Марата" as well as "Марата улица": people type the proper name.
    """
    name, query = fold(name), fold(query)
    if not query or name.startswith(query):
        return 0
    if re.search(r"[\s\-«\"(.]" + re.escape(query), name):
        return 1
    return None


def streets_matching(*, settlement_id: int, q: str = "", limit: int | None = None) -> list[Street]:
    """Streets of a settlement whose name (or a word of it) starts with ``q``, best first."""
    streets = Street.objects.filter(settlement_id=settlement_id).only("id", "name", "settlement")
    ranked = []
    for street in streets:
        rank = _word_starts(street.name, q)
        if rank is not None:
            ranked.append((rank, fold(street.name), street))
    ranked.sort(key=lambda r: (r[0], r[1]))
    found = [street for _rank, _name, street in ranked]
    return found[:limit] if limit else found


def _number_key(number: str) -> tuple[int, str]:
    m = re.match(r"\d+", number)
    return (int(m.group(0)) if m else 10**9, fold(number))


def house_numbers(*, street_id: int, q: str = "", limit: int | None = None) -> list[str]:
    """Distinct house numbers of a street starting with ``q``, in natural order (2, 10, 10А)."""
    query = fold(q)
    numbers = {
        n
        for n in House.objects.filter(street_id=street_id).values_list("number", flat=True)
        if fold(n).startswith(query)
    }
    found = sorted(numbers, key=_number_key)
    return found[:limit] if limit else found


def house_variants(*, street_id: int, number: str) -> list[House]:
    """The houses sharing one number on a street: its корпуса and литеры."""
    wanted = fold(number)
    houses = House.objects.filter(street_id=street_id).select_related("street__settlement")
    found = [h for h in houses if fold(h.number) == wanted]
    return sorted(found, key=lambda h: (fold(h.building), fold(h.letter)))


def variant_label(house: House) -> str:
    """ "корп. 2, лит. А" — or "без корпуса и литеры"."""
    parts = []
    if house.building:
        parts.append(f"корп. {house.building}")
    if house.letter:
        parts.append(f"лит. {house.letter}")
    return ", ".join(parts) or str(_("без корпуса и литеры"))


def house_find(
    *, settlement_id: int, street_id: int, number: str, building: str = "", letter: str = ""
) -> House:
    """The registry's house at this address, or DomainError: the address is outside the zone."""
    if not Street.objects.filter(pk=street_id, settlement_id=settlement_id).exists():
        raise DomainError(OUTSIDE_ZONE, field="street")
    variants = house_variants(street_id=street_id, number=number)
    if not variants:
        raise DomainError(OUTSIDE_ZONE, field="number")
    building, letter = fold(building), fold(letter)
    for house in variants:
        if fold(house.building) == building and fold(house.letter) == letter:
            return house
    field = "letter" if any(fold(h.building) == building for h in variants) else "building"
    raise DomainError(OUTSIDE_ZONE_VARIANT % {"number": variants[0].number}, field=field)


def my_houses(user) -> QuerySet[House]:
    """The houses a user follows, in the order they were added."""
    return (
        House.objects.filter(housefollow__user=user)
        .select_related("street__settlement", "management_company")
        .order_by("housefollow__created_at", "pk")
    )


def is_following(*, user, house: House) -> bool:
    return HouseFollow.objects.filter(user=user, house=house).exists()


@dataclass
class HouseCard:
    """Everything the house page shows, read in a fixed number of queries."""

    house: House
    meters: list[BuildingMeter]
    debts: list[HouseDebt]


def house_card(*, house: House) -> HouseCard:
    from kabinet.metering.interval_models import IntervalSeries

    # ``has_series``: the meter has an ИСУ archive to link to (a subquery, no extra query).
    meters = list(
        BuildingMeter.objects.filter(house=house)
        .annotate(has_series=Exists(IntervalSeries.objects.filter(building_meter=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("months", queryset=BuildingMeterMonth.objects.order_by("-period"))
        )
    )
    debts = list(HouseDebt.objects.filter(house=house).order_by("-period"))
    return HouseCard(house=house, meters=meters, debts=debts)
