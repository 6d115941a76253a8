"""Сотрудники организации: the holder invites, changes rights and removes colleagues;
access follows at once through ``Party.objects.acting_for``; the page is the holder's
own (a stranger gets 404)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from conftest import make_user
from kabinet.core.errors import DomainError
from kabinet.identity import services
from kabinet.identity.codes import CodeInvalid
from kabinet.identity.models import Party, PartyMember, User, VerificationCode
from kabinet.identity.services import Client
from kabinet.notifications.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Teplo-Set-2027"
READ, FULL = PartyMember.Rights.READ, PartyMember.Rights.FULL
CLIENT = Client(ip="203.0.113.9", user_agent="pytest")


def organisation(user, *, name="ООО «Ромашка»", inn="7710140679") -> Party:
    return Party.objects.create(user=user, kind=Party.Kind.LEGAL, org_name=name, inn=inn)


def join_link(body: str) -> tuple[str, str]:
    m = re.search(r"/organisation/join/([0-9a-f-]{36})/([\w-]+)/", body)
    assert m, body
    return m.group(1), m.group(2)


def letters_to(address: str):
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def romashka(alice):
    return organisation(alice)


@pytest.fixture
def bob(db):
    """A colleague who already has a cabinet of their own."""
    return make_user(email="bob@example.ru", display_name="Боб")


def invite(party, email, rights=READ, by=None):
    return services.member_invite(by=by or party.user, party=party, email=email, rights=rights)


def refused(call, **kw) -> DomainError:
    before = (PartyMember.objects.count(), User.objects.count(), len(mail.outbox))
    with pytest.raises(DomainError) as info:
        call(**kw)
    assert (PartyMember.objects.count(), User.objects.count(), len(mail.outbox)) == before
    return info.value


# --- invitations refused ------------------------------------------------------------


def test_only_the_holder_invites(romashka, bob, charlie):
    exc = refused(invite, party=romashka, email="new@example.ru", by=charlie)
    assert exc.message == "Приглашать сотрудников может только владелец кабинета организации."
    # Not even a colleague with full rights.
    invite(romashka, bob.email, FULL)
    exc = refused(invite, party=romashka, email="new@example.ru", by=bob)
    assert exc.message == "Приглашать сотрудников может только владелец кабинета организации."


def test_a_person_has_no_colleagues(alice, bob):
    person = alice.parties.get(kind=Party.Kind.PERSON)
    exc = refused(invite, party=person, email=bob.email)
    assert "только в кабинет организации или ИП" in exc.message


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("alice@example.ru", "Нельзя пригласить самого себя."),
        (" ALICE@example.ru ", "Нельзя пригласить самого себя."),
        ("operator1@example.ru", "Это e-mail сотрудника ГУП «ТЭК СПб»"),
        ("bob@example.ru", "Этот пользователь уже сотрудник организации."),
        ("bob@", "Введите e-mail в виде name@example.ru."),
        ("", "Введите e-mail в виде name@example.ru."),
    ],
)
def test_invitation_refused_next_to_the_email(romashka, bob, email, message):
    make_user(login="operator1", email="operator1@example.ru", staff=True)
    invite(romashka, bob.email)
    exc = refused(invite, party=romashka, email=email)
    assert exc.field == "email"
    assert exc.message.startswith(message)


def test_rights_must_be_one_of_two(romashka):
    exc = refused(invite, party=romashka, email="new@example.ru", rights="admin")
    assert exc.field == "rights"


# --- inviting -----------------------------------------------------------------------


def test_a_user_with_a_cabinet_is_added_at_once_and_told(romashka, bob):
    member = invite(romashka, "Bob@Example.ru")
    assert (member.user, member.rights, member.added_by) == (bob, READ, romashka.user)
    assert romashka in Party.objects.acting_for(bob)
    assert romashka not in Party.objects.acting_for(bob, full=True)

    notice = Notice.objects.get(user=bob)
    assert notice.title == "Вас добавили в кабинет организации «ООО «Ромашка»»"
    assert "Алиса" in notice.text and notice.url == reverse("identity:members")
    [letter] = letters_to(bob.email)
    assert letter.subject == "Вас добавили в личный кабинет организации ООО «Ромашка»"
    assert "Алиса добавил(а) вас в сотрудники организации ООО «Ромашка»" in letter.body
    assert "&" not in letter.body  # the text letter is not HTML-escaped
    assert not VerificationCode.objects.filter(user=bob).exists()


def test_a_new_colleague_sets_a_password_by_the_link_and_signs_in(romashka):
    member = invite(romashka, "Petrov@Example.ru", FULL)
    user = member.user
    assert user.email == "petrov@example.ru"
    assert user.status == User.Status.PENDING and not user.has_usable_password()
    assert user.signup_mode == User.SignupMode.ISSUED and not user.parties.exists()

    [letter] = letters_to("petrov@example.ru")
    assert letter.subject == "Приглашение в личный кабинет организации ООО «Ромашка»"
    assert "Алиса приглашает вас в личный кабинет организации ООО «Ромашка»" in letter.body
    assert (
        "Ваши права: полный доступ: оплата, отчёты, обращения." in letter.body
        and "Ваш логин: petrov@example.ru" in letter.body
    )
    assert letter.alternatives, "the letter has an HTML body too"
    link_id, token = join_link(letter.body)
    row = VerificationCode.objects.get(uuid=link_id)
    assert 6 <= (row.expires_at - row.created_at).days <= 7

    # Not signed in before the password is set.
    with pytest.raises(services.SignInRefused):
        services.sign_in_check(identifier=user.email, password=NEW_PASSWORD, client=CLIENT)

    invitee, members = services.member_invitation(link_id=link_id, token=token)
    assert invitee == user and [m.party for m in members] == [romashka]

    # The password policy applies; a weak one changes nothing and leaves the link usable.
    with pytest.raises(DomainError) as info:
        services.member_join(link_id=link_id, token=token, password="short")
    assert info.value.field == "password1"
    user.refresh_from_db()
    assert user.status == User.Status.PENDING

    services.member_join(link_id=link_id, token=token, password=NEW_PASSWORD, name="Пётр")
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.email_verified
    assert user.display_name == "Пётр"
    signed_in = services.sign_in_check(
        identifier="petrov@example.ru", password=NEW_PASSWORD, client=CLIENT
    )
    assert signed_in == user
    assert romashka in Party.objects.acting_for(user)
    assert romashka in Party.objects.acting_for(user, full=True)

    # The link works once.
    with pytest.raises(CodeInvalid) as info:
        services.member_join(link_id=link_id, token=token, password=NEW_PASSWORD)
    assert info.value.code == "used"


def test_where_customers_sign_in_by_login_the_email_is_the_login(settings, alice):
    settings.KABINET_UTILITY = "tashkent_heat"
    settings.KABINET_SIGNUP_MODES = []
    org = organisation(alice, inn="123456789")
    user = invite(org, "buh@example.uz").user
    assert user.login == "buh@example.uz"
    link_id, token = join_link(letters_to("buh@example.uz")[0].body)
    services.member_join(link_id=link_id, token=token, password=NEW_PASSWORD)
    assert (
        services.sign_in_check(identifier="buh@example.uz", password=NEW_PASSWORD, client=CLIENT)
        == user
    )


def test_a_second_organisation_invites_the_same_newcomer_with_a_fresh_link(romashka, charlie):
    lyutik = organisation(charlie, name="АО «Лютик»", inn="7707083893")
    invite(romashka, "new@example.ru")
    first = join_link(letters_to("new@example.ru")[0].body)
    invite(lyutik, "new@example.ru", FULL)
    second = join_link(letters_to("new@example.ru")[1].body)
    with pytest.raises(CodeInvalid):
        services.member_invitation(link_id=first[0], token=first[1])
    _user, members = services.member_invitation(link_id=second[0], token=second[1])
    assert {m.party for m in members} == {romashka, lyutik}


def test_a_staff_issued_cabinet_waiting_for_activation_keeps_its_link(romashka, staff):
    access = services.issued_access_create(
        staff=staff,
        org_name="ООО «Север»",
        inn="7736050003",
        kpp="773601001",
        contract_number="0009911",
        email="sever@example.ru",
        contact_name="Лебедева",
        contact_phone="+79110000099",
    )
    invite(romashka, "sever@example.ru")
    access.code.refresh_from_db()
    assert access.code.revoked_at is None
    assert letters_to("sever@example.ru")[-1].subject.startswith("Вас добавили")
    # And its activation link is no invitation.
    with pytest.raises(CodeInvalid):
        services.member_invitation(link_id=str(access.code.uuid), token="x")


# --- rights and removal ---------------------------------------------------------------


def test_rights_change_at_once_and_the_colleague_is_told(romashka, bob):
    member = invite(romashka, bob.email, READ)
    assert romashka not in Party.objects.acting_for(bob, full=True)
    services.member_set_rights(by=romashka.user, member=member, rights=FULL)
    assert romashka in Party.objects.acting_for(bob, full=True)
    assert Notice.objects.filter(user=bob, title__startswith="Ваши права").count() == 1
    services.member_set_rights(by=romashka.user, member=member, rights=READ)
    assert romashka not in Party.objects.acting_for(bob, full=True)
    assert romashka in Party.objects.acting_for(bob)


def test_only_the_holder_changes_rights_or_removes(romashka, bob, charlie):
    member = invite(romashka, bob.email, FULL)
    with pytest.raises(DomainError, match="Менять права сотрудников может только владелец"):
        services.member_set_rights(by=bob, member=member, rights=READ)
    with pytest.raises(DomainError, match="Удалять сотрудников может только владелец"):
        services.member_remove(by=charlie, member=member)
    member.refresh_from_db()
    assert member.rights == FULL and member.removed_at is None


def test_a_removed_colleague_loses_access_at_once_and_the_row_stays(romashka, bob):
    member = invite(romashka, bob.email, FULL)
    services.member_remove(by=romashka.user, member=member)
    assert romashka not in Party.objects.acting_for(bob)
    assert romashka not in Party.objects.acting_for(bob, full=True)
    member.refresh_from_db()
    assert member.removed_by == romashka.user and member.removed_at is not None
    assert Notice.objects.filter(user=bob, title__startswith="Доступ к кабинету").exists()
    # Their own cabinet stays.
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE

    with pytest.raises(DomainError, match="уже удалён"):
        services.member_remove(by=romashka.user, member=member)
    with pytest.raises(DomainError, match="уже удалён"):
        services.member_set_rights(by=romashka.user, member=member, rights=READ)

    # Invited again: a new row, the old one kept as the record.
    again = invite(romashka, bob.email)
    assert again.pk != member.pk
    assert PartyMember.objects.filter(party=romashka, user=bob).count() == 2
    assert romashka in Party.objects.acting_for(bob)


def test_removing_an_invitation_not_yet_accepted_kills_its_link(romashka):
    member = invite(romashka, "new@example.ru")
    link_id, token = join_link(letters_to("new@example.ru")[0].body)
    services.member_remove(by=romashka.user, member=member)
    with pytest.raises(CodeInvalid):
        services.member_invitation(link_id=link_id, token=token)
    with pytest.raises(CodeInvalid):
        services.member_join(link_id=link_id, token=token, password=NEW_PASSWORD)
    assert not Notice.objects.filter(user=member.user).exists()


# --- the page -------------------------------------------------------------------------


def members_url() -> str:
    return reverse("identity:members")


def test_the_page_needs_a_sign_in(client):
    response = client.get(members_url())
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_holder_invites_from_the_page(client, romashka, bob):
    client.force_login(romashka.user)
    page = client.get(members_url()).content.decode()
    assert "ООО «Ромашка»" in page and "Сотрудников пока нет." in page
    assert "Полный доступ: оплата, отчёты, обращения" in page

    prefix = f"party{romashka.pk}"
    url = reverse("identity:member_invite", args=[romashka.pk])
    response = client.post(url, {f"{prefix}-email": "bob@example", f"{prefix}-rights": "full"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{prefix}-email_error"' in page
    assert "Введите e-mail в виде name@example.ru." in page
    assert 'value="bob@example"' in page  # what was typed is kept
    assert not PartyMember.objects.exists()

    response = client.post(url, {f"{prefix}-email": "alice@example.ru", f"{prefix}-rights": "full"})
    assert "Нельзя пригласить самого себя." in response.content.decode()
    assert not PartyMember.objects.exists()

    response = client.post(
        url, {f"{prefix}-email": "bob@example.ru", f"{prefix}-rights": "full"}, follow=True
    )
    page = response.content.decode()
    assert "bob@example.ru добавлен(а) в сотрудники" in page
    assert "Боб" in page and "действует" in page
    assert PartyMember.objects.get(user=bob).rights == FULL


def test_the_holder_changes_rights_and_removes_from_the_page(client, romashka, bob):
    member = invite(romashka, bob.email)
    client.force_login(romashka.user)
    rights_url = reverse("identity:member_rights", args=[member.pk])
    prefix = f"member{member.pk}"
    response = client.post(rights_url, {f"{prefix}-rights": "owner"})
    assert response.status_code == 200
    assert "Выберите права" in response.content.decode()
    member.refresh_from_db()
    assert member.rights == READ

    client.post(rights_url, {f"{prefix}-rights": "full"})
    member.refresh_from_db()
    assert member.rights == FULL

    remove_url = reverse("identity:member_remove", args=[member.pk])
    assert client.get(remove_url).status_code == 405  # a link cannot remove anyone
    page = client.post(remove_url, follow=True).content.decode()
    assert "доступ к кабинету организации закрыт" in page
    assert "Удалённые сотрудники: 1" in page
    assert romashka not in Party.objects.acting_for(bob)
    # A removed colleague can no longer be changed or removed.
    assert client.post(remove_url).status_code == 404
    assert client.post(rights_url, {f"{prefix}-rights": "read"}).status_code == 404


def test_a_stranger_cannot_touch_anothers_colleagues(client, romashka, bob, charlie):
    member = invite(romashka, bob.email, FULL)
    organisation(charlie, name="АО «Лютик»", inn="7707083893")
    for user in (charlie, bob):
        client.force_login(user)
        remove = client.post(reverse("identity:member_remove", args=[member.pk]))
        rights = client.post(
            reverse("identity:member_rights", args=[member.pk]),
            {f"member{member.pk}-rights": "read"},
        )
        invite_ = client.post(
            reverse("identity:member_invite", args=[romashka.pk]),
            {f"party{romashka.pk}-email": "x@example.ru", f"party{romashka.pk}-rights": "full"},
        )
        assert (remove.status_code, rights.status_code, invite_.status_code) == (404, 404, 404)
    member.refresh_from_db()
    assert member.removed_at is None and member.rights == FULL
    assert PartyMember.objects.count() == 1
    # Nor does the holder invite into their own private person's cabinet.
    client.force_login(romashka.user)
    person = romashka.user.parties.get(kind=Party.Kind.PERSON)
    assert client.post(reverse("identity:member_invite", args=[person.pk])).status_code == 404


def test_a_colleague_sees_whom_they_act_for(client, romashka, bob):
    invite(romashka, bob.email, FULL)
    client.force_login(bob)
    page = client.get(members_url()).content.decode()
    assert "Организации, от имени которых вы действуете" in page
    assert "ООО «Ромашка»" in page and "Алиса" in page
    assert "Полный доступ: оплата, отчёты, обращения" in page
    assert "Пригласить сотрудника" not in page  # bob holds no organisation


def test_profile_links_to_the_page_for_those_acting_for_an_organisation(client, romashka, bob):
    client.force_login(bob)
    assert members_url() not in client.get(reverse("identity:profile")).content.decode()
    client.force_login(romashka.user)
    assert members_url() in client.get(reverse("identity:profile")).content.decode()


def test_the_join_page_sets_the_password_and_signs_in(client, romashka):
    invite(romashka, "new@example.ru", FULL)
    link_id, token = join_link(letters_to("new@example.ru")[0].body)
    url = reverse("identity:member_join", args=[link_id, token])
    page = client.get(url).content.decode()
    assert "ООО «Ромашка»" in page and "new@example.ru" in page and "Алиса" in page

    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "Пароли не совпадают." in response.content.decode()
    assert User.objects.get(email="new@example.ru").status == User.Status.PENDING

    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == members_url()
    page = client.get(members_url()).content.decode()
    assert "Пароль задан, вы вошли в личный кабинет." in page
    assert "Организации, от имени которых вы действуете" in page

    assert client.get(url).status_code == 410
    bad = reverse("identity:member_join", args=[link_id, "wrong-token"])
    assert client.get(bad).status_code == 404
