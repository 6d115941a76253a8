"""The back office of contracts: requests to add a contract to a cabinet (approve or
refuse with a reason) and the curator chats waiting for an answer."""

from django.contrib import messages
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.contracts.forms.contracts import RefuseForm
from kabinet.contracts.models import Contract, ContractRequest
from kabinet.contracts.services import cabinet as services
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error, private_download


@staff_required(roles.ACCESS)
def requests_view(request):
    """Заявки на добавление договоров: pending first, oldest first."""
    status = request.GET.get("status", ContractRequest.Status.PENDING)
    if status not in ContractRequest.Status.values:
        status = ContractRequest.Status.PENDING
    rows = list(
        ContractRequest.objects.filter(status=status)
        .select_related("user", "contract__party", "decided_by")
        .order_by("created_at" if status == ContractRequest.Status.PENDING else "-decided_at")[:200]
    )
    today = timezone.localdate()
    for row in rows:  # the deadline is a fixed number of working days: oldest first is due first
        row.days_left = (row.due_date - today).days
        row.days_overdue = max(-row.days_left, 0)
    return render(
        request,
        "contracts/staff_requests.html",
        {"rows": rows, "status": status, "tabs": ContractRequest.Status.choices},
    )


def _request(uuid) -> ContractRequest:
    return get_object_or_404(
        ContractRequest.objects.select_related("user", "contract__party__user"), uuid=uuid
    )


@staff_required(roles.ACCESS)
def request_view(request, uuid):
    row = _request(uuid)
    return render(
        request,
        "contracts/staff_request.html",
        {"row": row, "refuse_form": RefuseForm(), "parties": row.user.parties.all()},
    )


@staff_required(roles.ACCESS)
@require_POST
def request_approve_view(request, uuid):
    row = _request(uuid)
    try:
        contract = services.contract_request_approve(by=request.user, request=row)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contracts_staff:request", uuid=row.uuid)
    messages.success(
        request,
        _("Договор № %(n)s добавлен в кабинет %(who)s.") % {"n": contract.number, "who": row.user},
    )
    return redirect("contracts_staff:requests")


@staff_required(roles.ACCESS)
@require_POST
def request_refuse_view(request, uuid):
    row = _request(uuid)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.contract_request_refuse(
                by=request.user, request=row, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Заявителю отказано; причина отправлена ему."))
            return redirect("contracts_staff:requests")
    return render(
        request,
        "contracts/staff_request.html",
        {"row": row, "refuse_form": form, "parties": row.user.parties.all()},
    )


@staff_required(roles.ACCESS)
def statement_view(request, uuid):
    """The signed statement of a request, always downloaded, never sniffed."""
    row = _request(uuid)
    return private_download(
        row.statement, filename=row.statement_name, content_type=row.statement_type
    )


@staff_required(roles.APPEALS)
def chats_view(request):
    """Чаты с абонентами: contracts whose last message is the customer's, unanswered."""
    waiting = (
        Contract.objects.filter(conversation__isnull=False)
        .filter(
            Q(conversation__last_staff_message_id__isnull=True)
            | Q(conversation__last_customer_message_id__gt=F("conversation__last_staff_message_id"))
        )
        .filter(conversation__last_customer_message_id__isnull=False)
        .select_related("conversation", "party")
        .order_by("conversation__last_message_at")[:200]
    )
    return render(request, "contracts/staff_chats.html", {"contracts": waiting})


@staff_required(roles.BILLING)
def reports_view(request):
    """Отчёты о потреблении, ждущие учёта: accept each with the figure billing settled
    (prefilled with the one sent) or reject it with a reason the subscriber will see."""
    from decimal import Decimal, InvalidOperation

    from kabinet.contracts.models import ConsumptionReport
    from kabinet.contracts.services import reports as report_services

    if request.method == "POST":
        report = get_object_or_404(ConsumptionReport, uuid=request.POST.get("report"))
        try:
            if request.POST.get("action") == "accept":
                raw = (request.POST.get("accepted") or "").replace(" ", "").replace(",", ".")
                try:
                    value = Decimal(raw)
                except InvalidOperation as exc:
                    raise DomainError(_("Учтённый расход — число, например 123,45.")) from exc
                report_services.report_accept(
                    by=request.user,
                    report=report,
                    accepted_consumption=value,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Отчёт учтён во взаиморасчётах."))
            else:
                report_services.report_reject(
                    by=request.user, report=report, note=request.POST.get("note", "")
                )
                messages.success(request, _("Отчёт отклонён; причина видна абоненту."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("contracts_staff:reports")
    waiting = (
        ConsumptionReport.objects.filter(status=ConsumptionReport.Status.SENT)
        .select_related("point__contract", "submitted_by")
        .order_by("submitted_at")[:200]
    )
    return render(request, "contracts/staff_reports.html", {"reports": waiting})
