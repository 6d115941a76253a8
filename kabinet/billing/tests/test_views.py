"""The money pages of an account: access, what they show, and that every export has
the page's rows and totals."""

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kabinet.billing import services
from kabinet.billing.models import IssuedDocument, Payment, ReceiptDelivery
from kabinet.billing.tests.factories import account_with_receipts
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.tests.factories import charge

pytestmark = pytest.mark.django_db

LAST = add_months(period_of(timezone.localdate()), -1)
BEFORE = add_months(LAST, -1)


@pytest.fixture
def acc(alice):
    a = account_with_receipts(alice)
    charge(a, LAST, 1234, service="Пени", kind="penalty")
    services.receipt_issue(account=a, period=LAST, today=add_months(LAST, 1))
    return a


def urls(a):
    return [
        reverse("billing:charges", args=[a.uuid]),
        reverse("billing:payments", args=[a.uuid]),
        reverse("billing:documents", args=[a.uuid]) + "?unpaid=1",
        reverse("billing:breakdown", args=[a.uuid]),
        reverse("billing:receipt", args=[a.uuid, f"{LAST:%Y-%m}"]),
        reverse("billing:delivery", args=[a.uuid]),
        reverse("billing:charges", args=[a.uuid]) + "?format=csv",
        reverse("billing:payments", args=[a.uuid]) + "?format=xlsx",
        reverse("billing:breakdown", args=[a.uuid]) + "?format=pdf",
    ]


def test_owner_and_staff_see_every_page_stranger_gets_404(client, alice, charlie, staff, acc):
    for user, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(user)
        for url in urls(acc):
            assert client.get(url).status_code == code, (user, url)
    client.logout()
    assert client.get(urls(acc)[0]).status_code == 302


def test_charges_page_lists_periods_with_their_receipts(client, alice, acc):
    client.force_login(alice)
    page = client.get(reverse("billing:charges", args=[acc.uuid])).content.decode()
    assert f"№ {acc.number}-{LAST:%Y%m}" in page
    assert reverse("billing:receipt", args=[acc.uuid, f"{LAST:%Y-%m}"]) in page
    assert "4\xa0135,79\xa0₽" in page  # 4 123,45 + 12,34 charged last period


def test_receipt_is_a_pdf_with_the_total(client, alice, acc):
    client.force_login(alice)
    response = client.get(reverse("billing:receipt", args=[acc.uuid, f"{LAST:%Y-%m}"]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert acc.number in text
    assert IssuedDocument.objects.get(account=acc, period=LAST).amount_kopecks == 413579
    assert "4 135,79" in text.replace("\xa0", " ")


def test_receipt_of_a_period_without_one_is_404(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:receipt", args=[acc.uuid, "2001-01"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("billing:receipt", args=[acc.uuid, "junk"])).status_code == 404


def test_receipts_before_the_cabinet_have_no_link(client, alice, acc):
    acc.linked_at = timezone.now()
    acc.save()
    client.force_login(alice)
    page = client.get(reverse("billing:payments", args=[acc.uuid])).content.decode()
    assert "3\xa0000,00\xa0₽" in page
    assert "/receipts/" not in page
    url = reverse("billing:receipt", args=[acc.uuid, f"{BEFORE:%Y-%m}"])
    assert client.get(url).status_code == 404


def test_payment_history_links_the_paid_receipt(client, alice, acc):
    client.force_login(alice)
    page = client.get(reverse("billing:payments", args=[acc.uuid])).content.decode()
    assert reverse("billing:receipt", args=[acc.uuid, f"{BEFORE:%Y-%m}"]) in page


def test_breakdown_adds_up(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:breakdown", args=[acc.uuid])
    query = {"period_from": f"{BEFORE:%Y-%m}", "period_to": f"{LAST:%Y-%m}"}
    page = client.get(url, query).content.decode()
    # Opening 0, charged 3 000 + 4 123,45 + 12,34, paid 3 000: 4 135,79 owed.
    assert page.count("4\xa0135,79\xa0₽") >= 2
    rows = list(
        csv.reader(
            io.StringIO(client.get(url, {**query, "format": "csv"}).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[-1][0] == "Итого" and rows[-1][-1] == "4135,79"
    assert [r[1] for r in rows[1:-1]].count("Пени (пени)") == 1


def test_bad_period_range_says_so_and_shows_the_default(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:breakdown", args=[acc.uuid])
    page = client.get(url, {"period_from": "2026-10", "period_to": "2026-01"}).content.decode()
    assert "Конец периода раньше начала." in page


@pytest.mark.parametrize(
    "query",
    [
        {"period_from": "0001-01"},  # add_months stepped back to year 0: a 500
        {"period_from": "9999-01", "period_to": "9999-12"},  # three years on: past 9999
        {"period_to": "01.0001"},
    ],
)
def test_a_year_out_of_range_is_a_message_not_an_error(client, alice, acc, query):
    client.force_login(alice)
    for name in ("billing:charges", "billing:breakdown"):
        response = client.get(reverse(name, args=[acc.uuid]), query)
        assert response.status_code == 200, (name, query)
        page = response.content.decode()
        assert "Укажите месяц с 1900 по 2099 год." in page
    assert (
        f"№ {acc.number}-{LAST:%Y%m}"
        in client.get(  # the charges page shows its default range
            reverse("billing:charges", args=[acc.uuid]), query
        ).content.decode()
    )


def test_exports_have_the_rows_and_totals_of_the_page(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:payments", args=[acc.uuid])
    rows = list(
        csv.reader(
            io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0][:2] == ["Дата поступления", "Сумма"]
    assert rows[1][:2] == [(LAST + timedelta(days=9)).strftime("%d.%m.%Y"), "3000,00"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "Итого" in values
    pdf = client.get(url, {"format": "pdf"}).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\xa0", " ")
    assert "3 000,00" in text and "Итого" in text


def test_paperless_switch(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:delivery", args=[acc.uuid])
    bad = client.post(url, {"paperless": "on", "email": ""}).content.decode()
    assert "Укажите e-mail, на который присылать квитанции." in bad
    assert not ReceiptDelivery.objects.exists()
    response = client.post(url, {"paperless": "on", "email": "alice@mail.ru"})
    assert response.status_code == 302
    delivery = ReceiptDelivery.objects.get(account=acc)
    assert (delivery.paperless, delivery.email, delivery.changed_by) == (
        True,
        "alice@mail.ru",
        alice,
    )
    page = client.get(response.url).content.decode()
    assert "по e-mail на alice@mail.ru" in page


def test_tariffs_current_and_archive(client, alice):
    services.tariff_add(
        service="Отопление", unit="Гкал", price_kopecks=299910, valid_from=date(2025, 1, 1)
    )
    services.tariff_add(
        service="Отопление", unit="Гкал", price_kopecks=312045, valid_from=date(2026, 1, 1)
    )
    client.force_login(alice)
    page = client.get(reverse("tariffs")).content.decode()
    assert "3\xa0120,45\xa0₽" in page and "2\xa0999,10\xa0₽" not in page
    page = client.get(reverse("tariffs"), {"archive": "1"}).content.decode()
    assert "2\xa0999,10\xa0₽" in page and "31.12.2025" in page


def test_payment_channels_are_named(client, alice, acc):
    Payment.objects.filter(account=acc).update(channel="online")
    client.force_login(alice)
    page = client.get(reverse("billing:payments", args=[acc.uuid])).content.decode()
    assert "Онлайн в личном кабинете" in page


def test_documents_with_what_paid_them_and_unpaid_to_print(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:documents", args=[acc.uuid])
    query = {"period_from": f"{BEFORE:%Y-%m}", "period_to": f"{LAST:%Y-%m}"}
    page = client.get(url, query).content.decode()
    assert f"№ {acc.number}-{BEFORE:%Y%m}" in page and "оплачен" in page
    unpaid = client.get(url, {**query, "unpaid": "1"}).content.decode()
    assert f"№ {acc.number}-{LAST:%Y%m}" in unpaid
    assert f"№ {acc.number}-{BEFORE:%Y%m}" not in unpaid  # paid by the 3 000 ₽
    assert reverse("billing:receipt", args=[acc.uuid, f"{LAST:%Y-%m}"]) in unpaid


def test_search_sort_and_group_reach_the_exports(client, alice, acc):
    client.force_login(alice)
    url = reverse("billing:documents", args=[acc.uuid])
    query = {"period_from": f"{BEFORE:%Y-%m}", "period_to": f"{LAST:%Y-%m}"}
    grouped = {**query, "group": "status", "sort": "period", "format": "csv"}
    rows = list(
        csv.reader(io.StringIO(client.get(url, grouped).content.decode("utf-8-sig")), delimiter=";")
    )
    firsts = [r[0] for r in rows]
    assert firsts[0] == "Документ"
    assert "Итого: оплачен" in firsts and "Итого: не оплачен" in firsts
    assert firsts[-1] == "Итого"
    found = client.get(url, {**query, "q": f"{LAST:%Y%m}"}).content.decode()
    assert f"№ {acc.number}-{LAST:%Y%m}" in found
    assert f"№ {acc.number}-{BEFORE:%Y%m}" not in found
