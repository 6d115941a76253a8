"""Выпуск квитанций: one document per account and period whose frozen snapshot says what
the ledger says; issued again it changes only when the ledger did; sent by e-mail once
to each address where the customer chose paperless receipts, failures kept for staff."""

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kabinet.billing import selectors, services
from kabinet.billing.models import Charge, IssuedDocument, ReceiptDelivery, ReceiptMailing
from kabinet.billing.tasks import mail_receipt
from kabinet.billing.tests import factories as f
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months
from kabinet.core.utility import get_utility

pytestmark = pytest.mark.django_db

P = date(2026, 3, 1)
ISSUED = date(2026, 4, 2)
POWER = "Электроэнергия"


@pytest.fixture
def acc(alice):
    """Alice's account for March 2026: a meter read in February and March, an old debt
    (so there are пени) and a payment in March."""
    f.tariff(POWER, 550)
    a = f.account(owner=alice, people=2)
    m = f.meter(a, number="0123456")
    f.accepted(m, date(2026, 2, 1), "1000")
    f.accepted(m, P, "1130.5")
    f.charge(a, date(2026, 1, 1), 5000_00)
    f.payment(a, date(2026, 3, 10), 1000_00)
    f.payment(a, date(2026, 4, 1), 7_00)  # April's: not on March's receipt
    services.accrual_for_account(account=a, period=P)
    return a


def issue(account, today=ISSUED):
    return services.receipt_issue(account=account, period=P, today=today)


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_the_receipt_says_what_the_ledger_says(acc):
    doc, changed = issue(acc)

    s = doc.snapshot
    assert changed and IssuedDocument.objects.get() == doc
    assert (doc.kind, doc.period, doc.issued_on) == ("receipt", P, ISSUED)
    assert doc.number == s["number"] == f"{acc.number}-202603"
    [row] = selectors.periods(account=acc, first=P, last=P)
    assert s["opening_debt_kopecks"] == row.opening == 5000_00
    assert s["paid_kopecks"] == row.paid == 1000_00
    assert s["charged_kopecks"] == row.charged == doc.charged_kopecks == 71775 + 10850
    assert s["penalties_kopecks"] == row.penalties == 10850  # 5 000 ₽ × 0,0007 × 31
    assert s["total_kopecks"] == doc.amount_kopecks == max(row.closing, 0)
    assert s["total_kopecks"] == 5000_00 - 1000_00 + 71775 + 10850
    assert [(line["service"], line["kind"], line["amount_kopecks"]) for line in s["lines"]] == [
        (POWER, "charge", 71775),
        ("Пени", "penalty", 10850),
    ]
    assert s["lines"][0]["volume"] == "130.5000" and s["lines"][0]["tariff_kopecks"] == 550
    assert s["readings"] == [
        {
            "meter": "0123456",
            "zone": "сутки",
            "previous": "1\u00a0000",
            "current": "1\u00a0130,5",
            "consumption": "130,5",
            "unit": "кВт·ч",
        }
    ]
    profile = get_utility()
    assert s["payee"]["short_name"] == profile.short_name
    assert s["payee"]["inn"] == profile.requisites.inn
    assert s["payee"]["settlement_account"] == profile.requisites.settlement_account
    assert s["payee"]["bik"] == profile.requisites.bik
    assert s["payer"] == {
        "name": "Смирнова А. С.",
        "address": acc.premises.address,
        "account": acc.number,
        "area_m2": "50.00",
        "registered_people": 2,
    }
    assert s["period_label"] == "Март 2026"
    assert s["pay_url"] == f"http://testserver/accounts/{acc.uuid}/"


def test_an_overpaid_account_has_nothing_to_pay(acc):
    f.payment(acc, date(2026, 3, 20), 10000_00)
    doc, _changed = issue(acc)
    assert doc.snapshot["total_kopecks"] == doc.amount_kopecks == 0
    assert selectors.balance_at(account=acc, day=add_months(P, 1)) < 0


def test_issuing_again_without_changes_writes_nothing(acc):
    doc, _changed = issue(acc)
    with CaptureQueriesContext(connection) as queries:
        again, changed = issue(acc, today=date(2026, 4, 20))
    assert (again.pk, changed) == (doc.pk, False)
    assert writes(queries) == []
    assert again.issued_on == ISSUED


def test_issuing_again_in_another_language_changes_nothing(acc):
    doc, _changed = issue(acc)
    with translation.override("en"):
        again, changed = issue(acc)
    assert (again.pk, changed) == (doc.pk, False)
    assert again.snapshot["lines"][1]["kind_label"] == "пени"


def test_a_new_charge_updates_the_same_document(acc):
    doc, _changed = issue(acc)
    Charge.objects.create(
        account=acc,
        period=P,
        service=POWER,
        kind=Charge.Kind.RECALCULATION,
        amount_kopecks=-50_00,
        reason="перерасчёт по акту",
    )

    again, changed = issue(acc, today=date(2026, 4, 20))

    assert changed and again.pk == doc.pk and IssuedDocument.objects.count() == 1
    again.refresh_from_db()
    assert again.charged_kopecks == doc.charged_kopecks - 50_00
    assert again.amount_kopecks == doc.amount_kopecks - 50_00
    assert again.snapshot["lines"][-1]["reason"] == "перерасчёт по акту"
    assert again.issued_on == ISSUED, "the number and date of the document stay"


def test_each_period_and_account_has_its_own_document(acc):
    other = f.account()
    issue(acc)
    issue(other)
    services.receipt_issue(account=acc, period=date(2026, 2, 15), today=ISSUED)
    assert sorted(
        IssuedDocument.objects.values_list("account__number", "period", "number")
    ) == sorted(
        [
            (acc.number, P, f"{acc.number}-202603"),
            (acc.number, date(2026, 2, 1), f"{acc.number}-202602"),
            (other.number, P, f"{other.number}-202603"),
        ]
    )


# --- paperless delivery -----------------------------------------------------------------


def test_paperless_needs_an_email(acc, alice):
    with pytest.raises(DomainError) as err:
        services.receipt_delivery_set(user=alice, account=acc, paperless=True, email="  ")
    assert err.value.field == "email"
    with pytest.raises(DomainError) as err:
        services.receipt_delivery_set(user=alice, account=acc, paperless=True, email="alice@")
    assert err.value.field == "email"
    assert not ReceiptDelivery.objects.exists()


def test_a_stranger_cannot_set_the_delivery(acc, charlie):
    for email in ("charlie@example.ru", ""):
        with pytest.raises(DomainError) as err:
            services.receipt_delivery_set(
                user=charlie, account=acc, paperless=bool(email), email=email
            )
        assert err.value.field is None
    assert not ReceiptDelivery.objects.exists()


def test_staff_set_it_and_paper_keeps_the_address(acc, staff, alice):
    d = services.receipt_delivery_set(
        user=staff, account=acc, paperless=True, email=" a@example.ru "
    )
    assert (d.paperless, d.email, d.changed_by) == (True, "a@example.ru", staff)
    d = services.receipt_delivery_set(user=alice, account=acc, paperless=False)
    assert (d.paperless, d.email, d.changed_by) == (False, "a@example.ru", alice)


def test_paper_receipts_are_not_mailed(acc, alice, django_capture_on_commit_callbacks):
    services.receipt_delivery_set(user=alice, account=acc, paperless=False, email="a@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        issue(acc)
    assert not ReceiptMailing.objects.exists() and mail.outbox == []


@pytest.fixture
def paperless(acc, alice):
    services.receipt_delivery_set(user=alice, account=acc, paperless=True, email="a@example.ru")
    return acc


def test_a_paperless_receipt_is_mailed_once_with_its_pdf(
    paperless, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc, _changed = issue(paperless)

    assert len(callbacks) == 1
    mailing = ReceiptMailing.objects.get()
    assert (mailing.document, mailing.email, mailing.status, mailing.attempts) == (
        doc,
        "a@example.ru",
        ReceiptMailing.Status.SENT,
        1,
    )
    assert mailing.sent_at is not None and mailing.last_error == ""
    [letter] = mail.outbox
    assert letter.to == ["a@example.ru"]
    assert letter.subject.startswith("Квитанция за ") and "март 2026" in letter.subject
    assert paperless.number in letter.subject
    [(filename, content, mimetype)] = letter.attachments
    assert filename == f"kvitanciya-{doc.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert letter.alternatives, "the letter has an HTML body too"


def test_reissue_after_a_change_does_not_mail_the_same_address_twice(
    paperless, django_capture_on_commit_callbacks
):
    """Decided: a mailing is one per document and address (the model's constraint). The
    letter tells the customer the month's receipt is there; a later correction of the
    same month is seen in the cabinet, where the PDF is always the current one, rather
    than by a second letter for each re-issue (a late bank register re-issues a whole
    month's receipts)."""
    with django_capture_on_commit_callbacks(execute=True):
        doc, _changed = issue(paperless)
    f.charge(paperless, P, 10_00, kind="recalc")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, changed = issue(paperless)
    assert changed and again.pk == doc.pk
    assert callbacks == [] and len(mail.outbox) == 1
    assert ReceiptMailing.objects.count() == 1


def test_a_new_address_gets_the_reissued_receipt(
    paperless, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue(paperless)
    services.receipt_delivery_set(
        user=alice, account=paperless, paperless=True, email="new@example.ru"
    )
    f.charge(paperless, P, 10_00, kind="recalc")
    with django_capture_on_commit_callbacks(execute=True):
        issue(paperless)
    assert [m.to for m in mail.outbox] == [["a@example.ru"], ["new@example.ru"]]


def test_a_failed_send_is_kept_and_a_later_one_marks_it_sent(
    paperless, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise OSError("Connection refused")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        issue(paperless)

    mailing = ReceiptMailing.objects.get()
    assert mailing.status == ReceiptMailing.Status.FAILED and mailing.attempts == 1
    assert mailing.last_error == "OSError: Connection refused" and mailing.sent_at is None
    assert mail.outbox == []

    monkeypatch.undo()
    sent = services.receipt_mail(mailing_id=mailing.pk)

    assert (sent.status, sent.attempts, sent.last_error) == (ReceiptMailing.Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_a_failed_send_raises_for_the_task_to_retry(paperless, monkeypatch):
    doc, _changed = issue(paperless)
    mailing = ReceiptMailing.objects.get(document=doc)
    monkeypatch.setattr(EmailMessage, "send", lambda self, fail_silently=False: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.receipt_mail(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert mailing.status == ReceiptMailing.Status.FAILED and mailing.attempts == 1


def test_a_mailing_queued_twice_is_sent_once(paperless):
    doc, _changed = issue(paperless)  # without running on-commit: nothing sent yet
    mailing = ReceiptMailing.objects.get(document=doc)
    mail_receipt.delay(mailing_id=mailing.pk)
    mail_receipt.delay(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert len(mail.outbox) == 1 and mailing.attempts == 1


def test_the_task_for_a_deleted_mailing_does_nothing(paperless):
    mail_receipt.delay(mailing_id=987654)
    assert mail.outbox == []


def test_the_letter_is_russian_whatever_language_is_active(
    paperless, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        issue(paperless)
    assert mail.outbox[0].subject.startswith("Квитанция за ")


# --- whose receipts are shown -------------------------------------------------------------


def test_receipts_issued_before_the_account_was_linked_are_hidden(acc):
    doc, _changed = issue(acc)  # issued on 2 April 2026
    paid = f.payment(acc, date(2026, 4, 3), 1_00)
    paid.paid_document = doc
    paid.save()

    def linked(day):
        acc.linked_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        acc.save(update_fields=["linked_at"])
        return acc

    assert selectors.receipt_visible(doc, linked(date(2026, 4, 2)))
    assert selectors.receipt_visible(doc, linked(date(2026, 3, 1)))
    assert not selectors.receipt_visible(doc, linked(date(2026, 4, 3)))
    assert selectors.periods(account=acc, first=P, last=P)[0].document is None
    assert [r.document for r in selectors.payment_history(account=acc)][0] is None

    linked(date(2026, 4, 1))
    assert selectors.periods(account=acc, first=P, last=P)[0].document == doc
    assert selectors.payment_history(account=acc)[0].document == doc

    acc.linked_at = None
    assert selectors.receipt_visible(doc, acc)
    assert not selectors.receipt_visible(None, acc)


def test_volume_of_a_charge_is_kept_as_text(acc):
    doc, _changed = issue(acc)
    assert Decimal(doc.snapshot["lines"][0]["volume"]) == Decimal("130.5")


def test_a_receipt_that_cannot_be_drawn_is_a_failed_attempt(paperless, monkeypatch):
    import kabinet.billing.receipts as receipts

    doc, _changed = issue(paperless)
    mailing = ReceiptMailing.objects.get(document=doc)
    monkeypatch.setattr(receipts, "render_receipt_pdf", lambda snapshot: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.receipt_mail(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert (mailing.status, mailing.attempts) == (ReceiptMailing.Status.FAILED, 1)
    assert mailing.last_error.startswith("ZeroDivisionError") and mail.outbox == []
