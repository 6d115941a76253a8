"""Деньги лицевого счёта as the customer sees them: расчёты and receipts, payment
history, the debt breakdown, paperless receipts, tariffs. Each table is one
``exports.Table``: the page and its PDF, CSV and XLSX show the same rows and totals."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.billing import forms, selectors, services
from kabinet.billing.models import IssuedDocument, Payment, ReceiptDelivery, Tariff
from kabinet.core.errors import DomainError
from kabinet.core.exports import Column, Table, export_query, export_response
from kabinet.core.http import form_error
from kabinet.core.money import add_months, format_period, format_quantity, period_of
from kabinet.core.tables import TableControlsForm
from kabinet.customer_accounts.models import PersonalAccount


def _today() -> date:
    return timezone.localdate()


def _account(request, uuid) -> PersonalAccount:
    """The account if the user may see it (404 otherwise)."""
    accounts = PersonalAccount.objects.visible_to(request.user).select_related(
        "premises__house__street__settlement"
    )
    return get_object_or_404(accounts, uuid=uuid)


def _page(request, template, table: Table, stem: str, context: dict):
    """The page, or its table as a download when ``?format=`` asks for one; both after
    the search, sorting and grouping the customer chose (001)."""
    controls = TableControlsForm(request.GET or None, table=table)
    table = controls.apply(table)
    context["controls"] = controls
    context["carry"] = [  # the page's own filters, kept when the controls are applied
        (k, v) for k, v in request.GET.items() if k not in ("q", "sort", "group", "format")
    ]
    fmt = request.GET.get("format")
    if fmt:
        return export_response(table, fmt, stem)
    return render(
        request, template, {**context, "table": table, "export_query": export_query(request)}
    )


def _receipt_url(account, document) -> str | None:
    if document is None:
        return None
    if account.premises_id is None:
        # A contract's счёт-фактура opens as the utility's signed PDF (003 §3.2).
        if document.kind != IssuedDocument.Kind.INVOICE_FACTURA:
            return None
        return reverse(
            "contracts:document",
            args=[account.contract.uuid, "factura", f"{document.period:%Y-%m}"],
        )
    return reverse("billing:receipt", args=[account.uuid, f"{document.period:%Y-%m}"])


@login_required
def charges_view(request, uuid):
    """Расчёты (004) and выставленные документы (001): by period, debt at the start,
    charged, paid, debt at the end, and the period's receipt to download."""
    account = _account(request, uuid)
    last = add_months(period_of(_today()), -1)
    form = forms.PeriodRangeForm(request.GET or None, default_to=last, default_months=12)
    first, last = form.range()
    rows = selectors.periods(account=account, first=first, last=last)
    table = Table(
        title=(
            _("Расчёты по лицевому счёту %(n)s") % {"n": account.number}
            if account.premises_id
            else _("Взаиморасчёты по договору № %(n)s") % {"n": account.contract.number}
        ),
        subtitle=f"{format_period(first)} — {format_period(last)}",
        columns=[
            Column("period", _("Период"), "period"),
            Column("opening", _("Долг на начало"), "money"),
            Column("charged", _("Начислено"), "money"),
            Column("penalties", _("в т. ч. пени"), "money"),
            Column("paid", _("Оплачено"), "money"),
            Column("closing", _("Долг на конец"), "money"),
            # A contract's monthly documents are on «Платёжные документы», not receipts.
            *(
                [Column("receipt", _("Квитанция"), link="receipt_url")]
                if account.premises_id
                else []
            ),
        ],
        rows=[
            {
                "period": r.period,
                "opening": r.opening,
                "charged": r.charged,
                "penalties": r.penalties,
                "paid": r.paid,
                "closing": r.closing,
                "receipt": _("№ %(n)s") % {"n": r.document.number} if r.document else "",
                "receipt_url": _receipt_url(account, r.document),
            }
            for r in rows
        ],
        totals={
            "charged": sum(r.charged for r in rows),
            "penalties": sum(r.penalties for r in rows),
            "paid": sum(r.paid for r in rows),
        },
    )
    return _page(
        request,
        "billing/charges.html",
        table,
        f"raschety-{account.number}",
        {"account": account, "form": form},
    )


@login_required
def documents_view(request, uuid):
    """Выставленные платёжные документы and, with ``?unpaid=1``, Документы на оплату
    (001): each document with what paid it and what is left, to open or print."""
    account = _account(request, uuid)
    last = add_months(period_of(_today()), -1)
    form = forms.PeriodRangeForm(request.GET or None, default_to=last, default_months=12)
    first, last = form.range()
    unpaid = request.GET.get("unpaid") == "1"
    rows = selectors.documents(account=account, first=first, last=last, unpaid_only=unpaid)
    status = {True: _("оплачен"), False: _("не оплачен")}
    table = Table(
        title=(_("Документы на оплату") if unpaid else _("Выставленные платёжные документы"))
        + " · "
        + account.number,
        subtitle=f"{format_period(first)} — {format_period(last)}",
        columns=[
            Column("number", _("Документ"), link="url"),
            Column("kind", _("Вид")),
            Column("issued_on", _("Дата документа"), "date"),
            Column("period", _("Период начислений"), "period"),
            Column("charged", _("Начислено"), "money"),
            Column("amount", _("К оплате"), "money"),
            Column("paid", _("Оплачено"), "money"),
            Column("unpaid", _("Задолженность"), "money"),
            Column("status", _("Состояние")),
        ],
        rows=[
            {
                "number": f"№ {r.document.number}",
                "url": _receipt_url(account, r.document),
                "kind": str(r.document.get_kind_display()).capitalize(),
                "issued_on": r.document.issued_on,
                "period": r.document.period,
                "charged": r.document.charged_kopecks,
                "amount": r.document.amount_kopecks,
                "paid": r.paid,
                "unpaid": r.unpaid,
                "status": status[r.unpaid == 0],
            }
            for r in rows
        ],
        totals={
            "charged": sum(r.document.charged_kopecks for r in rows),
            "paid": sum(r.paid for r in rows),
            "unpaid": sum(r.unpaid for r in rows),
        },
    )
    return _page(
        request,
        "billing/documents.html",
        table,
        f"dokumenty-{account.number}",
        {"account": account, "form": form, "unpaid": unpaid},
    )


@login_required
def payments_view(request, uuid):
    """История платежей (000 §2.2.6.4): when the money arrived, how much, how, and the
    receipt it paid."""
    account = _account(request, uuid)
    form = forms.YearForm(request.GET or None)
    year = form.cleaned_data["year"] if form.is_valid() else None
    rows = selectors.payment_history(account=account, year=year)
    table = Table(
        title=_("История платежей по лицевому счёту %(n)s") % {"n": account.number},
        subtitle=str(year or _("за всё время")),
        columns=[
            Column("credited_on", _("Дата поступления"), "date"),
            Column("amount", _("Сумма"), "money"),
            Column("channel", _("Способ оплаты")),
            Column("document", _("Документ плательщика")),
            *(
                [Column("receipt", _("Оплаченная квитанция"), link="receipt_url")]
                if account.premises_id
                else [Column("paid_by", _("Оплатил в кабинете"))]
            ),
        ],
        rows=[
            {
                "credited_on": r.payment.credited_on,
                "amount": r.payment.amount_kopecks,
                "channel": str(Payment.Channel(r.payment.channel).label).capitalize(),
                "document": r.payment.document,
                "receipt": (
                    _("за %(p)s") % {"p": format_period(r.document.period).lower()}
                    if r.document
                    else ""
                ),
                "receipt_url": _receipt_url(account, r.document),
                "paid_by": str(r.payment.paid_by) if r.payment.paid_by_id else "",
            }
            for r in rows
        ],
        totals={"amount": sum(r.payment.amount_kopecks for r in rows)},
    )
    return _page(
        request,
        "billing/payments.html",
        table,
        f"platezhi-{account.number}",
        {"account": account, "form": form},
    )


@login_required
def breakdown_view(request, uuid):
    """Расшифровка задолженности (000 §3.3.3): opening debt, every charge and payment
    with the running balance, closing debt."""
    account = _account(request, uuid)
    last = add_months(period_of(_today()), -1)
    form = forms.PeriodRangeForm(
        request.GET or None, default_to=last, default_from=last.replace(month=1)
    )
    first, last = form.range()
    b = selectors.breakdown(account=account, first=first, last=last)
    opening_row = {
        "what": _("Задолженность на %(d)s") % {"d": first.strftime("%d.%m.%Y")},
        "balance": b.opening,
    }
    closing_day = add_months(last, 1)
    table = Table(
        title=_("Расшифровка задолженности по лицевому счёту %(n)s") % {"n": account.number},
        subtitle=f"{format_period(first)} — {format_period(last)}",
        columns=[
            Column("day", _("Дата"), "date"),
            Column("what", _("Операция")),
            Column("period", _("За период"), "period"),
            Column("charged", _("Начислено"), "money"),
            Column("paid", _("Оплачено"), "money"),
            Column("balance", _("Долг после операции"), "money"),
        ],
        rows=[
            opening_row,
            *(
                {
                    "day": r.day,
                    "what": r.what,
                    "period": r.period,
                    "charged": r.charged or None,
                    "paid": r.paid or None,
                    "balance": r.balance,
                }
                for r in b.rows
            ),
        ],
        totals={"charged": b.charged, "paid": b.paid, "balance": b.closing},
    )
    return _page(
        request,
        "billing/breakdown.html",
        table,
        f"rasshifrovka-{account.number}",
        {"account": account, "form": form, "b": b, "closing_day": closing_day},
    )


@login_required
def receipt_view(request, uuid, period):
    """The receipt of a period as PDF (004 Скачивание платёжных документов)."""
    from kabinet.billing.receipts import render_receipt_pdf

    account = _account(request, uuid)
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
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="kvitanciya-{document.number}.pdf"'
    return response


@login_required
def delivery_view(request, uuid):
    """Настройка получения квитанций (004): paper, or the PDF to an e-mail."""
    account = _account(request, uuid)
    current = ReceiptDelivery.objects.filter(account=account).first()
    initial = {
        "paperless": bool(current and current.paperless),
        "email": (current.email if current and current.email else request.user.email or ""),
    }
    form = forms.DeliveryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.receipt_delivery_set(
                user=request.user,
                account=account,
                paperless=form.cleaned_data["paperless"],
                email=form.cleaned_data["email"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if form.cleaned_data["paperless"]:
                text = _("Квитанции по счёту %(n)s будут приходить на %(e)s.") % {
                    "n": account.number,
                    "e": form.cleaned_data["email"],
                }
            else:
                text = _("Квитанции по счёту %(n)s будут приходить на бумаге.") % {
                    "n": account.number
                }
            messages.success(request, text)
            return redirect("customer_accounts:detail", uuid=account.uuid)
    return render(request, "billing/delivery.html", {"account": account, "form": form})


@login_required
def tariffs_view(request):
    """Тарифы (001): those in force today, and the archive."""
    today = _today()
    archive = request.GET.get("archive") == "1"
    qs = Tariff.objects.all()
    qs = qs.filter(valid_to__lt=today) if archive else qs.valid_on(today)
    zone_labels = dict(Tariff._meta.get_field("zone").choices)
    table = Table(
        title=_("Архив тарифов") if archive else _("Действующие тарифы"),
        subtitle=today.strftime("%d.%m.%Y"),
        columns=[
            Column("service", _("Услуга")),
            Column("zone", _("Зона суток")),
            Column("price", _("Цена за единицу"), "money"),
            Column("unit", _("Единица")),
            Column("valid_from", _("Действует с"), "date"),
            Column("valid_to", _("по"), "date"),
            Column("norm", _("Норматив в месяц")),
            Column("basis", _("Основание")),
        ],
        rows=[
            {
                "service": t.service,
                "zone": str(zone_labels.get(t.zone, "")) if t.zone else "",
                "price": t.price_kopecks,
                "unit": t.unit,
                "valid_from": t.valid_from,
                "valid_to": t.valid_to,
                "norm": (
                    f"{format_quantity(t.norm)} {t.unit} {t.get_norm_basis_display()}"
                    if t.norm is not None
                    else ""
                ),
                "basis": t.basis_document,
            }
            for t in qs.order_by("service", "zone", "-valid_from")
        ],
    )
    return _page(
        request,
        "billing/tariffs.html",
        table,
        "tarify-arhiv" if archive else "tarify",
        {"archive": archive},
    )
