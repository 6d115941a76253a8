"""«Мой дом» (000 §2.3.1, §2.3.4): the houses a resident follows, and the address picker."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kabinet.core.errors import DomainError
from kabinet.premises import selectors, services
from kabinet.premises.forms import AddressPickerForm
from kabinet.premises.models import House, Settlement, Street


def _houses(user):
    return House.objects.visible_to(user).select_related("street__settlement", "management_company")


@login_required
def my_houses_view(request):
    """«Мой дом»: the followed houses, each with its management company."""
    houses = list(selectors.my_houses(request.user))
    return render(request, "premises/my_houses.html", {"houses": houses})


@login_required
def house_add_view(request):
    """Add a house: the picker steps by GET; the found house is added by POST."""
    if request.method == "POST":
        picker = AddressPickerForm(request.POST)
        if picker.is_valid() and picker.done:
            try:
                _follow, created = services.house_follow(user=request.user, house=picker.house)
            except DomainError as exc:
                picker.add_error(None, exc.message)
            else:
                if created:
                    messages.success(
                        request,
                        _("Дом %(a)s добавлен в раздел «Мой дом».") % {"a": picker.house.address},
                    )
                else:
                    messages.info(request, _("Этот дом уже есть в разделе «Мой дом»."))
                return redirect("premises:detail", pk=picker.house.pk)
    else:
        picker = AddressPickerForm(request.GET or None)
        if picker.is_bound:
            picker.is_valid()
    return render(request, "premises/house_add.html", {"picker": picker})


@login_required
def house_detail_view(request, pk):
    """Информация по дому: ИКУ, узлы учёта с архивом, задолженность — для информации."""
    house = get_object_or_404(_houses(request.user), pk=pk)
    card = selectors.house_card(house=house)
    following = selectors.is_following(user=request.user, house=house)
    return render(
        request,
        "premises/house_detail.html",
        {"house": house, "card": card, "following": following},
    )


@login_required
@require_POST
def house_unfollow_view(request, pk):
    house = get_object_or_404(_houses(request.user), pk=pk)
    try:
        services.house_unfollow(user=request.user, house=house)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("premises:detail", pk=pk)
    messages.success(
        request, _("Дом %(a)s убран из раздела «Мой дом».") % {"a": house.short_address}
    )
    return redirect("premises:mine")


def _positive_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def lookup_view(request):
    """Type-ahead for the address picker: at most 20 matches as JSON.

    ``?step=street&settlement=<id>&q=<prefix>`` → streets; ``?step=house&street=<id>&q=``
    → house numbers. Public on purpose: the resident sign-up uses the picker before
    there is a session, and the registry of the supply zone is no secret.
    """
    step = request.GET.get("step")
    q = (request.GET.get("q") or "")[:100]
    limit = selectors.LOOKUP_LIMIT
    if step == "street":
        settlement_id = _positive_int(request.GET.get("settlement"))
        if settlement_id is None or not Settlement.objects.filter(pk=settlement_id).exists():
            return JsonResponse({"error": _("Выберите населённый пункт.")}, status=400)
        streets = selectors.streets_matching(settlement_id=settlement_id, q=q, limit=limit)
        results = [{"value": s.pk, "label": s.name} for s in streets]
    elif step == "house":
        street_id = _positive_int(request.GET.get("street"))
        if street_id is None or not Street.objects.filter(pk=street_id).exists():
            return JsonResponse({"error": _("Выберите улицу.")}, status=400)
        numbers = selectors.house_numbers(street_id=street_id, q=q, limit=limit)
        results = [{"value": n, "label": n} for n in numbers]
    else:
        return JsonResponse({"error": _("Неизвестный шаг: street или house.")}, status=400)
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, max-age=60"
    return response
