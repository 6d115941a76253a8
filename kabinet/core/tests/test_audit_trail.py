"""Журнал действий (issue 9): the real services write one line each, in their own
transaction — who, what, whose data, the old and the new values — and a refused
action writes nothing."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PASSWORD
from kabinet.core.errors import DomainError
from kabinet.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Other-Secret-2027"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    settings.KABINET_INTEGRATION_UPLOADS_DIR = str(tmp_path / "integration")


def only(action: str) -> AuditEntry:
    """The one line of ``action`` in the journal."""
    [entry] = AuditEntry.objects.filter(action=action)
    return entry


# --- identity ---------------------------------------------------------------------------


def test_a_password_change_is_recorded_without_the_password(alice):
    from kabinet.identity.services import password_change

    password_change(user=alice, current=PASSWORD, new=NEW_PASSWORD, keep_session_key=None)
    entry = only("password_change")
    assert (entry.actor, entry.subject) == (alice, alice)
    assert entry.changes == {"password": ["***", "***"]}
    alice.refresh_from_db()
    assert alice.password not in json.dumps(entry.changes) + entry.note
    assert entry.label == "Пароль изменён"


def test_a_refused_password_change_writes_nothing(alice):
    from kabinet.identity.services import password_change

    with pytest.raises(DomainError):
        password_change(user=alice, current="не тот", new=NEW_PASSWORD, keep_session_key=None)
    assert not AuditEntry.objects.exists()


def test_a_members_rights_change_keeps_old_and_new(alice, charlie):
    from kabinet.contracts.tests.factories import organisation
    from kabinet.identity.models import PartyMember
    from kabinet.identity.services.members import member_set_rights

    party = organisation(alice)
    member = PartyMember.objects.create(party=party, user=charlie, rights="read", added_by=alice)
    member_set_rights(by=alice, member=member, rights="full")
    entry = only("member_set_rights")
    assert (entry.actor, entry.subject) == (alice, alice)
    assert entry.changes == {"rights": ["read", "full"]}
    with pytest.raises(DomainError):  # only the holder may
        member_set_rights(by=charlie, member=member, rights="read")
    assert AuditEntry.objects.filter(action="member_set_rights").count() == 1


def test_an_email_change_keeps_the_old_address_and_not_the_code(
    alice, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    from kabinet.identity.services import Client, email_change_confirm, email_change_request

    client = Client(ip="127.0.0.1", user_agent="pytest")
    with django_capture_on_commit_callbacks(execute=True):
        email_change_request(user=alice, email="alice.new@example.ru", client=client)
    assert not AuditEntry.objects.exists()  # a code sent changes nothing yet
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    email_change_confirm(user=alice, email="alice.new@example.ru", code=code)
    entry = only("email_change")
    assert (entry.actor, entry.subject) == (alice, alice)
    assert entry.changes == {"email": ["alice@example.ru", "alice.new@example.ru"]}
    assert code not in json.dumps(entry.changes) + entry.note


# --- personal accounts ------------------------------------------------------------------


def test_unlinking_an_account_is_recorded(alice, charlie):
    from kabinet.customer_accounts.services import account_unlink
    from kabinet.customer_accounts.tests.factories import account

    acc = account(owner=alice)
    with pytest.raises(DomainError):
        account_unlink(user=charlie, account=acc)
    assert not AuditEntry.objects.exists()
    account_unlink(user=alice, account=acc)
    entry = only("account_unlink")
    assert (entry.actor, entry.subject, entry.target_label) == (alice, alice, acc.number)
    assert entry.changes == {"owner_id": [alice.pk, None]}


# --- appeals ----------------------------------------------------------------------------


def test_a_staff_answer_is_one_line_with_the_status_move(alice, staff):
    from kabinet.appeals.services import appeal_answer
    from kabinet.appeals.tests.factories import appeal

    item = appeal(alice)
    assert not AuditEntry.objects.exists()  # a customer's new appeal is not journalled
    appeal_answer(staff=staff, appeal=item, text="Начисление верное.")
    entry = only("appeal_answer")
    assert (entry.actor, entry.subject) == (staff, alice)
    assert entry.changes == {"status": ["new", "answered"]}
    assert entry.note == "Начисление верное."
    assert AuditEntry.objects.count() == 1


def test_a_customer_cannot_answer_and_nothing_is_written(alice):
    from kabinet.appeals.services import appeal_answer
    from kabinet.appeals.tests.factories import appeal

    item = appeal(alice)
    with pytest.raises(DomainError):
        appeal_answer(staff=alice, appeal=item, text="Сам себе отвечу")
    assert not AuditEntry.objects.exists()


def test_a_staff_status_move_of_an_appeal(alice, staff):
    from kabinet.appeals.services import appeal_transition
    from kabinet.appeals.tests.factories import appeal

    item = appeal(alice)
    with pytest.raises(DomainError):  # not from «новое» straight to «в работе»
        appeal_transition(appeal=item, to="in_work", by=staff)
    appeal_transition(appeal=item, to="registered", by=staff, comment="Принято")
    entry = only("appeal_transition")
    assert (entry.actor, entry.subject, entry.note) == (staff, alice, "Принято")
    assert entry.changes == {"status": ["new", "registered"]}


# --- contracts --------------------------------------------------------------------------


def test_a_refused_contract_request_keeps_the_reason(alice, staff):
    from kabinet.appeals.tests.samples import PDF
    from kabinet.contracts.services import cabinet
    from kabinet.contracts.tests.factories import INN, contract

    contract(number="05 Т")
    request = cabinet.contract_request_create(
        user=alice,
        inn=INN,
        number="05 Т",
        statement=SimpleUploadedFile("заявление.pdf", PDF, "application/pdf"),
    )
    with pytest.raises(DomainError):
        cabinet.contract_request_refuse(by=staff, request=request, reason=" ")
    assert not AuditEntry.objects.exists()
    cabinet.contract_request_refuse(by=staff, request=request, reason="Не подписано")
    entry = only("contract_request_refuse")
    assert (entry.actor, entry.subject) == (staff, alice)
    assert entry.changes == {"status": ["pending", "refused"]}
    assert entry.note == "Не подписано"


def test_an_accepted_consumption_report_names_the_contracts_holder(alice, staff):
    from kabinet.contracts.models import ConsumptionReport
    from kabinet.contracts.services.reports import report_accept
    from kabinet.contracts.tests.factories import contract, organisation

    con = contract(party=organisation(alice))
    report = ConsumptionReport.objects.create(
        point=con.points.get(),
        period=date(2026, 3, 1),
        consumption=Decimal("100.50"),
        read_on=date(2026, 3, 19),
        scan="report.pdf",
        scan_name="report.pdf",
        scan_type="application/pdf",
        scan_size=10,
        submitted_by=alice,
    )
    with pytest.raises(DomainError):
        report_accept(by=staff, report=report, accepted_consumption=Decimal("-1"))
    report_accept(by=staff, report=report, accepted_consumption=Decimal("98.40"), note="по акту")
    entry = only("report_accept")
    assert (entry.actor, entry.subject) == (staff, alice)
    assert entry.changes == {
        "status": ["sent", "accepted"],
        "accepted_consumption": [None, "98.40"],
        "note": ["", "по акту"],
    }


# --- metering ---------------------------------------------------------------------------


def test_a_rejected_reading_names_the_owner(alice, staff):
    from kabinet.metering.models import Reading
    from kabinet.metering.services import reading_reject
    from kabinet.metering.tests import factories as f

    meter = f.meter(f.account(owner=alice))
    reading = Reading.objects.create(
        meter=meter,
        zone=Reading.Zone.TOTAL,
        period=f.PERIOD,
        value=Decimal("105"),
        source=Reading.Source.CUSTOMER,
        status=Reading.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    with pytest.raises(DomainError):  # a customer may not
        reading_reject(user=alice, reading=reading, reason="нет")
    reading_reject(user=staff, reading=reading, reason="Фото не совпадает")
    entry = only("reading_reject")
    assert (entry.actor, entry.subject) == (staff, alice)
    assert entry.changes == {"status": ["submitted", "rejected"]}
    assert entry.note == "Фото не совпадает"


def test_a_customers_verification_date_change_is_recorded(alice):
    from kabinet.metering.services import meter_verify
    from kabinet.metering.tests import factories as f

    meter = f.meter(f.account(owner=alice), verified_until=date(2030, 1, 1))
    with pytest.raises(DomainError):  # not later than the current one
        meter_verify(by=alice, meter=meter, verified_until=date(2029, 1, 1))
    assert not AuditEntry.objects.exists()
    meter_verify(by=alice, meter=meter, verified_until=date(2036, 5, 1), comment="Поверка ЦСМ")
    entry = only("meter_verify")
    assert (entry.actor, entry.subject, entry.note) == (alice, alice, "Поверка ЦСМ")
    assert entry.changes == {"verified_until": ["2030-01-01", "2036-05-01"]}


def test_an_imported_meter_is_not_journalled_row_by_row():
    from kabinet.metering.services import meter_register
    from kabinet.metering.tests import factories as f

    meter_register(by=None, account=f.account(), number="0001")
    assert not AuditEntry.objects.exists()


# --- applications -----------------------------------------------------------------------


@pytest.fixture
def filed(alice, settings):
    from kabinet.applications.tests import factories

    settings.KABINET_UTILITY = "gorseti_tomsk"
    return factories.filed(alice)


def test_an_application_refusal_and_an_info_request(alice, staff, filed):
    from kabinet.applications.services.card import info_request_ask
    from kabinet.applications.services.workflow import application_transition

    assert not AuditEntry.objects.exists()  # filing is the applicant's own
    info_request_ask(staff=staff, application=filed, text="Приложите выписку из ЕГРН.")
    ask = only("info_request_ask")
    assert (ask.actor, ask.subject, ask.note) == (staff, alice, "Приложите выписку из ЕГРН.")
    with pytest.raises(DomainError):  # a refusal needs its reason
        application_transition(application=filed, to="refused", by=staff)
    application_transition(application=filed, to="refused", by=staff, comment="Нет мощности")
    entry = only("application_transition")
    assert (entry.actor, entry.subject, entry.note) == (staff, alice, "Нет мощности")
    assert entry.changes == {"status": ["registered", "refused"]}
    assert entry.target_label == f"Заявка № {filed.number}"


# --- outages and news -------------------------------------------------------------------


def test_an_outage_entered_by_staff(staff):
    from kabinet.outages.tests import factories as of

    start = timezone.localdate() + timedelta(days=5)
    outage = of.outage(of.house(), start=start, days=3, by=staff)
    entry = only("outage_create")
    assert entry.actor == staff and entry.subject is None
    assert entry.target_id == str(outage.pk)
    assert entry.changes == {
        "starts_on": [None, start.isoformat()],
        "ends_on": [None, (start + timedelta(days=3)).isoformat()],
    }


def test_an_outages_load_is_one_line_with_its_counts():
    from kabinet.outages.services import outages_load

    report = outages_load(rows=[{"id": ""}, {"id": ""}])
    assert len(report.rejected) == 2
    entry = only("outages_load")
    assert entry.actor is None and entry.actor_label == "Система"
    assert entry.note == "Добавлено: 0, изменено: 0, без изменений: 0, с ошибками: 2."


def test_a_news_correction_keeps_the_old_title(staff):
    from kabinet.news.services import news_publish, news_update

    news = news_publish(title="Старый", text="Текст", by=staff)
    with pytest.raises(DomainError):
        news_update(news=news, title="", text="Текст", published_at=news.published_at, by=staff)
    news_update(news=news, title="Новый", text="Текст", published_at=news.published_at, by=staff)
    entry = only("news_update")
    assert entry.actor == staff
    assert entry.changes == {"title": ["Старый", "Новый"]}
    assert only("news_publish").changes["title"] == [None, "Старый"]


# --- billing and payments ---------------------------------------------------------------


def test_a_billing_run_start(staff, django_capture_on_commit_callbacks):
    from kabinet.billing.services import billing_run_start

    period = date(2026, 1, 1)
    with pytest.raises(DomainError):  # the month is not over
        billing_run_start(by=staff, kind="accrual", period=timezone.localdate())
    assert not AuditEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        run = billing_run_start(by=staff, kind="accrual", period=period)
    entry = only("billing_run_start")
    assert entry.actor == staff and entry.target_id == str(run.pk)
    assert entry.changes == {"kind": [None, "accrual"], "period": [None, "2026-01-01"]}


def test_a_customers_paperless_choice(alice):
    from kabinet.billing.services import receipt_delivery_set
    from kabinet.customer_accounts.tests.factories import account

    acc = account(owner=alice)
    receipt_delivery_set(user=alice, account=acc, paperless=True, email="alice@example.ru")
    entry = only("receipt_delivery_set")
    assert (entry.actor, entry.subject) == (alice, alice)
    assert entry.changes == {"paperless": [False, True], "email": ["", "alice@example.ru"]}


def test_a_saved_card_deleted_and_an_autopay_set(alice, charlie):
    from kabinet.customer_accounts.tests.factories import account
    from kabinet.payments.models import SavedCard
    from kabinet.payments.services import autopay_set, card_delete

    card = SavedCard.objects.create(user=alice, provider="test", method_id="pm", title="Visa 4242")
    acc = account(owner=alice)
    autopay_set(user=alice, account=acc, card=card, day=20, ceiling_kopecks=300000)
    setup = only("autopay_set")
    assert (setup.actor, setup.subject) == (alice, alice)
    assert setup.changes == {
        "day": [None, 20],
        "ceiling_kopecks": [None, 300000],
        "card": [None, card.pk],
    }
    with pytest.raises(DomainError):
        card_delete(user=charlie, card=card)
    card_delete(user=alice, card=card)
    entry = only("card_delete")
    assert (entry.actor, entry.subject, entry.target_label) == (alice, alice, "Visa 4242")
    assert entry.changes["deleted_at"][0] is None and entry.changes["deleted_at"][1]
    assert entry.note == "Отменено автоплатежей: 1."


# --- imports ----------------------------------------------------------------------------


def test_an_import_is_one_line_per_batch_not_per_row(staff):
    from kabinet.integration import services
    from kabinet.metering.tests import factories as f

    meters = [f.meter(f.account(), decimals=2) for _ in range(3)]
    lines = ["account;meter;zone;period;value;source;taken_at"]
    for i, m in enumerate(meters):
        lines.append(f"{m.account.number};{m.number};;2026-03;{1000 + i},5;billing;20.03.2026")
    lines.append("999;nope;;2026-03;1;billing;20.03.2026")
    upload = SimpleUploadedFile("readings.csv", "\n".join(lines).encode())
    batch = services.import_upload(staff=staff, kind="readings", upload=upload)
    assert only("import_upload").actor == staff
    batch = services.import_apply(batch=services.import_preview(batch=batch))
    entry = only("import_apply")
    assert entry.actor is None and entry.actor_label == "Система"
    assert entry.target_id == str(batch.pk)
    assert entry.changes["created"] == [None, 3]
    assert entry.changes["rejected"] == [None, 1]
    assert entry.changes["total"] == [None, 4]
    assert AuditEntry.objects.count() == 2  # no line per row


def test_every_action_code_written_by_a_service_has_a_russian_label():
    """A code without a label shows as it is: each one a service writes must have one."""
    import re
    from pathlib import Path

    import kabinet
    from kabinet.core.audit import ACTIONS

    written = set()
    for path in Path(kabinet.__file__).parent.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "audit_record(" not in text:
            continue
        for line in re.findall(r"\baction=([^\n]*)", text):
            written |= set(re.findall(r'"([a-z]+(?:_[a-z]+)+)"', line))
        written |= set(re.findall(r'MeterEvent\.Action\.\w+: "([a-z_]+)"', text))
    assert {"appeal_ask", "meter_verify", "import_apply"} <= written
    assert sorted(written - set(ACTIONS)) == []
