"""Sign-up as a new customer would do it: by e-mail with a confirmation link (000, 002)
and by phone with an SMS code (004)."""

import re

from django.core import mail
from playwright.sync_api import expect

from kabinet.identity.models import Consent, Party, User, VerificationCode
from tests.e2e.journeys import (
    PASSWORD,
    alert,
    attempts_left,
    field_error,
    go,
    mail_link,
    mail_to,
    main_text,
    messages,
    sign_in,
    sms_code,
)


def choose_kind(page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def fill_contacts(page, *, email: str = "", phone: str = "", password2: str = PASSWORD) -> None:
    if email:
        page.locator("[name=email]").fill(email)
    if phone:
        page.locator("[name=phone]").fill(phone)
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(password2)


def agree(page) -> None:
    page.get_by_label(re.compile("согласие")).check()


def submit(page) -> None:
    page.get_by_role("button", name="Зарегистрироваться").click()
    page.wait_for_load_state()


def confirm_and_sign_in(page, email: str) -> User:
    """Follow the link of the confirmation letter, then sign in with the e-mail."""
    letter = mail_to(email)
    assert "Подтвердите регистрацию" in letter.subject
    page.goto(mail_link(email))
    assert "E-mail подтверждён. Теперь вы можете войти." in messages(page).inner_text()
    # The login page is filled with the e-mail just confirmed.
    assert page.locator("[name=identifier]").input_value() == email
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(page.base + "/")
    user = User.objects.get(email=email)
    assert user.status == User.Status.ACTIVE and user.email_verified
    return user


# --- by e-mail ----------------------------------------------------------------------------


def test_person_signs_up_by_email_confirms_the_link_and_signs_in(page):
    go(page, "/login/")
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_role("link", name=re.compile("По e-mail")).click()
    expect(page.get_by_role("heading", name="Регистрация по e-mail")).to_be_visible()

    choose_kind(page, "Физическое лицо")
    # The organisation's fields are hidden while a person is chosen.
    expect(page.locator("[name=org_name]")).to_be_hidden()
    page.get_by_label("Фамилия").fill("Соколова")
    page.get_by_label("Имя", exact=True).fill("Мария")
    page.get_by_label(re.compile("Отчество")).fill("Ивановна")
    fill_contacts(page, email="Maria.Sokolova@Example.ru", phone="+7 921 555-44-33")
    agree(page)
    submit(page)

    expect(page.get_by_role("heading", name="Подтвердите e-mail")).to_be_visible()
    assert "maria.sokolova@example.ru" in main_text(page)
    user = User.objects.get(email="maria.sokolova@example.ru")
    assert user.status == User.Status.PENDING and not user.email_verified
    assert user.phone == "+79215554433"
    assert Consent.objects.filter(user=user).count() == 1
    party = Party.objects.get(user=user)
    assert (party.kind, party.person_name) == ("person", "Соколова Мария Ивановна")

    # Until the link is followed the cabinet stays closed.
    sign_in(page, "maria.sokolova@example.ru")
    assert "E-mail не подтверждён" in alert(page).inner_text()
    resend = page.get_by_role("link", name="Отправить письмо для подтверждения ещё раз")
    expect(resend).to_be_visible()

    link = mail_link("maria.sokolova@example.ru")
    confirm_and_sign_in(page, "maria.sokolova@example.ru")
    assert "Здравствуйте, Мария Ивановна!" in main_text(page)
    assert "Соколова Мария Ивановна" in main_text(page)

    # The link works once: a second visit explains why and offers a new letter.
    page.context.clear_cookies()
    response = page.goto(link)
    assert response.status == 410
    expect(page.get_by_role("heading", name="Ссылка недействительна")).to_be_visible()
    assert "уже использованы" in main_text(page)
    expect(page.get_by_role("link", name="Получить новое письмо")).to_be_visible()


def test_legal_entity_signs_up_by_email(page):
    go(page, "/signup/email/")
    choose_kind(page, "Юридическое лицо")
    expect(page.locator("[name=last_name]")).to_be_hidden()
    page.get_by_label("Наименование организации").fill("ООО «Ромашка»")
    page.locator("[name=inn]").fill("7707083893")
    page.get_by_label("КПП").fill("773601001")
    page.get_by_label("ОГРН", exact=True).fill("1027700132195")
    page.get_by_label("ФИО ответственного лица").fill("Петров Пётр Петрович")
    page.get_by_label("Должность ответственного лица").fill("директор")
    fill_contacts(page, email="romashka@example.ru")
    agree(page)
    submit(page)
    expect(page.get_by_role("heading", name="Подтвердите e-mail")).to_be_visible()

    user = confirm_and_sign_in(page, "romashka@example.ru")
    party = Party.objects.get(user=user)
    assert (party.kind, party.org_name, party.inn, party.kpp, party.ogrn) == (
        "legal",
        "ООО «Ромашка»",
        "7707083893",
        "773601001",
        "1027700132195",
    )
    assert party.responsible_name == "Петров Пётр Петрович"
    assert user.display_name == "ООО «Ромашка»"
    assert "Здравствуйте, ООО «Ромашка»!" in main_text(page)
    assert "ИНН 7707083893" in main_text(page)


def test_sole_proprietor_signs_up_by_email(page):
    go(page, "/signup/email/")
    choose_kind(page, "Индивидуальный предприниматель")
    page.get_by_label("Фамилия").fill("Волков")
    page.get_by_label("Имя", exact=True).fill("Игорь")
    page.locator("[name=inn]").fill("500100732259")
    page.get_by_label("ОГРНИП").fill("304500116000157")
    fill_contacts(page, email="volkov.ip@example.ru")
    agree(page)
    submit(page)
    expect(page.get_by_role("heading", name="Подтвердите e-mail")).to_be_visible()

    user = confirm_and_sign_in(page, "volkov.ip@example.ru")
    party = Party.objects.get(user=user)
    assert (party.kind, party.inn, party.ogrnip) == ("ip", "500100732259", "304500116000157")
    assert "ИП Волков Игорь" in main_text(page)


def test_bad_input_is_explained_next_to_each_field_and_nothing_is_created(page):
    go(page, "/signup/email/")
    choose_kind(page, "Физическое лицо")
    page.get_by_label("Фамилия").fill("Соколова")
    page.get_by_label("Имя", exact=True).fill("Мария")
    page.locator("[name=inn]").fill("500100732250")  # the last check digit is wrong
    fill_contacts(page, email="maria@example.ru", password2="Kabinet-2027")
    # no consent
    submit(page)

    assert "Проверьте поля, отмеченные ниже." in alert(page).inner_text()
    assert "не сходятся контрольные цифры" in field_error(page, "inn").inner_text()
    assert field_error(page, "password2").inner_text() == "Пароли не совпадают."
    assert "Без согласия на обработку персональных данных регистрация невозможна." in (
        field_error(page, "consent").inner_text()
    )
    # What was typed is still there (passwords are not sent back).
    expect(page.get_by_label("Физическое лицо")).to_be_checked()
    assert page.get_by_label("Фамилия").input_value() == "Соколова"
    assert page.get_by_label("Имя", exact=True).input_value() == "Мария"
    assert page.locator("[name=inn]").input_value() == "500100732250"
    assert page.locator("[name=email]").input_value() == "maria@example.ru"
    assert not User.objects.exists()
    assert mail.outbox == []

    # A legal entity with a mistyped ИНН gets the organisation's message.
    choose_kind(page, "Юридическое лицо")
    page.get_by_label("Наименование организации").fill("ООО «Ромашка»")
    page.locator("[name=inn]").fill("7707083890")
    page.get_by_label("КПП").fill("773601001")
    page.get_by_label("ОГРН", exact=True).fill("1027700132195")
    page.get_by_label("ФИО ответственного лица").fill("Петров Пётр Петрович")
    fill_contacts(page, email="romashka@example.ru")
    agree(page)
    submit(page)
    assert "ИНН введён с ошибкой: не сходится контрольная цифра." in (
        field_error(page, "inn").inner_text()
    )
    assert page.get_by_label("Наименование организации").input_value() == "ООО «Ромашка»"
    expect(page.get_by_label("Юридическое лицо")).to_be_checked()
    assert not User.objects.exists()

    # Fixed, the same form goes through.
    page.locator("[name=inn]").fill("7707083893")
    fill_contacts(page)
    submit(page)
    expect(page.get_by_role("heading", name="Подтвердите e-mail")).to_be_visible()
    assert User.objects.filter(email="romashka@example.ru", status="pending").count() == 1


def test_a_taken_email_is_refused_next_to_the_field(page):
    from conftest import make_user

    make_user(email="taken@example.ru")
    go(page, "/signup/email/")
    choose_kind(page, "Физическое лицо")
    page.get_by_label("Фамилия").fill("Соколова")
    page.get_by_label("Имя", exact=True).fill("Мария")
    fill_contacts(page, email="Taken@example.ru")
    agree(page)
    submit(page)
    assert "Этот e-mail уже зарегистрирован" in field_error(page, "email").inner_text()
    assert User.objects.count() == 1


# --- by phone -------------------------------------------------------------------------------


def fill_phone_signup(page, phone: str) -> None:
    go(page, "/signup/phone/")
    expect(page.get_by_role("heading", name="Регистрация по номеру телефона")).to_be_visible()
    choose_kind(page, "Физическое лицо")
    page.get_by_label("Фамилия").fill("Орлов")
    page.get_by_label("Имя", exact=True).fill("Пётр")
    fill_contacts(page, phone=phone)
    agree(page)
    submit(page)


def test_phone_signup_with_the_sms_code(page, sms_outbox):
    fill_phone_signup(page, "8 (921) 555-44-33")
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    assert "+7 *** ***-44-33" in main_text(page)
    user = User.objects.get(phone="+79215554433")
    assert user.status == User.Status.PENDING and user.signup_mode == "phone"
    assert len(sms_outbox) == 1 and "Код подтверждения регистрации" in sms_outbox[0]["text"]

    page.get_by_label("Код из сообщения").fill(sms_code(sms_outbox, "+79215554433"))
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(page.base + "/")
    assert "Телефон подтверждён, регистрация завершена." in messages(page).inner_text()
    assert "Здравствуйте, Пётр!" in main_text(page)
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.phone_verified

    # The phone now signs in, in the 8XXXXXXXXXX form as well.
    page.context.clear_cookies()
    sign_in(page, "89215554433")
    page.wait_for_url(page.base + "/")
    assert "Здравствуйте, Пётр!" in main_text(page)


def test_wrong_sms_code_shows_attempts_left_and_resend_is_throttled(page, sms_outbox, settings):
    fill_phone_signup(page, "+7 921 555-44-33")
    right = sms_code(sms_outbox, "+79215554433")
    wrong = "000000" if right != "000000" else "111111"

    page.get_by_label("Код из сообщения").fill(wrong)
    page.get_by_role("button", name="Подтвердить").click()
    assert attempts_left(field_error(page, "code").inner_text()) == 4
    page.get_by_label("Код из сообщения").fill(wrong)
    page.get_by_role("button", name="Подтвердить").click()
    assert attempts_left(field_error(page, "code").inner_text()) == 3
    assert VerificationCode.objects.get(purpose="signup_phone").attempts == 2
    assert User.objects.get(phone="+79215554433").status == User.Status.PENDING

    # A new code right away is refused with the wait; nothing is sent.
    page.get_by_role("button", name="Отправить код ещё раз").click()
    assert re.search(r"Новый код можно запросить через \d+ с\.", messages(page).inner_text())
    assert len(sms_outbox) == 1

    # Once the minute has passed (the throttle's record is moved back), a new code comes
    # and the old one no longer works.
    from datetime import timedelta

    from django.utils import timezone

    from kabinet.identity.models import ThrottleHit

    minute_ago = timezone.now() - timedelta(seconds=settings.KABINET_CODE_RESEND_SECONDS + 1)
    ThrottleHit.objects.update(at=minute_ago)
    page.get_by_role("button", name="Отправить код ещё раз").click()
    assert "Новый код отправлен." in messages(page).inner_text()
    assert len(sms_outbox) == 2
    fresh = sms_code(sms_outbox, "+79215554433")
    if fresh != right:
        page.get_by_label("Код из сообщения").fill(right)
        page.get_by_role("button", name="Подтвердить").click()
        assert "Неверный код." in field_error(page, "code").inner_text()

    page.get_by_label("Код из сообщения").fill(fresh)
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(page.base + "/")
    assert User.objects.get(phone="+79215554433").status == User.Status.ACTIVE


def test_phone_signup_refuses_a_bad_phone_and_keeps_the_form(page, sms_outbox):
    phone = "+7 921 555"
    fill_phone_signup(page, phone)
    expect(field_error(page, "phone")).to_be_visible()
    assert re.search("[а-яА-Я]", field_error(page, "phone").inner_text())
    assert page.locator("[name=phone]").input_value() == phone
    assert page.get_by_label("Фамилия").input_value() == "Орлов"
    assert not User.objects.exists() and sms_outbox == []
