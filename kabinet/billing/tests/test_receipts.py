"""Квитанция: the PDF made from a frozen snapshot shows the account, the period, every
line and amount and the total, and its QR code, read by a real decoder from the
printed page, pays exactly that total to the payee of the snapshot."""

import copy
import io
import struct

import pytest
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from kabinet.billing.payment_qr import payment_string
from kabinet.billing.receipts import (
    payment_details_from_snapshot,
    receipt_context,
    render_receipt_pdf,
    render_receipt_png,
    sample_snapshot,
)
from kabinet.billing.tests.test_payment_qr import parse, zbarimg
from kabinet.core.money import format_rub


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeezed(text: str) -> str:
    """Text without any whitespace: line breaks and spacing around symbols may differ."""
    return "".join(text.split())


def test_sample_snapshot_adds_up():
    s = sample_snapshot()
    assert s["charged_kopecks"] == sum(line["amount_kopecks"] for line in s["lines"])
    assert s["penalties_kopecks"] == sum(
        line["amount_kopecks"] for line in s["lines"] if line["kind"] == "penalty"
    )
    assert s["total_kopecks"] == max(
        s["opening_debt_kopecks"] - s["paid_kopecks"] + s["charged_kopecks"], 0
    )
    kinds = {line["kind"] for line in s["lines"]}
    assert {"charge", "recalc", "penalty"} <= kinds
    assert any(line["reason"] for line in s["lines"] if line["kind"] == "recalc")
    assert len(s["readings"]) == 2


def test_pdf_shows_account_period_lines_amounts_and_total():
    s = sample_snapshot()
    pdf = render_receipt_pdf(s)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = pdf_text(pdf)
    expected = [
        "Квитанция за октябрь 2026",
        "100000001-202610",
        "01.11.2026",
        s["payer"]["account"],
        s["payer"]["name"],
        s["payer"]["address"],
        s["payee"]["short_name"],
        s["payee"]["inn"],
        s["payee"]["settlement_account"],
        "Итого к оплате",
        format_rub(s["total_kopecks"]),
        format_rub(s["charged_kopecks"]),
        format_rub(s["opening_debt_kopecks"]),
        format_rub(s["paid_kopecks"]),
        format_rub(s["penalties_kopecks"]),
        "Отсканируйте в приложении",
        s["pay_url"],
    ]
    for line in s["lines"]:
        expected += [line["service"], format_rub(line["amount_kopecks"])]
        if line["reason"]:
            expected.append(line["reason"])
    for reading in s["readings"]:
        expected.append(reading["meter"])
    for value in expected:
        assert squeezed(value) in squeezed(text), value
    # Amounts keep their no-break spaces: "6 733,07 ₽" never splits across lines.
    assert format_rub(s["total_kopecks"]) in text


def test_the_printed_qr_code_pays_the_total_to_the_snapshots_payee(tmp_path):
    s = sample_snapshot()
    details = payment_details_from_snapshot(s)
    decoded = zbarimg(render_receipt_png(s, ppi=150), tmp_path)
    assert decoded == payment_string(details)
    fields = parse(decoded)
    assert fields["Sum"] == str(s["total_kopecks"])
    assert fields["PersAcc"] == s["payer"]["account"]
    assert fields["PaymPeriod"] == "102026"
    assert fields["Purpose"] == "Оплата по лицевому счёту 100000001 за октябрь 2026"
    assert fields["Name"] == s["payee"]["short_name"]
    assert fields["PersonalAcc"] == s["payee"]["settlement_account"]
    assert fields["BIC"] == s["payee"]["bik"]
    assert fields["CorrespAcc"] == s["payee"]["correspondent_account"]
    assert fields["PayeeINN"] == s["payee"]["inn"]
    assert fields["KPP"] == s["payee"]["kpp"]
    assert fields["LastName"] == "Иванов"
    assert fields["TechCode"] == "02"


def test_payee_comes_from_the_snapshot_not_from_the_live_profile(settings):
    s = sample_snapshot()
    s["payee"].update(
        short_name="ООО «Старый получатель»",
        bank_name="АО «Банк, что был тогда»",
        bik="044525225",
        settlement_account="40702810400000000001",
        correspondent_account="30101810400000000225",
    )
    settings.KABINET_UTILITY = "gorseti_tomsk"
    fields = parse(payment_string(payment_details_from_snapshot(s)))
    assert fields["Name"] == "ООО «Старый получатель»"
    assert fields["BankName"] == "АО «Банк, что был тогда»"
    assert fields["BIC"] == "044525225"
    assert fields["PersonalAcc"] == "40702810400000000001"


def test_nothing_due_gives_a_code_without_sum(tmp_path):
    s = sample_snapshot()
    s["opening_debt_kopecks"] = -800000  # a prepayment larger than the month
    s["total_kopecks"] = 0
    details = payment_details_from_snapshot(s)
    fields = parse(payment_string(details))
    assert "Sum" not in fields
    assert fields["PersAcc"] == "100000001"
    text = squeezed(pdf_text(render_receipt_pdf(s)))
    assert squeezed("Итого к оплате") in text
    assert squeezed(format_rub(0)) in text
    assert squeezed("Переплата (аванс) на начало периода") in text
    # 8 000,00 − 10 000,00 + 4 733,07: 13 266,93 ₽ carried to the next month.
    assert squeezed("Переплата 13 266,93 ₽ будет учтена") in text
    assert squeezed("не указана") in text
    assert zbarimg(render_receipt_png(s, ppi=150), tmp_path) == payment_string(details)


@pytest.mark.parametrize("hostile", ['#panic("x")', "$x$", "]", '"] #sys.inputs [ *жирно*'])
def test_hostile_text_in_the_snapshot_is_printed_as_it_is(hostile):
    s = copy.deepcopy(sample_snapshot())
    s["lines"][0]["service"] = f"Отопление {hostile}"
    s["lines"][3]["reason"] = hostile
    s["payer"]["name"] = hostile
    s["payer"]["address"] = f"{hostile} д. 1"
    text = squeezed(pdf_text(render_receipt_pdf(s)))
    assert squeezed(f"Отопление {hostile}") in text
    assert squeezed(f"{hostile} д. 1") in text


def test_the_receipt_is_russian_whatever_language_is_active():
    with translation.override("en"):
        context = receipt_context(sample_snapshot())
    assert context["title"] == "Квитанция за октябрь 2026"
    assert context["purpose"] == "Оплата по лицевому счёту 100000001 за октябрь 2026"


def test_management_command_writes_the_sample_png(tmp_path):
    out = tmp_path / "receipt.png"
    call_command("receipt_sample", str(out), ppi=72)
    png = out.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (595, 842)  # one A4 page at 72 ppi


def test_quantities_already_formatted_in_the_snapshot_are_kept():
    s = sample_snapshot()
    s["readings"][0].update(previous="1\u00a0812,3", current="1\u00a0819,1", consumption="")
    s["payer"]["area_m2"] = ""
    context = receipt_context(s)
    reading = context["readings"][0]
    assert (reading["previous"], reading["current"], reading["consumption"]) == (
        "1\u00a0812,3",
        "1\u00a0819,1",
        "",
    )
    assert context["readings"][1]["previous"] == "37,2114"
    assert context["payer"]["area"] == ""
    assert squeezed("1 819,1") in squeezed(pdf_text(render_receipt_pdf(s)))
