"""Договоры (business customers' supply contracts) through the API, read-only: the list
with each contract's debt, and a contract with its curators, payment terms, loads,
objects, КУУТЭ and metering points, and its signed акты сверки and счета-фактуры (list
and PDF) — the same queryset, selectors and services as «Договоры» (``kabinet.contracts``).
Amounts are roubles as decimal strings ("1234.56")."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema

from kabinet.api.errors import ERRORS
from kabinet.contracts import selectors
from kabinet.contracts.models import Contract, SignedDocument
from kabinet.contracts.services import documents as document_services
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


class ContractDocumentOut(Schema):
    document: str = Field(
        description="Документ в пути скачивания: вид-ГГГГ-ММ, например act-2026-05"
    )
    kind: str = Field(description="Вид: act (акт сверки) или factura (счёт-фактура)")
    kind_label: str = Field(description="Вид словами")
    period: str = Field(description="Период: ГГГГ-ММ")
    issued: bool = Field(
        description="Документ уже сформирован (иначе он формируется при первом скачивании)"
    )
    number: str | None = Field(description="Номер документа (пусто, пока он не сформирован)")
    signed: bool = Field(
        description="Подпись действительна: документ сформирован и его файл не изменился "
        "с подписания (полная проверка подписи — при каждом скачивании)"
    )
    signer: str | None = Field(description="Кто подписал (пусто, пока документ не сформирован)")
    signed_at: datetime | None = Field(description="Когда подписан")
    download: str = Field(description="Путь для скачивания PDF")


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "Документ в PDF с электронной подписью организации.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _document_row(contract: Contract, kind: str, period: date, made) -> dict:
    key = f"{kind}-{period:%Y-%m}"
    document = made.document if made else None
    return {
        "document": key,
        "kind": kind,
        "kind_label": str(SignedDocument.Kind(kind).label),
        "period": f"{period:%Y-%m}",
        "issued": made is not None,
        "number": document.number if document else None,
        "signed": bool(made and made.intact),
        "signer": document.signer if document else None,
        "signed_at": document.signed_at if document else None,
        "download": f"/api/v1/contracts/{contract.uuid}/documents/{key}.pdf",
    }


@router.get(
    "/{uuid}/documents",
    response={200: list[ContractDocumentOut], **ERRORS},
    summary="Акты сверки и счета-фактуры",
)
def contract_documents(request, uuid: UUID):
    """Акты сверки и счета-фактуры договора за последние 12 закрытых месяцев (с начала
    действия договора), новые первыми, как на странице «Акты и счета-фактуры»: акт — за
    каждый месяц, счёт-фактура — за месяц с начислениями. У сформированного документа —
    номер, подписант и состояние подписи."""
    _contracts_on()
    contract = selectors.contract_for(request.user, uuid)
    rows = []
    for row in selectors.contract_documents(contract, today=timezone.localdate()):
        rows.append(_document_row(contract, SignedDocument.Kind.ACT, row.period, row.act))
        if row.has_charges or row.factura:
            rows.append(
                _document_row(contract, SignedDocument.Kind.FACTURA, row.period, row.factura)
            )
    return rows


@router.get(
    "/{uuid}/documents/{document}.pdf",
    response={200: None, **ERRORS},
    summary="Акт сверки или счёт-фактура в PDF",
    description="Документ из списка (поле document, например act-2026-05), подписанный "
    "электронной подписью организации; формируется при первом запросе и дальше не меняется. "
    "Подпись проверяется полностью при каждом скачивании: документ, не прошедший проверку, "
    "не выдаётся (400, code signature). Месяц вне последних 12 закрытых или счёт-фактура "
    "за месяц без начислений — 400.",
    openapi_extra=PDF_RESPONSE,
)
def contract_document_pdf(request, uuid: UUID, document: str):
    _contracts_on()
    contract = selectors.contract_for(request.user, uuid)
    kind, _sep, period = document.partition("-")
    month = selectors.document_month(period)
    if kind not in SignedDocument.Kind.values or month is None:
        raise Http404
    signed = document_services.signed_document_checked(contract=contract, kind=kind, period=month)
    response = HttpResponse(bytes(signed.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, selectors.document_file_name(signed)
    )
    return response
