"""The back office of personal accounts, under /staff/accounts/: the queue of requests to
link an account (000 §2.3.1) by their deadline, each approved or refused from its row
or its page; and linking or unlinking an account from a customer's page."""

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error, private_download
from kabinet.customer_accounts import forms, services
from kabinet.customer_accounts.models import AccountLinkRequest, PersonalAccount
from kabinet.identity.models import User

PENDING = AccountLinkRequest.Status.PENDING
TABS = [(PENDING.value, gettext_lazy("На рассмотрении")), ("all", gettext_lazy("Все"))]


def _with_days(rows, today):
    """«Осталось N дней» / «Просрочено на N дней» for the requests still to decide."""
    for row in rows:
        row.days_left = (row.due - today).days if row.status == PENDING else None
        row.days_overdue = -row.days_left if row.days_left else 0
    return rows


@staff_required(roles.ACCESS)
def requests_view(request):
    """Заявки на привязку: those to decide by their deadline, overdue first, then the
    nearest; «Все» adds the decided ones after them."""
    status = request.GET.get("status", PENDING)
    if status not in {key for key, _label in TABS}:
        status = PENDING
    rows = AccountLinkRequest.objects.select_related("user", "account__owner", "decided_by")
    if status == PENDING:
        rows = rows.filter(status=PENDING)
    rows = rows.annotate(
        closed=Case(
            When(status=PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("closed", "due", "created_at")
    today = timezone.localdate()
    return render(
        request,
        "customer_accounts/staff_requests.html",
        {
            "rows": _with_days(list(rows[:200]), today),
            "status": status,
            "tabs": TABS,
            "refuse_form": forms.RefuseForm(),
        },
    )


def _request(uuid) -> AccountLinkRequest:
    return get_object_or_404(
        AccountLinkRequest.objects.select_related("user", "account__owner", "decided_by"),
        uuid=uuid,
    )


def _candidates(row: AccountLinkRequest):
    """The accounts the request's number names (a contract's settlement account never)."""
    return (
        PersonalAccount.objects.residential()
        .filter(number=row.number)
        .select_related("premises__house__street__settlement", "owner")
    )


def _render_request(request, row, refuse_form, status=200):
    _with_days([row], timezone.localdate())
    return render(
        request,
        "customer_accounts/staff_request.html",
        {
            "row": row,
            "refuse_form": refuse_form,
            "candidates": _candidates(row),
            "accounts": row.user.personal_accounts.select_related("premises"),
        },
        status=status,
    )


@staff_required(roles.ACCESS)
def request_view(request, uuid):
    return _render_request(request, _request(uuid), forms.RefuseForm())


def _back(request, row):
    """Back to the queue the action was taken from, or to the request's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("accounts_staff:request", uuid=row.uuid)


@staff_required(roles.ACCESS)
@require_POST
def request_approve_view(request, uuid):
    row = _request(uuid)
    try:
        account = services.account_link_request_approve(staff=request.user, request=row)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts_staff:request", uuid=row.uuid)
    messages.success(
        request,
        _("Лицевой счёт %(n)s привязан к кабинету %(who)s.")
        % {"n": account.number, "who": row.user},
    )
    return _back(request, row)


@staff_required(roles.ACCESS)
@require_POST
def request_refuse_view(request, uuid):
    row = _request(uuid)
    form = forms.RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.account_link_request_refuse(
                staff=request.user, request=row, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Заявителю отказано; причина отправлена ему."))
            return _back(request, row)
    return _render_request(request, row, form, status=400)


@staff_required(roles.ACCESS)
def document_view(request, uuid):
    """The request's document, always downloaded, never sniffed."""
    row = _request(uuid)
    if not row.document:
        raise Http404
    return private_download(
        row.document, filename=row.document_name, content_type=row.document_type
    )


# --- from the customer's page (backoffice:user) ---------------------------------------


@staff_required(roles.ACCESS)
@require_POST
def link_view(request, uuid):
    """Привязать лицевой счёт к кабинету абонента по номеру."""
    user = get_object_or_404(User, uuid=uuid, is_staff=False)
    number = "".join((request.POST.get("number") or "").split())
    account = (
        PersonalAccount.objects.residential().filter(number=number).first() if number else None
    )
    try:
        if account is None:
            raise DomainError(_("Лицевого счёта № %(n)s нет.") % {"n": number or "—"})
        services.account_link_by_staff(staff=request.user, user=user, account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Лицевой счёт %(n)s привязан к кабинету.") % {"n": account.number}
        )
    return redirect("backoffice:user", uuid=user.uuid)


@staff_required(roles.ACCESS)
@require_POST
def unlink_view(request, uuid):
    """Отвязать лицевой счёт от кабинета, с причиной."""
    account = get_object_or_404(PersonalAccount.objects.select_related("owner"), uuid=uuid)
    owner = account.owner
    reason = request.POST.get("reason", "")
    try:
        services.account_unlink_by_staff(staff=request.user, account=account, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Лицевой счёт %(n)s отвязан от кабинета.") % {"n": account.number}
        )
    if owner is None:
        return redirect(reverse("backoffice:dashboard"))
    return redirect("backoffice:user", uuid=owner.uuid)
