from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.backoffice import forms, roles, selectors
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.core.utility import get_utility
from kabinet.identity import services
from kabinet.identity.models import IssuedAccess, User


def staff_required(area):
    """Staff whose role opens ``area`` (see roles.py): a stranger is sent to sign in, a
    customer gets 404 (no hint it exists), staff without the area get 403 and no data."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_staff:
                raise Http404
            if not roles.can(request.user, area):
                return forbidden(request, area)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def forbidden(request, area):
    """«Нет доступа»: which role the section is for, never its data."""
    return render(
        request, "backoffice/forbidden.html", {"roles": roles.roles_for(area)}, status=403
    )


@staff_required(roles.CUSTOMERS)
def dashboard_view(request):
    form = forms.UserSearchForm(request.GET or None)
    users = User.objects.filter(is_staff=False).prefetch_related("parties").order_by("-date_joined")
    limit = 10  # without a search, the latest sign-ups only: the day's tiles come first
    if form.is_valid() and form.cleaned_data["q"]:
        limit = 50
        q = form.cleaned_data["q"].strip()
        users = users.filter(
            Q(login__icontains=q)
            | Q(email__icontains=q)
            | Q(phone__icontains=q)
            | Q(display_name__icontains=q)
            | Q(parties__inn=q)
            | Q(parties__org_name__icontains=q)
            | Q(parties__last_name__icontains=q)
        ).distinct()
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "form": form,
            "users": users[:limit],
            "searched": limit == 50,
            "issued": IssuedAccess.objects.select_related("user")[:10],
            "tiles": selectors.day_summary(user=request.user),
            "today": timezone.localdate(),
        },
    )


@staff_required(roles.ACCESS)
def issue_access_view(request):
    if "issued" not in get_utility().signup_modes:
        raise Http404
    form = forms.IssueAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.issued_access_create(staff=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Доступ выдан, ссылка активации отправлена на e-mail."))
            return redirect("backoffice:issued_card", pk=access.pk)
    return render(request, "backoffice/issue_access.html", {"form": form})


@staff_required(roles.ACCESS)
def issued_card_view(request, pk):
    """Карточка регистрации (001 §2), to print and hand to the organisation."""
    access = get_object_or_404(IssuedAccess.objects.select_related("user", "issued_by"), pk=pk)
    party = access.user.parties.first()
    return render(request, "backoffice/issued_card.html", {"access": access, "party": party})


@staff_required(roles.ACCESS)
def contract_login_view(request):
    if "contract" not in get_utility().signup_modes:
        raise Http404
    form = forms.ContractLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.contract_login_create(staff=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Вход создан: логин %(login)s, первый пароль — ИНН.") % {"login": user.login},
            )
            return redirect("backoffice:user", uuid=user.uuid)
    return render(request, "backoffice/contract_login.html", {"form": form})


@staff_required(roles.CUSTOMERS)
def user_view(request, uuid):
    subject = get_object_or_404(User, uuid=uuid, is_staff=False)
    return render(
        request,
        "backoffice/user.html",
        {
            "subject": subject,
            "parties": subject.parties.all(),
            "accesses": subject.issued_access.all(),
            "picture": selectors.customer_picture(subject=subject),
        },
    )


@staff_required(roles.ACCESS)
@require_POST
def user_reissue_view(request, uuid):
    subject = get_object_or_404(User, uuid=uuid, is_staff=False)
    try:
        access = services.issued_access_reissue(staff=request.user, user=subject)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:user", uuid=uuid)
    messages.success(request, _("Новая ссылка активации отправлена."))
    return redirect("backoffice:issued_card", pk=access.pk)


@staff_required(roles.ACCESS)
@require_POST
def user_reset_first_password_view(request, uuid):
    subject = get_object_or_404(User, uuid=uuid, is_staff=False)
    try:
        services.contract_login_reset(staff=request.user, user=subject)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Пароль сброшен на первый (ИНН). При входе его нужно будет сменить.")
        )
    return redirect("backoffice:user", uuid=uuid)


@staff_required(roles.ACCESS)
@require_POST
def user_unlock_view(request, uuid):
    subject = get_object_or_404(User, uuid=uuid, is_staff=False)
    try:
        services.user_unlock(staff=request.user, user=subject)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Блокировка входа снята."))
    return redirect("backoffice:user", uuid=uuid)


@staff_required(roles.BILLING)
def billing_view(request):
    """Расчётные задания: start the month's accrual or receipts, watch their progress,
    and see the receipts whose e-mailing failed."""
    from kabinet.billing import services as billing_services
    from kabinet.billing.models import BillingRun, ReceiptMailing

    form = forms.BillingRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = billing_services.billing_run_start(
                by=request.user, kind=form.cleaned_data["kind"], period=form.cleaned_data["period"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Задание «%(run)s» запущено.") % {"run": run})
            return redirect("backoffice:billing")
    runs = list(BillingRun.objects.select_related("created_by")[:20])
    failed = ReceiptMailing.objects.filter(status=ReceiptMailing.Status.FAILED).select_related(
        "document__account"
    )[:50]
    return render(
        request,
        "backoffice/billing.html",
        {
            "form": form,
            "runs": runs,
            "failed": failed,
            "busy": any(r.status in ("queued", "running") for r in runs),
        },
    )


@staff_required(roles.BILLING)
@require_POST
def mailing_retry_view(request, pk):
    from kabinet.billing import services as billing_services
    from kabinet.billing.models import ReceiptMailing

    mailing = get_object_or_404(ReceiptMailing, pk=pk)
    try:
        mailing = billing_services.receipt_mailing_retry(by=request.user, mailing=mailing)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if mailing.status == ReceiptMailing.Status.SENT:
            messages.success(request, _("Квитанция отправлена на %(e)s.") % {"e": mailing.email})
        elif mailing.status == ReceiptMailing.Status.FAILED:
            messages.error(
                request, _("Снова не удалось: %(error)s") % {"error": mailing.last_error}
            )
        else:
            messages.success(request, _("Квитанция поставлена в очередь на отправку."))
    return redirect("backoffice:billing")
