"""Cabinets staff open: issued access with an activation link (001) and
contract-number logins whose first password is the ИНН (003)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.backoffice import roles
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import codes, throttle
from kabinet.identity.codes import Channel, Purpose
from kabinet.identity.models import IssuedAccess, Party, User
from kabinet.identity.services.common import (
    _email_taken,
    _public_url,
    _require_mode,
    _set_password,
    password_check,
)
from kabinet.identity.services.signin import sessions_end
from kabinet.notifications.services import email_send

# --- staff-issued access (001) and contract-number logins (003) ------------------------


def _staff_log(*, actor: User, subject: User, action: str, contract: str = "") -> None:
    changes = {"contract_number": [None, contract]} if contract else None
    audit_record(actor=actor, action=action, target=subject, subject=subject, changes=changes)


def _contract_joins(party: Party, number: str) -> None:
    """The contract the cabinet was opened for is in it from the start (001, 003)."""
    from kabinet.contracts.services.cabinet import contract_attach_for_login

    contract_attach_for_login(party=party, number=number)


def _activation_window(days: int) -> tuple[datetime, datetime]:
    """The link works from the start of the next day for ``days`` days (001 §2)."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    return start, start + timedelta(days=days)


def issued_access_create(
    *,
    staff: User,
    org_name: str,
    inn: str,
    kpp: str,
    contract_number: str,
    email: str,
    contact_name: str,
    contact_phone: str,
) -> IssuedAccess:
    """Staff create an organisation's cabinet and e-mail it an activation link (001 §2)."""
    roles.require(staff, roles.ACCESS, _("Выдавать доступ может оператор или администратор."))
    _require_mode("issued")
    email = email.strip().lower()
    if User.objects.filter(login=contract_number).exists():
        raise DomainError(
            _("Кабинет с логином %(login)s уже существует.") % {"login": contract_number},
            field="contract_number",
        )
    if _email_taken(email):
        raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
    with transaction.atomic():
        user = User.objects.create(
            login=contract_number,
            email=email,
            display_name=org_name,
            signup_mode=User.SignupMode.ISSUED,
            status=User.Status.PENDING,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        party = Party.objects.create(
            user=user,
            kind=Party.Kind.LEGAL if len(inn) == 10 else Party.Kind.IP,
            org_name=org_name,
            inn=inn,
            kpp=kpp,
            responsible_name=contact_name,
            phone=contact_phone,
            email=email,
        )
        _contract_joins(party, contract_number)
        access = _issue(
            staff=staff,
            user=user,
            contract_number=contract_number,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
        _staff_log(
            actor=staff, subject=user, action="issued_access_create", contract=contract_number
        )
    return access


def _issue(*, staff, user, contract_number, contact_name, contact_phone) -> IssuedAccess:
    start, end = _activation_window(get_utility().activation_link_days)
    row, token = codes.code_issue(
        purpose=Purpose.ACTIVATION,
        channel=Channel.EMAIL,
        target=user.email,
        user=user,
        link=True,
        valid_from=start,
        lifetime=end - start,
    )
    IssuedAccess.objects.filter(user=user, state=IssuedAccess.State.ISSUED).update(
        state=IssuedAccess.State.REVOKED
    )
    access = IssuedAccess.objects.create(
        user=user,
        contract_number=contract_number,
        contact_name=contact_name,
        contact_phone=contact_phone,
        email=user.email,
        issued_by=staff,
        valid_from=start,
        valid_until=end,
        code=row,
    )
    url = _public_url(reverse("identity:activate", args=[row.uuid, token]))
    email_send(
        to=user.email,
        template="activation",
        context={"user": user, "url": url, "access": access},
    )
    return access


def issued_access_reissue(*, staff: User, user: User) -> IssuedAccess:
    """Issue a new activation link to a cabinet that was blocked or never activated."""
    roles.require(staff, roles.ACCESS, _("Выдавать доступ может оператор или администратор."))
    last = IssuedAccess.objects.filter(user=user).first()
    if last is None:
        raise DomainError(_("Этому пользователю доступ не выдавался."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.status = User.Status.PENDING
        user.save(update_fields=["status"])
        access = _issue(
            staff=staff,
            user=user,
            contract_number=last.contract_number,
            contact_name=last.contact_name,
            contact_phone=last.contact_phone,
        )
        _staff_log(actor=staff, subject=user, action="issued_access_reissue")
    return access


def issued_access_activate(*, link_id: str, token: str, password: str) -> User:
    row = codes.link_check(purpose=Purpose.ACTIVATION, link_id=link_id, token=token)
    user = row.user
    password_check(password, user=user)
    with transaction.atomic():
        codes.code_consume(row)
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, password)
        user.status = User.Status.ACTIVE
        user.email_verified = True
        user.save()
        IssuedAccess.objects.filter(code=row).update(state=IssuedAccess.State.ACTIVATED)
    return user


def issued_access_expire_due() -> int:
    """Block cabinets whose activation link ran out unused (a periodic task calls this)."""
    now = timezone.now()
    blocked = 0
    due = IssuedAccess.objects.filter(state=IssuedAccess.State.ISSUED, valid_until__lte=now)
    for access in due.select_related("user"):
        with transaction.atomic():
            IssuedAccess.objects.filter(pk=access.pk).update(state=IssuedAccess.State.EXPIRED)
            User.objects.filter(pk=access.user_id, status=User.Status.PENDING).update(
                status=User.Status.BLOCKED
            )
            blocked += 1
    return blocked


def contract_login_create(
    *, staff: User, contract_number: str, inn: str, org_name: str, email: str = ""
) -> User:
    """Логин — номер договора с ведущими нулями, первый пароль — ИНН (003 §2)."""
    roles.require(staff, roles.ACCESS, _("Выдавать доступ может оператор или администратор."))
    _require_mode("contract")
    if User.objects.filter(login=contract_number).exists():
        raise DomainError(
            _("Кабинет с логином %(login)s уже существует.") % {"login": contract_number},
            field="contract_number",
        )
    email = email.strip().lower()
    if email and _email_taken(email):
        raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
    with transaction.atomic():
        user = User(
            login=contract_number,
            email=email or None,
            display_name=org_name,
            signup_mode=User.SignupMode.CONTRACT,
            status=User.Status.ACTIVE,
            must_change_password=True,
        )
        _set_password(user, inn)
        user.save()
        party = Party.objects.create(
            user=user,
            kind=Party.Kind.LEGAL if len(inn) == 10 else Party.Kind.IP,
            org_name=org_name,
            inn=inn,
            email=email,
        )
        _contract_joins(party, contract_number)
        _staff_log(
            actor=staff, subject=user, action="contract_login_create", contract=contract_number
        )
    return user


def contract_login_reset(*, staff: User, user: User) -> None:
    """Staff return a contract-number login to its first password, the ИНН (003)."""
    roles.require(staff, roles.ACCESS, _("Выдавать доступ может оператор или администратор."))
    party = user.parties.exclude(inn="").first()
    if user.signup_mode != User.SignupMode.CONTRACT or party is None:
        raise DomainError(_("Сбросить на первый пароль можно только вход по номеру договора."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, party.inn)
        user.must_change_password = True
        user.status = User.Status.ACTIVE
        user.save()
        sessions_end(user=user)
        throttle.clear("signin_account", str(user.pk))
        _staff_log(actor=staff, subject=user, action="contract_login_reset")
