"""The subscriber's journeys (000 §3, 004): sign up with a concluded contract, add a
second contract by a signed request that staff approve, find a contract by advanced
search and open it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kabinet.contracts.demo import REQUEST_CONTRACT, SIGNUP_CONTRACT
from kabinet.contracts.models import Contract
from kabinet.core.management.commands.demo_data import DEMO_ORG
from tests.e2e.journeys import go, mail_link, main_text, messages, sign_in, sign_out

NEW = "Sever-Veter-2026!"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    call_command("demo_data", quiet=True)


def test_sign_up_with_a_contract(page, demo):
    go(page, "/signup/email/")
    page.get_by_role("link", name="Зарегистрируйтесь по договору").click()
    page.get_by_label("Номер договора").fill(SIGNUP_CONTRACT["number"])
    page.get_by_label("Дата договора").fill(SIGNUP_CONTRACT["signed_on"].isoformat())
    page.get_by_label("ИНН").fill("7812000015")  # a typo: the check digit is wrong
    page.get_by_label("E-mail").fill("director@sever.example.ru")
    page.get_by_label("Новый пароль").fill(NEW)
    page.get_by_label("Повторите пароль").fill(NEW)
    page.get_by_label(re.compile("согласие")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.locator("#id_inn_error")).to_contain_text("контрольная цифра")
    expect(page.get_by_label("E-mail")).to_have_value("director@sever.example.ru")
    page.get_by_label("ИНН").fill(SIGNUP_CONTRACT["inn"])
    page.get_by_label("Новый пароль").fill(NEW)
    page.get_by_label("Повторите пароль").fill(NEW)
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("heading", name="Осталось подтвердить e-mail")).to_be_visible()
    page.goto(mail_link("director@sever.example.ru"))
    sign_in(page, "director@sever.example.ru", NEW)
    page.get_by_role("link", name="Договоры").first.click()
    text = main_text(page)
    assert "ООО «Северный ветер»" in text and SIGNUP_CONTRACT["number"] in text
    page.get_by_role("link", name=SIGNUP_CONTRACT["number"]).click()
    expect(
        page.get_by_role("heading", name=f"Договор № {SIGNUP_CONTRACT['number']}")
    ).to_be_visible()


def test_add_a_contract_by_request_and_staff_approve_it(page, demo, tmp_path):
    sign_in(page, "buh@teplo-plus.example.ru")
    go(page, "/contracts/")
    page.get_by_role("link", name="Добавить договор").first.click()
    with page.expect_download() as template:
        page.get_by_role("link", name="шаблон заявления (PDF)").click()
    signed = tmp_path / "заявление.pdf"
    template.value.save_as(signed)
    assert signed.read_bytes().startswith(b"%PDF")
    expect(page.get_by_label("ИНН")).to_have_value(DEMO_ORG["inn"])
    page.get_by_label("Номер договора").fill(REQUEST_CONTRACT)
    page.get_by_role("button", name="Добавить").click()
    expect(page.locator("#id_statement_error")).to_contain_text("Приложите заявление")
    page.get_by_label("Заявление на предоставление доступа").set_input_files(str(signed))
    page.get_by_role("button", name="Добавить").click()
    expect(messages(page)).to_contain_text("Заявка принята")
    expect(page.locator("main")).to_contain_text("на рассмотрении")
    sign_out(page)

    sign_in(page, "operator")
    go(page, "/staff/contracts/requests/")
    row = page.get_by_role("row").filter(has_text=REQUEST_CONTRACT).filter(has_text=DEMO_ORG["inn"])
    expect(row).to_contain_text("договор найден")
    row.get_by_role("link").first.click()
    page.get_by_role("button", name="Одобрить и добавить договор").click()
    expect(messages(page)).to_contain_text(f"Договор № {REQUEST_CONTRACT} добавлен")
    sign_out(page)

    sign_in(page, "buh@teplo-plus.example.ru")
    go(page, "/contracts/")
    expect(page.locator("main")).to_contain_text("договор добавлен")
    page.get_by_label("Поиск", exact=True).fill(REQUEST_CONTRACT)
    page.get_by_role("button", name="Найти").first.click()
    expect(page.get_by_role("link", name=REQUEST_CONTRACT)).to_be_visible()
    assert Contract.objects.get(number=REQUEST_CONTRACT).party.inn == DEMO_ORG["inn"]


def test_find_a_contract_by_advanced_search_and_open_it(page, demo):
    sign_in(page, "buh@teplo-plus.example.ru")
    go(page, "/contracts/")
    page.get_by_text("Расширенный поиск").click()
    page.get_by_label("Адрес объекта").fill("рубинштейна")
    page.get_by_label("Состояние").select_option("concluded")
    page.get_by_role("button", name="Найти").last.click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("main")).to_contain_text("Найдено 2 договора.")
    rows.first.get_by_role("link", name="Подробнее").click()
    text = main_text(page)
    assert "Условия оплаты по договору" in text and "Аванс, % от договорных" in text
    assert "Хлынова Ирина Владимировна" in text and "ул. Рубинштейна" in text
    page.get_by_role("link", name="КУУТЭ и их показания").click()
    page.get_by_role("link", name=re.compile("КУУТЭ-")).first.click()
    expect(page.locator("main")).to_contain_text("Архив показаний")
    expect(page.locator("main")).to_contain_text("Гкал")


def test_download_a_signed_reconciliation_act_and_validate_it(page, demo, settings):
    import io
    from concurrent.futures import ThreadPoolExecutor

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from kabinet.contracts.models import SignedDocument
    from kabinet.core.signing import verify_pdf

    sign_in(page, "buh@teplo-plus.example.ru")
    go(page, "/contracts/")
    page.get_by_role("link", name="0001234", exact=True).click()
    page.get_by_role("link", name="Акты и счета-фактуры").click()
    first_row = page.locator("tbody tr").first
    act = first_row.get_by_role("link", name="Акт сверки (PDF)")
    response = page.context.request.get(page.base + act.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    # pyHanko runs its own event loop; Playwright's holds this thread, so check in another.
    check = ThreadPoolExecutor(1).submit(verify_pdf, pdf).result()
    assert check.valid and check.trusted and "ТЕСТОВАЯ ПОДПИСЬ" in check.signer
    # pyHanko's own validation, with the utility's certificate as the trust root.
    stored = SignedDocument.objects.get(kind="act")
    assert bytes(stored.pdf) == pdf
    # The demo key of this utility (tests of other utilities keep theirs beside it).
    cert_file = settings.VAR_DIR / "signing" / f"demo-{settings.KABINET_UTILITY}" / "cert.pem"
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(cert_file))], allow_fetching=False
    )
    status = ThreadPoolExecutor(1).submit(validate_pdf_signature, embedded[0], context).result()
    assert status.intact and status.valid and status.trusted and status.bottom_line
    page.reload()
    expect(first_row).to_contain_text("Подпись действительна")
    expect(page.locator("main")).to_contain_text("оператора ЭДО")
