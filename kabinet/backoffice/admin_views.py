"""The administrator's pages: «Сотрудники и роли» and «Настройки портала»."""

import dataclasses

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity.models import User


@staff_required(roles.ADMIN)
def team_view(request):
    """Every member of staff with their roles, set with check boxes per person."""
    team = list(User.objects.filter(is_staff=True).prefetch_related("groups").order_by("login"))
    for member in team:
        member.role_codes = {g.name for g in member.groups.all()}
    return render(
        request,
        "backoffice/team.html",
        {
            "team": team,
            "roles": [(code, name, sorted(areas)) for code, (name, areas) in roles.ROLES.items()],
            "area_names": AREA_NAMES,
        },
    )


@staff_required(roles.ADMIN)
@require_POST
def team_roles_view(request, uuid):
    member = get_object_or_404(User, uuid=uuid, is_staff=True)
    try:
        roles.staff_roles_set(by=request.user, user=member, codes=request.POST.getlist("role"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Роли сотрудника %(who)s сохранены.") % {"who": member})
    return redirect("backoffice:team")


@staff_required(roles.ADMIN)
def settings_view(request):
    """What this portal is configured to do, read from the utility profile and the
    environment; changed by the deployment (docs/configuration.md), not from here."""
    profile = get_utility()
    rows = [(f.name, _shown(getattr(profile, f.name))) for f in dataclasses.fields(profile)]
    return render(request, "backoffice/settings.html", {"profile": profile, "rows": rows})


def _shown(value) -> str:
    if isinstance(value, bool):
        return _("да") if value else pgettext("ответ", "нет")
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(str(v) for v in sorted(value, key=str)) or "—"
    if dataclasses.is_dataclass(value):
        return "; ".join(f"{f.name}: {getattr(value, f.name)}" for f in dataclasses.fields(value))
    return str(value) if value not in (None, "") else "—"


AREA_NAMES = {
    roles.APPEALS: _("обращения и чаты"),
    roles.ACCESS: _("доступ, заявки на договоры и лицевые счета"),
    roles.OUTAGES_NEWS: _("отключения и новости"),
    roles.BILLING: _("расчёты и показания"),
    roles.IMPORTS: _("обмен с биллингом"),
    roles.APPLICATIONS: _("заявки на подключение"),
    roles.CUSTOMERS: _("карточки абонентов"),
    roles.ADMIN: _("сотрудники, роли, журнал, настройки"),
}
