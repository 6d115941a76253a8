"""Договоры (business customers' supply contracts) through the API, read-only: the list
with each contract's debt, and a contract with its curators, payment terms, loads,
objects, КУУТЭ and metering points — the same queryset and selectors as «Договоры»
(``kabinet.contracts``). Amounts are roubles as decimal strings ("1234.56")."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kabinet.api.errors import ERRORS
from kabinet.contracts import selectors
from kabinet.contracts.models import Contract
from kabinet.core.money import from_kopecks
from kabinet.core.utility import get_utility

router = Router()


class AccountRefOut(Schema):
    uuid: UUID = Field(description="Лицевой счёт договора")
    number: str = Field(description="Номер лицевого счёта")


class ContractOut(Schema):
    uuid: UUID = Field(description="Идентификатор договора")
    number: str = Field(description="Номер договора")
    signed_on: date = Field(description="Дата договора")
    state: str = Field(description="Состояние: concluded, signing, suspended, terminated")
    state_label: str = Field(description="Состояние словами")
    kind: str = Field(description="Тип договора (код)")
    kind_label: str = Field(description="Тип договора словами")
    product: str = Field(description="Вид товара (код)")
    product_label: str = Field(description="Вид товара словами")
    starts_on: date = Field(description="Дата начала")
    ends_on: date | None = Field(description="Дата окончания")
    customer_name: str = Field(description="Абонент")
    customer_inn: str = Field(description="ИНН абонента")
    account: AccountRefOut = Field(description="Лицевой счёт договора")
    debt: Decimal = Field(description="Текущая задолженность, руб. (меньше нуля — переплата)")
    penalties: Decimal = Field(description="В том числе пени, руб.")

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_product_label(obj) -> str:
        return str(obj.get_product_display())

    @staticmethod
    def resolve_debt(obj) -> Decimal:
        return from_kopecks(obj.debt)

    @staticmethod
    def resolve_penalties(obj) -> Decimal:
        return from_kopecks(obj.penalties)


class ContractPageOut(Schema):
    items: list[ContractOut] = Field(description="Договоры страницы, по номеру")
    count: int = Field(description="Сколько договоров всего")
    total_debt: Decimal | None = Field(
        description="Задолженность по всем договорам, руб. (у сотрудника не считается)"
    )
    total_penalties: Decimal | None = Field(description="В том числе пени, руб.")


class CuratorOut(Schema):
    position: str = Field(description="Должность")
    full_name: str = Field(description="ФИО")
    phone: str = Field(description="Телефон")
    email: str = Field(description="E-mail")


class PaymentTermOut(Schema):
    day: int = Field(description="Дата оплаты (число месяца)")
    percent: Decimal | None = Field(description="Доля платежа, % (пусто — сумма задана иначе)")
    kind: str = Field(description="Вид платежа (код)")
    kind_label: str = Field(description="Вид платежа словами")
    month_offset: int = Field(description="Месяц платежа относительно расчётного")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class LoadOut(Schema):
    load_type: str = Field(description="Вид нагрузки")
    value: Decimal = Field(description="Нагрузка")
    unit: str = Field(description="Единица")
    supply_object: UUID | None = Field(description="Объект")

    @staticmethod
    def resolve_supply_object(obj):
        return obj.supply_object.uuid if obj.supply_object_id else None


class SupplyObjectOut(Schema):
    uuid: UUID = Field(description="Идентификатор объекта")
    name: str = Field(description="Наименование")
    address: str = Field(description="Адрес")
    floors: int | None = Field(description="Этажность")
    building_type: str = Field(description="Вид здания")
    residential: bool = Field(description="Жилое здание")
    load_types: str = Field(description="Типы нагрузки")


class UnitOut(Schema):
    uuid: UUID = Field(description="Идентификатор КУУТЭ")
    number: str = Field(description="Номер узла учёта")
    supply_object: UUID = Field(description="Объект")
    devices: str = Field(description="Приборы")
    commissioned_on: date | None = Field(description="Допущен в эксплуатацию")
    verification_due: date | None = Field(description="Дата поверки")
    state: str = Field(description="Состояние: in_service, check, out")
    state_label: str = Field(description="Состояние словами")

    @staticmethod
    def resolve_supply_object(obj):
        return obj.supply_object.uuid

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())


class PointOut(Schema):
    uuid: UUID = Field(description="Идентификатор точки учёта")
    number: str = Field(description="Точка учёта")
    resource: str = Field(description="Ресурс: heat или hot_water")
    meter_type: str = Field(description="Тип прибора учёта")
    meter_number: str = Field(description="Заводской номер")
    unit_of_measure: str = Field(description="Единица")
    supply_object: UUID | None = Field(description="Объект")
    unit: UUID | None = Field(description="КУУТЭ")

    @staticmethod
    def resolve_supply_object(obj):
        return obj.supply_object.uuid if obj.supply_object_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.uuid if obj.unit_id else None


class ContractDetailOut(ContractOut):
    heat_carrier: str = Field(description="Вид теплоносителя")
    load_character: str = Field(description="Характер нагрузки")
    customer_kpp: str = Field(description="КПП")
    legal_address: str = Field(description="Юридический адрес")
    bank_name: str = Field(description="Банк")
    bank_bik: str = Field(description="БИК")
    bank_account: str = Field(description="Расчётный счёт")
    bank_corr_account: str = Field(description="Корреспондентский счёт")
    can_act: bool = Field(description="Полный доступ: оплата, отчёты, переписка")
    curators: list[CuratorOut] = Field(description="Кураторы договора")
    payment_terms: list[PaymentTermOut] = Field(description="Сроки оплаты")
    loads: list[LoadOut] = Field(description="Договорные нагрузки")
    objects: list[SupplyObjectOut] = Field(description="Объекты теплоснабжения")
    units: list[UnitOut] = Field(description="КУУТЭ")
    points: list[PointOut] = Field(description="Точки учёта")

    @staticmethod
    def resolve_can_act(obj, context) -> bool:
        return selectors.can_act(context["request"].user, obj)

    @staticmethod
    def resolve_curators(obj) -> list:
        return list(obj.curators.all())

    @staticmethod
    def resolve_payment_terms(obj) -> list:
        return list(obj.payment_terms.all())

    @staticmethod
    def resolve_loads(obj) -> list:
        return list(obj.loads.select_related("supply_object"))

    @staticmethod
    def resolve_objects(obj) -> list:
        return list(obj.supply_objects.order_by("name"))

    @staticmethod
    def resolve_units(obj) -> list:
        return list(obj.units.select_related("supply_object"))

    @staticmethod
    def resolve_points(obj) -> list:
        return list(obj.points.select_related("supply_object", "unit"))


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=100, description="Сколько договоров на странице")
    offset: int = Field(0, ge=0, description="Сколько пропустить")


def _contracts_on():
    if not get_utility().contracts:
        raise Http404


def _with_debts(contracts: list[Contract], today) -> list[Contract]:
    debts = selectors.debts(account_ids=[c.account_id for c in contracts], today=today)
    for c in contracts:
        c.debt, c.penalties = debts.get(c.account_id, (0, 0))
    return contracts


@router.get("/", response={200: ContractPageOut, **ERRORS}, summary="Договоры")
def contract_list(request, page: Query[PageQuery]):
    """Договоры кабинета по номеру, с задолженностью каждого и общей (как на странице
    «Договоры»)."""
    _contracts_on()
    today = timezone.localdate()
    visible = Contract.objects.visible_to(request.user)
    found = visible.select_related("account").order_by("number")
    contracts = _with_debts(list(found[page.offset : page.offset + page.limit]), today)
    total_debt = total_penalties = None
    if not request.user.is_staff:
        # Staff see every subscriber's contracts: a sum over all of them means nothing.
        totals = selectors.debts(account_ids=visible.values("account_id"), today=today)
        total_debt = from_kopecks(sum(d for d, _p in totals.values()))
        total_penalties = from_kopecks(sum(p for _d, p in totals.values()))
    return {
        "items": contracts,
        "count": found.count(),
        "total_debt": total_debt,
        "total_penalties": total_penalties,
    }


@router.get("/{uuid}", response={200: ContractDetailOut, **ERRORS}, summary="Договор")
def contract_detail(request, uuid: UUID):
    """Договор: данные, задолженность, кураторы, сроки оплаты, нагрузки, объекты,
    КУУТЭ и точки учёта."""
    _contracts_on()
    contract = selectors.contract_for(request.user, uuid)
    return _with_debts([contract], timezone.localdate())[0]
