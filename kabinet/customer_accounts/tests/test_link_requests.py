"""Requests to link an account through staff (000 §2.3.1), and staff linking and
unlinking an account for a customer: the services."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from kabinet.core.errors import DomainError
from kabinet.core.models import AuditEntry
from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import AccountLinkEvent, AccountLinkRequest
from kabinet.customer_accounts.tests.factories import account
from kabinet.notifications.models import Notice

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def operator(db):
    return make_user(login="operator-1", staff=True, role="operator", display_name="Петрова")


@pytest.fixture
def acc():
    return account(number="100000001")


def file_request(user, number="100000001", **extra):
    fields = {
        "address": "Санкт-Петербург, Садовая улица, д. 5, кв. 12",
        "holder_name": "Иванов Иван Иванович",
        "phone": "+79110000011",
    }
    fields.update(extra)
    return services.account_link_request_create(user=user, number=number, **fields)


def test_create_finds_the_account_and_sets_the_deadline(alice, acc, uploads_dir):
    scan = SimpleUploadedFile("квитанция.pdf", PDF, content_type="application/pdf")
    row = file_request(
        alice, number=" 100 000 001 ", document=scan, today=date(2026, 11, 2), details="мамина"
    )
    row.refresh_from_db()
    assert (row.number, row.account, row.status) == ("100000001", acc, "pending")
    assert row.due == date(2026, 11, 9)  # the profile's 5 working days from a Monday
    assert row.document_name == "квитанция.pdf" and row.document_type == "application/pdf"
    assert (uploads_dir / row.document.name).read_bytes() == PDF
    entry = AuditEntry.objects.get(action="account_link_request_create")
    assert entry.actor == alice and entry.subject == alice


def test_a_number_nobody_has_is_taken_without_saying_so(alice):
    row = file_request(alice, number="999999999")
    assert row.account is None and row.status == "pending"


def test_one_pending_request_per_number(alice, charlie, acc):
    file_request(alice)
    with pytest.raises(DomainError) as exc:
        file_request(alice, number="100 000 001")
    assert exc.value.field == "number" and "уже подана" in exc.value.message
    file_request(charlie)  # another cabinet may ask for it too: staff decide
    assert AccountLinkRequest.objects.count() == 2


def test_refused_request_may_be_sent_again(alice, operator, acc):
    row = file_request(alice)
    services.account_link_request_refuse(staff=operator, request=row, reason="Нет документов")
    assert file_request(alice).status == "pending"


def test_an_account_already_in_the_cabinet_is_not_requested(alice, acc):
    acc.owner = alice
    acc.save()
    with pytest.raises(DomainError) as exc:
        file_request(alice)
    assert exc.value.field == "number" and "уже есть в вашем кабинете" in exc.value.message


@pytest.mark.parametrize(
    ("name", "content"),
    [("скан.exe", b"MZ..."), ("скан.pdf", b"not a pdf"), ("скан.docx", b"PK\x03\x04")],
)
def test_a_document_that_is_not_a_scan_is_refused_and_nothing_kept(
    alice, acc, uploads_dir, name, content
):
    with pytest.raises(DomainError) as exc:
        file_request(alice, document=SimpleUploadedFile(name, content))
    assert exc.value.field == "document"
    assert not AccountLinkRequest.objects.exists()
    assert not uploads_dir.exists() or not any(p.is_file() for p in uploads_dir.rglob("*"))


def test_approve_links_the_account_and_records_it(alice, operator, acc):
    row = file_request(alice)
    linked = services.account_link_request_approve(staff=operator, request=row)
    acc.refresh_from_db()
    row.refresh_from_db()
    assert linked == acc and acc.owner == alice and acc.linked_at is not None
    assert (row.status, row.decided_by, row.account) == ("approved", operator, acc)
    event = AccountLinkEvent.objects.get(account=acc)
    assert (event.user, event.action, event.proof) == (alice, "linked", "request")
    entry = AuditEntry.objects.get(action="account_link_request_approve")
    assert (entry.actor, entry.subject) == (operator, alice)
    assert entry.changes["status"] == ["pending", "approved"]
    notice = Notice.objects.get(user=alice)
    assert "100000001" in notice.title and notice.url == "/accounts/?all=1"


def test_approve_twice_says_it_is_decided(alice, operator, acc):
    row = file_request(alice)
    services.account_link_request_approve(staff=operator, request=row)
    with pytest.raises(DomainError) as exc:
        services.account_link_request_approve(staff=operator, request=row)
    assert "уже рассмотрена" in exc.value.message


def test_approve_refuses_an_account_linked_elsewhere(alice, charlie, operator, acc):
    row = file_request(alice)
    acc.owner = charlie
    acc.save()
    with pytest.raises(DomainError) as exc:
        services.account_link_request_approve(staff=operator, request=row)
    assert "уже привязан к другому личному кабинету" in exc.value.message
    acc.refresh_from_db()
    row.refresh_from_db()
    assert acc.owner == charlie and row.status == "pending"
    assert not AccountLinkEvent.objects.exists() and not Notice.objects.exists()
    assert not AuditEntry.objects.filter(action="account_link_request_approve").exists()


def test_approve_without_such_account_asks_to_refuse(alice, operator):
    row = file_request(alice, number="999999999")
    with pytest.raises(DomainError) as exc:
        services.account_link_request_approve(staff=operator, request=row)
    assert "Лицевого счёта № 999999999 нет" in exc.value.message


def test_refuse_records_the_reason_and_tells_the_customer(alice, operator, acc):
    row = file_request(alice)
    with pytest.raises(DomainError) as exc:
        services.account_link_request_refuse(staff=operator, request=row, reason="  ")
    assert exc.value.field == "reason"
    services.account_link_request_refuse(
        staff=operator, request=row, reason="Владелец счёта — другое лицо"
    )
    row.refresh_from_db()
    acc.refresh_from_db()
    assert (row.status, row.reason, row.decided_by) == (
        "refused",
        "Владелец счёта — другое лицо",
        operator,
    )
    assert acc.owner is None
    entry = AuditEntry.objects.get(action="account_link_request_refuse")
    assert entry.note == "Владелец счёта — другое лицо" and entry.subject == alice
    assert "Владелец счёта — другое лицо" in Notice.objects.get(user=alice).text
    with pytest.raises(DomainError):
        services.account_link_request_approve(staff=operator, request=row)


@pytest.mark.parametrize("role", ["engineer", "billing"])
def test_staff_without_access_area_cannot_decide_or_link(alice, acc, role):
    other = make_user(login=f"{role}-x", staff=True, role=role)
    row = file_request(alice)
    calls = [
        lambda: services.account_link_request_approve(staff=other, request=row),
        lambda: services.account_link_request_refuse(staff=other, request=row, reason="нет"),
        lambda: services.account_link_by_staff(staff=other, user=alice, account=acc),
        lambda: services.account_unlink_by_staff(staff=other, account=acc, reason="нет"),
    ]
    for call in calls:
        with pytest.raises(DomainError):
            call()
    row.refresh_from_db()
    acc.refresh_from_db()
    assert row.status == "pending" and acc.owner is None


def test_a_customer_cannot_decide(alice, acc):
    row = file_request(alice)
    with pytest.raises(DomainError):
        services.account_link_request_approve(staff=alice, request=row)


def test_staff_link_and_unlink_for_a_customer(alice, charlie, operator, acc):
    services.account_link_by_staff(staff=operator, user=alice, account=acc)
    acc.refresh_from_db()
    assert acc.owner == alice
    with pytest.raises(DomainError) as exc:
        services.account_link_by_staff(staff=operator, user=charlie, account=acc)
    assert "уже привязан к другому личному кабинету" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.account_unlink_by_staff(staff=operator, account=acc, reason="")
    assert exc.value.field == "reason"
    services.account_unlink_by_staff(staff=operator, account=acc, reason="Продал квартиру")
    acc.refresh_from_db()
    assert acc.owner is None and acc.linked_at is None
    assert list(AccountLinkEvent.objects.values_list("action", "user", "proof")) == [
        ("unlinked", alice.pk, ""),
        ("linked", alice.pk, "staff"),
    ]
    entries = AuditEntry.objects.filter(subject=alice).order_by("id")
    assert [e.action for e in entries] == ["account_link_by_staff", "account_unlink_by_staff"]
    assert entries[1].note == "Продал квартиру" and entries[1].actor == operator
    titles = list(Notice.objects.filter(user=alice).order_by("id").values_list("title", "text"))
    assert "добавлен" in titles[0][0] and titles[1][1] == "Причина: Продал квартиру"
    with pytest.raises(DomainError) as exc:
        services.account_unlink_by_staff(staff=operator, account=acc, reason="ещё раз")
    assert "не привязан" in exc.value.message


def test_staff_do_not_link_to_staff(operator, acc):
    with pytest.raises(DomainError):
        services.account_link_by_staff(staff=operator, user=operator, account=acc)


def test_the_customer_link_uses_the_same_rule_and_journal(alice, charlie, acc):
    code = services.activation_code_issue(account=acc)
    services.account_link(
        user=alice, number="100000001", proof=services.ActivationCodeProof(code=code)
    )
    assert AuditEntry.objects.get(action="account_link").subject == alice
    services.account_unlink(user=alice, account=acc)
    assert AuditEntry.objects.filter(action="account_unlink", actor=alice).exists()


def test_linking_another_way_settles_the_pending_request(alice, operator, acc):
    row = file_request(alice)
    code = services.activation_code_issue(account=acc)
    services.account_link(
        user=alice, number="100000001", proof=services.ActivationCodeProof(code=code)
    )
    row.refresh_from_db()
    assert (row.status, row.account, row.decided_by) == ("approved", acc, None)
    services.account_unlink(user=alice, account=acc)
    again = file_request(alice)
    services.account_link_by_staff(staff=operator, user=alice, account=acc)
    again.refresh_from_db()
    assert (again.status, again.decided_by) == ("approved", operator)


def test_at_most_five_requests_wait_at_a_time(alice):
    for n in range(5):
        file_request(alice, number=f"10000001{n}")
    with pytest.raises(DomainError) as exc:
        file_request(alice, number="100000019")
    assert "5 заявок на рассмотрении" in exc.value.message
    assert AccountLinkRequest.objects.filter(user=alice).count() == 5
