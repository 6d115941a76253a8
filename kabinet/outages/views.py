"""«Отключение ГВС» (000 §2.2.4, §2.3.5): the public search by address, the customer's
report by their addresses with subscriptions, and the staff's outage screens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.outages import selectors, services
from kabinet.outages.forms import OutageForm
from kabinet.outages.models import Outage, OutageSubscription
from kabinet.premises.forms import AddressPickerForm


def search_view(request):
    """Public: find the outages of any house of the zone by its address (no sign-in).
    A signed-in customer can subscribe to the found house's outage notices."""
    picker = AddressPickerForm(request.GET or None)
    if picker.is_bound:
        picker.is_valid()
    context = {"picker": picker}
    if picker.done:
        today = timezone.localdate()
        active, past = selectors.outages_of_house(house=picker.house, today=today)
        context.update(
            {
                "house": picker.house,
                "active": active,
                "past": past,
                "today": today,
                "subscribed": selectors.is_subscribed(user=request.user, house=picker.house),
                "own_house": selectors.is_own_house(user=request.user, house=picker.house),
            }
        )
    return render(request, "outages/search.html", context)


@login_required
def mine_view(request):
    """The customer's report: outages of their accounts', followed and subscribed houses."""
    today = timezone.localdate()
    report = selectors.outage_report(user=request.user, today=today)
    return render(request, "outages/mine.html", {"report": report, "today": today})


@login_required
@require_POST
def subscribe_view(request):
    """Subscribe to the picked house's outage notices (the picker's fields come in POST)."""
    picker = AddressPickerForm(request.POST)
    if not (picker.is_valid() and picker.done):
        messages.error(request, _("Выберите дом по адресу, чтобы подписаться."))
        return redirect("outages:search")
    try:
        _sub, created = services.outage_subscribe(user=request.user, house=picker.house)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("outages:search")
    if created:
        messages.success(
            request,
            _("Вы подписались на уведомления об отключениях по адресу %(a)s.")
            % {"a": picker.house.address},
        )
    else:
        messages.info(request, _("Вы уже подписаны на уведомления по этому адресу."))
    return redirect("outages:mine")


@login_required
@require_POST
def unsubscribe_view(request, pk):
    subscription = get_object_or_404(
        OutageSubscription.objects.visible_to(request.user).select_related("house__street"),
        pk=pk,
    )
    address = subscription.house.short_address
    services.outage_unsubscribe(subscription=subscription)
    messages.success(
        request, _("Вы отписались от уведомлений об отключениях по адресу %(a)s.") % {"a": address}
    )
    return redirect("outages:mine")


# --- staff -------------------------------------------------------------------------------


@staff_required(roles.OUTAGES_NEWS)
def staff_list_view(request):
    """Staff: current and upcoming outages, and the latest past ones."""
    today = timezone.localdate()
    qs = Outage.objects.all()
    return render(
        request,
        "outages/staff_list.html",
        {
            "active": selectors.outages_active(qs, today=today),
            "past": selectors.outages_past(qs, today=today, limit=50),
            "today": today,
        },
    )


@staff_required(roles.OUTAGES_NEWS)
def staff_create_view(request):
    """Staff: pick the house by address (GET steps), then enter the outage (POST)."""
    if request.method == "POST":
        picker = AddressPickerForm(request.POST)
        form = OutageForm(request.POST)
        if picker.is_valid() and picker.done and form.is_valid():
            try:
                outage = services.outage_create(
                    house=picker.house, by=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Отключение внесено; абоненты дома %(a)s уведомлены.")
                    % {"a": picker.house.short_address},
                )
                return redirect("outages_staff:edit", pk=outage.pk)
    else:
        picker = AddressPickerForm(request.GET or None)
        if picker.is_bound:
            picker.is_valid()
        form = OutageForm(
            initial={"kind": Outage.Kind.PLANNED, "service": Outage.Service.HOT_WATER}
        )
    return render(request, "outages/staff_form.html", {"picker": picker, "form": form})


@staff_required(roles.OUTAGES_NEWS)
def staff_edit_view(request, pk):
    """Staff: change an outage; a change of dates is kept in its history and notified."""
    outage = get_object_or_404(Outage.objects.select_related("house__street__settlement"), pk=pk)
    if request.method == "POST":
        form = OutageForm(request.POST, comment=True)
        if form.is_valid():
            try:
                _o, changed = services.outage_update(
                    outage=outage, by=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                if changed:
                    messages.success(request, _("Изменения сохранены."))
                else:
                    messages.info(request, _("Ничего не изменилось."))
                return redirect("outages_staff:edit", pk=outage.pk)
    else:
        form = OutageForm(
            initial={
                "kind": outage.kind,
                "service": outage.service,
                "starts_on": outage.starts_on,
                "ends_on": outage.ends_on,
                "reason": outage.reason,
            },
            comment=True,
        )
    events = outage.events.select_related("by")
    return render(
        request, "outages/staff_edit.html", {"outage": outage, "form": form, "events": events}
    )
