"""A resident looks at their money: payment history with the receipt each payment paid,
the debt breakdown for chosen months, a receipt downloaded, an export, and receipts
switched to e-mail."""

import io
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from kabinet.billing.models import ReceiptDelivery
from kabinet.billing.tests.factories import account_with_receipts
from kabinet.core.money import add_months, period_of
from tests.e2e.journeys import field_error, go, messages, sign_in

LAST = add_months(period_of(timezone.localdate()), -1)
BEFORE = add_months(LAST, -1)


def test_payments_breakdown_receipt_and_paperless(page, alice):
    acc = account_with_receipts(alice)
    sign_in(page, "alice@example.ru")
    go(page, f"/accounts/{acc.uuid}/")
    page.get_by_role("link", name="История платежей").first.click()
    expect(page.get_by_role("heading", name="История платежей", level=1)).to_be_visible()
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text((LAST + timedelta(days=9)).strftime("%d.%m.%Y"))
    expect(row).to_contain_text("3\u00a0000,00\u00a0₽")

    # The receipt that payment paid opens as a PDF.
    receipt_link = row.get_by_role("link")
    href = receipt_link.get_attribute("href")
    response = page.request.get(page.base + href)
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert acc.number in text

    # The breakdown for two months adds up, and its CSV has the same total.
    page.get_by_role("link", name="Расшифровка задолженности").first.click()
    page.get_by_label("Период с").fill(f"{BEFORE:%Y-%m}")
    page.get_by_label("по").fill(f"{LAST:%Y-%m}")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("tfoot")).to_contain_text("4\u00a0123,45\u00a0₽")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert body.strip().splitlines()[-1].endswith(";4123,45")

    # A wrong range is refused with its message, and the page still works.
    page.get_by_label("Период с").fill(f"{LAST:%Y-%m}")
    page.get_by_label("по").fill(f"{BEFORE:%Y-%m}")
    page.get_by_role("button", name="Показать").click()
    expect(field_error(page, "period_to")).to_have_text("Конец периода раньше начала.")

    # Receipts by e-mail: the e-mail is required, then saved.
    go(page, f"/accounts/{acc.uuid}/")
    page.get_by_role("link", name="Получение квитанций").click()
    page.get_by_label("Получать квитанции в электронном виде").check()
    page.get_by_label("E-mail для квитанций").fill("")
    page.get_by_role("button", name="Сохранить").click()
    expect(field_error(page, "email")).to_have_text(
        "Укажите e-mail, на который присылать квитанции."
    )
    page.get_by_label("E-mail для квитанций").fill("alice.receipts@mail.ru")
    page.get_by_role("button", name="Сохранить").click()
    expect(messages(page)).to_contain_text("будут приходить на alice.receipts@mail.ru")
    expect(page.get_by_text("по e-mail на alice.receipts@mail.ru")).to_be_visible()
    assert ReceiptDelivery.objects.get(account=acc).paperless
