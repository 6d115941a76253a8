"""Акты сверки и счета-фактуры (003 §3.2): the numbers in the PDFs, the НДС that adds
up, the signature as pyHanko itself sees it, stored once, the twelve-month window, and
who may see them."""

import io
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from kabinet.billing.models import Charge, IssuedDocument
from kabinet.contracts.models import SignedDocument
from kabinet.contracts.services import documents
from kabinet.contracts.services.documents import signed_document_issue, vat_split
from kabinet.contracts.tests.factories import OTHER_INN, contract, organisation
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, format_period, period_of
from kabinet.customer_accounts.tests.factories import charge, payment


@pytest.fixture(autouse=True)
def _signing_key(settings, tmp_path_factory):
    # The demo key, made once per test worker outside the repository's var/.
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None


def months():
    """(last closed month, the one before it)."""
    last = add_months(period_of(timezone.localdate()), -1)
    return last, add_months(last, -1)


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)  # no-break spaces and wrapped lines alike


def month_end(period):
    return add_months(period, 1) - timedelta(days=1)


@pytest.fixture
def owned(alice):
    return contract(party=organisation(alice), number="00042")


def test_act_reads_back_opening_turnover_and_closing(owned):
    last, before = months()
    acc = owned.account
    charge(acc, before, 100000)  # counts from the first of `last`: opening debt
    payment(acc, before + timedelta(days=14), 40000)
    charge(acc, last, 250000)
    charge(acc, last, 12345, service="Горячее водоснабжение")
    paid = payment(acc, last + timedelta(days=9), 100000)
    paid.document = "п/п № 17"
    paid.save()
    charge(acc, add_months(last, 1), 999999)  # the current month: not in this act

    doc = signed_document_issue(contract=owned, kind="act", period=last)
    assert doc.number == f"АС-00042-{last:%Y%m}"
    text = pdf_text(bytes(doc.pdf))
    start, end = last.strftime("%d.%m.%Y"), month_end(last).strftime("%d.%m.%Y")
    last_name = format_period(last).lower()
    assert re.search(rf"Сальдо начальное на {start}\s+600,00", text)
    assert re.search(r"Обороты за период\s+2 623,45\s+1 000,00", text)
    assert re.search(rf"Сальдо конечное на {end}\s+2 223,45", text)
    assert "задолженность в пользу ГУП «ТЭК СПб» составляет 2 223,45 руб." in text
    assert f"Начислено за {last_name}: Горячее водоснабжение" in text
    assert "Оплата, п/п № 17" in text
    assert "9 999,99" not in text
    assert "ООО «Ромашка»" in text and "7804000010" in text and "7830001028" in text
    assert "оператора ЭДО" in text


def test_act_says_overpayment(owned):
    last, _before = months()
    payment(owned.account, last + timedelta(days=2), 50000)
    text = pdf_text(bytes(signed_document_issue(contract=owned, kind="act", period=last).pdf))
    assert re.search(r"Сальдо конечное на \S+\s+500,00", text)
    assert "переплата ООО «Ромашка»" in text


def test_factura_vat_adds_up_to_the_kopeck(owned):
    last, _before = months()
    charge(owned.account, last, 100001)  # НДС 16 666,83… → 16 667 kopecks
    charge(owned.account, last, 12345, service="Горячее водоснабжение")  # 2 057,5 → 2 058
    charge(owned.account, last, 500, kind=Charge.Kind.PENALTY)  # пени: not in a счёт-фактура

    snapshot = documents.factura_snapshot(contract=owned, period=last)
    lines = snapshot["lines"]
    assert [(x["service"], x["total_kopecks"]) for x in lines] == [
        ("Горячее водоснабжение", 12345),
        ("Отопление", 100001),
    ]
    for line in lines:
        assert line["cost_kopecks"] + line["vat_kopecks"] == line["total_kopecks"]
        assert line["vat_rate"] == "20%"
    assert [x["vat_kopecks"] for x in lines] == [2058, 16667]
    assert snapshot["cost_kopecks"] == 10287 + 83334
    assert snapshot["vat_kopecks"] == 2058 + 16667
    assert snapshot["cost_kopecks"] + snapshot["vat_kopecks"] == snapshot["total_kopecks"] == 112346

    doc = signed_document_issue(contract=owned, kind="factura", period=last)
    assert doc.number == f"СФ-00042-{last:%Y%m}"
    text = pdf_text(bytes(doc.pdf))
    assert "936,21" in text and "187,25" in text and "1 123,46" in text
    assert "Гкал" in text and "20%" in text and "5,00" not in text


def test_factura_takes_billings_number_and_date_when_billing_issued_one(owned, client, alice):
    last, _before = months()
    charge(owned.account, last, 250000)
    IssuedDocument.objects.create(
        account=owned.account,
        kind=IssuedDocument.Kind.INVOICE_FACTURA,
        number="702200101/70",
        period=last,
        issued_on=month_end(last),
        charged_kopecks=250000,
        amount_kopecks=250000,
        snapshot={},
    )
    doc = signed_document_issue(contract=owned, kind="factura", period=last)
    assert doc.number == "702200101/70"
    assert f"Счёт-фактура № 702200101/70 от {month_end(last):%d.%m.%Y}" in pdf_text(bytes(doc.pdf))


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_vat_split_is_exact(total):
    cost, vat = vat_split(total)
    assert cost + vat == total
    exact = Decimal(total) * 20 / 120
    assert vat == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_factura_refused_for_a_month_without_charges(owned):
    last, _before = months()
    charge(owned.account, last, 500, kind=Charge.Kind.PENALTY)
    with pytest.raises(DomainError, match="За этот месяц начислений нет"):
        signed_document_issue(contract=owned, kind="factura", period=last)
    assert not SignedDocument.objects.exists()


def test_signature_validates_with_pyhanko_against_the_demo_certificate(owned, settings):
    last, _before = months()
    charge(owned.account, last, 250000)
    doc = signed_document_issue(contract=owned, kind="factura", period=last)
    cert = load_cert_from_pemder(str(settings.VAR_DIR / "signing" / "demo-tek_spb" / "cert.pem"))
    embedded = PdfFileReader(io.BytesIO(bytes(doc.pdf))).embedded_signatures
    assert len(embedded) == 1
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    status = validate_pdf_signature(
        embedded[0], ValidationContext(trust_roots=[cert], allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "ТЕСТОВАЯ ПОДПИСЬ — ГУП «ТЭК СПб»"
    assert doc.signer == "ТЕСТОВАЯ ПОДПИСЬ — ГУП «ТЭК СПб»"


def test_the_same_document_twice_is_the_same_bytes(owned, client, alice):
    last, _before = months()
    first = signed_document_issue(contract=owned, kind="act", period=last)
    charge(owned.account, last, 777)  # billing corrects the month: the signed act stays
    again = signed_document_issue(contract=owned, kind="act", period=last)
    assert again.pk == first.pk and bytes(again.pdf) == bytes(first.pdf)
    client.force_login(alice)
    url = reverse("contracts:document", args=[owned.uuid, "act", f"{last:%Y-%m}"])
    assert client.get(url).content == client.get(url).content == bytes(first.pdf)
    assert SignedDocument.objects.count() == 1


def test_a_document_stored_by_another_request_meanwhile_wins(owned, monkeypatch):
    last, _before = months()
    real_sign = documents.signing.sign_pdf

    def sign_while_another_stores(pdf, **kwargs):
        SignedDocument.objects.create(
            contract=owned,
            kind="act",
            period=last,
            number="АС-00042",
            pdf=b"theirs",
            sha256="0" * 64,
            signer="другой процесс",
            signed_at=timezone.now(),
        )
        return real_sign(pdf, **kwargs)

    monkeypatch.setattr(documents.signing, "sign_pdf", sign_while_another_stores)
    doc = signed_document_issue(contract=owned, kind="act", period=last)
    assert bytes(doc.pdf) == b"theirs"
    assert SignedDocument.objects.count() == 1


def test_months_outside_the_last_twelve_closed_are_refused(owned):
    current = period_of(timezone.localdate())
    for period in (current, add_months(current, -13), add_months(current, -1) + timedelta(1)):
        with pytest.raises(DomainError, match="последние 12 закрытых месяцев"):
            signed_document_issue(contract=owned, kind="act", period=period)
    signed_document_issue(contract=owned, kind="act", period=add_months(current, -12))
    assert SignedDocument.objects.count() == 1


def test_refused_month_goes_back_to_the_page_with_the_reason(owned, client, alice):
    client.force_login(alice)
    current = period_of(timezone.localdate())
    url = reverse("contracts:document", args=[owned.uuid, "act", f"{current:%Y-%m}"])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("contracts:documents", args=[owned.uuid])
    assert "последние 12 закрытых месяцев" in response.content.decode()


def test_bad_kind_or_period_is_404(owned, client, alice):
    client.force_login(alice)
    for kind, period in (("invoice", "2026-01"), ("act", "2026-13"), ("act", "26-01")):
        url = reverse("contracts:document", args=[owned.uuid, kind, period])
        assert client.get(url).status_code == 404


def test_owner_and_staff_see_a_stranger_does_not(owned, client, alice, charlie, staff):
    organisation(charlie, inn=OTHER_INN, name="ООО «Василёк»")
    last, _before = months()
    charge(owned.account, last, 250000)
    page = reverse("contracts:documents", args=[owned.uuid])
    act = reverse("contracts:document", args=[owned.uuid, "act", f"{last:%Y-%m}"])
    factura = reverse("contracts:document", args=[owned.uuid, "factura", f"{last:%Y-%m}"])
    for user, code in ((charlie, 404), (alice, 200), (staff, 200)):
        client.force_login(user)
        for url in (page, act, factura):
            assert client.get(url).status_code == code, (user, url)
    client.logout()
    assert client.get(page).status_code == 302  # to the login page


def test_pdf_is_inline_with_a_safe_file_name(owned, client, alice):
    last, _before = months()
    client.force_login(alice)
    url = reverse("contracts:document", args=[owned.uuid, "act", f"{last:%Y-%m}"])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert "%D0%90%D0%A1-00042-" in disposition  # «АС-00042-», percent-encoded
    saved = client.get(url + "?download=1")["Content-Disposition"]
    assert saved.startswith("attachment;")


def test_page_lists_twelve_months_and_the_signature_state(owned, client, alice):
    last, before = months()
    charge(owned.account, last, 250000)
    signed_document_issue(contract=owned, kind="act", period=last)
    broken = signed_document_issue(contract=owned, kind="act", period=before)
    pdf = bytearray(broken.pdf)
    pdf[200] ^= 1  # one bit of the stored file flipped: the check must notice
    broken.pdf = bytes(pdf)
    broken.save()
    client.force_login(alice)
    page = client.get(reverse("contracts:documents", args=[owned.uuid])).content.decode()
    assert page.count("Акт сверки (PDF)") == 12
    assert page.count("Счёт-фактура (PDF)") == 1  # only the month with charges
    assert "Подпись действительна" in page
    assert "подписал ТЕСТОВАЯ ПОДПИСЬ — ГУП «ТЭК СПб»" in page
    assert "Подпись недействительна" in page
    assert "через вашего оператора ЭДО" in page

    # The download checks the signature in full and does not hand out a broken file.
    url = reverse("contracts:document", args=[owned.uuid, "act", f"{before:%Y-%m}"])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("contracts:documents", args=[owned.uuid])
    assert "не прошла проверку" in response.content.decode()
