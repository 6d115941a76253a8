"""Лицевые счета: the cabinet's accounts with their balance, one account's summary,
adding an account to the cabinet and taking it out — over the services and selectors
the pages use (``customer_accounts``, ``billing.selectors``).

Also the small pieces the other customer routers share: the money type (roubles as a
decimal string) and the account lookup (``account_for``), which starts from
``PersonalAccount.objects.visible_to`` so another customer's account is a 404.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.billing.selectors import account_summary, to_pay_by_account
from kabinet.core.http import private_download
from kabinet.core.money import from_kopecks
from kabinet.core.utility import get_utility
from kabinet.customer_accounts import forms, services
from kabinet.customer_accounts.models import AccountLinkRequest, PersonalAccount

router = Router()

MONEY_DESCRIPTION = (
    "Сумма в рублях: строка с точкой и ровно двумя знаками после неё, например "
    '"1234.56"; отрицательная — со знаком минус. Копейки не передаются отдельно: '
    "сумма в копейках — это значение × 100."
)

# Money in every answer of the API: roubles as a decimal string, never a float.
Money = Annotated[
    str,
    Field(pattern=r"^-?\d+\.\d{2}$", description=MONEY_DESCRIPTION, examples=["1234.56"]),
]


MONEY_NOTE = "Рубли строкой с двумя знаками после точки, например «1234.56»."


def money(description: str, **kwargs):
    """A money field's description, with the money format said once more."""
    return Field(description=f"{description.strip()} {MONEY_NOTE}", **kwargs)


def rub(kopecks: int | None) -> str:
    """Integer kopecks → "1234.56" (the API's money)."""
    return str(from_kopecks(kopecks or 0))


def form_invalid(form) -> Status:
    """A page's form that refused the input: 400 in the API's error shape, each
    message under its field (``__all__`` for the form's own), in the page's words."""
    fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    first = next(iter(fields.values()))[0]
    return Status(400, {"code": "invalid", "message": first, "fields": fields})


def account_for(request, uuid, *, residential: bool = False) -> PersonalAccount:
    """The account, if the caller may see it (``visible_to``); 404 otherwise."""
    qs = PersonalAccount.objects.visible_to(request.user).select_related(
        "premises__house__street__settlement", "contract"
    )
    if residential:
        qs = qs.residential()
    return get_object_or_404(qs, uuid=uuid)


# --- schemas ----------------------------------------------------------------------------


class PersonalAccountOut(Schema):
    uuid: UUID = Field(description="Идентификатор лицевого счёта.")
    number: str = Field(description="Номер лицевого счёта (или договора).")
    kind: Literal["residential", "contract"] = Field(
        description="residential — счёт помещения; contract — расчётный счёт договора."
    )
    label: str = Field(description="Как счёт назван в кабинете: «Лицевой счёт 100000001».")
    address: str = Field(
        description="Адрес помещения; для счёта договора — наименование потребителя."
    )
    holder: str = Field(description="Владелец счёта, фамилия и инициалы: «Иванов И. И.».")
    services: str = Field(description="Услуги по счёту, как в квитанции.")
    linked_at: datetime | None = Field(description="Когда счёт добавлен в кабинет (ISO 8601).")
    balance: Money = money(
        description="Остаток к оплате на сегодня: начислено по прошлый период включительно "
        "минус все оплаты по сегодня; отрицательный — переплата. "
    )


class AccountChargeLineOut(Schema):
    period: date = Field(description="Период начисления: первое число месяца (ГГГГ-ММ-ДД).")
    service: str = Field(description="Услуга.")
    kind: Literal["charge", "recalc", "penalty", "fee"] = Field(
        description="charge — начисление, recalc — перерасчёт, penalty — пени, fee — госпошлина."
    )
    kind_label: str = Field(description="Вид строки по-русски.")
    volume: str | None = Field(description="Объём (десятичная строка) или null.")
    unit: str = Field(description="Единица объёма.")
    tariff: Money | None = money(description="Тариф за единицу, рублей; null — без тарифа.")
    amount: Money = money(description="Сумма строки.")
    reason: str = Field(description="Основание (для перерасчёта).")


class AccountSummaryOut(Schema):
    current_period: date = Field(description="Текущий период (первое число месяца).")
    last_period: date = Field(description="Последний закрытый период.")
    debt_end_of_last_period: Money = money(
        description="Долг на конец последнего закрытого периода, с пени. "
    )
    penalties_in_debt: Money = money(description="В том числе пени.")
    paid_this_period: Money = money(description="Оплачено в текущем периоде по сегодня. ")
    to_pay: Money = money(
        description="К оплате: долг минус оплаченное в этом периоде, не меньше нуля. "
    )
    last_period_charges: list[AccountChargeLineOut] = Field(
        description="Начисления последнего закрытого периода."
    )


class PersonalAccountDetailOut(PersonalAccountOut):
    summary: AccountSummaryOut = Field(description="Сводка по счёту, как на странице счёта.")


class AccountLinkIn(Schema):
    number: str = Field(
        max_length=20,
        description="Номер лицевого счёта (для подтверждения номером счётчика — номер договора).",
    )
    code: str | None = Field(
        None, max_length=16, description="Код активации с квитанции (если так подтверждают)."
    )
    amount: str | None = Field(
        None,
        max_length=20,
        description="Сумма последнего платежа в рублях, «1234.56» или «1234,56» "
        "(если подтверждают последним платежом).",
    )
    paid_on: date | None = Field(
        None, description="Дата последнего платежа, ГГГГ-ММ-ДД (вместе с amount)."
    )
    meter_number: str | None = Field(
        None, max_length=64, description="Заводской номер одного из счётчиков договора."
    )


class AccountLinkRulesOut(Schema):
    proof: Literal["activation_code", "last_payment", "meter_number"] = Field(
        description="Чем подтверждается счёт: activation_code — кодом с квитанции (поле code); "
        "last_payment — суммой и датой последнего платежа (amount, paid_on); meter_number — "
        "номером договора и номером счётчика (number, meter_number)."
    )
    number_digits: int = Field(description="Сколько цифр в номере счёта.")


# --- serialisers ------------------------------------------------------------------------


def _charge_line(c) -> dict:
    return {
        "period": c.period,
        "service": c.service,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "volume": None if c.volume is None else format(c.volume.normalize(), "f"),
        "unit": c.unit,
        "tariff": None if c.tariff_kopecks is None else rub(c.tariff_kopecks),
        "amount": rub(c.amount_kopecks),
        "reason": c.reason,
    }


def account_out(account: PersonalAccount, *, balance: int) -> dict:
    return {
        "uuid": account.uuid,
        "number": account.number,
        "kind": "residential" if account.premises_id else "contract",
        "label": account.label,
        "address": account.where,
        "holder": account.holder_masked,
        "services": account.services,
        "linked_at": account.linked_at,
        "balance": rub(balance),
    }


def account_detail_out(account: PersonalAccount) -> dict:
    today = timezone.localdate()
    s = account_summary(account=account, today=today)
    balance = to_pay_by_account(accounts=[account], today=today)[account.pk]
    return {
        **account_out(account, balance=balance),
        "summary": {
            "current_period": s.current_period,
            "last_period": s.last_period,
            "debt_end_of_last_period": rub(s.debt_end_of_last_period),
            "penalties_in_debt": rub(s.penalties_in_debt),
            "paid_this_period": rub(s.paid_this_period),
            "to_pay": rub(s.to_pay),
            "last_period_charges": [_charge_line(c) for c in s.last_period_charges],
        },
    }


# --- operations -------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[PersonalAccountOut], **ERRORS},
    summary="Мои лицевые счета",
    description="Лицевые счета этого кабинета, как в разделе «Лицевые счета», с остатком к "
    "оплате. Счета договоров — в разделе договоров.",
)
def account_list(request):
    accounts = list(
        PersonalAccount.objects.visible_to(request.user)
        .filter(owner=request.user)
        .select_related("premises__house__street__settlement", "contract")
        .order_by("number")
    )
    balances = to_pay_by_account(accounts=accounts, today=timezone.localdate())
    return [account_out(a, balance=balances[a.pk]) for a in accounts]


@router.get(
    "/link-rules",
    response={200: AccountLinkRulesOut, **ERRORS},
    summary="Как подтвердить лицевой счёт",
    description="Какое подтверждение спрашивает поставщик при добавлении счёта в кабинет.",
)
def account_link_rules(request):
    profile = get_utility()
    return {"proof": profile.account_link_proof, "number_digits": profile.account_number_digits}


@router.post(
    "",
    response={201: PersonalAccountDetailOut, **WRITE_ERRORS},
    summary="Добавить лицевой счёт",
    description="Добавить счёт в кабинет по номеру и подтверждению (см. «Как подтвердить "
    "лицевой счёт»), как на странице «Добавить лицевой счёт». Неверные данные — 400 с "
    "числом оставшихся попыток; после исчерпания попыток добавление закрыто на час.",
)
def account_link(request, payload: AccountLinkIn):
    require_full(request)
    data = {k: ("" if v is None else str(v)) for k, v in payload.model_dump().items()}
    if payload.paid_on is not None:
        data["paid_on"] = payload.paid_on.isoformat()
    form = forms.AccountLinkForm(data)
    if not form.is_valid():
        return form_invalid(form)
    d = form.cleaned_data
    if form.proof == "activation_code":
        proof = services.ActivationCodeProof(code=d["code"])
    elif form.proof == "meter_number":
        proof = services.MeterNumberProof(meter_number=d["meter_number"])
    else:
        proof = services.LastPaymentProof(amount=d["amount"], paid_on=d["paid_on"])
    account = services.account_link(user=request.user, number=d["number"], proof=proof)
    account = account_for(request, account.uuid)
    return Status(201, account_detail_out(account))


# --- заявки на привязку (000 §2.3.1) ------------------------------------------------------


class LinkRequestIn(Schema):
    number: str = Field(max_length=20, description="Номер лицевого счёта.")
    address: str = Field(max_length=300, description="Адрес помещения, как в квитанции.")
    holder_name: str = Field(max_length=200, description="На кого открыт счёт: ФИО владельца.")
    phone: str = Field(max_length=32, description="Телефон для связи: +7 900 000-00-00.")
    details: str = Field("", max_length=1000, description="Что ещё стоит знать (необязательно).")


class LinkRequestOut(Schema):
    uuid: UUID = Field(description="Идентификатор заявки.")
    number: str = Field(description="Номер лицевого счёта.")
    address: str = Field(description="Адрес помещения.")
    holder_name: str = Field(description="Владелец счёта.")
    phone: str = Field(description="Телефон для связи.")
    details: str = Field(description="Сведения о помещении.")
    status: Literal["pending", "approved", "refused"] = Field(
        description="pending — на рассмотрении; approved — счёт привязан; refused — отказано."
    )
    status_label: str = Field(description="Состояние по-русски.")
    reason: str = Field(description="Причина отказа.")
    created_at: datetime = Field(description="Когда подана (ISO 8601).")
    due: date = Field(description="Рассмотреть до.")
    decided_at: datetime | None = Field(description="Когда рассмотрена.")
    document_name: str = Field(description="Имя приложенного документа (пусто — без него).")
    document_url: str | None = Field(description="Ссылка на документ в API (или null).")


def _requests(request):
    """The requests the caller may see (``visible_to``: their own; staff who see customers,
    all). The list shows only the caller's own, as the page does."""
    return AccountLinkRequest.objects.visible_to(request.user)


def _link_request_out(row: AccountLinkRequest) -> dict:
    return {
        "uuid": row.uuid,
        "number": row.number,
        "address": row.address,
        "holder_name": row.holder_name,
        "phone": row.phone,
        "details": row.details,
        "status": row.status,
        "status_label": str(row.get_status_display()),
        "reason": row.reason,
        "created_at": row.created_at,
        "due": row.due,
        "decided_at": row.decided_at,
        "document_name": row.document_name,
        "document_url": f"/api/v1/accounts/link-requests/{row.uuid}/document"
        if row.document
        else None,
    }


# An optional file part of a multipart form (ninja's File marker, made once).
OPTIONAL_FILE = File(None, description="Скан: PDF, JPEG или PNG (необязательно).")


@router.get(
    "/link-requests",
    response={200: list[LinkRequestOut], **ERRORS},
    summary="Мои заявки на привязку счёта",
)
def link_request_list(request):
    own = _requests(request).filter(user=request.user).order_by("-created_at")[:100]
    return [_link_request_out(r) for r in own]


@router.post(
    "/link-requests",
    response={201: LinkRequestOut, **WRITE_ERRORS},
    summary="Подать заявку на привязку счёта",
    description="Нет кода или данных платежа: номер счёта, помещение и владелец уходят "
    "оператору, он привяжет счёт к сроку или объяснит отказ (как страница «Заявка на "
    "привязку»). multipart/form-data; document — скан квитанции или документа о праве "
    "собственности, PDF, JPEG или PNG, необязательно.",
)
def link_request_create(
    request, payload: Form[LinkRequestIn], document: UploadedFile | None = OPTIONAL_FILE
):
    require_full(request)
    form = forms.LinkRequestForm(
        payload.model_dump(), {"document": document} if document is not None else {}
    )
    if not form.is_valid():
        return form_invalid(form)
    d = form.cleaned_data
    row = services.account_link_request_create(
        user=request.user,
        number=d["number"],
        address=d["address"],
        holder_name=d["holder_name"],
        phone=d["phone"],
        details=d["details"],
        document=d["document"],
    )
    return Status(201, _link_request_out(row))


@router.get(
    "/link-requests/{uuid}",
    response={200: LinkRequestOut, **ERRORS},
    summary="Заявка на привязку счёта",
)
def link_request_detail(request, uuid: UUID):
    return _link_request_out(get_object_or_404(_requests(request), uuid=uuid))


DOCUMENT_RESPONSE = {
    "responses": {
        200: {
            "description": "Приложенный документ (скачивание).",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/pdf", "image/jpeg", "image/png")
            },
        }
    }
}


@router.get(
    "/link-requests/{uuid}/document",
    response={200: None, **ERRORS},
    summary="Документ заявки на привязку",
    openapi_extra=DOCUMENT_RESPONSE,
)
def link_request_document(request, uuid: UUID):
    row = get_object_or_404(_requests(request), uuid=uuid)
    if not row.document:
        raise Http404
    return private_download(
        row.document, filename=row.document_name, content_type=row.document_type
    )


# The account's own URLs last: «/{uuid}» would otherwise take «/link-requests».


@router.get(
    "/{uuid}",
    response={200: PersonalAccountDetailOut, **ERRORS},
    summary="Лицевой счёт",
    description="Сведения о счёте и сводка: долг на конец прошлого периода, пени, оплачено "
    "в этом периоде, к оплате и начисления прошлого периода.",
)
def account_detail(request, uuid: UUID):
    return account_detail_out(account_for(request, uuid))


@router.delete(
    "/{uuid}",
    response={204: None, **WRITE_ERRORS},
    summary="Убрать лицевой счёт из кабинета",
    description="Счёт уходит из кабинета; его данные остаются у поставщика. Только для "
    "счёта, добавленного в этот кабинет.",
)
def account_unlink(request, uuid: UUID):
    require_full(request)
    account = account_for(request, uuid)
    services.account_unlink(user=request.user, account=account)
    return Status(204, None)


__all__ = ["Money", "money", "account_for", "form_invalid", "rub", "router"]
