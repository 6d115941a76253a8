"""Регистрация in each mode the utility uses: by e-mail (000, 002) with a
confirmation link, by phone (004) with an SMS code; the party and the consent to
the processing of personal data are written with the cabinet."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import codes
from kabinet.identity.codes import Channel, Purpose
from kabinet.identity.models import Consent, Party, User
from kabinet.identity.services.common import (
    Client,
    _email_taken,
    _phone_taken,
    _public_url,
    _require_mode,
    _send_sms_code,
    _set_password,
    password_check,
)
from kabinet.notifications.services import email_send

# --- sign-up -------------------------------------------------------------------------


@dataclass
class PartyData:
    kind: str
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    org_name: str = ""
    inn: str = ""
    ogrn: str = ""
    ogrnip: str = ""
    kpp: str = ""
    responsible_name: str = ""
    responsible_position: str = ""


def consent_record(*, user: User, client: Client) -> Consent:
    profile = get_utility()
    from kabinet.core.legal import policy_text

    text = policy_text()
    consent = Consent.objects.create(
        user=user,
        policy_version=profile.personal_data_policy_version,
        policy_sha256=hashlib.sha256(text.encode()).hexdigest(),
        ip=client.ip,
        user_agent=client.user_agent[:500],
    )
    audit_record(
        actor=user,
        action="consent_record",
        target=consent,
        subject=user,
        changes={"policy_version": [None, consent.policy_version]},
    )
    return consent


def _party_create(*, user: User, data: PartyData, phone: str, email: str) -> Party:
    return Party.objects.create(
        user=user,
        kind=data.kind,
        last_name=data.last_name,
        first_name=data.first_name,
        middle_name=data.middle_name,
        org_name=data.org_name,
        inn=data.inn,
        ogrn=data.ogrn,
        ogrnip=data.ogrnip,
        kpp=data.kpp,
        responsible_name=data.responsible_name,
        responsible_position=data.responsible_position,
        phone=phone,
        email=email,
    )


def _display_name(data: PartyData) -> str:
    if data.kind == Party.Kind.LEGAL:
        return data.org_name
    return " ".join(p for p in (data.first_name, data.middle_name) if p) or data.last_name


def _require_consent(consent: bool) -> None:
    if not consent:
        raise DomainError(
            _("Без согласия на обработку персональных данных регистрация невозможна."),
            field="consent",
        )


def _login_taken(login: str) -> bool:
    return User.objects.filter(login__iexact=login).exists()


def signup_email(
    *,
    email: str,
    phone: str,
    password: str,
    party: PartyData,
    consent: bool,
    client: Client,
    login: str = "",
    house=None,
) -> User:
    """Регистрация по e-mail (000, 002): the cabinet waits until the link in the letter
    is followed; until then it can neither sign in nor see data. Where the utility lets
    customers choose a login (002), ``login`` is it."""
    _require_mode("email")
    _require_consent(consent)
    email = email.strip().lower()
    if login and _login_taken(login):
        raise DomainError(_("Этот логин уже занят. Придумайте другой."), field="login")
    if _email_taken(email):
        raise DomainError(
            _("Этот e-mail уже зарегистрирован. Войдите или восстановите пароль."),
            field="email",
        )
    if phone and _phone_taken(phone):
        raise DomainError(_("Этот телефон уже зарегистрирован."), field="phone")
    password_check(password)
    codes.check_send_allowed(target=email, ip=client.ip)
    with transaction.atomic():
        user = _pending_customer_create(
            mode=User.SignupMode.EMAIL,
            login=login,
            email=email,
            phone=phone,
            password=password,
            party=party,
            client=client,
        )
        if house is not None:
            # 000 §2.1: the resident's house, chosen from the registry, is "my house".
            from kabinet.premises.services import house_follow

            house_follow(user=user, house=house)
        _send_signup_link(user=user, client=client)
    return user


def _pending_customer_create(
    *,
    mode: str,
    login: str,
    email: str,
    phone: str,
    password: str,
    party: PartyData,
    client: Client,
) -> User:
    """The cabinet of a sign-up, waiting for its e-mail or phone to be confirmed: the
    user, the party they act for and their consent, written together."""
    user = User(
        login=login or None,
        email=email or None,
        phone=phone or None,
        display_name=_display_name(party),
        signup_mode=mode,
        status=User.Status.PENDING,
    )
    _set_password(user, password)
    user.save()
    audit_record(
        actor=user,
        action="signup",
        target=user,
        subject=user,
        changes={"email": [None, email or None], "phone": [None, phone or None]},
    )
    _party_create(user=user, data=party, phone=phone, email=email)
    consent_record(user=user, client=client)
    return user


def _send_signup_link(*, user: User, client: Client) -> None:
    row, token = codes.code_issue(
        purpose=Purpose.SIGNUP_EMAIL, channel=Channel.EMAIL, target=user.email, user=user, link=True
    )
    codes.count_send(target=user.email, ip=client.ip)
    url = _public_url(reverse("identity:confirm_email", args=[row.uuid, token]))
    email_send(
        to=user.email,
        template="signup_confirm",
        context={"user": user, "url": url, "expires_at": row.expires_at},
    )


def signup_email_resend(*, email: str, client: Client) -> None:
    """Send a new confirmation link; says nothing about whether the e-mail is known."""
    email = email.strip().lower()
    codes.check_send_allowed(target=email, ip=client.ip)
    user = User.objects.filter(email__iexact=email, status=User.Status.PENDING).first()
    with transaction.atomic():
        if user is None or user.email_verified:
            codes.count_send(target=email, ip=client.ip)
            return
        _send_signup_link(user=user, client=client)


def signup_email_confirm(*, link_id: str, token: str) -> User:
    row = codes.link_check(purpose=Purpose.SIGNUP_EMAIL, link_id=link_id, token=token)
    with transaction.atomic():
        codes.code_consume(row)
        user = User.objects.select_for_update().get(pk=row.user_id)
        before = audit_snapshot(user, ["email_verified", "status"])
        user.email_verified = True
        if user.status == User.Status.PENDING:
            user.status = User.Status.ACTIVE
        user.save(update_fields=["email_verified", "status"])
        audit_record(
            actor=user,
            action="signup_confirm",
            target=user,
            subject=user,
            changes=audit_diff(before, audit_snapshot(user, ["email_verified", "status"])),
        )
    return user


def signup_phone(
    *,
    phone: str,
    email: str,
    password: str,
    party: PartyData,
    consent: bool,
    client: Client,
) -> User:
    """Регистрация по номеру телефона (004): a 6-digit SMS code confirms the phone."""
    _require_mode("phone")
    _require_consent(consent)
    existing = User.objects.filter(phone=phone).first()
    if existing and existing.status != User.Status.PENDING:
        raise DomainError(
            _("Этот телефон уже зарегистрирован. Войдите или восстановите пароль."),
            field="phone",
        )
    email = email.strip().lower()
    if (
        email
        and User.objects.filter(email__iexact=email)
        .exclude(pk=getattr(existing, "pk", None))
        .exists()
    ):
        raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
    password_check(password)
    codes.check_send_allowed(target=phone, ip=client.ip)
    with transaction.atomic():
        if existing:
            # An unfinished sign-up on this phone is replaced by the new one.
            existing.delete()
        user = _pending_customer_create(
            mode=User.SignupMode.PHONE,
            login="",
            email=email,
            phone=phone,
            password=password,
            party=party,
            client=client,
        )
        _send_sms_code(user=user, purpose=Purpose.SIGNUP_PHONE, phone=phone, client=client)
    return user


def signup_phone_resend(*, phone: str, client: Client) -> None:
    codes.check_send_allowed(target=phone, ip=client.ip)
    user = User.objects.filter(phone=phone, status=User.Status.PENDING).first()
    with transaction.atomic():
        if user is None:
            codes.count_send(target=phone, ip=client.ip)
            return
        _send_sms_code(user=user, purpose=Purpose.SIGNUP_PHONE, phone=phone, client=client)


def signup_phone_confirm(*, phone: str, code: str) -> User:
    row = codes.code_check(purpose=Purpose.SIGNUP_PHONE, target=phone, raw=code)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=row.user_id)
        before = audit_snapshot(user, ["phone_verified", "status"])
        user.phone_verified = True
        user.status = User.Status.ACTIVE
        user.save(update_fields=["phone_verified", "status"])
        audit_record(
            actor=user,
            action="signup_confirm",
            target=user,
            subject=user,
            changes=audit_diff(before, audit_snapshot(user, ["phone_verified", "status"])),
        )
    return user
