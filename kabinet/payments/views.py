"""Оплата онлайн: the payment form, the payment's page (its state, live), provider
notifications, saved cards and autopay (000 §2.2.6.1, §2.2.6.5; 004 Оплата)."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kabinet.billing.selectors import account_summary
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.payments import forms, services
from kabinet.payments.models import Autopay, OnlinePayment, SavedCard
from kabinet.payments.providers import get_provider
from kabinet.payments.providers.base import NotificationRejected


def _client_ip(request) -> str:
    # Behind the utility's reverse proxy the address is in X-Forwarded-For's last hop the
    # proxy added; the deployment guide says to set it. Here: the direct peer.
    return request.META.get("REMOTE_ADDR", "")


@login_required
def pay_view(request):
    """Оплатить: one, several or all of the cabinet's accounts in one payment."""
    chosen = request.GET.get("account")
    contract_account = (
        PersonalAccount.objects.payable_by(request.user)
        .filter(uuid=chosen, premises__isnull=True)
        .select_related("contract")
        .first()
        if chosen
        else None
    )
    if contract_account is not None:
        # 000 §3.3.3: a contract is paid on its own, chosen from the contracts list.
        accounts = [contract_account]
    else:
        accounts = list(
            PersonalAccount.objects.filter(owner=request.user)
            .select_related("premises__house__street__settlement")
            .order_by("number")
        )
    if not accounts:
        messages.info(request, _("Чтобы оплатить, сначала добавьте лицевой счёт."))
        return redirect("customer_accounts:add")
    today = timezone.localdate()
    summaries = {a.pk: account_summary(account=a, today=today) for a in accounts}
    if chosen and request.method != "POST":
        # Paying from an account's page: that account first, the others not prefilled.
        accounts.sort(key=lambda a: str(a.uuid) != chosen)
    form = forms.PayForm(
        request.POST or None,
        accounts=accounts,
        summaries=summaries,
        initial={"receipt_email": request.user.email, "key": services.new_idempotency_key()},
    )
    if chosen and request.method != "POST":
        for a in accounts[1:]:
            for purpose, _label in forms.PURPOSES:
                form.fields[f"a_{a.uuid}_{purpose}"].initial = ""
    if request.method == "POST" and form.is_valid():
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
            form_error(form, exc)
        else:
            if payment.confirmation_url and payment.status == OnlinePayment.Status.PENDING:
                return redirect(payment.confirmation_url)
            return redirect("payments:detail", uuid=payment.uuid)
    total = sum(s.to_pay for s in summaries.values())
    return render(
        request,
        "payments/pay.html",
        {
            "form": form,
            "rows": form.rows(),
            "total": total,
            "test_provider": get_provider().is_test,
            "contract_account": contract_account,
        },
    )


@login_required
def payment_view(request, uuid):
    """The payment's page: it survives closing the tab, and follows the provider until
    the payment is done (the page refreshes itself; no JavaScript needed)."""
    payment = get_object_or_404(OnlinePayment.objects.visible_to(request.user), uuid=uuid)
    if not payment.is_final:
        payment = services.payment_sync(payment=payment, note="status page")
    if request.method == "POST" and not payment.is_final and not payment.provider_payment_id:
        payment = services.payment_start(payment=payment)  # «Попробовать ещё раз»
        if payment.confirmation_url and payment.status == OnlinePayment.Status.PENDING:
            return redirect(payment.confirmation_url)
        return redirect("payments:detail", uuid=payment.uuid)
    parts = list(payment.parts.select_related("account"))
    return render(
        request,
        "payments/detail.html",
        {
            "payment": payment,
            "parts": parts,
            "accounts": sorted({p.account for p in parts}, key=lambda a: a.number),
            "qr_svg": _qr(payment.confirmation_data, request) if payment.method == "sbp" else "",
            "sbp_link": request.build_absolute_uri(payment.confirmation_data)
            if payment.confirmation_data.startswith("/")
            else payment.confirmation_data,
            "refresh": not payment.is_final and payment.status != OnlinePayment.Status.FAILED,
            "test_provider": get_provider(payment.provider).is_test,
        },
    )


def _qr(data: str, request) -> str:
    if not data:
        return ""
    if data.startswith("/"):
        data = request.build_absolute_uri(data)
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="svg", scale=6, xmldecl=False)
    return out.getvalue().decode()


@login_required
def payments_list_view(request):
    """Мои онлайн-оплаты: every payment made in the cabinet, with its state."""
    payments = (
        OnlinePayment.objects.filter(user=request.user)
        .prefetch_related("parts__account")
        .order_by("-created_at")[:100]
    )
    return render(request, "payments/list.html", {"payments": payments})


@csrf_exempt
@require_POST
def notification_view(request, provider):
    """Уведомление платёжной системы. Answers 200 once the notice is kept, so the
    provider stops repeating it; 403 to a sender that is not the provider."""
    from kabinet.payments.providers import PROVIDERS

    if provider not in PROVIDERS:
        raise Http404
    try:
        services.notification_receive(
            provider_name=provider, body=request.body, remote_addr=_client_ip(request)
        )
    except NotificationRejected:
        return HttpResponse(status=403)
    return HttpResponse("ok")


@login_required
def cards_view(request):
    """Мои карты и автоплатежи (000 §2.2.6.5)."""
    cards = SavedCard.objects.filter(user=request.user, deleted_at=None)
    autopays = Autopay.objects.filter(user=request.user).select_related("account", "card")[:20]
    form = forms.AutopayForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            autopay = services.autopay_set(
                user=request.user,
                account=d["account"],
                card=d["card"],
                day=d["day"],
                ceiling_kopecks=d["ceiling"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Автоплатёж по счёту %(n)s включён: %(day)s числа каждого месяца, до %(until)s.")
                % {
                    "n": autopay.account.number,
                    "day": autopay.day,
                    "until": autopay.valid_until.strftime("%d.%m.%Y"),
                },
            )
            return redirect("payments:cards")
    return render(
        request,
        "payments/cards.html",
        {"cards": cards, "autopays": autopays, "form": form},
    )


@login_required
@require_POST
def card_delete_view(request, uuid):
    card = get_object_or_404(SavedCard, user=request.user, uuid=uuid, deleted_at=None)
    services.card_delete(user=request.user, card=card)
    messages.success(request, _("Карта %(card)s удалена.") % {"card": card.title})
    return redirect("payments:cards")


@login_required
@require_POST
def autopay_cancel_view(request, uuid):
    autopay = get_object_or_404(Autopay, user=request.user, uuid=uuid)
    services.autopay_cancel(user=request.user, autopay=autopay)
    messages.success(
        request, _("Автоплатёж по счёту %(n)s отменён.") % {"n": autopay.account.number}
    )
    return redirect("payments:cards")
