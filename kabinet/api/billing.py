"""Начисления и квитанции: an account's money as its pages show it — расчёты by period,
the charges themselves, the balance at a date, the payments ledger, the debt
breakdown, the issued documents and a receipt's PDF, paperless receipts — and the
tariffs. The same selectors, forms and PDF generator as ``kabinet.billing.views``.

Every account is looked up from ``visible_to``: another customer's is a 404.
"""

from datetime import date
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from kabinet.api.accounts import Money, account_for, form_invalid, money, rub
from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.api.metering import Month, quantity
from kabinet.billing import forms, selectors, services
from kabinet.billing.models import Charge, IssuedDocument, Payment, ReceiptDelivery, Tariff
from kabinet.core.money import add_months, period_of

router = Router()


def _today() -> date:
    return timezone.localdate()


def _receipt_pdf_url(account, document) -> str | None:
    """The API's own link to a receipt's PDF (residential accounts' receipts only: a
    contract's monthly documents are the contracts' business)."""
    if document is None or account.premises_id is None:
        return None
    if document.kind != IssuedDocument.Kind.RECEIPT:
        return None
    return f"/api/v1/accounts/{account.uuid}/receipts/{document.period:%Y-%m}.pdf"


def _range(request_data: dict, *, default_to: date, **defaults):
    """The pages' period range form: their defaults when empty, their messages when wrong."""
    data = {k: v for k, v in request_data.items() if v}
    form = forms.PeriodRangeForm(data or None, default_to=default_to, **defaults)
    if data and not form.is_valid():
        return None, form
    return form.range(), form


# --- schemas ----------------------------------------------------------------------------


class BillingPeriodQuery(Schema):
    period_from: Month | None = None
    period_to: Month | None = None


class BillingBalanceQuery(Schema):
    on: date | None = Field(
        None,
        ge=date(1900, 1, 1),
        le=date(2099, 12, 31),
        description="Дата ГГГГ-ММ-ДД; без неё — сегодня.",
    )


class BillingDocumentRefOut(Schema):
    number: str = Field(description="Номер документа.")
    period: date = Field(description="Период начислений (первое число месяца).")
    pdf_url: str | None = Field(description="Ссылка на PDF квитанции в API (или null).")


class BillingPeriodOut(Schema):
    period: date = Field(description="Период (первое число месяца).")
    opening: Money = money(description="Долг на начало периода; отрицательный — переплата.")
    charged: Money = money(description="Начислено за период.")
    penalties: Money = money(description="В том числе пени.")
    paid: Money = money(description="Оплачено в периоде.")
    closing: Money = money(description="Долг на конец периода.")
    receipt: BillingDocumentRefOut | None = Field(description="Квитанция периода, если выставлена.")


class BillingChargeOut(Schema):
    period: date = Field(description="Период начисления (первое число месяца).")
    service: str = Field(description="Услуга.")
    kind: Literal["charge", "recalc", "penalty", "fee"] = Field(
        description="charge — начисление, recalc — перерасчёт, penalty — пени, fee — госпошлина."
    )
    kind_label: str = Field(description="Вид по-русски.")
    zone: str = Field(description="Зона суток (пусто — без зон).")
    volume: str | None = Field(description="Объём (десятичная строка) или null.")
    unit: str = Field(description="Единица объёма.")
    tariff: Money | None = money(description="Тариф за единицу; null — без тарифа.")
    amount: Money = money(description="Сумма.")
    reason: str = Field(description="Основание (перерасчёта).")


class BillingBalanceOut(Schema):
    on: date = Field(description="На начало какого дня.")
    balance: Money = money(
        description="Долг на начало дня: начисления периодов, закрытых до этого дня, минус "
        "оплаты, поступившие до него; отрицательный — переплата."
    )


class LedgerPaymentOut(Schema):
    credited_on: date = Field(description="Дата поступления.")
    amount: Money = money(description="Сумма.")
    channel: Literal["bank", "online", "post", "cash"] = Field(description="Способ оплаты.")
    channel_label: str = Field(description="Способ оплаты по-русски.")
    purpose: Literal["energy", "penalty", "fee"] = Field(
        description="Назначение: energy — за услуги, penalty — пени, fee — госпошлина."
    )
    document: str = Field(description="Документ плательщика.")
    paid_by: str = Field(description="Кто оплатил в кабинете (для онлайн-оплат по договору).")
    receipt: BillingDocumentRefOut | None = Field(description="Оплаченная квитанция.")


class DebtBreakdownRowOut(Schema):
    day: date = Field(description="Дата операции.")
    what: str = Field(description="Операция.")
    period: date | None = Field(description="За период (для начислений).")
    charged: Money = money(description="Начислено.")
    paid: Money = money(description="Оплачено.")
    balance: Money = money(description="Долг после операции.")


class DebtBreakdownOut(Schema):
    period_from: date = Field(description="Первый период.")
    period_to: date = Field(description="Последний период.")
    opening: Money = money(description="Долг на начало первого периода.")
    rows: list[DebtBreakdownRowOut] = Field(description="Начисления и оплаты по порядку.")
    charged: Money = money(description="Всего начислено.")
    paid: Money = money(description="Всего оплачено.")
    closing: Money = money(description="Долг на конец последнего периода.")


class BillingDocumentOut(Schema):
    uuid: UUID = Field(description="Идентификатор документа.")
    number: str = Field(description="Номер документа.")
    kind: Literal["receipt", "invoice", "factura"] = Field(
        description="receipt — квитанция, invoice — счёт на оплату, factura — счёт-фактура."
    )
    kind_label: str = Field(description="Вид по-русски.")
    issued_on: date = Field(description="Дата документа.")
    period: date = Field(description="Период начислений.")
    charged: Money = money(description="Начислено.")
    amount: Money = money(description="К оплате.")
    paid: Money = money(description="Оплачено по документу.")
    unpaid: Money = money(description="Осталось оплатить.")
    pdf_url: str | None = Field(description="Ссылка на PDF квитанции в API (или null).")


class ReceiptDeliveryOut(Schema):
    paperless: bool = Field(description="Квитанции приходят на e-mail, а не на бумаге.")
    email: str = Field(description="E-mail для квитанций.")


class ReceiptDeliveryIn(Schema):
    paperless: bool = Field(description="Получать квитанции в электронном виде.")
    email: str = Field("", max_length=254, description="E-mail (обязателен при paperless).")


class TariffOut(Schema):
    service: str = Field(description="Услуга.")
    zone: str = Field(description="Зона суток: код (пусто — без зон).")
    zone_label: str = Field(description="Зона суток по-русски.")
    price: Money = money(description="Цена за единицу.")
    unit: str = Field(description="Единица.")
    valid_from: date = Field(description="Действует с.")
    valid_to: date | None = Field(description="Действует по (null — бессрочно).")
    norm: str | None = Field(description="Норматив в месяц (десятичная строка) или null.")
    norm_basis: str = Field(description="Как считается норматив: m2 — на 1 м², person — на 1 чел.")
    basis_document: str = Field(description="Основание (документ об установлении тарифа).")


# --- operations -------------------------------------------------------------------------


@router.get(
    "/accounts/{uuid}/periods",
    response={200: list[BillingPeriodOut], **ERRORS},
    summary="Расчёты по периодам",
    description="По каждому периоду: долг на начало, начислено (в т. ч. пени), оплачено, долг "
    "на конец и квитанция; новые первыми. Без периода — двенадцать месяцев по прошлый.",
)
def account_periods(request, uuid: UUID, q: Query[BillingPeriodQuery]):
    account = account_for(request, uuid)
    chosen, form = _range(q.dict(), default_to=add_months(period_of(_today()), -1))
    if chosen is None:
        return form_invalid(form)
    rows = selectors.periods(account=account, first=chosen[0], last=chosen[1])

    def ref(doc):
        if doc is None:
            return None
        return {
            "number": doc.number,
            "period": doc.period,
            "pdf_url": _receipt_pdf_url(account, doc),
        }

    return [
        {
            "period": r.period,
            "opening": rub(r.opening),
            "charged": rub(r.charged),
            "penalties": rub(r.penalties),
            "paid": rub(r.paid),
            "closing": rub(r.closing),
            "receipt": ref(r.document),
        }
        for r in rows
    ]


@router.get(
    "/accounts/{uuid}/charges",
    response={200: list[BillingChargeOut], **ERRORS},
    summary="Начисления",
    description="Строки начислений, перерасчётов, пени и госпошлин за периоды, новые первыми. "
    "Без периода — двенадцать месяцев по прошлый.",
)
def account_charges(request, uuid: UUID, q: Query[BillingPeriodQuery]):
    account = account_for(request, uuid)
    chosen, form = _range(q.dict(), default_to=add_months(period_of(_today()), -1))
    if chosen is None:
        return form_invalid(form)
    charges = Charge.objects.filter(
        account=account, period__gte=chosen[0], period__lte=chosen[1]
    ).order_by("-period", "service", "id")
    return [
        {
            "period": c.period,
            "service": c.service,
            "kind": c.kind,
            "kind_label": str(c.get_kind_display()),
            "zone": c.zone,
            "volume": quantity(c.volume),
            "unit": c.unit,
            "tariff": None if c.tariff_kopecks is None else rub(c.tariff_kopecks),
            "amount": rub(c.amount_kopecks),
            "reason": c.reason,
        }
        for c in charges
    ]


@router.get(
    "/accounts/{uuid}/balance",
    response={200: BillingBalanceOut, **ERRORS},
    summary="Долг на дату",
)
def account_balance(request, uuid: UUID, q: Query[BillingBalanceQuery]):
    account = account_for(request, uuid)
    day = q.on or _today()
    return {"on": day, "balance": rub(selectors.balance_at(account=account, day=day))}


@router.get(
    "/accounts/{uuid}/payments",
    response={200: list[LedgerPaymentOut], **ERRORS},
    summary="История платежей",
    description="Поступившие оплаты, новые первыми, с оплаченной квитанцией.",
)
def account_payments(
    request,
    uuid: UUID,
    year: int | None = Query(None, description="Только за этот год (последние шесть лет)."),
):
    account = account_for(request, uuid)
    form = forms.YearForm({"year": year} if year is not None else None)
    if year is not None and not form.is_valid():
        return form_invalid(form)
    rows = selectors.payment_history(
        account=account, year=form.cleaned_data["year"] if year is not None else None
    )
    return [
        {
            "credited_on": r.payment.credited_on,
            "amount": rub(r.payment.amount_kopecks),
            "channel": r.payment.channel,
            "channel_label": str(Payment.Channel(r.payment.channel).label),
            "purpose": r.payment.purpose,
            "document": r.payment.document,
            "paid_by": str(r.payment.paid_by) if r.payment.paid_by_id else "",
            "receipt": {
                "number": r.document.number,
                "period": r.document.period,
                "pdf_url": _receipt_pdf_url(account, r.document),
            }
            if r.document
            else None,
        }
        for r in rows
    ]


@router.get(
    "/accounts/{uuid}/breakdown",
    response={200: DebtBreakdownOut, **ERRORS},
    summary="Расшифровка задолженности",
    description="Долг на начало, каждое начисление и оплата с долгом после неё, долг на "
    "конец. Без периода — с января по прошлый месяц.",
)
def account_breakdown(request, uuid: UUID, q: Query[BillingPeriodQuery]):
    account = account_for(request, uuid)
    last = add_months(period_of(_today()), -1)
    chosen, form = _range(q.dict(), default_to=last, default_from=last.replace(month=1))
    if chosen is None:
        return form_invalid(form)
    b = selectors.breakdown(account=account, first=chosen[0], last=chosen[1])
    return {
        "period_from": b.first,
        "period_to": b.last,
        "opening": rub(b.opening),
        "rows": [
            {
                "day": r.day,
                "what": r.what,
                "period": r.period,
                "charged": rub(r.charged),
                "paid": rub(r.paid),
                "balance": rub(r.balance),
            }
            for r in b.rows
        ],
        "charged": rub(b.charged),
        "paid": rub(b.paid),
        "closing": rub(b.closing),
    }


@router.get(
    "/accounts/{uuid}/documents",
    response={200: list[BillingDocumentOut], **ERRORS},
    summary="Квитанции и платёжные документы",
    description="Выставленные документы с оплаченным по каждому; unpaid=true — только "
    "неоплаченные («Документы на оплату»). Без периода — двенадцать месяцев по прошлый.",
)
def account_documents(
    request,
    uuid: UUID,
    q: Query[BillingPeriodQuery],
    unpaid: bool = Query(False, description="Только неоплаченные."),
):
    account = account_for(request, uuid)
    chosen, form = _range(q.dict(), default_to=add_months(period_of(_today()), -1))
    if chosen is None:
        return form_invalid(form)
    rows = selectors.documents(account=account, first=chosen[0], last=chosen[1], unpaid_only=unpaid)
    return [
        {
            "uuid": r.document.uuid,
            "number": r.document.number,
            "kind": r.document.kind,
            "kind_label": str(r.document.get_kind_display()),
            "issued_on": r.document.issued_on,
            "period": r.document.period,
            "charged": rub(r.document.charged_kopecks),
            "amount": rub(r.document.amount_kopecks),
            "paid": rub(r.paid),
            "unpaid": rub(r.unpaid),
            "pdf_url": _receipt_pdf_url(account, r.document),
        }
        for r in rows
    ]


class ReceiptOut(Schema):
    period: str = Field(
        pattern=r"^\d{4}-\d{2}$",
        description="Период квитанции ГГГГ-ММ — он же её адрес: …/receipts/{period}.pdf.",
    )
    number: str = Field(description="Номер квитанции.")
    issued_on: date = Field(description="Дата квитанции.")
    charged: Money = money(description="Начислено.")
    amount: Money = money(description="К оплате.")
    paid: Money = money(description="Оплачено по квитанции.")
    unpaid: Money = money(description="Осталось оплатить.")
    pdf_url: str = Field(description="Ссылка на PDF квитанции в API.")


@router.get(
    "/accounts/{uuid}/receipts",
    response={200: list[ReceiptOut], **ERRORS},
    summary="Квитанции",
    description="Квитанции счёта помещения, новые первыми, с оплаченным по каждой; без периода "
    "— двенадцать месяцев по прошлый. Квитанции до добавления счёта в кабинет не "
    "показываются. Счёт договора — пустой список (его документы — в разделе договоров).",
)
def account_receipts(request, uuid: UUID, q: Query[BillingPeriodQuery]):
    account = account_for(request, uuid)
    chosen, form = _range(q.dict(), default_to=add_months(period_of(_today()), -1))
    if chosen is None:
        return form_invalid(form)
    rows = selectors.documents(account=account, first=chosen[0], last=chosen[1])
    return [
        {
            "period": f"{r.document.period:%Y-%m}",
            "number": r.document.number,
            "issued_on": r.document.issued_on,
            "charged": rub(r.document.charged_kopecks),
            "amount": rub(r.document.amount_kopecks),
            "paid": rub(r.paid),
            "unpaid": rub(r.unpaid),
            "pdf_url": url,
        }
        for r in rows
        if (url := _receipt_pdf_url(account, r.document))
    ]


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "Квитанция в PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/accounts/{uuid}/receipts/{period}.pdf",
    response={200: None, **ERRORS},
    summary="Квитанция в PDF",
    description="Квитанция периода, как её скачивают со страницы. Квитанции, выставленные "
    "до добавления счёта в кабинет, не отдаются (404).",
    openapi_extra=PDF_RESPONSE,
)
def account_receipt_pdf(
    request,
    uuid: UUID,
    period: str = Path(
        ..., pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", description="Период: ГГГГ-ММ."
    ),
):
    from kabinet.billing.receipts import render_receipt_pdf

    account = account_for(request, uuid)
    try:
        year, month = (int(x) for x in period.split("-"))
        day = date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc
    document = get_object_or_404(
        IssuedDocument, account=account, kind=IssuedDocument.Kind.RECEIPT, period=day
    )
    if not request.user.is_staff and not selectors.receipt_visible(document, account):
        raise Http404
    response = HttpResponse(render_receipt_pdf(document.snapshot), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kvitanciya-{document.number}.pdf"'
    return response


@router.get(
    "/accounts/{uuid}/receipt-delivery",
    response={200: ReceiptDeliveryOut, **ERRORS},
    summary="Получение квитанций",
)
def account_delivery(request, uuid: UUID):
    account = account_for(request, uuid)
    current = ReceiptDelivery.objects.filter(account=account).first()
    return {
        "paperless": bool(current and current.paperless),
        "email": current.email if current else "",
    }


@router.put(
    "/accounts/{uuid}/receipt-delivery",
    response={200: ReceiptDeliveryOut, **WRITE_ERRORS},
    summary="Настроить получение квитанций",
    description="На бумаге или в PDF на e-mail, как на странице «Настройка получения квитанций».",
)
def account_delivery_set(request, uuid: UUID, payload: ReceiptDeliveryIn):
    require_full(request)
    account = account_for(request, uuid)
    form = forms.DeliveryForm({"paperless": payload.paperless, "email": payload.email})
    if not form.is_valid():
        return form_invalid(form)
    delivery = services.receipt_delivery_set(
        user=request.user,
        account=account,
        paperless=form.cleaned_data["paperless"],
        email=form.cleaned_data["email"],
    )
    return {"paperless": delivery.paperless, "email": delivery.email}


@router.get(
    "/tariffs/",
    response={200: list[TariffOut], **ERRORS},
    summary="Тарифы",
    description="Тарифы, действующие сегодня; archive=true — архив (закончившиеся).",
)
def tariff_list(request, archive: bool = Query(False, description="Архив тарифов.")):
    today = _today()
    qs = Tariff.objects.all()
    qs = qs.filter(valid_to__lt=today) if archive else qs.valid_on(today)
    zone_labels = dict(Tariff._meta.get_field("zone").choices)
    return [
        {
            "service": t.service,
            "zone": t.zone,
            "zone_label": str(zone_labels.get(t.zone, "")),
            "price": rub(t.price_kopecks),
            "unit": t.unit,
            "valid_from": t.valid_from,
            "valid_to": t.valid_to,
            "norm": quantity(t.norm),
            "norm_basis": t.norm_basis,
            "basis_document": t.basis_document,
        }
        for t in qs.order_by("service", "zone", "-valid_from")
    ]
