"""Every page at 1280 and 360 px wide.

Always checks that no page scrolls sideways on a 360-px phone and that every form
field has a label. With ``--screenshots`` (``python3 dev.py shots``) it also writes
the pictures into docs/screenshots/, replacing the old ones.
"""

import re
from datetime import timedelta

import pyotp
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from conftest import PASSWORD
from kabinet.billing.models import IssuedDocument
from kabinet.billing.receipts import render_receipt_png
from kabinet.identity.models import VerificationCode
from tests.e2e.conftest import OUT


def go(page, path: str) -> None:
    page.goto(page.base + path)


def sign_in(page, identifier: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    go(page, "/login/")
    page.locator("[name=identifier]").fill(identifier)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


def sign_up(page, mode: str, last_name: str, first_name: str, contacts: dict) -> None:
    go(page, f"/signup/{mode}/")
    page.get_by_label("Физическое лицо").check()
    page.get_by_label("Фамилия").fill(last_name)
    page.get_by_label("Имя", exact=True).fill(first_name)
    for name, value in contacts.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.get_by_label(re.compile("согласие")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()


def test_public_pages(page, shoot, sms_outbox):
    call_command("demo_data", quiet=True)
    for name, path in [
        ("welcome", "/"),
        ("login", "/login/"),
        ("signup-choose", "/signup/"),
        ("signup-email", "/signup/email/"),
        ("signup-phone", "/signup/phone/"),
        ("recovery", "/recovery/"),
        ("reset-request", "/recovery/password/"),
        ("login-reminder", "/recovery/login/"),
        ("personal-data-policy", "/legal/personal-data/"),
    ]:
        go(page, path)
        shoot(name)

    go(page, "/login/")
    page.locator("[name=identifier]").fill("nobody@example.ru")
    page.get_by_label("Пароль").fill("wrong-password")
    page.get_by_role("button", name="Войти").click()
    shoot("login-error")

    go(page, "/signup/email/")
    page.get_by_label("Физическое лицо").check()
    page.get_by_label("ИНН", exact=False).first.fill("123")
    page.get_by_role("button", name="Зарегистрироваться").click()
    shoot("signup-errors")

    sign_up(page, "email", "Соколова", "Мария", {"email": "maria@example.ru"})
    shoot("signup-email-sent")

    sign_up(page, "phone", "Орлов", "Пётр", {"phone": "+7 921 555-44-33"})
    shoot("signup-phone-confirm")

    go(page, "/recovery/password/")
    page.get_by_label(re.compile("e-mail", re.I)).first.fill("resident@example.ru")
    page.get_by_role("button").filter(has_text=re.compile("код", re.I)).first.click()
    shoot("reset-confirm")

    go(page, "/confirm/00000000-0000-0000-0000-000000000000/nonsense/")
    shoot("link-invalid")

    go(page, "/no-such-page/")
    shoot("not-found")


def shoot_payments(page, shoot, account_path: str) -> None:
    """Online payment through the demo's test provider: the form, SBP's QR code (left
    waiting), the test card page, a paid payment, the history, a card with an autopay."""
    go(page, "/pay/")
    shoot("payments-pay")
    go(page, account_path)
    page.locator("main").get_by_role("link", name="Оплатить", exact=True).click()
    page.get_by_label(re.compile("СБП — QR")).check()
    page.get_by_role("button", name="Оплатить", exact=True).click()
    page.locator(".sbp-qr svg").wait_for()

    # The waiting page reloads itself every 3 s; the picture is taken without that.
    def no_refresh(route):
        response = route.fetch()
        body = re.sub(r'<meta http-equiv="refresh"[^>]*>', "", response.text())
        route.fulfill(response=response, body=body)

    page.route(page.url, no_refresh)
    page.reload()
    shoot("payments-sbp")
    page.unroute(page.url)

    go(page, "/pay/")
    page.get_by_label(re.compile("Сохранить карту")).check()
    page.get_by_role("button", name="Оплатить", exact=True).click()
    shoot("payments-test-card")
    page.get_by_label("Номер карты").fill("4242 4242 4242 4242")
    page.get_by_label("Срок действия (ММ/ГГ)").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Оплатить (тест)").click()
    page.locator(".payment-status .badge--ok").wait_for()
    shoot("payments-done")
    go(page, "/pay/history/")
    shoot("payments-history")
    go(page, "/pay/cards/")
    page.get_by_label("Лицевой счёт").select_option(index=1)
    page.get_by_label(re.compile("^Карта")).select_option(index=1)
    page.get_by_label("Число месяца").select_option("20")
    page.get_by_label("Не больше, ₽ в месяц").fill("5000")
    page.get_by_role("button", name="Включить на год").click()
    page.locator(".messages").wait_for()
    shoot("payments-cards")


def test_customer_pages(page, shoot, request):
    call_command("demo_data", quiet=True)
    sign_in(page, "resident@example.ru")
    shoot("home-resident")
    go(page, "/accounts/?all=1")
    shoot("accounts")
    page.get_by_role("link", name=re.compile("Лицевой счёт 100000001")).first.click()
    shoot("account")
    account_path = page.url.removeprefix(page.base)
    for name, suffix in [
        ("money-charges", "charges/"),
        ("money-payments", "payments/"),
        ("money-breakdown", "breakdown/"),
        ("money-delivery", "delivery/"),
    ]:
        go(page, account_path + suffix)
        shoot(name)
    go(page, account_path + "documents/?unpaid=1")
    shoot("money-documents")
    shoot_payments(page, shoot, account_path)
    go(page, "/tariffs/")
    shoot("tariffs")
    # The resident's last receipt as a picture: what the PDF looks like.
    receipt = IssuedDocument.objects.filter(account__number="100000001").order_by("-period")[0]
    png = render_receipt_png(receipt.snapshot, ppi=110)
    assert png.startswith(b"\x89PNG")
    if request.config.getoption("--screenshots"):
        (OUT / "receipt.png").write_bytes(png)
    go(page, account_path)
    page.get_by_role("link", name="Передать показания").click()
    shoot("readings-submit")
    go(page, page.url.replace("/submit/", "/history/").removeprefix(page.base))
    shoot("readings-history")
    go(page, "/meters/")
    shoot("meters")
    go(page, "/houses/")
    shoot("my-houses")
    page.get_by_role("link", name="Сведения о доме").first.click()
    shoot("house")
    go(page, "/houses/add/")
    shoot("house-add")
    go(page, "/accounts/add/")
    page.locator("[name=number]").fill("100000003")
    page.locator("[name=amount]").fill("2345,00")
    page.locator("[name=paid_on]").fill("2026-10-14")
    page.get_by_role("button", name="Добавить").click()
    shoot("account-add-error")
    with override_settings(KABINET_UTILITY="gorseti_tomsk"):
        go(page, "/accounts/add/")
        shoot("meter-add")
    for name, path in [
        ("profile", "/profile/"),
        ("password-change", "/profile/password/"),
        ("change-email", "/profile/email/"),
        ("change-phone", "/profile/phone/"),
        ("totp", "/profile/two-factor/"),
        ("notices", "/notifications/"),
        ("notices-settings", "/notifications/settings/"),
    ]:
        go(page, path)
        shoot(name)

    go(page, "/profile/two-factor/")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("[name=code]").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Включить").click()
    sign_in(page, "resident@example.ru")
    shoot("login-totp")

    sign_in(page, "0001234")
    shoot("home-organisation")
    go(page, "/profile/")
    shoot("profile-organisation")

    sign_in(page, "000456", "7728168971")
    shoot("password-change-forced")


def test_staff_pages(page, shoot):
    call_command("demo_data", quiet=True)
    sign_in(page, "operator")
    shoot("staff-dashboard")
    go(page, "/staff/access/issue/")
    shoot("staff-issue-access")
    page.get_by_label("Наименование организации").fill("ООО «Северный поток»")
    page.get_by_label("ИНН").fill("7728168971")
    page.get_by_label("КПП").fill("772801001")
    page.get_by_label("Номер договора").fill("0007788")
    page.get_by_label(re.compile("E-mail")).fill("sever@example.ru")
    page.get_by_label(re.compile("Контактное лицо")).fill("Лебедева Ольга Петровна")
    page.get_by_label(re.compile("Телефон")).fill("+7 812 555-01-02")
    page.get_by_role("button").filter(has_text=re.compile("Выдать")).click()
    shoot("staff-issued-card")
    link = re.search(r"https?://\S+/activate/\S+/", mail.outbox[-1].body).group(0)
    go(page, "/staff/access/contract-login/")
    shoot("staff-contract-login")
    sign_in(page, "billing")
    go(page, "/staff/billing/")
    page.get_by_label("Задание").select_option("receipts")
    page.get_by_role("button", name="Запустить").click()
    shoot("staff-billing")
    go(page, "/staff/?q=0001234")
    page.get_by_role("link", name=re.compile("Тепло Плюс")).first.click()
    shoot("staff-user")

    page.context.clear_cookies()
    page.goto(link)
    shoot("activate-not-yet")
    VerificationCode.objects.filter(purpose="activation").update(
        valid_from=timezone.now() - timedelta(hours=1)
    )
    page.goto(link)
    shoot("activate")


def test_outages_and_news_pages(page, shoot):
    call_command("demo_data", quiet=True)
    sign_in(page, "resident@example.ru")
    go(page, "/outages/mine/")
    shoot("outages")
    go(page, "/news/")
    shoot("news")
    page.get_by_role("link", name=re.compile("Оплата без комиссии")).click()
    shoot("news-item")
    page.context.clear_cookies()
    go(page, "/outages/")
    shoot("outages-public")
    from kabinet.outages.models import Outage

    house = Outage.objects.select_related("house__street").first().house
    go(
        page,
        f"/outages/?settlement={house.street.settlement_id}&street={house.street_id}"
        f"&number={house.number}&building={house.building}&letter={house.letter}&at=variant",
    )
    shoot("outages-public-found")
    sign_in(page, "operator")
    go(page, "/staff/outages/")
    shoot("staff-outages")
    page.get_by_role("link", name="Изменить").first.click()
    shoot("staff-outage")
    go(page, "/staff/news/")
    shoot("staff-news")


def test_appeal_pages(page, shoot, settings, tmp_path):
    """Обращения: the customer's list, a new appeal, a conversation; the staff queue and
    the staff appeal page."""
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    call_command("demo_data", quiet=True)
    sign_in(page, "resident@example.ru")
    go(page, "/appeals/")
    shoot("appeals")
    go(page, "/appeals/new/")
    shoot("appeal-new")
    page.get_by_label("Тема обращения").select_option(index=1)
    page.get_by_role("button", name="Отправить обращение").click()
    shoot("appeal-new-error")
    go(page, "/appeals/")
    page.locator(".appeals__item--unread a").first.click()
    shoot("appeal")
    sign_in(page, "operator")
    go(page, "/staff/appeals/")
    shoot("staff-appeals")
    page.locator("tbody a").first.click()
    shoot("staff-appeal")


def test_contract_pages(page, shoot, settings, tmp_path):
    from kabinet.contracts.models import Contract
    from kabinet.contracts.services.cabinet import contract_chat_answer, contract_chat_write
    from kabinet.identity.models import User

    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    call_command("demo_data", quiet=True)
    contract = Contract.objects.get(number="0001234")
    org = User.objects.get(email="buh@teplo-plus.example.ru")
    contract_chat_write(
        user=org, contract=contract, text="Добрый день! Когда будет готов акт сверки за октябрь?"
    )
    contract_chat_answer(
        staff=User.objects.get(login="operator"),
        contract=contract,
        text="Здравствуйте! Акт сверки за октябрь уже доступен в разделе «Акты и счета-фактуры».",
    )
    go(page, "/contracts/signup/")
    shoot("contract-signup")
    sign_in(page, "buh@teplo-plus.example.ru")
    go(page, "/contracts/")
    shoot("contracts")
    go(page, "/contracts/?address=садовая&state=concluded")
    shoot("contracts-search")
    go(page, f"/contracts/{contract.uuid}/")
    shoot("contract")
    go(page, f"/contracts/objects/?contract={contract.uuid}")
    page.locator("details.object-card summary").first.click()
    shoot("contract-objects")
    go(page, "/contracts/units/")
    shoot("contract-units")
    go(page, f"/contracts/units/{contract.units.get().uuid}/")
    shoot("contract-unit")
    go(page, f"/contracts/objects/{contract.supply_objects.get().uuid}/normative/")
    shoot("contract-normative")
    go(page, f"/contracts/{contract.uuid}/chat/")
    shoot("contract-chat")
    go(page, f"/accounts/{contract.account.uuid}/charges/")
    shoot("contract-settlements")
    go(page, f"/contracts/{contract.uuid}/reports/")
    shoot("contract-reports")
    go(page, f"/contracts/{contract.uuid}/reports/new/")
    shoot("contract-report-new")
    go(page, f"/contracts/{contract.uuid}/documents/")
    page.get_by_role("link", name="Акт сверки (PDF)").first.click()
    go(page, f"/contracts/{contract.uuid}/documents/")
    shoot("contract-documents")
    go(page, "/profile/organisation/")
    shoot("organisation-members")
    go(page, "/contracts/add/")
    shoot("contract-request")
    go(page, f"/pay/?account={contract.account.uuid}")
    shoot("contract-pay")
    sign_in(page, "operator")
    go(page, "/staff/contracts/requests/")
    shoot("staff-contract-requests")
    page.get_by_role("row").filter(has_text="0007777").get_by_role("link").first.click()
    shoot("staff-contract-request")
    go(page, "/staff/contracts/chats/")
    shoot("staff-contract-chats")
    sign_in(page, "billing")
    go(page, "/staff/contracts/reports/")
    shoot("staff-contract-reports")


def test_application_pages(page, shoot, settings, tmp_path, tmp_path_factory):
    """Заявки: the applicant's pages (start, each step of the form, «Мои заявки», the
    card in each state, objects), a service request (tashkent_heat) and a contract
    request (tek_spb), the staff queue and card, and the public connection tools."""
    from conftest import make_user
    from kabinet.applications.models import Application
    from kabinet.applications.tests import signatures
    from kabinet.identity.models import User
    from tests.e2e.test_applications import field, pdf_file, press

    settings.KABINET_UTILITY = "gorseti_tomsk"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    settings.KABINET_SIGNING_KEY_PASSPHRASE = None
    call_command("demo_data", quiet=True)

    def enter(identifier: str, password: str = PASSWORD) -> None:
        sign_in(page, identifier, password)
        page.wait_for_url(lambda url: "/login/" not in url)

    developer = User.objects.get(email="developer@example.ru")
    mine = Application.objects.filter(user=developer).exclude(status="draft")
    in_work = mine.get(status="in_work")
    done = mine.get(status="done")
    refused = mine.get(status="refused")

    # A person's ≤ 15 кВт application, step by step.
    make_user(email="petrova@example.ru")
    enter("petrova@example.ru")
    go(page, "/applications/new/")
    shoot("applications-start")
    page.locator(".categories__group").filter(has_text="Физическое лицо").get_by_role(
        "button", name="до 15 кВт для бытовых нужд", exact=True
    ).click()
    page.get_by_label("Присоединение впервые").check()
    field(page, "Имя").fill("Анна")
    field(page, "Отчество").fill("Сергеевна")
    page.get_by_label("Паспорт: серия и номер").fill("69 04 123456")
    page.get_by_label("Паспорт выдан: кем и когда").fill(
        "ОВД Кировского района г. Томска, 01.02.2010, 700-001"
    )
    page.get_by_label("Адрес регистрации (индекс и адрес)").fill(
        "634009, г. Томск, ул. Ленина, д. 1, кв. 2"
    )
    page.get_by_label("Телефон").fill("+7 913 000-00-01")
    press(page, "Далее")
    shoot("applications-step-requisites-error")
    field(page, "Фамилия").fill("Петрова")
    press(page, "Далее")
    page.get_by_label("Наименование объекта").fill("Садовый дом")
    shoot("applications-step-object")
    page.get_by_label("Адрес (местоположение) объекта").fill("Томская обл., СНТ «Рассвет», уч. 15")
    page.get_by_label("Кадастровый номер земельного участка").fill("70:14:0100024:15")
    press(page, "Далее")
    page.get_by_label("Максимальная мощность присоединяемых устройств, кВт").fill("15")
    page.get_by_label("Сроки проектирования и ввода в эксплуатацию").fill("IV квартал 2027 года")
    shoot("applications-step-technical")
    press(page, "Далее")
    page.get_by_label("Какой это документ").select_option(index=0)
    page.get_by_label("Файлы").set_input_files(pdf_file("план участка.pdf"))
    press(page, "Приложить")
    shoot("applications-step-documents")
    for index in (1, 2):
        page.get_by_label("Какой это документ").select_option(index=index)
        page.get_by_label("Файлы").set_input_files(pdf_file(f"документ {index}.pdf"))
        press(page, "Приложить")
    press(page, "Далее")
    shoot("applications-preview")
    press(page, "Подать заявку")
    shoot("applications-card-filed")

    # The developer's cabinet: the list, a card in each state, the objects.
    enter("developer@example.ru")
    go(page, "/applications/")
    shoot("applications-list")
    go(page, f"/applications/{in_work.uuid}/")
    shoot("applications-card-request")
    go(page, f"/applications/{done.uuid}/")
    shoot("applications-card-contract")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Скачать договор")).click()
    signed = signatures.sign_pdf_on_top(
        download.value.path().read_bytes(), name="Кузнецов Павел Андреевич"
    )
    page.get_by_label(re.compile("Подписанный договор")).set_input_files(
        pdf_file("Договор подписан.pdf", signed)
    )
    press(page, "Отправить подписанный договор")
    page.locator(".messages").wait_for()
    shoot("applications-card-contract-signed")
    go(page, "/applications/contracts/")
    shoot("applications-contracts")
    go(page, f"/applications/{refused.uuid}/")
    shoot("applications-card-refused")
    go(page, "/applications/objects/")
    shoot("applications-objects")
    go(page, "/applications/objects/new/")
    shoot("applications-object-new")
    go(page, f"/applications/objects/{in_work.connection_object.uuid}/")
    shoot("applications-object")

    # The public connection tools, nobody signed in.
    page.context.clear_cookies()
    go(page, "/connection/documents/")
    shoot("connection-documents")
    go(page, "/connection/calculator/?power=15&distance=100&voltage=0.4&reliability=3")
    page.locator("#result summary").click()
    shoot("connection-calculator")
    go(page, "/connection/check/")
    page.get_by_label("Номер заявки").fill(in_work.number)
    page.get_by_label("Фамилия или название организации").fill("ООО «СтройДом»")
    press(page, "Проверить")
    page.locator("#h-found").wait_for()
    shoot("connection-check")

    # A service request under a contract (003 §3.5).
    settings.KABINET_UTILITY = "tashkent_heat"
    baths = User.objects.get(login="000456")
    User.objects.filter(pk=baths.pk).update(must_change_password=False)
    enter("000456", "7728168971")
    go(page, "/applications/service/new/")
    shoot("applications-service-new")
    page.get_by_label("Обследование прибора учёта и снятие контрольных показаний").check()
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    page.get_by_label("Желаемая дата посещения").fill(day.isoformat())
    page.get_by_label("Кто встретит сотрудника (ФИО)").fill("Каримов Алишер")
    page.get_by_label("Телефон для связи").fill("+998 71 000-00-01")
    page.get_by_label("Комментарий").fill("Вход со двора, позвоните за час.")
    press(page, "Отправить заявку")
    shoot("applications-service-card")

    # A request to conclude a contract (000 §3.4), beside heat connection.
    settings.KABINET_UTILITY = "tek_spb"
    enter("buh@teplo-plus.example.ru")
    go(page, "/applications/new/")
    shoot("applications-contract-start")

    # The back office. Its card fails the label check until the «Запросить сведения»
    # and «Ответить заявителю» forms stop sharing the field id id_text.
    settings.KABINET_UTILITY = "gorseti_tomsk"
    enter("engineer")
    go(page, "/staff/applications/")
    shoot("applications-staff-queue")
    go(page, f"/staff/applications/{in_work.uuid}/")
    shoot("applications-staff-card")
    go(page, f"/staff/applications/{done.uuid}/")
    shoot("applications-staff-card-contract")


def test_backoffice_pages(page, shoot, settings, tmp_path):
    """Issue 9's back office: each role's day, the queues, the customer's whole picture,
    the journal, roles and settings, imports with rejected rows, exports and the
    daily refresh."""
    from kabinet.customer_accounts.models import AccountLinkRequest
    from kabinet.identity.models import User
    from kabinet.integration.refresh import integration_refresh_run

    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    settings.KABINET_INTEGRATION_UPLOADS_DIR = str(tmp_path / "imports")
    settings.KABINET_INTEGRATION_EXPORTS_DIR = str(tmp_path / "exports")
    settings.KABINET_INTEGRATION_INBOX_DIR = str(tmp_path / "inbox")
    call_command("demo_data", quiet=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "readings.csv").write_text(
        "account;meter;zone;period;value;source;taken_at\n"
        "100000010;ГВС-000010;;2026-11;999,5;billing;24.11.2026\n"
        "100000011;ГВС-999999;;2026-11;10;billing;24.11.2026\n",
        encoding="utf-8",
    )
    integration_refresh_run()

    sign_in(page, "operator")
    shoot("staff-day-operator")
    resident = User.objects.get(email="resident@example.ru")
    go(page, f"/staff/users/{resident.uuid}/")
    shoot("staff-customer")
    go(page, "/staff/accounts/requests/")
    shoot("staff-account-link-requests")
    go(page, f"/staff/accounts/requests/{AccountLinkRequest.objects.first().uuid}/")
    shoot("staff-account-link-request")

    sign_in(page, "billing")
    shoot("staff-day-billing")
    go(page, "/staff/readings/")
    shoot("staff-readings")
    go(page, "/staff/integration/")
    page.get_by_label("Что загружается").select_option("readings")
    bad = tmp_path / "readings-bad.csv"
    bad.write_text(
        "account;meter;zone;period;value;source;taken_at\n"
        "100000012;ГВС-000012;;2026-11;1000;billing;24.11.2026\n"
        "100000013;ГВС-000013;;13.2026;5;billing;24.11.2026\n"
        "100000014;ГВС-999999;;2026-11;много;billing;24.11.2026\n",
        encoding="utf-8",
    )
    page.get_by_label("Файл").set_input_files(str(bad))
    page.get_by_role("button", name="Загрузить и проверить").click()
    shoot("staff-import-preview")
    go(page, "/staff/integration/")
    shoot("staff-imports")
    go(page, "/staff/integration/exports/")
    page.get_by_role("button", name="Выгрузить").click()
    shoot("staff-exports-error")
    page.get_by_label("показания, переданные потребителями").check()
    page.locator("[name=date_from]").fill(f"{timezone.localdate().replace(day=1):%Y-%m-%d}")
    page.locator("[name=date_to]").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("button", name="Выгрузить").click()
    shoot("staff-exports")
    go(page, "/staff/integration/refresh/")
    shoot("staff-refresh")

    sign_in(page, "admin")
    go(page, "/staff/audit/")
    shoot("staff-audit")
    go(page, "/staff/team/")
    shoot("staff-team")
    go(page, "/staff/settings/")
    shoot("staff-settings")
