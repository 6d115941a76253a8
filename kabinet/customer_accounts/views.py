from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kabinet.billing.selectors import account_summary, receipt_visible
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error, private_download
from kabinet.core.utility import get_utility
from kabinet.customer_accounts import forms, services
from kabinet.customer_accounts.models import AccountLinkRequest, PersonalAccount


def _accounts(user):
    return PersonalAccount.objects.visible_to(user).select_related(
        "premises__house__street__settlement", "premises__house__management_company"
    )


@login_required
def account_list_view(request):
    """Лицевые счета: every account of the cabinet, to switch between them."""
    accounts = list(_accounts(request.user).filter(owner=request.user))
    if len(accounts) == 1 and "all" not in request.GET:
        return redirect("customer_accounts:detail", uuid=accounts[0].uuid)
    return render(
        request,
        "customer_accounts/list.html",
        {"accounts": accounts, "link_requests": _link_requests(request.user)[:20]},
    )


def _link_requests(user):
    """The cabinet's own requests; staff reach them in the back office, not here."""
    if user.is_staff:
        return AccountLinkRequest.objects.none()
    return AccountLinkRequest.objects.visible_to(user).order_by("-created_at")


@login_required
def account_add_view(request):
    form = forms.AccountLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if form.proof == "activation_code":
            proof = services.ActivationCodeProof(code=d["code"])
        elif form.proof == "meter_number":
            proof = services.MeterNumberProof(meter_number=d["meter_number"])
        else:
            proof = services.LastPaymentProof(amount=d["amount"], paid_on=d["paid_on"])
        try:
            account = services.account_link(user=request.user, number=d["number"], proof=proof)
        except DomainError as exc:
            form_error(form, exc)
        else:
            if form.proof == "meter_number":
                count = account.meters.count()
                messages.success(
                    request,
                    ngettext(
                        "Договор %(n)s: в кабинет добавлен %(count)d прибор учёта.",
                        "Договор %(n)s: в кабинет добавлено приборов учёта: %(count)d.",
                        count,
                    )
                    % {"n": account.number, "count": count},
                )
                return redirect("metering:list")
            messages.success(
                request, _("Лицевой счёт %(n)s добавлен в кабинет.") % {"n": account.number}
            )
            return redirect("customer_accounts:detail", uuid=account.uuid)
    return render(request, "customer_accounts/add.html", {"form": form})


@login_required
def account_detail_view(request, uuid):
    """Информация по счёту (000 §2.2.6.1, 004 Сведения)."""
    account = get_object_or_404(_accounts(request.user), uuid=uuid)
    if account.premises_id is None:  # a contract's settlement account: its contract page
        return redirect("contracts:detail", uuid=account.contract.uuid)
    others = _accounts(request.user).filter(owner=account.owner_id).exclude(pk=account.pk)
    last_receipt = account.documents.filter(kind="receipt").order_by("-period").first()
    if not request.user.is_staff and not receipt_visible(last_receipt, account):
        last_receipt = None
    return render(
        request,
        "customer_accounts/detail.html",
        {
            "account": account,
            "summary": account_summary(account=account, today=timezone.localdate()),
            "others": others if not request.user.is_staff else [],
            "last_receipt": last_receipt,
            "delivery": getattr(account, "delivery", None),
        },
    )


@login_required
@require_POST
def account_unlink_view(request, uuid):
    account = get_object_or_404(_accounts(request.user), uuid=uuid)
    try:
        services.account_unlink(user=request.user, account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("customer_accounts:detail", uuid=uuid)
    messages.success(request, _("Лицевой счёт %(n)s убран из кабинета.") % {"n": account.number})
    return redirect("customer_accounts:list")


# --- заявка на привязку (000 §2.3.1) ----------------------------------------------------


@login_required
def link_request_new_view(request):
    """Нет кода? The number, the premises and the holder go to an operator, who links
    the account by the deadline or says why not."""
    if request.user.is_staff:
        raise Http404
    form = forms.LinkRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"number": request.GET.get("number", ""), "phone": request.user.phone or ""},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = services.account_link_request_create(
                user=request.user,
                number=d["number"],
                address=d["address"],
                holder_name=d["holder_name"],
                phone=d["phone"],
                details=d["details"],
                document=d["document"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Заявка на привязку лицевого счёта %(n)s принята. Её рассмотрят до "
                    "%(due)s; о решении придёт уведомление."
                )
                % {"n": row.number, "due": row.due.strftime("%d.%m.%Y")},
            )
            return redirect(f"{reverse('customer_accounts:list')}?all=1")
    return render(
        request,
        "customer_accounts/request_new.html",
        {"form": form, "days": get_utility().access_request_days},
    )


def _own_request(request, uuid) -> AccountLinkRequest:
    return get_object_or_404(_link_requests(request.user), uuid=uuid)


@login_required
def link_request_view(request, uuid):
    return render(request, "customer_accounts/request.html", {"row": _own_request(request, uuid)})


@login_required
def link_request_document_view(request, uuid):
    row = _own_request(request, uuid)
    if not row.document:
        raise Http404
    return private_download(
        row.document, filename=row.document_name, content_type=row.document_type
    )
