"""Заявки in a real browser (002 §4.6, 000 §4, 003 §3.5): a person files a ≤ 15 кВт
connection application step by step, with a draft left and taken up again; staff take
it, ask for more, and attach the contract signed by the utility, which the applicant
downloads, signs with their own key and sends back; anybody checks its status by the
number and the surname; the public calculator; a service request under a contract."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from kabinet.applications.calculator import demo_rate_tables
from kabinet.applications.models import Application, ConnectionContract
from kabinet.applications.tests import factories, signatures
from kabinet.contracts.tests.factories import contract, organisation
from kabinet.core.pdf import render_pdf
from kabinet.core.utility import get_utility
from tests.e2e.journeys import field_error, go, main_text, messages, sign_in

EMAIL = "petrova@example.ru"
NUMBER_702 = re.compile(r"\d{4}-\d{2}-\d{2}-702-1")


def pdf_file(name: str, data: bytes = factories.PDF) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def field(scope, label: str):
    """The input labelled exactly ``label`` (a required one's label ends in « *»)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))


def text_of(locator) -> str:
    """What a locator shows, its spaces (non-breaking ones too) made plain."""
    return re.sub(r"\s+", " ", locator.inner_text())


@pytest.fixture
def tomsk(settings, tmp_path, tmp_path_factory):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    # One demo signing key per test worker, outside the repository's var/.
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    settings.KABINET_SIGNING_KEY_PASSPHRASE = None


@pytest.fixture
def person(tomsk, transactional_db):
    return make_user(email=EMAIL)


def press(page, name: str) -> None:
    """Press a button and wait for the page the POST leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


# --- a. filing step by step ---------------------------------------------------------------


def test_a_person_files_a_connection_application_step_by_step(page, person):
    sign_in(page, EMAIL)
    go(page, "/applications/")
    expect(page.get_by_role("heading", name="Мои заявки")).to_be_visible()
    page.get_by_role("link", name="Создать заявку").click()
    group = page.locator(".categories__group").filter(
        has=page.get_by_role("heading", name="Физическое лицо")
    )
    with page.expect_navigation():
        group.get_by_role("button", name="до 15 кВт для бытовых нужд", exact=True).click()

    # Реквизиты и контакты: the surname left empty is refused next to its field.
    expect(page.get_by_role("heading", name="Реквизиты и контакты", level=2)).to_be_visible()
    page.get_by_label("Присоединение впервые").check()
    field(page, "Имя").fill("Анна")
    page.get_by_label("Паспорт: серия и номер").fill("69 04 123456")
    press(page, "Далее")
    expect(field_error(page, "last_name")).to_contain_text("Обязательное поле")
    expect(field(page, "Имя")).to_have_value("Анна")
    expect(page.get_by_label("Паспорт: серия и номер")).to_have_value("69 04 123456")

    press(page, "Сохранить черновик")
    expect(messages(page)).to_contain_text("Черновик сохранён")

    # Away and back: «Мои заявки» → «Продолжить заполнение» brings back what was typed.
    go(page, "/profile/")
    page.get_by_role("banner").get_by_role("link", name="Заявки").click()
    expect(page.get_by_role("heading", name="Мои заявки")).to_be_visible()
    page.get_by_role("link", name="Продолжить заполнение").click()
    expect(page.get_by_role("heading", name="Реквизиты и контакты", level=2)).to_be_visible()
    expect(field(page, "Имя")).to_have_value("Анна")
    expect(page.get_by_label("Паспорт: серия и номер")).to_have_value("69 04 123456")
    expect(page.get_by_label("Присоединение впервые")).to_be_checked()

    page.get_by_label("Фамилия").fill("Петрова")
    page.get_by_label("Отчество").fill("Сергеевна")
    page.get_by_label("Паспорт выдан: кем и когда").fill(
        "ОВД Кировского района г. Томска, 01.02.2010, 700-001"
    )
    page.get_by_label("Адрес регистрации (индекс и адрес)").fill(
        "634009, г. Томск, ул. Ленина, д. 1, кв. 2"
    )
    page.get_by_label("Телефон").fill("+7 913 000-00-01")
    press(page, "Далее")

    # Объект: a new one, typed here.
    expect(page.get_by_role("heading", name="Объект", level=2)).to_be_visible()
    expect(page.get_by_label("Объект из реестра")).to_have_value("")
    page.get_by_label("Наименование объекта").fill("Садовый дом")
    page.get_by_label("Адрес (местоположение) объекта").fill("Томская обл., СНТ «Рассвет», уч. 15")
    page.get_by_label("Кадастровый номер земельного участка").fill("70:14:0100024:15")
    press(page, "Далее")

    # Технические данные: 16 кВт is more than this category allows.
    expect(page.get_by_role("heading", name="Технические данные", level=2)).to_be_visible()
    power = page.get_by_label("Максимальная мощность присоединяемых устройств, кВт")
    power.fill("16")
    page.get_by_label("Уровень напряжения, кВ").select_option("0.23")
    press(page, "Далее")
    expect(field_error(page, "max_power")).to_contain_text(
        "Для категории «до 15 кВт для бытовых нужд» мощность не больше 15 кВт"
    )
    expect(power).to_have_value("16")
    power.fill("15")
    page.get_by_label("Сроки проектирования и ввода в эксплуатацию").fill("IV квартал 2027 года")
    press(page, "Далее")

    # Документы: «Далее» without the required ones is refused; then each is attached.
    expect(page.get_by_role("heading", name="Документы", level=2)).to_be_visible()
    press(page, "Далее")
    expect(page.locator(".alert--error")).to_contain_text("Приложите обязательные документы")
    for title, name in (
        ("План расположения энергопринимающих устройств", "план.pdf"),
        ("Документ о праве собственности или ином законном основании на объект", "ЕГРН.pdf"),
        ("Копия паспорта", "паспорт.pdf"),
    ):
        page.get_by_label("Какой это документ").select_option(label=title)
        page.get_by_label("Файлы").set_input_files(pdf_file(name))
        press(page, "Приложить")
        expect(messages(page)).to_contain_text(f"Приложено: {name}.")
        expect(page.locator(".docs__item").filter(has_text=title)).to_contain_text(name)
    expect(page.locator(".docs__item--missing")).to_have_count(0)
    press(page, "Далее")

    # Предпросмотр: everything typed, and «Подать заявку».
    expect(page.locator("[aria-current=step]")).to_have_text(re.compile("Предпросмотр"))
    preview = main_text(page)
    for typed in (
        "Петрова",
        "Анна",
        "69 04 123456",
        "Садовый дом",
        "СНТ «Рассвет», уч. 15",
        "70:14:0100024:15",
        "15",
        "IV квартал 2027 года",
        "план.pdf",
        "ЕГРН.pdf",
        "паспорт.pdf",
    ):
        assert typed in preview, typed
    press(page, "Подать заявку")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Заявка № \d{4}-\d{2}-\d{2}-702-1$"))
    number = NUMBER_702.search(heading.inner_text()).group(0)
    expect(messages(page)).to_contain_text(f"зарегистрирована под номером {number}")
    card = page.get_by_role("region", name="Данные заявки")
    expect(card.locator(".badge")).to_have_text("Зарегистрирована")
    app = Application.objects.get(number=number)
    assert (app.user, app.status, app.applicant_name) == (
        person,
        "registered",
        "Петрова Анна Сергеевна",
    )
    assert app.connection_object.name == "Садовый дом"

    go(page, "/applications/")
    row = page.locator("tbody tr").filter(has_text=number)
    expect(row).to_contain_text("Зарегистрирована")
    expect(row).to_contain_text("СНТ «Рассвет»")


# --- b. staff, a request for more, the contract and its signature back -----------------------


def test_staff_ask_for_more_and_attach_the_contract_the_applicant_signs_back(
    page, new_page, person
):
    app = factories.filed(person)
    make_user(login="tp-specialist", staff=True, display_name="Специалист ТП Орлова")

    staff = new_page()
    sign_in(staff, "tp-specialist")
    go(staff, "/staff/applications/")
    row = staff.locator("tbody tr").filter(has_text=app.number)
    expect(row).to_contain_text("Петрова Анна Сергеевна")
    expect(row).to_contain_text("Зарегистрирована")
    row.get_by_role("link", name=app.number).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(f"Заявка № {app.number}")
    press(staff, "Принять")
    expect(messages(staff)).to_contain_text("статус «Принята»")
    press(staff, "Взять в работу")
    expect(messages(staff)).to_contain_text("статус «В работе»")
    staff.get_by_label("Что нужно предоставить").fill("Приложите схему ввода в дом.")
    press(staff, "Запросить")
    expect(messages(staff)).to_contain_text("Запрос отправлен заявителю.")
    expect(staff.locator("#requests")).to_contain_text("ждём ответа заявителя")

    # The applicant sees the request on the card and answers it with a file.
    sign_in(page, EMAIL)
    go(page, f"/applications/{app.uuid}/")
    request = page.get_by_role("region", name=re.compile("^Запрос специалиста от"))
    expect(request).to_contain_text("Приложите схему ввода в дом.")
    expect(page.get_by_role("region", name="Данные заявки")).to_contain_text("В работе")
    request.get_by_label("Ответ").fill("Схема во вложении.")
    request.get_by_label("Файлы").set_input_files(pdf_file("схема ввода.pdf"))
    press(page, "Ответить и приложить")
    expect(messages(page)).to_contain_text("Ответ отправлен специалисту.")
    answered = page.get_by_role("region", name=re.compile("^Запрос специалиста от"))
    expect(answered).to_contain_text("Схема во вложении.")
    expect(answered.get_by_role("link", name="схема ввода.pdf")).to_be_visible()

    # Staff see the answer, and attach the contract with its number and date.
    staff.reload()
    requests = staff.locator("#requests")
    expect(requests).to_contain_text("Схема во вложении.")
    expect(requests.get_by_role("link", name="схема ввода.pdf")).to_be_visible()
    contract_pdf = render_pdf(
        "applications/demo_contract",
        {
            "number": "12-ТП",
            "date": timezone.localdate().strftime("%d.%m.%Y"),
            "utility": get_utility().full_name,
            "applicant": "Петрова Анна Сергеевна",
            "object": "Садовый дом",
            "address": "Томская обл., СНТ «Рассвет», уч. 15",
            "application": app.number,
            "term": "6 месяцев",
        },
    )
    staff.get_by_label("Номер договора").fill("12-ТП")
    staff.get_by_label("Дата договора").fill(timezone.localdate().isoformat())
    staff.get_by_label("Договор (PDF)").set_input_files(pdf_file("договор 12-ТП.pdf", contract_pdf))
    press(staff, "Подписать и приложить договор")
    expect(messages(staff)).to_contain_text("Договор № 12-ТП приложен и подписан")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Завершена")

    # The applicant's card: signed by the utility, the stages with due dates, the download.
    page.reload()
    section = page.get_by_role("region", name=re.compile("^Договор № 12-ТП от"))
    expect(section).to_contain_text("Подписан организацией")
    expect(section).to_contain_text("электронная подпись")
    expect(section).to_contain_text("ждёт подписи")
    contract = ConnectionContract.objects.get(application=app)
    stages = list(contract.stages.all())
    due = {s.code: s.due_date for s in stages}
    assert due["customer_signed"] and due["utility_works"] and due["connected"], due
    table = section.locator("table tbody tr")
    expect(table).to_have_count(len(stages))
    for stage in stages:
        if stage.due_date:
            expect(table.filter(has_text=stage.title)).to_contain_text(
                stage.due_date.strftime("%d.%m.%Y")
            )
    signed_row = table.filter(has_text="Договор подписан заявителем")
    expect(signed_row).to_contain_text("не выполнен")

    with page.expect_download() as download:
        section.get_by_role("link", name=re.compile("Скачать договор")).click()
    assert download.value.suggested_filename == "Договор № 12-ТП.pdf"
    ours = download.value.path().read_bytes()
    assert ours.startswith(b"%PDF")

    signed = signatures.sign_pdf_on_top(ours)
    section.get_by_label(re.compile("Подписанный договор")).set_input_files(
        pdf_file("Договор 12-ТП подписан.pdf", signed)
    )
    press(page, "Отправить подписанный договор")
    expect(messages(page)).to_contain_text(
        f"Договор № 12-ТП подписан вами и отправлен в организацию. Подпись: {signatures.APPLICANT}."
    )
    section = page.get_by_role("region", name=re.compile("^Договор № 12-ТП от"))
    expect(section.locator(".badge--ok").first).to_have_text("договор подписан")
    expect(section).to_contain_text(signatures.APPLICANT)
    expect(section.get_by_role("link", name="Договор 12-ТП подписан.pdf")).to_be_visible()
    signed_row = section.locator("table tbody tr").filter(has_text="Договор подписан заявителем")
    expect(signed_row.locator(".badge--ok")).to_have_text(timezone.localdate().strftime("%d.%m.%Y"))
    expect(section.get_by_role("button", name="Отправить подписанный договор")).to_have_count(0)

    staff.reload()
    expect(staff.locator("#contract")).to_contain_text("договор подписан заявителем")
    expect(staff.locator("#contract")).to_contain_text(signatures.APPLICANT)


# --- c. the public status check ---------------------------------------------------------------


def test_anybody_checks_the_status_by_the_number_and_the_surname(new_page, person):
    app = factories.filed(person)
    page = new_page()  # nobody signed in
    go(page, "/connection/check/")
    expect(page.get_by_role("heading", name="Проверить заявку")).to_be_visible()
    page.get_by_label("Номер заявки").fill(app.number)
    page.get_by_label("Фамилия или название организации").fill("петрова")
    press(page, "Проверить")
    found = page.get_by_role("region", name="Данные заявки")
    rows = [text_of(r) for r in found.locator("dt, dd").all()]
    assert rows == [
        "Номер заявки:",
        app.number,
        "Статус заявки:",
        "Зарегистрирована",
        "В связи с:",
        "Присоединение впервые",
        "Тип заявки:",
        "Технологическое присоединение к электрическим сетям, Физическое лицо, "
        "до 15 кВт для бытовых нужд",
    ], rows
    text = main_text(page)
    for secret in ("Анна", "Сергеевна", "Ленина", "СНТ", "Рассвет", "69 04", "Садовый"):
        assert secret not in text, secret

    page.get_by_label("Фамилия или название организации").fill("Иванова")
    press(page, "Проверить")
    expect(page.get_by_role("region", name="Данные заявки")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(
        "Заявка с таким номером и фамилией (названием организации) не найдена."
    )
    assert "Зарегистрирована" not in main_text(page)


# --- d. the calculator ---------------------------------------------------------------------------


def test_anybody_estimates_the_cost_of_connection(page, tomsk):
    demo_rate_tables(get_utility())
    go(page, "/connection/calculator/")
    expect(
        page.get_by_role("heading", name="Калькулятор стоимости технологического присоединения")
    ).to_be_visible()
    page.get_by_label("Мощность, кВт").fill("15")
    page.get_by_label("Расстояние до сетей электроснабжения, метры").fill("100")
    page.get_by_label("Напряжение, кВ").select_option(label="0,4")
    page.get_by_label("Категория электроснабжения").select_option(label="III")
    press(page, "Рассчитать")
    result = page.get_by_role("region", name="Итого")
    text = text_of(result)
    assert "по стандартизированным тарифным ставкам: 13 202,00" in text, text
    assert "по ставке за кВт присоединяемой мощности: 10 491,60" in text, text
    # The form keeps what was typed, and the result can be bookmarked.
    expect(page.get_by_label("Мощность, кВт")).to_have_value("15")
    assert "power=15" in page.url


# --- e. a service request under a contract -------------------------------------------------------


def next_weekday():
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_an_organisation_files_a_service_request_and_prints_it(page, settings, tmp_path):
    settings.KABINET_UTILITY = "tashkent_heat"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    user = make_user(login="00777")
    con = contract(party=organisation(user), number="00777")

    sign_in(page, "00777")
    page.get_by_role("banner").get_by_role("link", name="Заявки").click()
    page.get_by_role("link", name="Заявка на услугу по договору").click()
    expect(page.get_by_role("heading", name="Подать заявку")).to_be_visible()
    page.get_by_label("Обследование прибора учёта и снятие контрольных показаний").check()
    expect(field(page, "Договор")).to_have_value(str(con.uuid))
    day = next_weekday()
    page.get_by_label("Желаемая дата посещения").fill(day.isoformat())
    page.get_by_label("Желаемое время посещения").select_option(label="09:00–12:00")
    page.get_by_label("Кто встретит сотрудника (ФИО)").fill("Каримов Азиз")
    page.get_by_label("Телефон для связи").fill("+998 71 000-00-00")
    press(page, "Отправить заявку")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Заявка № \d{4}-\d{2}-\d{2}-501-1$"))
    number = heading.inner_text().removeprefix("Заявка № ")
    expect(messages(page)).to_contain_text(f"Заявка принята, её номер {number}.")
    head = page.get_by_role("region", name="Данные заявки")
    expect(head).to_contain_text("Зарегистрирована")
    expect(head).to_contain_text("Обследование прибора учёта и снятие контрольных показаний")
    expect(head).to_contain_text(f"№ {con.number}")
    expect(head).to_contain_text(f"{day:%d.%m.%Y}, 09:00–12:00")
    link = page.get_by_role("link", name="Распечатать бланк заявки (PDF)")
    response = page.context.request.get(page.base + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
