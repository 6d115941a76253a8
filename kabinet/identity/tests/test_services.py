"""Sign-up, sign-in, lock-out, recovery and profile services against a real database."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conftest import PASSWORD, make_user
from kabinet.core.errors import DomainError, Throttled
from kabinet.core.models import AuditEntry
from kabinet.identity import services
from kabinet.identity.codes import CodeInvalid
from kabinet.identity.models import (
    Consent,
    IssuedAccess,
    Party,
    SignInEvent,
    ThrottleHit,
    User,
    VerificationCode,
)
from kabinet.identity.services import Client, PartyData

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Client(ip="203.0.113.7", user_agent="pytest")
PERSON = PartyData(kind="person", last_name="Смирнова", first_name="Анна", middle_name="Сергеевна")
NEW_PASSWORD = "Teplo-Set-2027"


def link_parts(body: str) -> tuple[str, str]:
    m = re.search(r"/(?:confirm|activate)/([0-9a-f-]{36})/([\w-]+)/", body)
    assert m, body
    return m.group(1), m.group(2)


def sms_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1]["text"]).group(1)


def mail_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def age_throttles(seconds: int) -> None:
    ThrottleHit.objects.update(at=timezone.now() - timedelta(seconds=seconds))


# --- sign-up by e-mail -----------------------------------------------------------------


def signup(**kw):
    args = dict(
        email="Anna@Example.ru",
        phone="",
        password=PASSWORD,
        party=PERSON,
        consent=True,
        client=CLIENT,
    )
    args.update(kw)
    return services.signup_email(**args)


def test_email_signup_waits_for_the_link_then_signs_in():
    user = signup()
    assert user.status == User.Status.PENDING
    assert user.email == "anna@example.ru"
    assert Party.objects.get(user=user).person_name == "Смирнова Анна Сергеевна"
    consent = Consent.objects.get(user=user)
    assert consent.ip == "203.0.113.7" and len(consent.policy_sha256) == 64
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.ru"]
    assert mail.outbox[0].alternatives, "the letter has an HTML body too"

    with pytest.raises(services.SignInRefused) as refused:
        services.sign_in_check(identifier="anna@example.ru", password=PASSWORD, client=CLIENT)
    assert refused.value.code == "pending_email"

    link_id, token = link_parts(mail.outbox[0].body)
    services.signup_email_confirm(link_id=link_id, token=token)
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.email_verified
    assert (
        services.sign_in_check(identifier="ANNA@example.ru", password=PASSWORD, client=CLIENT)
        == user
    )

    with pytest.raises(CodeInvalid) as used:
        services.signup_email_confirm(link_id=link_id, token=token)
    assert used.value.code == "used"


def test_email_signup_refused_without_consent_changes_nothing():
    with pytest.raises(DomainError) as exc:
        signup(consent=False)
    assert exc.value.field == "consent"
    assert not User.objects.exists() and not mail.outbox


def test_email_signup_refuses_a_taken_email_and_a_weak_password():
    signup()
    with pytest.raises(DomainError) as taken:
        signup(email="anna@EXAMPLE.ru", client=Client(ip="198.51.100.1"))
    assert taken.value.field == "email"
    with pytest.raises(DomainError) as weak:
        signup(email="other@example.ru", password="password", client=Client(ip="198.51.100.2"))
    assert weak.value.field == "password1"
    assert User.objects.count() == 1


def test_expired_and_tampered_links_are_refused():
    signup()
    link_id, token = link_parts(mail.outbox[0].body)
    with pytest.raises(CodeInvalid) as bad:
        services.signup_email_confirm(link_id=link_id, token=token + "x")
    assert bad.value.code == "missing"
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(CodeInvalid) as expired:
        services.signup_email_confirm(link_id=link_id, token=token)
    assert expired.value.code == "expired"
    assert User.objects.get().status == User.Status.PENDING


def test_resending_the_link_is_throttled_and_the_old_link_stops_working():
    signup()
    first = link_parts(mail.outbox[0].body)
    with pytest.raises(Throttled):
        services.signup_email_resend(email="anna@example.ru", client=CLIENT)
    age_throttles(61)
    services.signup_email_resend(email="anna@example.ru", client=CLIENT)
    assert len(mail.outbox) == 2
    with pytest.raises(CodeInvalid) as revoked:
        services.signup_email_confirm(link_id=first[0], token=first[1])
    assert revoked.value.code == "revoked"
    services.signup_email_confirm(
        *(), **dict(zip(("link_id", "token"), link_parts(mail.outbox[1].body), strict=True))
    )


def test_resend_for_an_unknown_email_sends_nothing_but_answers_the_same():
    services.signup_email_resend(email="nobody@example.ru", client=CLIENT)
    assert not mail.outbox


# --- sign-up by phone ------------------------------------------------------------------


def phone_signup(**kw):
    args = dict(
        phone="+79001112233", email="", password=PASSWORD, party=PERSON, consent=True, client=CLIENT
    )
    args.update(kw)
    return services.signup_phone(**args)


def test_phone_signup_with_sms_code(sms_outbox):
    user = phone_signup()
    assert user.status == User.Status.PENDING
    assert sms_outbox[-1]["phone"] == "+79001112233"
    services.signup_phone_confirm(phone="+79001112233", code=sms_code(sms_outbox))
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.phone_verified
    assert (
        services.sign_in_check(identifier="8 (900) 111-22-33", password=PASSWORD, client=CLIENT)
        == user
    )


def test_wrong_sms_codes_use_up_the_attempts(sms_outbox, settings):
    phone_signup()
    good = sms_code(sms_outbox)
    wrong = "000000" if good != "000000" else "111111"
    for _left in range(settings.KABINET_CODE_MAX_ATTEMPTS - 1, -1, -1):
        with pytest.raises(CodeInvalid) as exc:
            services.signup_phone_confirm(phone="+79001112233", code=wrong)
        assert exc.value.code == "wrong"
    assert VerificationCode.objects.get().attempts == settings.KABINET_CODE_MAX_ATTEMPTS
    with pytest.raises(CodeInvalid) as exhausted:
        services.signup_phone_confirm(phone="+79001112233", code=good)
    assert exhausted.value.code == "attempts"
    assert User.objects.get().status == User.Status.PENDING


def test_sms_flooding_is_throttled_per_phone_and_per_address(sms_outbox, settings):
    phone_signup()
    with pytest.raises(Throttled):
        services.signup_phone_resend(phone="+79001112233", client=CLIENT)
    assert len(sms_outbox) == 1
    settings.KABINET_CODES_PER_ADDRESS_PER_HOUR = 3
    for n in range(2):
        phone_signup(phone=f"+7900111000{n}")
    with pytest.raises(Throttled):
        phone_signup(phone="+79001110009")
    assert len(sms_outbox) == 3
    assert not User.objects.filter(phone="+79001110009").exists()


def test_sms_per_phone_daily_cap(sms_outbox, settings):
    settings.KABINET_CODES_PER_TARGET_PER_DAY = 2
    phone_signup()
    age_throttles(61)
    services.signup_phone_resend(phone="+79001112233", client=Client(ip="198.51.100.9"))
    age_throttles(61)
    with pytest.raises(Throttled):
        services.signup_phone_resend(phone="+79001112233", client=Client(ip="198.51.100.10"))
    assert len(sms_outbox) == 2


# --- sign-in and lock-out --------------------------------------------------------------


def test_unknown_user_and_wrong_password_get_the_same_answer(alice):
    with pytest.raises(services.SignInRefused) as unknown:
        services.sign_in_check(identifier="ghost@example.ru", password=PASSWORD, client=CLIENT)
    with pytest.raises(services.SignInRefused) as wrong:
        services.sign_in_check(identifier="alice@example.ru", password="nope", client=CLIENT)
    assert unknown.value.message == wrong.value.message
    assert unknown.value.code == wrong.value.code == "wrong"
    assert SignInEvent.objects.filter(user=alice, success=False).count() == 1


def test_sign_in_by_every_identifier(alice):
    Party.objects.filter(user=alice).update(inn="500100732259")
    User.objects.filter(pk=alice.pk).update(login="0001234")
    for ident in ("alice@example.ru", "+7 911 000-00-11", "89110000011", "500100732259", "0001234"):
        assert services.sign_in_check(identifier=ident, password=PASSWORD, client=CLIENT) == alice
    with pytest.raises(services.SignInRefused):
        services.sign_in_check(identifier="1234", password=PASSWORD, client=CLIENT)


def test_account_locks_after_repeated_failures_then_cools_off(alice, settings):
    for _ in range(settings.KABINET_LOCKOUT_ACCOUNT_FAILURES):
        with pytest.raises(services.SignInRefused):
            services.sign_in_check(identifier="alice@example.ru", password="wrong", client=CLIENT)
    with pytest.raises(services.SignInRefused) as locked:
        services.sign_in_check(identifier="alice@example.ru", password=PASSWORD, client=CLIENT)
    assert locked.value.code == "locked"
    # The lock covers the account, whichever identifier names it.
    with pytest.raises(services.SignInRefused) as by_phone:
        services.sign_in_check(
            identifier="+79110000011", password=PASSWORD, client=Client(ip="198.51.100.5")
        )
    assert by_phone.value.code == "locked"
    age_throttles(settings.KABINET_LOCKOUT_MINUTES * 60 + 1)
    assert (
        services.sign_in_check(identifier="alice@example.ru", password=PASSWORD, client=CLIENT)
        == alice
    )


def test_unknown_identifiers_lock_the_same_way(db, settings):
    for _ in range(settings.KABINET_LOCKOUT_ACCOUNT_FAILURES):
        with pytest.raises(services.SignInRefused):
            services.sign_in_check(
                identifier="ghost@example.ru", password="x", client=Client(ip=None)
            )
    with pytest.raises(services.SignInRefused) as locked:
        services.sign_in_check(identifier="ghost@example.ru", password="x", client=Client(ip=None))
    assert locked.value.code == "locked"


def test_address_locks_after_many_failures_on_many_accounts(alice, settings):
    settings.KABINET_LOCKOUT_ADDRESS_FAILURES = 6
    for n in range(6):
        with pytest.raises(services.SignInRefused):
            services.sign_in_check(identifier=f"user{n}@example.ru", password="x", client=CLIENT)
    with pytest.raises(services.SignInRefused) as locked:
        services.sign_in_check(identifier="alice@example.ru", password=PASSWORD, client=CLIENT)
    assert locked.value.code == "locked"
    other = Client(ip="198.51.100.77")
    assert (
        services.sign_in_check(identifier="alice@example.ru", password=PASSWORD, client=other)
        == alice
    )


def test_blocked_user_cannot_sign_in(alice):
    User.objects.filter(pk=alice.pk).update(status=User.Status.BLOCKED)
    with pytest.raises(services.SignInRefused) as exc:
        services.sign_in_check(identifier="alice@example.ru", password=PASSWORD, client=CLIENT)
    assert exc.value.code == "blocked"


# --- staff-issued access (001) ---------------------------------------------------------


def issue(staff, **kw):
    args = dict(
        org_name="ООО «Тепло Плюс»",
        inn="7707083893",
        kpp="773601001",
        contract_number="0001234",
        email="buh@teplo.example.ru",
        contact_name="Кузнецова М. И.",
        contact_phone="+78432000000",
    )
    args.update(kw)
    return services.issued_access_create(staff=staff, **args)


def test_issued_access_link_works_from_the_next_day_for_n_days(staff):
    access = issue(staff)
    user = access.user
    assert user.login == "0001234" and user.status == User.Status.PENDING
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert timezone.localtime(access.valid_from).date() == tomorrow
    assert (access.valid_until - access.valid_from) == timedelta(days=5)
    link_id, token = link_parts(mail.outbox[0].body)
    with pytest.raises(CodeInvalid) as early:
        services.issued_access_activate(link_id=link_id, token=token, password=NEW_PASSWORD)
    assert early.value.code == "not_yet"
    VerificationCode.objects.update(valid_from=timezone.now() - timedelta(minutes=1))
    services.issued_access_activate(link_id=link_id, token=token, password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert IssuedAccess.objects.get().state == IssuedAccess.State.ACTIVATED
    assert (
        services.sign_in_check(identifier="0001234", password=NEW_PASSWORD, client=CLIENT) == user
    )
    assert (
        services.sign_in_check(identifier="7707083893", password=NEW_PASSWORD, client=CLIENT)
        == user
    )
    assert AuditEntry.objects.filter(
        subject=user, action="issued_access_create", actor=staff
    ).exists()


def test_unused_issued_access_is_blocked_and_can_be_issued_again(staff):
    access = issue(staff)
    IssuedAccess.objects.update(valid_until=timezone.now() - timedelta(seconds=1))
    assert services.issued_access_expire_due() == 1
    access.user.refresh_from_db()
    assert access.user.status == User.Status.BLOCKED
    with pytest.raises(services.SignInRefused):
        services.sign_in_check(identifier="0001234", password="", client=CLIENT)
    again = services.issued_access_reissue(staff=staff, user=access.user)
    assert again.pk != access.pk and again.state == IssuedAccess.State.ISSUED
    assert len(mail.outbox) == 2
    VerificationCode.objects.filter(pk=again.code_id).update(valid_from=timezone.now())
    services.issued_access_activate(
        *(),
        password=NEW_PASSWORD,
        **dict(zip(("link_id", "token"), link_parts(mail.outbox[1].body), strict=True)),
    )
    access.user.refresh_from_db()
    assert access.user.status == User.Status.ACTIVE


# --- contract-number login (003) -------------------------------------------------------


def test_contract_login_first_password_is_inn_and_must_change(staff):
    user = services.contract_login_create(
        staff=staff, contract_number="000456", inn="7728168971", org_name="АО «Городские бани»"
    )
    assert user.must_change_password
    signed = services.sign_in_check(identifier="000456", password="7728168971", client=CLIENT)
    assert signed == user
    with pytest.raises(services.SignInRefused):
        services.sign_in_check(identifier="456", password="7728168971", client=CLIENT)
    services.password_change(
        user=user, current="7728168971", new=NEW_PASSWORD, keep_session_key=None
    )
    user.refresh_from_db()
    assert not user.must_change_password
    services.contract_login_reset(staff=staff, user=user)
    user.refresh_from_db()
    assert user.must_change_password and user.check_password("7728168971")


# --- recovery --------------------------------------------------------------------------


def test_reset_by_email_code(alice):
    masked = services.reset_request(identifier="alice@example.ru", channel="email", client=CLIENT)
    assert masked == "a****@example.ru"
    services.reset_confirm(
        identifier="alice@example.ru", code=mail_code(), password=NEW_PASSWORD, client=CLIENT
    )
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_reset_by_sms_code(alice, sms_outbox):
    masked = services.reset_request(identifier="+79110000011", channel="sms", client=CLIENT)
    assert masked.endswith("00-11")
    services.reset_confirm(
        identifier="+79110000011", code=sms_code(sms_outbox), password=NEW_PASSWORD, client=CLIENT
    )
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_reset_by_inn_sends_to_the_email(alice):
    Party.objects.filter(user=alice).update(inn="500100732259")
    services.reset_request(identifier="500100732259", channel="email", client=CLIENT)
    assert mail.outbox[-1].to == ["alice@example.ru"]


def test_reset_for_unknown_sends_nothing(db, sms_outbox):
    assert (
        services.reset_request(identifier="ghost@example.ru", channel="email", client=CLIENT) == ""
    )
    assert not mail.outbox and not sms_outbox


def test_reset_code_expires_and_works_once(alice):
    services.reset_request(identifier="alice@example.ru", channel="email", client=CLIENT)
    code = mail_code()
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(CodeInvalid) as expired:
        services.reset_confirm(
            identifier="alice@example.ru", code=code, password=NEW_PASSWORD, client=CLIENT
        )
    assert expired.value.code == "expired"
    age_throttles(61)
    services.reset_request(identifier="alice@example.ru", channel="email", client=CLIENT)
    code = mail_code()
    services.reset_confirm(
        identifier="alice@example.ru", code=code, password=NEW_PASSWORD, client=CLIENT
    )
    with pytest.raises(CodeInvalid) as used:
        services.reset_confirm(
            identifier="alice@example.ru", code=code, password="Another-2028", client=CLIENT
        )
    assert used.value.code == "used"


def test_forgotten_login_is_mailed(staff):
    issue(staff)
    services.login_reminder_send(email="buh@teplo.example.ru", client=CLIENT)
    assert "0001234" in mail.outbox[-1].body


# --- profile ---------------------------------------------------------------------------


def test_email_change_needs_the_code_sent_to_the_new_address(alice):
    services.email_change_request(user=alice, email="alice.new@example.ru", client=CLIENT)
    assert mail.outbox[-1].to == ["alice.new@example.ru"]
    with pytest.raises(CodeInvalid):
        services.email_change_confirm(
            user=alice,
            email="alice.new@example.ru",
            code="999999" if mail_code() != "999999" else "000000",
        )
    alice.refresh_from_db()
    assert alice.email == "alice@example.ru"
    services.email_change_confirm(user=alice, email="alice.new@example.ru", code=mail_code())
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.ru"


def test_phone_change_needs_the_sms_code(alice, charlie, sms_outbox):
    with pytest.raises(DomainError) as taken:
        services.phone_change_request(user=alice, phone=charlie.phone, client=CLIENT)
    assert taken.value.field == "phone"
    services.phone_change_request(user=alice, phone="+79217654321", client=CLIENT)
    services.phone_change_confirm(user=alice, phone="+79217654321", code=sms_code(sms_outbox))
    alice.refresh_from_db()
    assert alice.phone == "+79217654321"


def test_password_change_needs_the_current_one(alice):
    with pytest.raises(DomainError) as exc:
        services.password_change(
            user=alice, current="wrong", new=NEW_PASSWORD, keep_session_key=None
        )
    assert exc.value.field == "current_password"
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_totp_second_factor(alice):
    import pyotp

    secret = pyotp.random_base32()
    with pytest.raises(DomainError):
        services.totp_enable(
            user=alice,
            secret=secret,
            code="000000" if pyotp.TOTP(secret).now() != "000000" else "111111",
        )
    services.totp_enable(user=alice, secret=secret, code=pyotp.TOTP(secret).now())
    alice.refresh_from_db()
    assert alice.totp_enabled
    services.totp_check(user=alice, code=pyotp.TOTP(secret).now(), client=CLIENT)


def test_demo_user_factory_is_usable(db):
    user = make_user(email="x@example.ru")
    assert user.check_password(PASSWORD)


def test_unknown_identifier_still_hashes_the_password(db, monkeypatch):
    """An unknown login costs a password hash too, so timing does not reveal accounts."""
    hashed = []
    original = User.set_password

    def spy(self, raw):
        hashed.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "set_password", spy)
    with pytest.raises(services.SignInRefused):
        services.sign_in_check(identifier="nobody@example.ru", password="guess-1", client=CLIENT)
    assert hashed == ["guess-1"]


def test_staff_sign_in_by_login_where_customers_use_email(staff, settings):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_SIGNUP_MODES = []
    assert services.sign_in_check(identifier="operator1", password=PASSWORD, client=CLIENT) == staff


def test_a_password_reset_lifts_the_lock_of_the_identifier_typed(alice, settings):
    for _ in range(settings.KABINET_LOCKOUT_ACCOUNT_FAILURES):
        with pytest.raises(services.SignInRefused):
            services.sign_in_check(identifier="alice@example.ru", password="wrong", client=CLIENT)
    services.reset_request(identifier="alice@example.ru", channel="email", client=CLIENT)
    services.reset_confirm(
        identifier="alice@example.ru", code=mail_code(), password=NEW_PASSWORD, client=CLIENT
    )
    assert (
        services.sign_in_check(identifier="alice@example.ru", password=NEW_PASSWORD, client=CLIENT)
        == alice
    )


def test_staff_reset_to_the_first_password_lifts_the_lock(staff, settings):
    user = services.contract_login_create(
        staff=staff, contract_number="000789", inn="7728168971", org_name="АО «Бани»"
    )
    for _ in range(settings.KABINET_LOCKOUT_ACCOUNT_FAILURES):
        with pytest.raises(services.SignInRefused):
            services.sign_in_check(identifier="000789", password="wrong", client=CLIENT)
    services.contract_login_reset(staff=staff, user=user)
    assert services.sign_in_check(identifier="000789", password="7728168971", client=CLIENT) == user


def test_a_session_with_a_new_key_stays_in_the_list_of_open_sessions(alice):
    from kabinet.identity.models import UserSession

    services.sign_in_record(user=alice, session_key="old-key", client=CLIENT)
    services.session_key_changed(old_key="old-key", new_key="new-key")
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["new-key"]
