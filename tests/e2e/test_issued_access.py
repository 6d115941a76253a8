"""Access issued by staff (001 §2): the operator opens a cabinet for an organisation and
prints its registration card; the e-mailed activation link works from the next day."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.core.models import AuditEntry
from kabinet.identity import tasks
from kabinet.identity.models import IssuedAccess, Party, User, VerificationCode
from tests.e2e.journeys import (
    NEW_PASSWORD,
    PASSWORD,
    alert,
    field_error,
    go,
    mail_link,
    mail_to,
    main_text,
    messages,
    sign_in,
)

ORG_EMAIL = "sever@example.ru"


@pytest.fixture
def demo(transactional_db):
    call_command("demo_data", quiet=True)


def issue_access(page, *, inn: str = "7710140679", kpp: str = "771001001") -> None:
    """The operator fills «Выдать доступ организации» from the workplace."""
    go(page, "/staff/")
    page.get_by_role("link", name="Выдать доступ организации").click()
    expect(page.get_by_role("heading", name="Выдача доступа организации")).to_be_visible()
    page.get_by_label("Наименование организации").fill("ООО «Северный поток»")
    page.get_by_label("ИНН").fill(inn)
    page.get_by_label("КПП").fill(kpp)
    page.get_by_label("Номер договора").fill("0007788")
    page.get_by_label(re.compile("E-mail")).fill(ORG_EMAIL)
    page.get_by_label(re.compile("Контактное лицо")).fill("Лебедева Ольга Петровна")
    page.get_by_label(re.compile("Телефон")).fill("+7 812 555-01-02")
    page.get_by_role("button", name="Выдать доступ").click()
    page.wait_for_load_state()


def activation_dates() -> tuple[str, str]:
    start = timezone.localdate() + timedelta(days=1)
    return start.strftime("%d.%m.%Y"), (start + timedelta(days=4)).strftime("%d.%m.%Y")


def link_starts_now() -> None:
    """The next day has come: the link's window is moved to start an hour ago."""
    VerificationCode.objects.filter(purpose="activation").update(
        valid_from=timezone.now() - timedelta(hours=1)
    )


def test_operator_issues_access_and_the_organisation_activates_it(page, new_page, demo):
    sign_in(page, "operator")
    page.wait_for_url(page.base + "/staff/")
    issue_access(page)

    # The printable registration card.
    assert re.fullmatch(r".*/staff/access/\d+/card/", page.url)
    assert "Доступ выдан, ссылка активации отправлена на e-mail." in messages(page).inner_text()
    card = page.locator("article")
    card_title = card.get_by_role("heading", name="Карточка регистрации в личном кабинете")
    expect(card_title).to_be_visible()
    start, end = activation_dates()
    text = re.sub(r"\s+", " ", card.inner_text())
    for expected in (
        "ООО «Северный поток»",
        "7710140679",
        "771001001",
        "0007788",
        ORG_EMAIL,
        "Лебедева Ольга Петровна",
        f"с {start} по {end}",
        "Выдан, ожидает активации",
        "Оператор Петрова",
        page.base + "/login/",
    ):
        assert expected in text, expected
    expect(page.get_by_role("button", name="Печать")).to_be_visible()

    user = User.objects.get(login="0007788")
    assert user.status == "pending" and user.signup_mode == "issued"
    assert not user.has_usable_password()
    party = Party.objects.get(user=user)
    assert (party.kind, party.inn, party.kpp) == ("legal", "7710140679", "771001001")
    assert AuditEntry.objects.filter(subject=user, action="issued_access_create").count() == 1

    letter = mail_to(ORG_EMAIL)
    assert letter.subject == "Доступ в личный кабинет"
    assert "Ваш логин: 0007788" in letter.body
    assert f"с {start} по {end} включительно" in letter.body
    link = mail_link(ORG_EMAIL)

    # The organisation opens the link the same day: it does not work yet.
    customer = new_page()
    response = customer.goto(link)
    assert response.status == 200
    expect(customer.get_by_role("heading", name="Ссылка ещё не действует")).to_be_visible()
    assert f"Ссылка начнёт действовать {start}." in main_text(customer)
    assert "Откройте ссылку из письма снова" in main_text(customer)
    # Nor can the cabinet be entered before it is activated.
    sign_in(customer, "0007788", PASSWORD)
    assert alert(customer).inner_text() == "Неверный логин или пароль."

    # The next day.
    link_starts_now()
    customer.goto(link)
    expect(customer.get_by_role("heading", name="Активация личного кабинета")).to_be_visible()
    assert "ООО «Северный поток»" in main_text(customer) and "0007788" in main_text(customer)
    customer.locator("[name=password1]").fill(NEW_PASSWORD)
    customer.locator("[name=password2]").fill(NEW_PASSWORD + "x")
    customer.get_by_role("button", name="Задать пароль и войти").click()
    assert field_error(customer, "password2").inner_text() == "Пароли не совпадают."
    customer.locator("[name=password1]").fill(NEW_PASSWORD)
    customer.locator("[name=password2]").fill(NEW_PASSWORD)
    customer.get_by_role("button", name="Задать пароль и войти").click()
    customer.wait_for_url(customer.base + "/")
    assert "Пароль задан, личный кабинет активирован." in messages(customer).inner_text()
    assert "Здравствуйте, ООО «Северный поток»!" in main_text(customer)

    user.refresh_from_db()
    assert user.status == "active" and user.email_verified and user.check_password(NEW_PASSWORD)
    assert IssuedAccess.objects.get(user=user).state == IssuedAccess.State.ACTIVATED

    # The link works once.
    customer.goto(link)
    assert "уже использованы" in main_text(customer)

    # The organisation now signs in with its login or its ИНН.
    for identifier in ("0007788", "7710140679", ORG_EMAIL):
        customer.context.clear_cookies()
        sign_in(customer, identifier, NEW_PASSWORD)
        customer.wait_for_url(customer.base + "/")

    # The operator sees the card change.
    page.reload()
    assert "Активирован" in page.locator("article").inner_text()


def test_issue_access_form_explains_mistakes(page, demo):
    sign_in(page, "operator")
    issue_access(page, inn="7710140670", kpp="")
    assert "ИНН введён с ошибкой" in field_error(page, "inn").inner_text()
    assert page.get_by_label("Наименование организации").input_value() == "ООО «Северный поток»"

    page.get_by_label("ИНН").fill("7710140679")
    page.get_by_role("button", name="Выдать доступ").click()
    assert field_error(page, "kpp").inner_text() == "Для юридического лица укажите КПП."
    assert not User.objects.filter(login="0007788").exists()
    assert mail.outbox == []

    # A login already in use is refused next to the contract number.
    page.get_by_label("КПП").fill("771001001")
    page.get_by_label("Номер договора").fill("0001234")
    page.get_by_role("button", name="Выдать доступ").click()
    assert "Кабинет с логином 0001234 уже существует." in (
        field_error(page, "contract_number").inner_text()
    )


def test_unused_access_is_blocked_and_issued_again(page, new_page, demo):
    sign_in(page, "operator")
    issue_access(page)
    first_link = mail_link(ORG_EMAIL)

    # The days of the link pass unused; the periodic task blocks the cabinet.
    VerificationCode.objects.filter(purpose="activation").update(
        valid_from=timezone.now() - timedelta(days=6), expires_at=timezone.now() - timedelta(days=1)
    )
    IssuedAccess.objects.update(valid_until=timezone.now() - timedelta(days=1))
    assert tasks.expire_issued_access() == 1
    user = User.objects.get(login="0007788")
    assert user.status == User.Status.BLOCKED

    customer = new_page()
    customer.goto(first_link)
    assert "Срок действия кода или ссылки истёк." in main_text(customer)
    assert "Чтобы получить новую ссылку для активации, обратитесь в ГУП «ТЭК СПб»" in (
        main_text(customer)
    )

    # The operator finds the organisation and issues the access again.
    go(page, "/staff/?q=0007788")
    page.get_by_role("link", name="ООО «Северный поток»").first.click()
    assert "Заблокирован" in main_text(page)
    assert "Не активирован в срок, заблокирован" in main_text(page)
    page.get_by_role("button", name="Выдать доступ заново").click()
    assert "Новая ссылка активации отправлена." in messages(page).inner_text()
    expect(page.locator("article").get_by_text("Выдан, ожидает активации")).to_be_visible()
    assert len(mail.outbox) == 2
    second_link = mail_link(ORG_EMAIL)
    assert second_link != first_link

    link_starts_now()
    customer.goto(second_link)
    customer.locator("[name=password1]").fill(NEW_PASSWORD)
    customer.locator("[name=password2]").fill(NEW_PASSWORD)
    customer.get_by_role("button", name="Задать пароль и войти").click()
    customer.wait_for_url(customer.base + "/")
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
