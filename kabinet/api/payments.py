"""Оплата: start an online payment of one or more accounts (the pay page's form and
``payments.services.payment_create``), follow its status (``payment_sync``, as the
payment's page does), retry one the provider did not take, and list the cabinet's
online payments.

The answer carries the provider's page to send the customer to (``redirect_url``); with
the demo's and the tests' provider that is the clearly marked test payment page
(``test_provider`` is true). Every payment and account is looked up from
``visible_to``: another customer's is a 404.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from kabinet.api.accounts import Money, form_invalid, money, rub
from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.billing.selectors import account_summary
from kabinet.core.errors import DomainError
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.payments import forms, services
from kabinet.payments.models import Autopay, OnlinePayment, SavedCard
from kabinet.payments.providers import get_provider

router = Router()

Purpose = Literal["energy", "penalty", "fee"]
MAX_PARTS = 60  # every purpose of twenty accounts: more than any cabinet pays at once


# --- schemas ----------------------------------------------------------------------------


class OnlinePaymentPartIn(Schema):
    account: UUID = Field(description="Лицевой счёт (его uuid).")
    purpose: Purpose = Field(
        "energy", description="Что оплачивается: energy — услуги, penalty — пени, fee — госпошлина."
    )
    amount: str = Field(
        max_length=20,
        description="Сумма в рублях строкой: «1234.56» (можно «1 234,56», как на странице). "
        "Нулевые части пропускаются.",
        examples=["1234.56"],
    )


class OnlinePaymentIn(Schema):
    parts: list[OnlinePaymentPartIn] = Field(
        max_length=MAX_PARTS, description="Что и по каким счетам оплатить; хотя бы одна сумма."
    )
    method: Literal["card", "sbp"] = Field(
        description="card — банковская карта; sbp — СБП (QR-код для приложения банка)."
    )
    receipt_email: str = Field(max_length=254, description="E-mail для кассового чека (54-ФЗ).")
    save_card: bool = Field(False, description="Сохранить карту для следующих оплат.")
    idempotency_key: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        description="Ключ идемпотентности клиента: повтор запроса с тем же ключом вернёт тот "
        "же платёж, а не создаст второй. Без него каждый запрос — новый платёж.",
    )


class OnlinePaymentPartOut(Schema):
    account: UUID = Field(description="Лицевой счёт.")
    account_number: str = Field(description="Номер лицевого счёта.")
    purpose: Purpose = Field(description="Назначение.")
    amount: Money = money(description="Сумма части.")


class OnlinePaymentOut(Schema):
    uuid: UUID = Field(description="Идентификатор оплаты.")
    status: Literal["created", "pending", "succeeded", "canceled", "failed"] = Field(
        description="created — создан; pending — ожидает оплаты; succeeded — оплачен; "
        "canceled — отменён (деньги не списаны); failed — платёжная система не приняла платёж "
        "(можно повторить)."
    )
    status_label: str = Field(description="Состояние по-русски.")
    is_final: bool = Field(description="Состояние окончательное (оплачен или отменён).")
    method: Literal["card", "sbp", "saved_card"] = Field(description="Способ оплаты.")
    amount: Money = money(description="Сумма оплаты.")
    receipt_email: str = Field(description="E-mail для чека.")
    parts: list[OnlinePaymentPartOut] = Field(description="Что оплачивается.")
    created_at: datetime = Field(description="Когда создана (ISO 8601).")
    succeeded_at: datetime | None = Field(description="Когда оплачена.")
    error: str = Field(description="Что пошло не так, по-русски (пусто — ничего).")
    redirect_url: str | None = Field(
        description="Куда отправить плательщика, пока оплата ожидает: страница оплаты картой "
        "или ссылка СБП для приложения банка; null — никуда."
    )
    test_provider: bool = Field(
        description="Оплата идёт через тестовую платёжную систему: деньги не списываются."
    )


# --- serialisers ------------------------------------------------------------------------


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if url.startswith("/") else url


def _payment_out(request, payment: OnlinePayment) -> dict:
    redirect = None
    if payment.status == OnlinePayment.Status.PENDING:
        target = payment.confirmation_url or payment.confirmation_data
        redirect = _absolute(request, target) if target else None
    return {
        "uuid": payment.uuid,
        "status": payment.status,
        "status_label": str(payment.get_status_display()),
        "is_final": payment.is_final,
        "method": payment.method,
        "amount": rub(payment.amount_kopecks),
        "receipt_email": payment.receipt_email,
        "parts": [
            {
                "account": p.account.uuid,
                "account_number": p.account.number,
                "purpose": p.purpose,
                "amount": rub(p.amount_kopecks),
            }
            for p in payment.parts.select_related("account")
        ],
        "created_at": payment.created_at,
        "succeeded_at": payment.succeeded_at,
        "error": payment.error,
        "redirect_url": redirect,
        "test_provider": get_provider(payment.provider).is_test,
    }


def _payment_for(request, uuid) -> OnlinePayment:
    return get_object_or_404(OnlinePayment.objects.visible_to(request.user), uuid=uuid)


# --- operations -------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[OnlinePaymentOut], **ERRORS},
    summary="Мои онлайн-оплаты",
    description="Последние сто оплат, сделанных в кабинете, новые первыми.",
)
def payment_list(request):
    payments = (
        OnlinePayment.objects.visible_to(request.user)
        .filter(user=request.user)
        .order_by("-created_at")[:100]
    )
    return [_payment_out(request, p) for p in payments]


@router.post(
    "",
    response={201: OnlinePaymentOut, **WRITE_ERRORS},
    summary="Оплатить",
    description="Одна оплата по одному или нескольким счетам, как на странице «Оплатить»: "
    "те же проверки сумм и те же сообщения (ошибка части — в fields под «parts.N.amount» "
    "или «parts.N»). Ответ — оплата с redirect_url, куда отправить плательщика.",
)
def payment_start(request, payload: OnlinePaymentIn):
    require_full(request)
    wanted = {p.account for p in payload.parts}
    found = {
        a.uuid: a for a in PersonalAccount.objects.visible_to(request.user).filter(uuid__in=wanted)
    }
    if wanted - set(found):
        raise Http404
    accounts = list(dict.fromkeys(found[p.account] for p in payload.parts))
    today = timezone.localdate()
    names = {f"a_{p.account}_{p.purpose}": i for i, p in enumerate(payload.parts)}
    data = {
        "method": payload.method,
        "receipt_email": payload.receipt_email,
        "key": payload.idempotency_key or services.new_idempotency_key(),
        **({"save_card": "on"} if payload.save_card else {}),
        **{f"a_{p.account}_{p.purpose}": p.amount for p in payload.parts},
    }
    # The pay page's form: its amount parsing, its messages, its "at least one sum".
    form = forms.PayForm(
        data,
        accounts=accounts,
        summaries={a.pk: account_summary(account=a, today=today) for a in accounts},
    )
    if not form.is_valid():
        fields: dict[str, list[str]] = {}
        for name, messages in form.errors.items():
            key = f"parts.{names[name]}.amount" if name in names else name
            fields[key] = [str(m) for m in messages]
        first = next(iter(fields.values()))[0]
        return Status(400, {"code": "invalid", "message": first, "fields": fields})
    d = form.cleaned_data
    try:
        payment = services.payment_create(
            user=request.user,
            parts=[services.PartInput(a, p, k) for a, p, k in form.parts()],
            method=d["method"],
            receipt_email=d["receipt_email"],
            save_card=d["save_card"],
            idempotency_key=d["key"],
        )
    except DomainError as exc:
        if exc.field not in names:
            raise
        field = f"parts.{names[exc.field]}"
        raise DomainError(exc.message, field=field, code=exc.code) from exc
    return Status(201, _payment_out(request, payment))


# --- saved cards and autopay (000 §2.2.6.5) ------------------------------------------
# SavedCard and Autopay have no ``visible_to``: as the pages, the caller's own rows only.


class SavedCardOut(Schema):
    uuid: UUID = Field(description="Идентификатор карты.")
    title: str = Field(description="Карта: «Visa •••• 4242» (номер карты не хранится).")
    expiry: str = Field(description="Действует до.")
    created_at: datetime = Field(description="Когда сохранена.")


class AutopayIn(Schema):
    account: UUID = Field(description="Лицевой счёт этого кабинета.")
    card: UUID = Field(description="Сохранённая карта.")
    day: int = Field(ge=1, le=28, description="Число месяца, 1–28.")
    ceiling: str = Field(
        max_length=20,
        description="Не больше, рублей в месяц: «5000» или «5 000,00».",
        examples=["5000.00"],
    )


class AutopayOut(Schema):
    uuid: UUID = Field(description="Идентификатор автоплатежа.")
    account: UUID = Field(description="Лицевой счёт.")
    account_number: str = Field(description="Номер лицевого счёта.")
    card: UUID = Field(description="Карта.")
    card_title: str = Field(description="Карта: «Visa •••• 4242».")
    day: int = Field(description="Число месяца списания.")
    ceiling: Money = money(description="Не больше за месяц.")
    valid_until: date = Field(description="Действует до.")
    status: Literal["active", "cancelled", "stopped", "expired"] = Field(
        description="active — действует; cancelled — отменён; stopped — остановлен: карта не "
        "прошла; expired — истёк срок."
    )
    status_label: str = Field(description="Состояние по-русски.")
    note: str = Field(description="Примечание (почему остановлен или отменён).")


def _own_cards(request):
    return SavedCard.objects.filter(user=request.user, deleted_at=None)


def _card_out(card: SavedCard) -> dict:
    return {
        "uuid": card.uuid,
        "title": card.title,
        "expiry": card.expiry,
        "created_at": card.created_at,
    }


def _autopay_out(autopay: Autopay) -> dict:
    return {
        "uuid": autopay.uuid,
        "account": autopay.account.uuid,
        "account_number": autopay.account.number,
        "card": autopay.card.uuid,
        "card_title": autopay.card.title,
        "day": autopay.day,
        "ceiling": rub(autopay.ceiling_kopecks),
        "valid_until": autopay.valid_until,
        "status": autopay.status,
        "status_label": str(autopay.get_status_display()),
        "note": autopay.note,
    }


@router.get(
    "/cards",
    response={200: list[SavedCardOut], **ERRORS},
    summary="Мои карты",
)
def card_list(request):
    return [_card_out(c) for c in _own_cards(request)]


@router.delete(
    "/cards/{uuid}",
    response={204: None, **WRITE_ERRORS},
    summary="Удалить карту",
    description="Карта забывается; автоплатежи с неё отменяются.",
)
def card_delete(request, uuid: UUID):
    require_full(request)
    card = get_object_or_404(_own_cards(request), uuid=uuid)
    services.card_delete(user=request.user, card=card)
    return Status(204, None)


@router.get(
    "/autopays",
    response={200: list[AutopayOut], **ERRORS},
    summary="Мои автоплатежи",
    description="Последние двадцать автоплатежей, как на странице «Мои карты и автоплатежи».",
)
def autopay_list(request):
    rows = Autopay.objects.filter(user=request.user).select_related("account", "card")[:20]
    return [_autopay_out(a) for a in rows]


@router.post(
    "/autopays",
    response={201: AutopayOut, **WRITE_ERRORS},
    summary="Настроить автоплатёж",
    description="Каждый месяц в выбранный день списывается то, что осталось оплатить по "
    "счёту, но не больше указанной суммы; на год. Новый автоплатёж по счёту заменяет "
    "прежний.",
)
def autopay_set(request, payload: AutopayIn):
    require_full(request)
    account = get_object_or_404(
        PersonalAccount.objects.visible_to(request.user), uuid=payload.account
    )
    card = get_object_or_404(_own_cards(request), uuid=payload.card)
    # The cards page's form: its account and card choices, its ceiling parsing and messages.
    form = forms.AutopayForm(
        {"account": account.pk, "card": card.pk, "day": payload.day, "ceiling": payload.ceiling},
        user=request.user,
    )
    if not form.is_valid():
        return form_invalid(form)
    d = form.cleaned_data
    autopay = services.autopay_set(
        user=request.user,
        account=d["account"],
        card=d["card"],
        day=d["day"],
        ceiling_kopecks=d["ceiling"],
    )
    return Status(201, _autopay_out(autopay))


@router.post(
    "/autopays/{uuid}/cancel",
    response={200: AutopayOut, **WRITE_ERRORS},
    summary="Отменить автоплатёж",
)
def autopay_cancel(request, uuid: UUID):
    require_full(request)
    autopay = get_object_or_404(
        Autopay.objects.filter(user=request.user).select_related("account", "card"), uuid=uuid
    )
    services.autopay_cancel(user=request.user, autopay=autopay)
    autopay.refresh_from_db()
    return _autopay_out(autopay)


# The payment's own URLs last: «/{uuid}» would otherwise take «/cards» and «/autopays».


@router.get(
    "/{uuid}",
    response={200: OnlinePaymentOut, **ERRORS},
    summary="Состояние оплаты",
    description="Состояние, уточнённое у платёжной системы (как на странице оплаты).",
)
def payment_status(request, uuid: UUID):
    payment = _payment_for(request, uuid)
    if not payment.is_final:
        payment = services.payment_sync(payment=payment, note="api status")
    return _payment_out(request, payment)


@router.post(
    "/{uuid}/retry",
    response={200: OnlinePaymentOut, **WRITE_ERRORS},
    summary="Повторить оплату",
    description="«Попробовать ещё раз»: снова передать в платёжную систему оплату, которую "
    "она не приняла (status=failed). В другом состоянии ничего не меняется.",
)
def payment_retry(request, uuid: UUID):
    require_full(request)
    payment = _payment_for(request, uuid)
    if not payment.is_final:
        payment = services.payment_sync(payment=payment, note="api retry")
    if not payment.is_final and not payment.provider_payment_id:
        payment = services.payment_start(payment=payment)
    return _payment_out(request, payment)
