"""Pages of «Сотрудники организации»: the holder of an organisation's cabinet sees and
manages its colleagues; a colleague sees whom they act for; an invited colleague new to
the portal chooses a password by the link from the letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.identity import services
from kabinet.identity.codes import CodeInvalid
from kabinet.identity.forms_members import MemberInviteForm, MemberJoinForm, MemberRightsForm
from kabinet.identity.models import Party, PartyMember
from kabinet.identity.services.members import awaits_join
from kabinet.identity.views import _complete_login


def _invite_prefix(party_id: int) -> str:
    return f"party{party_id}"


def _rights_prefix(member_id: int) -> str:
    return f"member{member_id}"


def _held_parties(user):
    """The organisations and ИП whose cabinet the user holds, with every colleague ever
    added (the removed ones too: the list is also the record)."""
    members = PartyMember.objects.select_related("user", "added_by", "removed_by").order_by(
        "-removed_at", "added_at"
    )
    return (
        Party.objects.filter(user=user)
        .exclude(kind=Party.Kind.PERSON)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("pk")
    )


def _members_page(request, *, bound_invite=None, bound_rights=None, status=200):
    """Render the page; a form that was just refused is shown as it was sent."""
    held = []
    for party in _held_parties(request.user):
        if bound_invite is not None and bound_invite.prefix == _invite_prefix(party.pk):
            invite_form = bound_invite
        else:
            invite_form = MemberInviteForm(prefix=_invite_prefix(party.pk))
        rows = []
        for member in party.members.all():
            form = None
            if member.removed_at is None:
                prefix = _rights_prefix(member.pk)
                if bound_rights is not None and bound_rights.prefix == prefix:
                    form = bound_rights
                else:
                    form = MemberRightsForm(prefix=prefix, initial={"rights": member.rights})
            rows.append(
                {
                    "member": member,
                    "form": form,
                    "awaits_join": member.removed_at is None and awaits_join(member.user),
                }
            )
        held.append(
            {
                "party": party,
                "current": [r for r in rows if r["member"].removed_at is None],
                "removed": [r["member"] for r in rows if r["member"].removed_at is not None],
                "invite_form": invite_form,
            }
        )
    memberships = (
        PartyMember.objects.filter(user=request.user, removed_at__isnull=True)
        .select_related("party", "added_by")
        .order_by("added_at")
    )
    return render(
        request,
        "identity/members.html",
        {"held": held, "memberships": memberships},
        status=status,
    )


def _own_member(request, member_id: int) -> PartyMember:
    """A current colleague of an organisation the signed-in user holds; anyone else's
    is not found."""
    return get_object_or_404(
        PartyMember.objects.select_related("party", "user"),
        pk=member_id,
        party__user=request.user,
        removed_at__isnull=True,
    )


@login_required
def members_view(request):
    return _members_page(request)


@login_required
@require_POST
def member_invite_view(request, party_id: int):
    party = get_object_or_404(
        Party.objects.exclude(kind=Party.Kind.PERSON), pk=party_id, user=request.user
    )
    form = MemberInviteForm(request.POST, prefix=_invite_prefix(party.pk))
    if form.is_valid():
        try:
            member = services.member_invite(
                by=request.user,
                party=party,
                email=form.cleaned_data["email"],
                rights=form.cleaned_data["rights"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if awaits_join(member.user):
                text = _(
                    "Приглашение отправлено на %(email)s. Доступ откроется, когда сотрудник "
                    "задаст пароль по ссылке из письма."
                )
            else:
                text = _("%(email)s добавлен(а) в сотрудники и уже видит кабинет организации.")
            messages.success(request, text % {"email": member.user.email})
            return redirect("identity:members")
    return _members_page(request, bound_invite=form)


@login_required
@require_POST
def member_rights_view(request, member_id: int):
    member = _own_member(request, member_id)
    form = MemberRightsForm(request.POST, prefix=_rights_prefix(member.pk))
    if form.is_valid():
        try:
            services.member_set_rights(
                by=request.user, member=member, rights=form.cleaned_data["rights"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("Права сотрудника %(email)s сохранены.") % {"email": member.user.email}
            )
            return redirect("identity:members")
    return _members_page(request, bound_rights=form)


@login_required
@require_POST
def member_remove_view(request, member_id: int):
    member = _own_member(request, member_id)
    try:
        services.member_remove(by=request.user, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(email)s удалён(а) из сотрудников: доступ к кабинету организации закрыт.")
            % {"email": member.user.email},
        )
    return redirect("identity:members")


def member_join_view(request, link_id, token):
    """Приглашение сотрудника: the colleague chooses a password and is signed in."""
    try:
        invitee, members = services.member_invitation(link_id=str(link_id), token=token)
    except CodeInvalid as exc:
        return render(
            request,
            "identity/link_invalid.html",
            {"message": exc.message},
            status=404 if exc.code == "missing" else 410,
        )
    form = MemberJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.member_join(
                link_id=str(link_id),
                token=token,
                password=form.cleaned_data["password1"],
                name=form.cleaned_data["name"],
            )
        except CodeInvalid as exc:
            return render(
                request, "identity/link_invalid.html", {"message": exc.message}, status=410
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            _complete_login(request, user, remember=False)
            messages.success(request, _("Пароль задан, вы вошли в личный кабинет."))
            return redirect(reverse("identity:members"))
    return render(
        request,
        "identity/member_join.html",
        {"form": form, "invitee": invitee, "members": members},
    )
