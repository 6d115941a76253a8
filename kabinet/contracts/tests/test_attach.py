"""How a contract gets into a cabinet: sign-up with it (000 §3.2), a request approved by
staff (004), staff-opened and contract-number cabinets (001, 003); and the curator chat."""

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kabinet.appeals.models import Attachment
from kabinet.appeals.tests.samples import PDF
from kabinet.contracts.models import Contract, ContractRequest
from kabinet.contracts.services import cabinet
from kabinet.contracts.tests.factories import INN, OTHER_INN, contract, organisation
from kabinet.core.errors import DomainError
from kabinet.identity.models import Party, PartyMember, User
from kabinet.identity.services import Client
from kabinet.notifications.models import Notice

PASSWORD = "Kabinet-2026!"


def signup(**overrides):
    data = dict(
        number="05 Т",
        signed_on=date(2015, 10, 1),
        inn=INN,
        email="buh@romashka.ru",
        password=PASSWORD,
        consent=True,
        client=Client(ip="10.0.0.1"),
    )
    data.update(overrides)
    return cabinet.contract_signup(**data)


@pytest.fixture
def free(db):
    return contract(number="05 Т")


def test_signup_with_a_concluded_contract_brings_it(free, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = signup()
    free.refresh_from_db()
    assert user.status == User.Status.PENDING and free.party.user == user
    assert free.party.kind == Party.Kind.LEGAL and free.party.org_name == "ООО «Ромашка»"
    assert "buh@romashka.ru" in mail.outbox[-1].to


@pytest.mark.parametrize(
    "overrides",
    [{"inn": OTHER_INN}, {"signed_on": date(2015, 10, 2)}, {"number": "06 Т"}],
)
def test_signup_with_wrong_details_says_not_found_and_keeps_nothing(free, overrides):
    with pytest.raises(DomainError, match="не найден"):
        signup(**overrides)
    assert not User.objects.filter(email="buh@romashka.ru").exists()
    assert Contract.objects.get(pk=free.pk).party is None


def test_signup_needs_a_concluded_contract(db):
    contract(number="05 Т", state=Contract.State.SIGNING)
    with pytest.raises(DomainError, match="не заключён"):
        signup()


def test_signup_refuses_a_contract_already_in_a_cabinet(alice):
    contract(number="05 Т", party=organisation(alice))
    with pytest.raises(DomainError, match="уже подключён"):
        signup()


def test_signup_tries_are_limited(free):
    for _ in range(cabinet.SIGNUP_TRIES):
        with pytest.raises(DomainError, match="не найден"):
            signup(inn=OTHER_INN)
    with pytest.raises(DomainError, match="Слишком много"):
        signup()


def test_signup_page_keeps_what_was_typed(client, free):
    response = client.post(
        reverse("contracts:signup"),
        {
            "number": "05 Т",
            "signed_on": "2015-10-01",
            "inn": "7804000011",
            "email": "buh@romashka.ru",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )
    page = response.content.decode()
    assert "контрольная цифра" in page and 'value="buh@romashka.ru"' in page


def test_staff_issued_and_contract_logins_bring_their_contract(staff, settings):
    from kabinet.identity.services import contract_login_create, issued_access_create

    settings.KABINET_UTILITY = "gk_kazan"
    first = contract(number="05 Т")
    issued_access_create(
        staff=staff,
        org_name="ООО «Ромашка»",
        inn=INN,
        kpp="780401001",
        contract_number="05 Т",
        email="org@romashka.ru",
        contact_name="Иванов",
        contact_phone="+79110000000",
    )
    assert Contract.objects.get(pk=first.pk).party.user.login == "05 Т"
    settings.KABINET_UTILITY = "tashkent_heat"
    second = contract(number="00001", inn="123456789")
    user = contract_login_create(
        staff=staff, contract_number="00001", inn="123456789", org_name="ООО «Тошкент»"
    )
    assert Contract.objects.get(pk=second.pk).party.user == user


# --- adding a contract by request (004) -----------------------------------------------


def statement(content=PDF, name="заявление.pdf"):
    return SimpleUploadedFile(name, content, "application/pdf")


def test_request_approved_adds_the_contract_and_tells_by_mail_and_sms(
    alice, staff, free, sms_outbox, django_capture_on_commit_callbacks
):
    request = cabinet.contract_request_create(
        user=alice, inn=INN, number="05 Т", statement=statement()
    )
    assert request.status == ContractRequest.Status.PENDING
    assert request.statement.read() == PDF
    with django_capture_on_commit_callbacks(execute=True):
        cabinet.contract_request_approve(by=staff, request=request)
    free.refresh_from_db()
    assert free.party.user == alice and free.party.inn == INN
    assert Contract.objects.visible_to(alice).get() == free
    assert any("Договор № 05 Т добавлен" in m.subject or "05 Т" in m.body for m in mail.outbox)
    assert any(s["phone"] == alice.phone and "05 Т" in s["text"] for s in sms_outbox)
    assert Notice.objects.filter(user=alice, kind="contract").exists()
    with pytest.raises(DomainError, match="уже рассмотрена"):
        cabinet.contract_request_refuse(by=staff, request=request, reason="поздно")


def test_request_refused_needs_a_reason(alice, staff, free):
    request = cabinet.contract_request_create(
        user=alice, inn=INN, number="05 Т", statement=statement()
    )
    with pytest.raises(DomainError, match="причину"):
        cabinet.contract_request_refuse(by=staff, request=request, reason=" ")
    cabinet.contract_request_refuse(by=staff, request=request, reason="Заявление не подписано")
    request.refresh_from_db()
    assert request.status == "refused" and request.reason == "Заявление не подписано"
    assert Contract.objects.get(pk=free.pk).party is None


def test_request_for_another_companys_contract_cannot_be_approved(alice, staff, free):
    request = cabinet.contract_request_create(
        user=alice, inn=OTHER_INN, number="05 Т", statement=statement()
    )
    with pytest.raises(DomainError, match="нет"):
        cabinet.contract_request_approve(by=staff, request=request)
    assert Contract.objects.get(pk=free.pk).party is None


def test_one_pending_request_per_contract_and_a_signed_statement_required(alice, free):
    with pytest.raises(DomainError, match="Приложите заявление"):
        cabinet.contract_request_create(user=alice, inn=INN, number="05 Т", statement=None)
    with pytest.raises(DomainError, match="PDF, JPEG или PNG"):
        cabinet.contract_request_create(
            user=alice,
            inn=INN,
            number="05 Т",
            statement=SimpleUploadedFile("a.xlsx", b"PK\x03\x04junk", "application/zip"),
        )
    cabinet.contract_request_create(user=alice, inn=INN, number="05 Т", statement=statement())
    with pytest.raises(DomainError, match="уже подана"):
        cabinet.contract_request_create(user=alice, inn=INN, number="05 Т", statement=statement())


def test_staff_request_pages_are_staffs_only(client, alice, staff, free):
    request = cabinet.contract_request_create(
        user=alice, inn=INN, number="05 Т", statement=statement()
    )
    urls = [
        reverse("contracts_staff:requests"),
        reverse("contracts_staff:request", args=[request.uuid]),
        reverse("contracts_staff:statement", args=[request.uuid]),
        reverse("contracts_staff:chats"),
    ]
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(staff)
    for url in urls:
        assert client.get(url).status_code == 200
    response = client.post(reverse("contracts_staff:refuse", args=[request.uuid]), {"reason": ""})
    assert "Укажите причину отказа" in response.content.decode()
    client.post(reverse("contracts_staff:approve", args=[request.uuid]))
    assert Contract.objects.get(pk=free.pk).party.user == alice


# --- the curator chat -------------------------------------------------------------------


def test_chat_between_the_organisation_and_its_curator(client, alice, charlie, staff):
    c = contract(party=organisation(alice), number="05 Т")
    bob = User.objects.create(email="bob@romashka.ru", signup_mode="email", status="active")
    PartyMember.objects.create(party=c.party, user=bob, rights="read", added_by=alice)
    cabinet.contract_chat_write(
        user=alice,
        contract=c,
        text="Когда будет акт сверки?",
        files=[SimpleUploadedFile("акт.pdf", PDF, "application/pdf")],
    )
    cabinet.contract_chat_answer(staff=staff, contract=c, text="Завтра.")
    assert Notice.objects.filter(user=alice, kind="contract").count() == 1
    assert Notice.objects.filter(user=bob, kind="contract").count() == 1
    attachment = Attachment.objects.get()
    url = reverse("appeals:attachment", args=[attachment.uuid])
    for user, expected in ((alice, 200), (bob, 200), (charlie, 404), (staff, 200)):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.force_login(alice)
    page = client.get(reverse("contracts:chat", args=[c.uuid])).content.decode()
    assert "Когда будет акт сверки?" in page and "Завтра." in page
    client.force_login(staff)
    assert "05 Т" not in client.get(reverse("contracts_staff:chats")).content.decode()
    cabinet.contract_chat_write(user=alice, contract=c, text="Спасибо")
    assert "05 Т" in client.get(reverse("contracts_staff:chats")).content.decode()
