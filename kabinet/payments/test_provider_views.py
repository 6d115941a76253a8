"""The pages of the ТЕСТОВАЯ платёжная система (the demo's provider): a card form and
an SBP "bank app" page, each marked on every line as a test. After the customer acts,
the test provider notifies the portal as a real provider would. They answer 404 unless
``KABINET_PAYMENT_PROVIDER=test``."""

import json
import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from stdnum import luhn

from kabinet.payments import services
from kabinet.payments.models import TestProviderPayment
from kabinet.payments.providers.test_provider import CARD_TYPES, DECLINED


def _payment(payment_id) -> TestProviderPayment:
    if settings.KABINET_PAYMENT_PROVIDER != "test":
        raise Http404
    return get_object_or_404(TestProviderPayment, id=payment_id)


def _notify(payment: TestProviderPayment) -> None:
    event = "payment.succeeded" if payment.status == "succeeded" else "payment.canceled"
    body = json.dumps({"type": "notification", "event": event, "object": {"id": payment.id}})
    services.notification_receive(provider_name="test", body=body.encode(), remote_addr="127.0.0.1")


def card_view(request, payment_id):
    payment = _payment(payment_id)
    errors = {}
    typed = {"number": "", "expiry": "", "cvc": ""}
    if request.method == "POST" and payment.status == "pending" and "answer" in request.POST:
        payment.status = "canceled"  # «Отказаться от оплаты»: back to the cabinet
        payment.cancellation_reason = "canceled_by_payer"
        payment.save()
        _notify(payment)
        return redirect(payment.return_url or "/")
    if request.method == "POST" and payment.status == "pending":
        typed = {k: request.POST.get(k, "").strip() for k in typed}
        number = re.sub(r"\D", "", typed["number"])
        if len(number) != 16 or not luhn.is_valid(number):
            errors["number"] = _("Номер карты — 16 цифр, проверьте его.")
        if not re.fullmatch(r"(0[1-9]|1[0-2])/\d{2}", typed["expiry"]):
            errors["expiry"] = _("Срок действия — ММ/ГГ, например 12/28.")
        if not re.fullmatch(r"\d{3}", typed["cvc"]):
            errors["cvc"] = _("CVC — три цифры с обратной стороны карты.")
        if not errors:
            if number.endswith(DECLINED):
                payment.status = "canceled"
                payment.cancellation_reason = "card_declined"
            else:
                payment.status = "succeeded"
                payment.method_id = f"test_pm_{payment.id[5:17]}"
                payment.card_title = f"{CARD_TYPES.get(number[0], 'Card')} •••• {number[-4:]}"
                month, year = typed["expiry"].split("/")
                payment.card_expiry = f"{month}/20{year}"
            payment.save()
            _notify(payment)
            return redirect(payment.return_url or "/")
    return render(
        request,
        "payments/test_provider_card.html",
        {"payment": payment, "errors": errors, "typed": typed},
    )


def sbp_view(request, payment_id):
    payment = _payment(payment_id)
    if request.method == "POST" and payment.status == "pending":
        if request.POST.get("answer") == "confirm":
            payment.status = "succeeded"
        else:
            payment.status = "canceled"
            payment.cancellation_reason = "canceled_by_payer"
        payment.save()
        _notify(payment)
        return redirect(payment.return_url or "/")
    return render(request, "payments/test_provider_sbp.html", {"payment": payment})
