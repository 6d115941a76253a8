"""Every write about identity: sign-up in each mode, sign-in, recovery, profile changes.

Services that check a one-time code call ``codes.code_check`` first, outside their own
transaction, so that a wrong code's attempt is counted even though the action is refused.
"""

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.identity import codes, throttle
from kabinet.identity.codes import Channel, Purpose
from kabinet.identity.models import (
    Consent,
    IssuedAccess,
    Party,
    SignInEvent,
    StaffAction,
    User,
    UserSession,
    VerificationCode,
)
from kabinet.identity.passwords import validate_password_for_policy
from kabinet.notifications.services import email_send, sms_send


@dataclass(frozen=True)
class Client:
    """Where a request came from, for throttles, consents and the sign-in log."""

    ip: str | None = None
    user_agent: str = ""


def _public_url(path: str) -> str:
    return settings.KABINET_PUBLIC_URL.rstrip("/") + path


def password_check(password: str, user: User | None = None) -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_password_for_policy(password, get_utility().password_policy, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password1") from exc


def _set_password(user: User, password: str) -> None:
    user.set_password(password)
    user.password_changed_at = timezone.now()


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


def _email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _phone_taken(phone: str) -> bool:
    return User.objects.filter(phone=phone).exists()


def consent_record(*, user: User, client: Client) -> Consent:
    profile = get_utility()
    from kabinet.core.legal import policy_text

    text = policy_text()
    return Consent.objects.create(
        user=user,
        policy_version=profile.personal_data_policy_version,
        policy_sha256=hashlib.sha256(text.encode()).hexdigest(),
        ip=client.ip,
        user_agent=client.user_agent[:500],
    )


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


def _require_mode(mode: str) -> None:
    if mode not in get_utility().signup_modes:
        raise DomainError(_("Этот способ регистрации не используется."), code="mode_off")


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
        user.email_verified = True
        if user.status == User.Status.PENDING:
            user.status = User.Status.ACTIVE
        user.save(update_fields=["email_verified", "status"])
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


def _send_sms_code(*, user: User | None, purpose: str, phone: str, client: Client) -> None:
    row, code = codes.code_issue(purpose=purpose, channel=Channel.SMS, target=phone, user=user)
    codes.count_send(target=phone, ip=client.ip)
    name = get_utility().short_name
    texts = {
        Purpose.SIGNUP_PHONE: _("Код подтверждения регистрации: %(code)s. %(name)s"),
        Purpose.RESET: _("Код для восстановления пароля: %(code)s. Никому не сообщайте. %(name)s"),
        Purpose.CHANGE_PHONE: _("Код для смены телефона: %(code)s. %(name)s"),
    }
    sms_send(
        phone=phone,
        text=texts[purpose] % {"code": code, "name": name},
        idempotency_key=str(row.uuid),
    )


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
        user.phone_verified = True
        user.status = User.Status.ACTIVE
        user.save(update_fields=["phone_verified", "status"])
    return user


# --- staff-issued access (001) and contract-number logins (003) ------------------------


def _staff_log(*, actor: User, subject: User | None, action: str, **details) -> None:
    StaffAction.objects.create(actor=actor, subject=subject, action=action, details=details)


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
        Party.objects.create(
            user=user,
            kind=Party.Kind.LEGAL if len(inn) == 10 else Party.Kind.IP,
            org_name=org_name,
            inn=inn,
            kpp=kpp,
            responsible_name=contact_name,
            phone=contact_phone,
            email=email,
        )
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
        Party.objects.create(
            user=user,
            kind=Party.Kind.LEGAL if len(inn) == 10 else Party.Kind.IP,
            org_name=org_name,
            inn=inn,
            email=email,
        )
        _staff_log(
            actor=staff, subject=user, action="contract_login_create", contract=contract_number
        )
    return user


def contract_login_reset(*, staff: User, user: User) -> None:
    """Staff return a contract-number login to its first password, the ИНН (003)."""
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


# --- sign-in -------------------------------------------------------------------------


def _candidates(identifier: str) -> list[User]:
    """Every user the identifier may name: login, e-mail, phone or an ИНН of a party."""
    from django.core.exceptions import ValidationError

    from kabinet.core.validators import validate_ru_phone

    ident = identifier.strip()
    methods = get_utility().login_methods
    found: dict[int, User] = {}

    def add(qs):
        for user in qs[:5]:
            found.setdefault(user.pk, user)

    if ("login" in methods or "contract" in methods) and ident:
        add(User.objects.filter(login=ident))
    elif ident:
        # Staff always sign in with their login, whatever the customers use.
        add(User.objects.filter(login=ident, is_staff=True))
    if "email" in methods and "@" in ident:
        add(User.objects.filter(email__iexact=ident))
    if "phone" in methods:
        with contextlib.suppress(ValidationError):  # not a phone: other identifiers remain
            add(User.objects.filter(phone=validate_ru_phone(ident)))
    if "inn" in methods and ident.isdigit() and len(ident) in (10, 12):
        add(User.objects.filter(parties__inn=ident).distinct())
    return list(found.values())


def _locked_for(keys: list[tuple[str, str]], limits: dict[str, int]) -> int:
    seconds = settings.KABINET_LOCKOUT_MINUTES * 60
    return max(
        (
            throttle.retry_after(scope, key, limit=limits[scope], seconds=seconds)
            for scope, key in keys
        ),
        default=0,
    )


class SignInRefused(DomainError):
    pass


def sign_in_check(*, identifier: str, password: str, client: Client) -> User:
    """Check a sign-in. Unknown user and wrong password get the same answer; repeated
    failures lock the identifier, the account and the address for a while."""
    ident_key = identifier.strip().lower()[:254]
    limits = {
        "signin_ident": settings.KABINET_LOCKOUT_ACCOUNT_FAILURES,
        "signin_account": settings.KABINET_LOCKOUT_ACCOUNT_FAILURES,
        "signin_ip": settings.KABINET_LOCKOUT_ADDRESS_FAILURES,
    }
    candidates = _candidates(identifier)
    # An identifier that names a cabinet locks that cabinet, whichever identifier is typed,
    # so a reset (by a code or by staff) that clears the account's count lifts the lock; an
    # identifier that names nobody is locked by itself, the same way after as many failures.
    keys = [("signin_account", str(u.pk)) for u in candidates] or [("signin_ident", ident_key)]
    if client.ip:
        keys.append(("signin_ip", client.ip))
    wait = _locked_for(keys, limits)
    if wait:
        raise SignInRefused(
            _("Слишком много неудачных попыток входа. Повторите через %(wait)s.")
            % {"wait": codes.minutes_text(wait)},
            code="locked",
        )
    user = next((u for u in candidates if u.check_password(password)), None)
    if not candidates:
        # Hash anyway, so an unknown identifier takes as long as a wrong password and
        # the answer's timing does not tell who has a cabinet.
        User().set_password(password)
    if user is None:
        with transaction.atomic():
            for scope, key in keys:
                throttle.hit(scope, key)
            SignInEvent.objects.bulk_create(
                [
                    SignInEvent(
                        user=u, success=False, ip=client.ip, user_agent=client.user_agent[:500]
                    )
                    for u in candidates
                ]
            )
        raise SignInRefused(_("Неверный логин или пароль."), code="wrong")
    if user.status == User.Status.PENDING:
        if user.signup_mode == User.SignupMode.PHONE:
            raise SignInRefused(
                _("Телефон не подтверждён. Завершите регистрацию."), code="pending_phone"
            )
        raise SignInRefused(
            _("E-mail не подтверждён. Перейдите по ссылке из письма или запросите новое письмо."),
            code="pending_email",
        )
    if user.status == User.Status.BLOCKED:
        raise SignInRefused(
            _("Кабинет заблокирован. Обратитесь в службу поддержки, чтобы получить доступ заново."),
            code="blocked",
        )
    throttle.clear("signin_ident", ident_key)
    throttle.clear("signin_account", str(user.pk))
    return user


def sign_in_record(
    *, user: User, session_key: str, client: Client, method: str = "password"
) -> None:
    with transaction.atomic():
        SignInEvent.objects.create(
            user=user, success=True, ip=client.ip, user_agent=client.user_agent[:500], method=method
        )
        UserSession.objects.update_or_create(
            session_key=session_key,
            defaults={"user": user, "ip": client.ip, "user_agent": client.user_agent[:500]},
        )
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())


def session_close(*, session_key: str | None) -> None:
    """A session ended (sign-out or timeout): it leaves the list of open sessions."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_key_changed(*, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (a password change cycles it): keep it in the list of
    open sessions, so that signing out elsewhere or a later change still ends it."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Sign the user out everywhere, except the session they are using when given."""
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep_session_key or "")
        .values_list("session_key", flat=True)
    )
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


# --- recovery -------------------------------------------------------------------------


def _user_for_recovery(identifier: str) -> User | None:
    users = [u for u in _candidates(identifier) if u.status != User.Status.BLOCKED]
    return users[0] if len(users) == 1 else None


def reset_request(*, identifier: str, channel: str, client: Client) -> str:
    """Send a reset code by e-mail or SMS. Returns the masked destination to show; an
    unknown identifier gets the same answer and nothing is sent."""
    ident = identifier.strip().lower()
    codes.check_send_allowed(target=f"reset:{ident}", ip=client.ip)
    user = _user_for_recovery(identifier)
    with transaction.atomic():
        codes.count_send(target=f"reset:{ident}", ip=client.ip)
        if user is None:
            return ""
        if channel == Channel.SMS and user.phone:
            codes.check_send_allowed(target=user.phone, ip=None)
            _send_sms_code(user=user, purpose=Purpose.RESET, phone=user.phone, client=client)
            return mask_phone(user.phone)
        if user.email:
            row, code = codes.code_issue(
                purpose=Purpose.RESET, channel=Channel.EMAIL, target=user.email, user=user
            )
            codes.count_send(target=user.email, ip=None)
            email_send(to=user.email, template="reset_code", context={"user": user, "code": code})
            return mask_email(user.email)
    return ""


def reset_confirm(*, identifier: str, code: str, password: str, client: Client) -> User:
    user = _user_for_recovery(identifier)
    if user is None:
        raise codes.CodeInvalid(_("Неверный код."), code="wrong", field="code")
    password_check(password, user=user)
    last = (
        VerificationCode.objects.filter(purpose=Purpose.RESET, user=user)
        .order_by("-created_at")
        .first()
    )
    if last is None:
        raise codes.CodeInvalid(_("Код не найден. Запросите новый код."), code="missing")
    codes.code_check(purpose=Purpose.RESET, target=last.target, raw=code)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, password)
        user.must_change_password = False
        if user.status == User.Status.PENDING and user.signup_mode in (
            User.SignupMode.EMAIL,
            User.SignupMode.ISSUED,
        ):
            # The code came to that very e-mail: it is confirmed now.
            user.email_verified = True
            user.status = User.Status.ACTIVE
        user.save()
        sessions_end(user=user)
        throttle.clear("signin_account", str(user.pk))
    return user


def login_reminder_send(*, email: str, client: Client) -> None:
    """Напоминание логина (002): the logins held by this e-mail are mailed to it."""
    email = email.strip().lower()
    codes.check_send_allowed(target=f"login:{email}", ip=client.ip)
    user = User.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        codes.count_send(target=f"login:{email}", ip=client.ip)
        if user is not None:
            email_send(to=user.email, template="login_reminder", context={"user": user})


def mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'*' * max(1, len(name) - 1)}@{domain}"


def mask_phone(phone: str) -> str:
    return f"{phone[:2]} *** ***-{phone[-4:-2]}-{phone[-2:]}"


# --- profile --------------------------------------------------------------------------


def password_change(*, user: User, current: str, new: str, keep_session_key: str | None) -> None:
    if not user.check_password(current):
        raise DomainError(_("Текущий пароль введён неверно."), field="current_password")
    if current == new:
        raise DomainError(_("Новый пароль должен отличаться от текущего."), field="password1")
    password_check(new, user=user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, new)
        user.must_change_password = False
        user.save()
        sessions_end(user=user, keep_session_key=keep_session_key)


def email_change_request(*, user: User, email: str, client: Client) -> None:
    email = email.strip().lower()
    if user.email and email == user.email.lower():
        raise DomainError(_("Это ваш текущий e-mail."), field="email")
    if _email_taken(email):
        raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
    codes.check_send_allowed(target=email, ip=client.ip)
    with transaction.atomic():
        row, code = codes.code_issue(
            purpose=Purpose.CHANGE_EMAIL, channel=Channel.EMAIL, target=email, user=user
        )
        codes.count_send(target=email, ip=client.ip)
        email_send(to=email, template="change_email_code", context={"user": user, "code": code})


def email_change_confirm(*, user: User, email: str, code: str) -> None:
    email = email.strip().lower()
    row = codes.code_check(purpose=Purpose.CHANGE_EMAIL, target=email, raw=code)
    if row.user_id != user.pk:
        raise codes.CodeInvalid(_("Неверный код."), code="wrong", field="code")
    with transaction.atomic():
        if _email_taken(email):
            raise DomainError(_("Этот e-mail уже зарегистрирован."), field="email")
        User.objects.filter(pk=user.pk).update(email=email, email_verified=True)


def phone_change_request(*, user: User, phone: str, client: Client) -> None:
    if phone == user.phone:
        raise DomainError(_("Это ваш текущий телефон."), field="phone")
    if _phone_taken(phone):
        raise DomainError(_("Этот телефон уже зарегистрирован."), field="phone")
    codes.check_send_allowed(target=phone, ip=client.ip)
    with transaction.atomic():
        _send_sms_code(user=user, purpose=Purpose.CHANGE_PHONE, phone=phone, client=client)


def phone_change_confirm(*, user: User, phone: str, code: str) -> None:
    row = codes.code_check(purpose=Purpose.CHANGE_PHONE, target=phone, raw=code)
    if row.user_id != user.pk:
        raise codes.CodeInvalid(_("Неверный код."), code="wrong", field="code")
    with transaction.atomic():
        if _phone_taken(phone):
            raise DomainError(_("Этот телефон уже зарегистрирован."), field="phone")
        User.objects.filter(pk=user.pk).update(phone=phone, phone_verified=True)


def totp_enable(*, user: User, secret: str, code: str) -> None:
    import pyotp

    if not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
        raise DomainError(
            _("Неверный код из приложения. Проверьте время на телефоне."), field="code"
        )
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_enabled=True)


def totp_disable(*, user: User, password: str) -> None:
    if not user.check_password(password):
        raise DomainError(_("Пароль введён неверно."), field="password")
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_enabled=False)


def totp_check(*, user: User, code: str, client: Client) -> None:
    import pyotp

    seconds = settings.KABINET_LOCKOUT_MINUTES * 60
    limit = settings.KABINET_LOCKOUT_ACCOUNT_FAILURES
    wait = throttle.retry_after("totp", str(user.pk), limit=limit, seconds=seconds)
    if wait:
        raise DomainError(
            _("Слишком много неверных кодов. Повторите через %(wait)s.")
            % {"wait": codes.minutes_text(wait)},
            field="code",
        )
    if not pyotp.TOTP(user.totp_secret).verify(code.strip(), valid_window=1):
        throttle.hit("totp", str(user.pk))
        raise DomainError(_("Неверный код."), field="code")
