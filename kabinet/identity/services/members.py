"""Сотрудники организации: the holder of an organisation's or an ИП's cabinet invites
colleagues by e-mail, gives each read-only or full rights (full: pay, send reports,
write appeals) and removes them, which ends their access at once.

Access itself is decided by ``Party.objects.acting_for``: these services only write the
``PartyMember`` rows it reads. There is no separate event model for memberships: the row
is the record of who added the colleague and when (``added_by``, ``added_at``) and who
removed them and when (``removed_by``, ``removed_at``); a removed row stays. A change of
rights is written in place and told to the colleague as a notice.

A colleague new to the portal gets a user of their own (pending, no password) and a
one-time link by e-mail; on the page behind it they choose a password, which activates
them. The link is a ``VerificationCode`` of purpose ``activation``, the same machinery
as staff-issued access; an invitation is told apart by having no ``IssuedAccess``.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import codes
from kabinet.identity.codes import Channel, CodeInvalid, Purpose
from kabinet.identity.models import IssuedAccess, Party, PartyMember, User, VerificationCode
from kabinet.identity.services.common import _public_url, _set_password, password_check
from kabinet.notifications.services import email_send, notify

INVITE_LINK_DAYS = 7
NOTICE_KIND = "contract"  # «Договоры: добавление в кабинет и ответы куратора»
LOGIN_MAX_LENGTH = 64  # User.login


def _email_clean(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Введите e-mail в виде name@example.ru."), field="email") from exc
    return email


def _rights_check(rights: str) -> None:
    if rights not in PartyMember.Rights.values:
        raise DomainError(_("Выберите права: только просмотр или полный доступ."), field="rights")


def _holder_party(*, by: User, party_id: int, message: str) -> Party:
    """The organisation's row, locked, so that two changes to its colleagues queue."""
    party = Party.objects.select_for_update().get(pk=party_id)
    if party.user_id != by.pk:
        raise DomainError(message, code="not_holder")
    return party


def _locked_member(member: PartyMember) -> PartyMember:
    member = (
        PartyMember.objects.select_for_update().select_related("user", "party").get(pk=member.pk)
    )
    if member.removed_at is not None:
        raise DomainError(_("Этот сотрудник уже удалён из организации."), code="removed")
    return member


def awaits_join(user: User) -> bool:
    """A colleague invited while new to the portal who has not yet opened the link and
    chosen a password (not a staff-issued cabinet that waits for its activation)."""
    return (
        user.status == User.Status.PENDING
        and not user.has_usable_password()
        and not user.parties.exists()
    )


# What each right allows, as the letters and notices say it.
RIGHTS_TEXT = {
    PartyMember.Rights.READ: gettext_lazy("только просмотр"),
    PartyMember.Rights.FULL: gettext_lazy("полный доступ: оплата, отчёты, обращения"),
}


def _rights_label(rights: str) -> str:
    return str(RIGHTS_TEXT[PartyMember.Rights(rights)])


def _invitee_create(email: str) -> User:
    """A user for a colleague new to the portal: pending, without a password."""
    login = None
    if "email" not in get_utility().login_methods:
        # Where customers sign in by a login only (003), the e-mail is the login.
        if len(email) > LOGIN_MAX_LENGTH or User.objects.filter(login=email).exists():
            raise DomainError(
                _("Этот e-mail не может служить логином. Укажите другой, короче 64 знаков."),
                field="email",
            )
        login = email
    user = User(
        login=login,
        email=email,
        signup_mode=User.SignupMode.ISSUED,
        status=User.Status.PENDING,
    )
    user.set_unusable_password()
    try:
        # A savepoint: another invitation of the same new e-mail may have just won.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            raise
        return existing
    return user


def _invitation_send(*, member: PartyMember, by: User) -> None:
    """E-mail the one-time link to the page where the colleague chooses a password."""
    user = member.user
    row, token = codes.code_issue(
        purpose=Purpose.ACTIVATION,
        channel=Channel.EMAIL,
        target=user.email,
        user=user,
        link=True,
        lifetime=timedelta(days=INVITE_LINK_DAYS),
    )
    url = _public_url(reverse("identity:member_join", args=[row.uuid, token]))
    email_send(
        to=user.email,
        template="member_invite",
        context={
            "org": member.party.name,
            "inviter": str(by),
            "rights": _rights_label(member.rights),
            "login": user.login or user.email,
            "url": url,
            "expires_at": row.expires_at,
        },
    )


def _added_tell(*, member: PartyMember, by: User) -> None:
    """A user who already has a cabinet: a notice inside it and, whatever their choice of
    notices, a letter, since someone gave them access to an organisation."""
    user = member.user
    org = member.party.name
    rights = _rights_label(member.rights)
    title = _("Вас добавили в кабинет организации «%(org)s»") % {"org": org}
    text = _("Добавил(а): %(who)s. Права: %(rights)s.") % {"who": str(by), "rights": rights}
    url = reverse("identity:members")
    notify(
        user=user,
        kind=NOTICE_KIND,
        title=title,
        text=text,
        url=url,
        dedupe_key=f"member-{member.pk}-added",
        email=False,
    )
    if user.email:
        email_send(
            to=user.email,
            template="member_added",
            context={
                "org": org,
                "inviter": str(by),
                "rights": rights,
                "url": _public_url(url),
            },
        )


@transaction.atomic
def member_invite(*, by: User, party: Party, email: str, rights: str) -> PartyMember:
    """Пригласить сотрудника: the holder of an organisation's or an ИП's cabinet gives a
    colleague access to it by their e-mail. A colleague who already has a cabinet gets
    the access at once; one new to the portal gets a letter with a link to choose a
    password (valid ``INVITE_LINK_DAYS`` days)."""
    email = _email_clean(email)
    _rights_check(rights)
    party = _holder_party(
        by=by,
        party_id=party.pk,
        message=_("Приглашать сотрудников может только владелец кабинета организации."),
    )
    if party.kind == Party.Kind.PERSON:
        raise DomainError(
            _("Сотрудников можно пригласить только в кабинет организации или ИП."),
            code="person",
        )
    user = User.objects.filter(email__iexact=email).first()
    if user == by or (by.email or "").lower() == email:
        raise DomainError(_("Нельзя пригласить самого себя."), field="email")
    if user is not None and user.is_staff:
        raise DomainError(
            _("Это e-mail сотрудника %(name)s: его нельзя пригласить в кабинет организации.")
            % {"name": get_utility().short_name},
            field="email",
        )
    if (
        user is not None
        and PartyMember.objects.filter(party=party, user=user, removed_at__isnull=True).exists()
    ):
        raise DomainError(_("Этот пользователь уже сотрудник организации."), field="email")
    if user is None:
        user = _invitee_create(email)
    member = PartyMember.objects.create(party=party, user=user, rights=rights, added_by=by)
    audit_record(
        actor=by,
        action="member_invite",
        target=member,
        subject=by,
        changes={"email": [None, email], "rights": [None, rights]},
    )
    if awaits_join(user):
        _invitation_send(member=member, by=by)
    else:
        _added_tell(member=member, by=by)
    return member


@transaction.atomic
def member_set_rights(*, by: User, member: PartyMember, rights: str) -> PartyMember:
    """Изменить права сотрудника: read-only or full; the colleague gets a notice."""
    _rights_check(rights)
    _holder_party(
        by=by,
        party_id=member.party_id,
        message=_("Менять права сотрудников может только владелец кабинета организации."),
    )
    member = _locked_member(member)
    if member.rights == rights:
        return member
    audit_record(
        actor=by,
        action="member_set_rights",
        target=member,
        subject=by,
        changes={"rights": [member.rights, rights]},
    )
    member.rights = rights
    member.save(update_fields=["rights"])
    if not awaits_join(member.user):
        notify(
            user=member.user,
            kind=NOTICE_KIND,
            title=_("Ваши права в кабинете «%(org)s» изменены") % {"org": member.party.name},
            text=_("Права: %(rights)s. Изменил(а): %(who)s.")
            % {"rights": _rights_label(rights), "who": str(by)},
            url=reverse("identity:members"),
        )
    return member


@transaction.atomic
def member_remove(*, by: User, member: PartyMember) -> PartyMember:
    """Удалить сотрудника: their access to the organisation ends at once (the row stays,
    with who removed them and when). Their own cabinet and sessions stay: they may act
    for other organisations. An invitation not yet accepted stops working."""
    _holder_party(
        by=by,
        party_id=member.party_id,
        message=_("Удалять сотрудников может только владелец кабинета организации."),
    )
    member = _locked_member(member)
    now = timezone.now()
    member.removed_at = now
    member.removed_by = by
    member.save(update_fields=["removed_at", "removed_by"])
    audit_record(
        actor=by,
        action="member_remove",
        target=member,
        subject=by,
        changes={"removed_at": [None, now]},
    )
    user = member.user
    if awaits_join(user):
        if not PartyMember.objects.filter(user=user, removed_at__isnull=True).exists():
            VerificationCode.objects.filter(
                user=user, purpose=Purpose.ACTIVATION, used_at__isnull=True, revoked_at__isnull=True
            ).update(revoked_at=now)
    else:
        notify(
            user=user,
            kind=NOTICE_KIND,
            title=_("Доступ к кабинету «%(org)s» закрыт") % {"org": member.party.name},
            text=_("Вас удалил(а) из сотрудников организации: %(who)s.") % {"who": str(by)},
        )
    return member


def _invitation(*, link_id: str, token: str) -> tuple[VerificationCode, list[PartyMember]]:
    row = codes.link_check(purpose=Purpose.ACTIVATION, link_id=link_id, token=token)
    if row.user is None or IssuedAccess.objects.filter(code=row).exists():
        # A staff-issued cabinet's activation link is not an invitation.
        raise CodeInvalid(_("Ссылка неверна или повреждена."), code="missing")
    members = list(
        PartyMember.objects.filter(user=row.user, removed_at__isnull=True).select_related(
            "party", "added_by"
        )
    )
    if not members:
        raise CodeInvalid(
            _("Приглашение отозвано: владелец кабинета организации удалил вас из сотрудников."),
            code="revoked",
        )
    return row, members


def member_invitation(*, link_id: str, token: str) -> tuple[User, list[PartyMember]]:
    """The colleague behind an invitation link and the organisations waiting for them.

    Raises ``CodeInvalid`` for a link that is wrong, used, out of date, not an
    invitation, or whose every invitation was withdrawn."""
    row, members = _invitation(link_id=link_id, token=token)
    return row.user, members


def member_join(*, link_id: str, token: str, password: str, name: str = "") -> User:
    """Принять приглашение: the colleague chooses a password by the link from the
    letter; their user becomes active with the e-mail confirmed."""
    row, _members = _invitation(link_id=link_id, token=token)
    password_check(password, user=row.user)
    with transaction.atomic():
        codes.code_consume(row)
        user = User.objects.select_for_update().get(pk=row.user_id)
        _set_password(user, password)
        user.status = User.Status.ACTIVE
        user.email_verified = True
        name = name.strip()
        if name:
            user.display_name = name[:255]
        user.save()
        audit_record(
            actor=user,
            action="member_join",
            target=user,
            subject=user,
            changes={"status": [row.user.status, user.status], "password": ["***", "***"]},
        )
    return user
