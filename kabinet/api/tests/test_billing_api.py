"""Начисления и квитанции through the API, with the cabinet's session: what the money
pages show (расчёты, charges, balance, payments, breakdown, documents), the receipt's
PDF from the page's generator, paperless receipts and the tariffs; another customer
gets 404 on every account URL."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from kabinet.billing import services
from kabinet.billing.models import IssuedDocument, ReceiptDelivery
from kabinet.billing.tests.factories import account_with_receipts, tariff
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.tests.factories import charge

pytestmark = pytest.mark.django_db

API = "/api/v1"
LAST = add_months(period_of(timezone.localdate()), -1)
BEFORE = add_months(LAST, -1)


@pytest.fixture
def acc(alice):
    a = account_with_receipts(alice)
    charge(a, LAST, 1234, service="Пени", kind="penalty")
    services.receipt_issue(account=a, period=LAST, today=add_months(LAST, 1))
    return a


def urls(a):
    base = f"{API}/accounts/{a.uuid}"
    return [
        f"{base}/periods",
        f"{base}/charges",
        f"{base}/balance",
        f"{base}/payments",
        f"{base}/breakdown",
        f"{base}/documents?unpaid=true",
        f"{base}/receipts",
        f"{base}/receipts/{LAST:%Y-%m}.pdf",
        f"{base}/receipt-delivery",
    ]


def test_owner_and_staff_read_stranger_gets_404(client, alice, charlie, staff, acc):
    for user, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(user)
        for url in urls(acc):
            assert client.get(url).status_code == code, (user, url)
    client.force_login(charlie)
    response = client.put(
        f"{API}/accounts/{acc.uuid}/receipt-delivery",
        {"paperless": True, "email": "c@example.ru"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not ReceiptDelivery.objects.exists()


def test_anonymous_gets_401(client, acc):
    for url in urls(acc):
        assert client.get(url).status_code == 401, url


def test_periods_as_the_charges_page(client, alice, acc):
    client.force_login(alice)
    rows = client.get(f"{API}/accounts/{acc.uuid}/periods").json()
    assert len(rows) == 12
    last, before = rows[0], rows[1]
    assert last["period"] == LAST.isoformat()
    assert last["opening"] == "3000.00"
    assert last["charged"] == "4135.79" and last["penalties"] == "12.34"
    assert last["paid"] == "3000.00"
    assert last["closing"] == "4135.79"
    assert last["receipt"] == {
        "number": f"{acc.number}-{LAST:%Y%m}",
        "period": LAST.isoformat(),
        "pdf_url": f"/api/v1/accounts/{acc.uuid}/receipts/{LAST:%Y-%m}.pdf",
    }
    assert before["charged"] == "3000.00" and before["closing"] == "3000.00"
    one = client.get(
        f"{API}/accounts/{acc.uuid}/periods",
        {"period_from": f"{LAST:%Y-%m}", "period_to": f"{LAST:%Y-%m}"},
    ).json()
    assert [r["period"] for r in one] == [LAST.isoformat()]


def test_bad_period_range_is_400_with_the_forms_message(client, alice, acc):
    client.force_login(alice)
    for what in ("periods", "charges", "breakdown", "documents", "receipts"):
        response = client.get(
            f"{API}/accounts/{acc.uuid}/{what}",
            {"period_from": f"{LAST:%Y-%m}", "period_to": f"{BEFORE:%Y-%m}"},
        )
        assert response.status_code == 400, what
        assert response.json()["fields"] == {"period_to": ["Конец периода раньше начала."]}
    for bad in ("March", "0001-01", "9999-12", "2026-13"):
        response = client.get(f"{API}/accounts/{acc.uuid}/periods", {"period_from": bad})
        assert response.status_code == 422, bad


def test_charges_lines(client, alice, acc):
    client.force_login(alice)
    rows = client.get(f"{API}/accounts/{acc.uuid}/charges").json()
    assert [(r["period"], r["service"], r["amount"]) for r in rows] == [
        (LAST.isoformat(), "Отопление", "4123.45"),
        (LAST.isoformat(), "Пени", "12.34"),
        (BEFORE.isoformat(), "Отопление", "3000.00"),
    ]
    assert rows[0]["tariff"] == "3120.45" and rows[0]["volume"] == "1.234"
    assert rows[1]["kind"] == "penalty" and rows[1]["kind_label"] == "пени"


def test_balance_at_a_date(client, alice, acc):
    client.force_login(alice)
    url = f"{API}/accounts/{acc.uuid}/balance"
    assert client.get(url, {"on": LAST.isoformat()}).json() == {
        "on": LAST.isoformat(),
        "balance": "3000.00",
    }
    assert client.get(url, {"on": add_months(LAST, 1).isoformat()}).json()["balance"] == "4135.79"
    assert client.get(url, {"on": "2026-13-01"}).status_code == 422
    assert client.get(url, {"on": "0001-01-01"}).status_code == 422  # not a 500


def test_payments_ledger(client, alice, acc):
    client.force_login(alice)
    (row,) = client.get(f"{API}/accounts/{acc.uuid}/payments").json()
    assert row["credited_on"] == (LAST + timedelta(days=9)).isoformat()
    assert row["amount"] == "3000.00" and row["channel"] == "bank"
    assert row["channel_label"] == "банк"
    assert row["receipt"]["period"] == BEFORE.isoformat()
    year = (LAST + timedelta(days=9)).year
    assert len(client.get(f"{API}/accounts/{acc.uuid}/payments", {"year": year}).json()) == 1
    response = client.get(f"{API}/accounts/{acc.uuid}/payments", {"year": 1990})
    assert response.status_code == 400 and "year" in response.json()["fields"]


def test_breakdown(client, alice, acc):
    client.force_login(alice)
    data = client.get(
        f"{API}/accounts/{acc.uuid}/breakdown",
        {"period_from": f"{BEFORE:%Y-%m}", "period_to": f"{LAST:%Y-%m}"},
    ).json()
    assert data["opening"] == "0.00"
    assert data["charged"] == "7135.79" and data["paid"] == "3000.00"
    assert data["closing"] == "4135.79"
    assert data["rows"][-1]["balance"] == "4135.79"


def test_documents_and_unpaid(client, alice, acc):
    client.force_login(alice)
    url = f"{API}/accounts/{acc.uuid}/documents"
    rows = client.get(url).json()
    assert [r["period"] for r in rows] == [LAST.isoformat(), BEFORE.isoformat()]
    assert rows[1]["unpaid"] == "0.00" and rows[1]["paid"] == "3000.00"
    unpaid = client.get(url, {"unpaid": "true"}).json()
    assert [r["period"] for r in unpaid] == [LAST.isoformat()]
    assert unpaid[0]["kind"] == "receipt"
    assert unpaid[0]["pdf_url"].endswith(f"/receipts/{LAST:%Y-%m}.pdf")


def test_receipts_list_names_each_pdf(client, alice, acc):
    client.force_login(alice)
    rows = client.get(f"{API}/accounts/{acc.uuid}/receipts").json()
    assert [r["period"] for r in rows] == [f"{LAST:%Y-%m}", f"{BEFORE:%Y-%m}"]
    assert rows[0]["unpaid"] == "4135.79" and rows[1]["unpaid"] == "0.00"
    for row in rows:
        assert row["pdf_url"] == f"/api/v1/accounts/{acc.uuid}/receipts/{row['period']}.pdf"
        assert client.get(row["pdf_url"]).status_code == 200
    bad = client.get(
        f"{API}/accounts/{acc.uuid}/receipts",
        {"period_from": f"{LAST:%Y-%m}", "period_to": f"{BEFORE:%Y-%m}"},
    )
    assert bad.status_code == 400


def test_receipt_pdf_is_the_pages_pdf(client, alice, acc):
    client.force_login(alice)
    response = client.get(f"{API}/accounts/{acc.uuid}/receipts/{LAST:%Y-%m}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    import io

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert acc.number in text


def test_receipt_pdf_missing_or_before_linking_is_404(client, alice, acc):
    client.force_login(alice)
    base = f"{API}/accounts/{acc.uuid}/receipts"
    assert client.get(f"{base}/2001-01.pdf").status_code == 404
    assert client.get(f"{base}/2001-13.pdf").status_code == 422
    assert client.get(f"{base}/bad.pdf").status_code == 422
    # A receipt issued before the account joined this cabinet is a previous occupant's.
    acc.linked_at = timezone.now() + timedelta(days=1)
    acc.save()
    assert client.get(f"{base}/{LAST:%Y-%m}.pdf").status_code == 404
    assert IssuedDocument.objects.filter(account=acc, period=LAST).exists()


def test_receipt_delivery(client, alice, acc):
    client.force_login(alice)
    url = f"{API}/accounts/{acc.uuid}/receipt-delivery"
    assert client.get(url).json() == {"paperless": False, "email": ""}
    bad = client.put(url, {"paperless": True, "email": ""}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"email": ["Укажите e-mail, на который присылать квитанции."]}
    bad = client.put(url, {"paperless": True, "email": "nope"}, content_type="application/json")
    assert bad.json()["fields"] == {"email": ["Введите e-mail, например ivanov@mail.ru."]}
    assert not ReceiptDelivery.objects.exists()
    ok = client.put(
        url, {"paperless": True, "email": "alice@example.ru"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json() == {"paperless": True, "email": "alice@example.ru"}
    delivery = ReceiptDelivery.objects.get(account=acc)
    assert delivery.paperless and delivery.changed_by == alice


def test_staff_cannot_change_delivery_of_an_account_they_cannot_see(client, acc):
    from conftest import make_user

    nobody = make_user(login="nobody1", staff=True)
    nobody.groups.clear()
    client.force_login(nobody)
    response = client.put(
        f"{API}/accounts/{acc.uuid}/receipt-delivery",
        {"paperless": True, "email": "x@example.ru"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_tariffs_in_force_and_archive(client, alice):
    tariff("Электроэнергия", 612, valid_from=date(2020, 1, 1), zone="day")
    tariff("Электроэнергия", 745, valid_from=date(2021, 1, 1), zone="day")  # ends the first
    client.force_login(alice)
    rows = client.get(f"{API}/tariffs/").json()
    assert [(r["service"], r["price"], r["zone_label"]) for r in rows] == [
        ("Электроэнергия", "7.45", "день")
    ]
    assert rows[0]["valid_to"] is None and rows[0]["valid_from"] == "2021-01-01"
    archive = client.get(f"{API}/tariffs/", {"archive": "true"}).json()
    assert [r["price"] for r in archive] == ["6.12"]
    assert archive[0]["valid_to"] == "2020-12-31"
