"""The subscriber's cabinet: who sees which contract, the list with its debts and
search, a contract's pages, the settlement account's money pages, paying a contract."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from kabinet.contracts.models import Contract, NormativeReading, SupplyObject, UnitReading
from kabinet.contracts.services import normative
from kabinet.contracts.tests.factories import OTHER_INN, contract, organisation
from kabinet.core.errors import DomainError
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.customer_accounts.tests.factories import charge, payment
from kabinet.identity.models import PartyMember
from kabinet.payments import services as payments

TODAY = date(2026, 11, 23)


@pytest.fixture
def romashka(alice):
    return organisation(alice)


@pytest.fixture
def mine(romashka):
    return contract(party=romashka, number="05 Т")


@pytest.fixture
def theirs(charlie):
    return contract(
        party=organisation(charlie, inn=OTHER_INN, name="АО «Лютик»"),
        inn=OTHER_INN,
        name="АО «Лютик»",
    )


def member(party, *, rights=PartyMember.Rights.READ, email="bob@example.ru"):
    bob = make_user(email=email, display_name="Боб")
    PartyMember.objects.create(party=party, user=bob, rights=rights, added_by=party.user)
    return bob


def object_urls(c: Contract) -> list[str]:
    obj = c.supply_objects.get()
    unit = c.units.get()
    return [
        reverse("contracts:detail", args=[c.uuid]),
        reverse("contracts:chat", args=[c.uuid]),
        reverse("contracts:unit", args=[unit.uuid]),
        reverse("contracts:normative", args=[obj.uuid]),
        reverse("contracts:objects") + f"?contract={c.uuid}",
        reverse("contracts:units") + f"?contract={c.uuid}",
        reverse("billing:charges", args=[c.account.uuid]),
        reverse("billing:payments", args=[c.account.uuid]),
        reverse("billing:documents", args=[c.account.uuid]),
        reverse("billing:breakdown", args=[c.account.uuid]),
    ]


# --- access -------------------------------------------------------------------------


def test_every_contract_url_is_the_owners_and_staffs_only(client, alice, charlie, staff, mine):
    for user, expected in ((alice, 200), (charlie, 404), (staff, 200)):
        client.force_login(user)
        for url in object_urls(mine):
            assert client.get(url).status_code == expected, (user, url)


def test_an_employee_sees_exactly_the_organisations_contracts(client, romashka, mine, theirs):
    bob = member(romashka)
    client.force_login(bob)
    page = client.get(reverse("contracts:list")).content.decode()
    assert "05 Т" in page and theirs.number not in page
    assert client.get(reverse("contracts:detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("contracts:detail", args=[theirs.uuid])).status_code == 404
    assert set(Contract.objects.visible_to(bob)) == {mine}


def test_a_removed_employee_loses_access_at_once(client, romashka, mine):
    bob = member(romashka)
    client.force_login(bob)
    assert client.get(reverse("contracts:detail", args=[mine.uuid])).status_code == 200
    PartyMember.objects.filter(user=bob).update(removed_at=timezone.now())
    assert client.get(reverse("contracts:detail", args=[mine.uuid])).status_code == 404
    assert client.get(reverse("billing:charges", args=[mine.account.uuid])).status_code == 404


def test_read_only_employee_cannot_pay_or_write(client, romashka, mine):
    bob = member(romashka)
    client.force_login(bob)
    page = client.get(reverse("contracts:detail", args=[mine.uuid])).content.decode()
    assert "Оплатить договор" not in page
    assert "только для просмотра" in page
    assert not PersonalAccount.objects.payable_by(bob).filter(pk=mine.account_id).exists()
    response = client.post(reverse("contracts:chat", args=[mine.uuid]), {"text": "Вопрос"})
    assert "полным доступом" in response.content.decode()
    assert mine.conversation_id is None


def test_full_rights_employee_pays_the_contract(romashka, mine):
    bob = member(romashka, rights=PartyMember.Rights.FULL)
    pay = payments.payment_create(
        user=bob,
        parts=[payments.PartInput(mine.account, "energy", 150000)],
        method="card",
        receipt_email="bob@example.ru",
        save_card=False,
        idempotency_key="k-contract-1",
    )
    assert pay.user == bob and pay.parts.get().account == mine.account


def test_colleagues_see_who_paid_the_contract(client, alice, romashka, mine):
    from kabinet.payments.models import TestProviderPayment

    bob = member(romashka, rights=PartyMember.Rights.FULL)
    pay = payments.payment_create(
        user=bob,
        parts=[payments.PartInput(mine.account, "energy", 150000)],
        method="card",
        receipt_email="bob@example.ru",
        save_card=False,
        idempotency_key="k-contract-3",
    )
    TestProviderPayment.objects.filter(id=pay.provider_payment_id).update(status="succeeded")
    payments.payment_sync(payment=pay)
    client.force_login(alice)
    page = client.get(reverse("billing:payments", args=[mine.account.uuid])).content.decode()
    assert "Оплатил в кабинете" in page and "Боб" in page and "1\u00a0500,00\u00a0₽" in page


def test_a_stranger_cannot_pay_someone_elses_contract(charlie, mine):
    with pytest.raises(DomainError):
        payments.payment_create(
            user=charlie,
            parts=[payments.PartInput(mine.account, "energy", 150000)],
            method="card",
            receipt_email="c@example.ru",
            save_card=False,
            idempotency_key="k-contract-2",
        )


def test_pay_page_offers_the_one_contract(client, alice, mine):
    charge(mine.account, date(2026, 10, 1), 1890227)
    client.force_login(alice)
    page = client.get(reverse("payments:pay") + f"?account={mine.account.uuid}").content.decode()
    assert "Договор № 05 Т" in page and "ООО «Ромашка»" in page


def test_a_contracts_account_cannot_be_linked_as_a_residents(alice, charlie, mine):
    from kabinet.customer_accounts.services import LastPaymentProof, account_link

    payment(mine.account, date(2026, 10, 5), 722027)
    with pytest.raises(DomainError):
        account_link(
            user=charlie,
            number=mine.account.number,
            proof=LastPaymentProof(amount=Decimal("7220.27"), paid_on=date(2026, 10, 5)),
        )
    assert PersonalAccount.objects.get(pk=mine.account_id).owner is None


def test_contract_accounts_stay_out_of_the_residents_lists(client, alice, mine):
    client.force_login(alice)
    assert mine.account.number not in client.get(reverse("customer_accounts:list")).content.decode()
    response = client.get(reverse("customer_accounts:detail", args=[mine.account.uuid]))
    assert response.status_code == 302 and response["Location"].endswith(f"/{mine.uuid}/")


# --- the list, its debts and search ---------------------------------------------------


def test_list_shows_total_debt_and_each_contracts(client, alice, romashka, mine):
    other = contract(party=romashka, number="07 Т")
    charge(mine.account, date(2026, 9, 1), 3025184)
    charge(mine.account, date(2026, 9, 1), 1751, kind="penalty", service="Пени")
    payment(mine.account, date(2026, 10, 10), 1000000)
    charge(other.account, date(2026, 10, 1), 1890227)
    client.force_login(alice)
    page = client.get(reverse("contracts:list")).content.decode()
    # 30 251,84 + 17,51 − 10 000,00 + 18 902,27 = 39 171,62
    assert "39\u00a0171,62\u00a0₽" in page
    assert "20\u00a0269,35\u00a0₽" in page  # 05 Т
    assert "18\u00a0902,27\u00a0₽" in page  # 07 Т
    assert "включая пени 17,51\u00a0₽" in page


def test_simple_search_finds_by_object_in_any_case(client, alice, romashka, mine):
    other = contract(party=romashka, number="07 Т")
    SupplyObject.objects.filter(contract=other).update(name="Склад Ёлочка", address="ул. Лесная")
    client.force_login(alice)
    page = client.get(reverse("contracts:list"), {"q": "елочка"}).content.decode()
    assert "07 Т" in page and "05 Т" not in page
    page = client.get(reverse("contracts:list"), {"q": "СКЛАД"}).content.decode()
    assert "07 Т" in page and "05 Т" not in page


def test_advanced_search_by_state_address_and_period(client, alice, romashka, mine):
    old = contract(party=romashka, number="01 Т", state=Contract.State.TERMINATED)
    Contract.objects.filter(pk=old.pk).update(ends_on=date(2019, 12, 31))
    client.force_login(alice)
    page = client.get(reverse("contracts:list"), {"state": "terminated"}).content.decode()
    assert "01 Т" in page and "05 Т" not in page
    page = client.get(
        reverse("contracts:list"), {"active_from": "2025-01-01", "active_to": "2025-12-31"}
    ).content.decode()
    assert "05 Т" in page and "01 Т" not in page
    page = client.get(reverse("contracts:list"), {"address": "садовая"}).content.decode()
    assert "05 Т" in page and "01 Т" in page
    bad = client.get(
        reverse("contracts:list"), {"active_from": "2025-12-31", "active_to": "2025-01-01"}
    ).content.decode()
    assert "Конец периода раньше начала." in bad


def test_the_list_of_500_contracts_costs_a_fixed_number_of_queries(
    client, alice, romashka, django_assert_max_num_queries
):
    accounts = PersonalAccount.objects.bulk_create(
        PersonalAccount(number=f"8{n:08d}") for n in range(500)
    )
    Contract.objects.bulk_create(
        Contract(
            number=f"{n:05d}",
            signed_on=date(2015, 1, 1),
            kind=Contract.Kind.HEAT,
            product=Contract.Product.HEAT,
            starts_on=date(2015, 1, 1),
            customer_name="ООО «Ромашка»",
            customer_inn=romashka.inn,
            party=romashka,
            account=acc,
        )
        for n, acc in enumerate(accounts)
    )
    for acc in accounts[:60]:
        charge(acc, date(2026, 9, 1), 100000)
    client.force_login(alice)
    # Session and user (2), count and page (2), debts of the page and of all (4), the
    # organisation and requests (2), the header's counters and menu (6), session upkeep:
    # the same at 5 contracts as at 500.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("contracts:list"))
    page = response.content.decode()
    assert "Страница 1 из 10" in page and "60\u00a0000,00\u00a0₽" in page
    with django_assert_max_num_queries(20):
        assert client.get(reverse("contracts:list"), {"q": "0049", "page": "1"}).status_code == 200


# --- objects, КУУТЭ and their archive, normative data -----------------------------------


def test_unit_archive_and_its_export(client, alice, mine):
    unit = mine.units.get()
    UnitReading.objects.create(
        unit=unit, period=date(2026, 10, 1), heat_gcal=Decimal("12.3456"), hours_in_service=744
    )
    client.force_login(alice)
    page = client.get(reverse("contracts:unit", args=[unit.uuid])).content.decode()
    assert "12,3456" in page and "Октябрь 2026" in page
    csv = client.get(reverse("contracts:unit", args=[unit.uuid]), {"format": "csv"})
    assert "12,3456" in csv.content.decode("utf-8-sig")


def test_normative_reading_is_kept_and_replaced(alice, mine):
    obj = mine.supply_objects.get()
    args = dict(user=alice, supply_object=obj, kind="ipu", premises="кв. 5", meter_number="A1")
    normative.normative_submit(period=date(2026, 11, 1), value=Decimal("10.5"), today=TODAY, **args)
    normative.normative_submit(
        period=date(2026, 11, 1), value=Decimal("11.25"), today=TODAY, **args
    )
    assert NormativeReading.objects.get().value == Decimal("11.25")
    with pytest.raises(DomainError, match="два предыдущих"):
        normative.normative_submit(period=date(2026, 7, 1), value=Decimal("1"), today=TODAY, **args)
    with pytest.raises(DomainError, match="будущий"):
        normative.normative_submit(
            period=date(2026, 12, 1), value=Decimal("1"), today=TODAY, **args
        )


def test_normative_form_keeps_input_on_error(client, alice, mine):
    obj = mine.supply_objects.get()
    client.force_login(alice)
    response = client.post(
        reverse("contracts:normative", args=[obj.uuid]),
        {"period": "2026-11", "kind": "ipu", "premises": "", "meter_number": "A1", "value": "abc"},
    )
    page = response.content.decode()
    assert "Введите число" in page and "Для ИПУ укажите помещение." in page
    assert 'value="A1"' in page
    assert not NormativeReading.objects.exists()


def test_objects_search(client, alice, romashka, mine):
    other = contract(party=romashka, number="07 Т")
    SupplyObject.objects.filter(contract=other).update(name="Котельная", address="пр. Невский")
    client.force_login(alice)
    page = client.get(reverse("contracts:objects"), {"q": "невский"}).content.decode()
    assert "Котельная" in page and "Административное здание" not in page


def test_request_template_is_a_pdf(client, alice, romashka):
    client.force_login(alice)
    response = client.get(reverse("contracts:request_template"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_statement_upload_keeps_nothing_when_refused(alice, uploads_dir):
    from kabinet.contracts.services.cabinet import contract_request_create

    fake = SimpleUploadedFile("заявление.pdf", b"not a pdf at all", "application/pdf")
    with pytest.raises(DomainError):
        contract_request_create(user=alice, inn=OTHER_INN, number="123", statement=fake)
    assert not list(uploads_dir.rglob("*.*")) and not any(
        p.is_file() for p in uploads_dir.rglob("*")
    )


def test_staff_accept_and_reject_reports_from_their_queue(client, alice, staff, mine, uploads_dir):
    from kabinet.contracts.models import ConsumptionReport

    point = mine.points.get()
    reports = [
        ConsumptionReport.objects.create(
            point=point,
            period=date(2026, month, 1),
            consumption=Decimal("12.50"),
            read_on=date(2026, month, 24),
            scan_name="отчёт.pdf",
            scan_type="application/pdf",
            scan_size=10,
            submitted_by=alice,
        )
        for month in (9, 10)
    ]
    url = reverse("contracts_staff:reports")
    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "12,50" in page and "Сентябрь 2026" in page
    client.post(url, {"report": reports[0].uuid, "action": "accept", "accepted": "12,1"})
    client.post(url, {"report": reports[1].uuid, "action": "reject", "note": ""})
    reports[1].refresh_from_db()
    assert reports[1].status == "sent"  # a rejection needs its reason
    client.post(url, {"report": reports[1].uuid, "action": "reject", "note": "Нет подписи"})
    for r in reports:
        r.refresh_from_db()
    assert (reports[0].status, reports[0].accepted_consumption) == ("accepted", Decimal("12.10"))
    assert (reports[1].status, reports[1].note, reports[1].decided_by) == (
        "rejected",
        "Нет подписи",
        staff,
    )


def test_staff_see_every_subscribers_contracts_without_a_total(client, staff, mine, theirs):
    client.force_login(staff)
    page = client.get(reverse("contracts:list")).content.decode()
    assert "05 Т" in page and theirs.number in page and "АО «Лютик»" in page
    assert "Текущая задолженность" not in page


def test_a_contracts_invoices_open_as_the_signed_pdf(client, alice, mine):
    from kabinet.billing.models import IssuedDocument

    IssuedDocument.objects.create(
        account=mine.account,
        kind=IssuedDocument.Kind.INVOICE_FACTURA,
        number="702200101/70",
        period=date(2026, 10, 1),
        issued_on=date(2026, 10, 31),
        charged_kopecks=1890227,
        amount_kopecks=1890227,
        snapshot={},
    )
    client.force_login(alice)
    page = client.get(
        reverse("billing:documents", args=[mine.account.uuid]),
        {"period_from": "2026-01", "period_to": "2026-10"},
    ).content.decode()
    signed = reverse("contracts:document", args=[mine.uuid, "factura", "2026-10"])
    assert "№ 702200101/70" in page and f'href="{signed}"' in page
    assert "Счёт-фактура" in page


def test_an_appeal_about_a_contract(client, alice, charlie, staff, romashka, mine):
    from kabinet.appeals.models import Appeal
    from kabinet.appeals.services import appeal_open, appeal_topics

    client.force_login(alice)
    page = client.get(reverse("appeals:new")).content.decode()
    assert "Лицевой счёт или договор" in page and "Договор № 05 Т" in page
    appeal = appeal_open(
        user=alice, topic=appeal_topics()[0], text="Прошу акт сверки", account=mine.account
    )
    assert appeal.subject == "Договор № 05 Т"
    assert "Договор № 05 Т" in client.get(reverse("appeals:list")).content.decode()
    client.force_login(staff)
    assert "Договор № 05 Т" in client.get(reverse("appeals_staff:queue")).content.decode()
    bob = member(romashka)  # read-only: cannot write about the contract
    with pytest.raises(DomainError):
        appeal_open(user=bob, topic=appeal_topics()[0], text="Вопрос", account=mine.account)
    with pytest.raises(DomainError):
        appeal_open(user=charlie, topic=appeal_topics()[0], text="Вопрос", account=mine.account)
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(("role", "answered"), [("operator", True), ("billing", False)])
def test_only_the_appeals_desk_answers_a_curator_chat(client, mine, role, answered):
    """A billing specialist reads the contract but cannot answer for the utility: 403."""
    client.force_login(make_user(login=f"{role}-2", staff=True, role=role))
    assert client.get(reverse("contracts:detail", args=[mine.uuid])).status_code == 200
    response = client.post(reverse("contracts:chat", args=[mine.uuid]), {"text": "Ответ"})
    mine.refresh_from_db()
    if answered:
        assert response.status_code == 302
        assert mine.conversation.messages.get().text == "Ответ"
    else:
        assert response.status_code == 403
        assert "Нет доступа" in response.content.decode()
        assert mine.conversation_id is None


def test_the_chat_and_request_services_check_the_role_too(alice, mine):
    from kabinet.contracts.models import ContractRequest
    from kabinet.contracts.services import cabinet

    billing = make_user(login="billing-3", staff=True, role="billing")
    with pytest.raises(DomainError):
        cabinet.contract_chat_answer(staff=billing, contract=mine, text="Ответ")
    request = ContractRequest(user=alice)
    with pytest.raises(DomainError):
        cabinet.contract_request_approve(by=billing, request=request)
    mine.refresh_from_db()
    assert mine.conversation_id is None
