"""Отключения ГВС и отопления through the API: the customer's report by their addresses,
the public search by address, and subscriptions to a house's outage notices — the same
selectors and services as «Отключение ГВС» in the cabinet (``kabinet.outages``).

Outages, houses and subscriptions have integer ids (their models carry no uuid)."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kabinet.api.appeals import NO_NUL
from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS, ErrorOut
from kabinet.core.errors import DomainError
from kabinet.outages import selectors, services
from kabinet.outages.models import Outage, OutageSubscription
from kabinet.premises import selectors as premises
from kabinet.premises.models import House

router = Router()


class HouseOut(Schema):
    id: int = Field(description="Идентификатор дома в реестре")
    address: str = Field(description="Адрес дома")

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.address


class OutageOut(Schema):
    id: int = Field(description="Идентификатор отключения")
    house: HouseOut = Field(description="Дом")
    kind: str = Field(description="Вид: planned (плановое) или emergency (аварийное)")
    kind_label: str = Field(description="Вид словами")
    service: str = Field(description="Услуга: hot_water (ГВС) или heating (отопление)")
    service_label: str = Field(description="Услуга словами")
    starts_on: date = Field(description="Дата начала")
    ends_on: date = Field(description="Дата окончания")
    reason: str = Field(description="Причина")
    state: str = Field(description="Сейчас: current (идёт), upcoming (будет), past (прошло)")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_service_label(obj) -> str:
        return str(obj.get_service_display())

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state(timezone.localdate())


class SubscriptionOut(Schema):
    id: int = Field(description="Идентификатор подписки")
    house: HouseOut = Field(description="Дом, об отключениях которого приходят уведомления")
    created_at: datetime = Field(description="Когда подписались")


class ReportOut(Schema):
    active: list[OutageOut] = Field(description="Идущие и предстоящие, идущие первыми")
    past: list[OutageOut] = Field(description="Недавние прошедшие, последние первыми")
    houses: list[HouseOut] = Field(
        description="Адреса отчёта: дома лицевых счетов, «Мой дом» и подписки"
    )
    subscriptions: list[SubscriptionOut] = Field(description="Подписки на уведомления")


class HouseOutagesOut(Schema):
    house: HouseOut = Field(description="Найденный дом")
    active: list[OutageOut] = Field(description="Идущие и предстоящие")
    past: list[OutageOut] = Field(description="Недавние прошедшие")


class AddressQuery(Schema):
    settlement: int = Field(description="Населённый пункт (идентификатор)")
    street: int = Field(description="Улица (идентификатор)")
    number: str = Field(description="Номер дома", max_length=16, pattern=NO_NUL)
    building: str = Field("", description="Корпус", max_length=16, pattern=NO_NUL)
    letter: str = Field("", description="Литера", max_length=8, pattern=NO_NUL)


class SubscribeIn(Schema):
    house: int = Field(description="Дом (идентификатор из реестра)")


# --- operations: fixed paths before "/{outage_id}" (Django tries them in order) ---


@router.get("/mine", response={200: ReportOut, **ERRORS}, summary="Отключения по моим адресам")
def outage_report(request):
    """Отключения домов лицевых счетов пользователя, домов из «Мой дом» и домов, на
    которые он подписан: идущие и предстоящие, затем недавние прошедшие."""
    return selectors.outage_report(user=request.user, today=timezone.localdate())


@router.get(
    "/search",
    auth=None,
    response={200: HouseOutagesOut, **ERRORS},
    summary="Отключения по адресу",
)
def outage_search(request, address: Query[AddressQuery]):
    """Отключения любого дома зоны теплоснабжения по адресу; вход не нужен. Дома нет в
    реестре зоны — 404 с объяснением, какое поле адреса не подошло."""
    try:
        house = premises.house_find(
            settlement_id=address.settlement,
            street_id=address.street,
            number=address.number,
            building=address.building,
            letter=address.letter,
        )
    except DomainError as exc:
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return Status(404, ErrorOut(code="not_found", message=str(exc.message), fields=fields))
    active, past = selectors.outages_of_house(house=house, today=timezone.localdate())
    return {"house": house, "active": active, "past": past}


@router.post(
    "/subscriptions",
    response={200: SubscriptionOut, 201: SubscriptionOut, **WRITE_ERRORS},
    summary="Подписаться на уведомления об отключениях дома",
)
def outage_subscribe(request, payload: SubscribeIn):
    """Подписаться на уведомления об отключениях любого дома зоны (201); повторная
    подписка ничего не меняет (200)."""
    require_full(request)
    house = get_object_or_404(House.objects.select_related("street__settlement"), pk=payload.house)
    subscription, created = services.outage_subscribe(user=request.user, house=house)
    return Status(201 if created else 200, subscription)


@router.delete(
    "/subscriptions/{subscription_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Отписаться от уведомлений",
)
def outage_unsubscribe(request, subscription_id: int):
    """Отписаться от уведомлений об отключениях дома."""
    require_full(request)
    subscription = get_object_or_404(
        OutageSubscription.objects.visible_to(request.user), pk=subscription_id
    )
    services.outage_unsubscribe(subscription=subscription)
    return Status(204, None)


@router.get("/{outage_id}", response={200: OutageOut, **ERRORS}, summary="Отключение")
def outage_detail(request, outage_id: int):
    """Одно отключение по адресам пользователя."""
    return get_object_or_404(
        Outage.objects.visible_to(request.user).select_related("house__street__settlement"),
        pk=outage_id,
    )
