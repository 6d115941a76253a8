"""Адреса зоны теплоснабжения: the registry's settlements, streets and houses, to fill the
address of the outage search (``/outages/search``) — the same type-ahead the address picker
on the pages uses (``premises:lookup``). Public, as the picker is: the registry is no secret."""

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from kabinet.api.appeals import NO_NUL
from kabinet.api.errors import ERRORS
from kabinet.premises import selectors
from kabinet.premises.models import House, Settlement, Street

router = Router()


class SettlementOut(Schema):
    id: int = Field(description="Идентификатор населённого пункта")
    name: str = Field(description="Название")


class StreetOut(Schema):
    id: int = Field(description="Идентификатор улицы")
    name: str = Field(description="Название")


class HouseVariantOut(Schema):
    id: int = Field(description="Идентификатор дома в реестре")
    number: str = Field(description="Номер дома")
    building: str = Field(description="Корпус (пусто — нет)")
    letter: str = Field(description="Литера (пусто — нет)")
    label: str = Field(description="Корпус и литера словами")


@router.get(
    "/settlements", auth=None, response={200: list[SettlementOut], **ERRORS}, summary="Города"
)
def settlements(request):
    """Населённые пункты зоны."""
    return Settlement.objects.order_by("name")


@router.get("/streets", auth=None, response={200: list[StreetOut], **ERRORS}, summary="Улицы")
def streets(
    request,
    settlement: int = Query(..., ge=1, le=2**31 - 1, description="Населённый пункт"),
    q: str = Query("", max_length=100, pattern=NO_NUL, description="Начало названия"),
):
    """До 20 улиц, название которых (или слово в нём) начинается с ``q``; лучшие первыми."""
    get_object_or_404(Settlement, pk=settlement)
    return selectors.streets_matching(settlement_id=settlement, q=q, limit=selectors.LOOKUP_LIMIT)


@router.get("/houses", auth=None, response={200: list[HouseVariantOut], **ERRORS}, summary="Дома")
def houses(
    request,
    street: int = Query(..., ge=1, le=2**31 - 1, description="Улица"),
    q: str = Query("", max_length=16, pattern=NO_NUL, description="Начало номера дома"),
):
    """До 20 номеров домов улицы, начинающихся с ``q``, с их корпусами и литерами."""
    get_object_or_404(Street, pk=street)
    numbers = selectors.house_numbers(street_id=street, q=q, limit=selectors.LOOKUP_LIMIT)
    order = {selectors.fold(n): i for i, n in enumerate(numbers)}
    houses = [
        h for h in House.objects.filter(street_id=street) if selectors.fold(h.number) in order
    ]
    houses.sort(
        key=lambda h: (
            order[selectors.fold(h.number)],
            selectors.fold(h.building),
            selectors.fold(h.letter),
        )
    )
    return [
        {
            "id": h.pk,
            "number": h.number,
            "building": h.building,
            "letter": h.letter,
            "label": selectors.variant_label(h),
        }
        for h in houses
    ]
