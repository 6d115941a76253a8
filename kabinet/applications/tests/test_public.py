"""Public connection tools without sign-in (002 §4.6.4, 000 §4): the status check by
number and name (and only the four facts of рисунок 16), its guard against guessing, the
list of documents and deadlines, and the blank forms."""

import html
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from kabinet.applications.kinds import KINDS
from kabinet.applications.models import Application
from kabinet.applications.selectors import name_key
from kabinet.applications.services import drafts
from kabinet.applications.tests import factories
from kabinet.applications.views import public
from kabinet.applications.views.printing import blank_form_context

CHECK = "/connection/check/"
DOCUMENTS = "/connection/documents/"
NOT_FOUND = (
    "Заявка с таким номером и фамилией (названием организации) не найдена. Проверьте "
    "номер: он выглядит так — 2026-01-10-702-5."
)
THROTTLED = "Слишком много неудачных попыток. Повторите через"


@pytest.fixture
def tomsk(settings, db):
    settings.KABINET_UTILITY = "gorseti_tomsk"


def filed_as(user, **requisites):
    """A filed ≤ 15 кВт application of a person, with the requisites changed."""
    app = factories.draft(user)
    for slug, data in (
        ("requisites", {**factories.PERSON_REQUISITES, **requisites}),
        ("object", factories.NEW_OBJECT),
        ("technical", factories.TECHNICAL_15),
    ):
        form, passed = drafts.application_save_step(
            application=app, user=user, slug=slug, data=data, check=True
        )
        assert passed, form.errors
    for doc in drafts.documents_missing(app):
        drafts.application_upload(
            application=app, user=user, doc_type=doc.code, files=[factories.pdf_upload()]
        )
    return drafts.application_submit(application=app, user=user)


def organisation_application(user, *, number="2026-01-12-702-3", name="ООО «Ромашка»"):
    return Application.objects.create(
        user=user,
        kind="tc_electric",
        applicant_kind="legal",
        category="upto150",
        reason="increase",
        status=Application.Status.REGISTERED,
        number=number,
        applicant_name=name,
        check_key=name_key(name),
        object_address="г. Томск, ул. Пушкина, д. 3",
        filed_at=timezone.now(),
    )


def check(client, number, name, **extra):
    response = client.post(CHECK, {"number": number, "name": name}, **extra)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def found_block(text: str) -> str:
    match = re.search(
        r'<section class="card" aria-labelledby="h-found">(.*?)</section>', text, re.S
    )
    return match.group(1) if match else ""


def alert(text: str) -> str:
    match = re.search(r'<div class="alert alert--error" role="alert">(.*?)</div>', text, re.S)
    return match.group(1) if match else ""


def squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- the status check --------------------------------------------------------------------


def test_the_check_page_asks_for_number_and_name(client, tomsk):
    response = client.get(CHECK)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Номер заявки" in text
    assert "Фамилия или название организации" in text
    assert found_block(text) == ""


def test_found_by_number_and_surname_in_any_case(client, tomsk, alice):
    app = factories.filed(alice)
    for typed in ("Петрова", "ПЕТРОВА", "  петрова "):
        block = found_block(check(client, app.number, typed))
        assert "Номер заявки:" in block and app.number in block
        assert "Статус заявки:" in block and "Зарегистрирована" in block
        assert "В связи с:" in block and "Присоединение впервые" in block
        assert "Тип заявки:" in block
        assert (
            "Технологическое присоединение к электрическим сетям, Физическое лицо, до 15 кВт "
            "для бытовых нужд"
        ) in block


def test_e_and_yo_are_the_same_letter(client, tomsk, alice):
    app = filed_as(alice, last_name="Семёнова")
    assert app.number in found_block(check(client, app.number, "семенова"))
    assert app.number in found_block(check(client, app.number, "СЕМЁНОВА"))


def test_found_by_organisation_name_without_its_legal_form(client, tomsk, alice):
    app = organisation_application(alice)
    for typed in ("Ромашка", "ООО «Ромашка»", "ооо ромашка", '"РОМАШКА"'):
        block = found_block(check(client, app.number, typed))
        assert app.number in block, typed
        assert "Увеличение мощности" in block
        assert "Юридическое лицо, до 150 кВт" in block


def test_the_result_shows_nothing_else(client, tomsk, alice):
    app = factories.filed(alice)
    text = check(client, app.number, "Петрова")
    block = found_block(text)
    assert block.count("<dt>") == 4
    for private in (
        "Анна",
        "Сергеевна",
        "69 04 123456",
        "Ленина",
        "Рассвет",
        "Садовый дом",
        "petrova@example.ru",
        "913",
        "alice@example.ru",
    ):
        assert private not in text, private


def test_a_wrong_number_and_a_wrong_name_say_the_same(client, tomsk, alice):
    app = factories.filed(alice)
    other_number = app.number.rsplit("-", 1)[0] + "-99"
    wrong_number = check(client, other_number, "Петрова")
    wrong_name = check(client, app.number, "Иванова")
    assert NOT_FOUND in alert(wrong_number)
    assert alert(wrong_number) == alert(wrong_name)
    assert found_block(wrong_number) == found_block(wrong_name) == ""
    # What was typed stays in the form.
    assert f'value="{app.number}"' in wrong_name and 'value="Иванова"' in wrong_name


def test_a_malformed_number_is_explained_next_to_the_field(client, tomsk, alice):
    text = check(client, "12345", "Петрова")
    errors = re.search(r'id="id_number_error">(.*?)</ul>', text, re.S).group(1)
    assert "2026-01-10-702-5" in errors
    assert found_block(text) == ""


def test_empty_fields_are_refused_next_to_them(client, tomsk):
    text = check(client, "", "«»")
    assert "Укажите номер заявки." in text
    assert "Укажите фамилию или название организации." in text


def test_a_draft_is_not_found(client, tomsk, alice):
    draft = factories.draft(alice)
    Application.objects.filter(pk=draft.pk).update(
        number="2026-01-10-702-7", check_key=name_key("Петрова")
    )
    text = check(client, "2026-01-10-702-7", "Петрова")
    assert NOT_FOUND in alert(text)
    assert found_block(text) == ""


def test_a_number_is_locked_after_a_few_misses_and_nothing_is_revealed(client, tomsk, alice):
    app = factories.filed(alice)
    for i in range(public.CHECK_MISSES_PER_NUMBER):
        assert NOT_FOUND in alert(check(client, app.number, f"Иванова{i}"))
    text = check(client, app.number, "Петрова")  # the right name, too late
    assert THROTTLED in alert(text)
    assert NOT_FOUND not in text
    assert found_block(text) == ""
    assert "Зарегистрирована" not in text
    # Another number from another address is looked up as usual.
    other = organisation_application(alice)
    assert other.number in found_block(
        check(client, other.number, "Ромашка", REMOTE_ADDR="10.0.0.9")
    )


def test_an_address_is_locked_after_many_misses(client, tomsk, alice):
    app = factories.filed(alice)
    for i in range(public.CHECK_MISSES_PER_IP):
        check(client, f"2026-01-10-702-{100 + i}", "Петрова", REMOTE_ADDR="10.0.0.1")
    text = check(client, app.number, "Петрова", REMOTE_ADDR="10.0.0.1")
    assert THROTTLED in alert(text)
    assert found_block(text) == ""
    # The same question from another address is answered.
    assert app.number in found_block(check(client, app.number, "Петрова", REMOTE_ADDR="10.0.0.2"))


def test_a_found_application_does_not_count_as_a_miss(client, tomsk, alice):
    app = factories.filed(alice)
    for _ in range(public.CHECK_MISSES_PER_NUMBER + 1):
        assert app.number in found_block(check(client, app.number, "Петрова"))


def test_no_check_without_a_connection_kind(client, settings, db):
    settings.KABINET_UTILITY = "tgk2"
    assert client.get(CHECK).status_code == 404
    assert client.post(CHECK, {"number": "2026-01-10-702-5", "name": "Петрова"}).status_code == 404


# --- documents and blank forms -----------------------------------------------------------


def test_documents_lists_each_enabled_kinds_documents_and_deadlines(client, settings, db):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_APPLICATION_KINDS = list(KINDS)
    response = client.get(DOCUMENTS)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    for spec in KINDS.values():
        assert str(spec.title) in text
        assert f'href="/connection/forms/{spec.code}.pdf"' in text
        for doc in spec.documents:
            assert str(doc.title) in text
        for reason in spec.reasons:
            assert str(reason.label) in text
    assert "Типовая форма заявки" in text
    assert "в некоторых случаях" in text and "по желанию" in text and "обязательно" in text
    # Deadlines: 000 §4.5 — registered in 3 working days; the heat contract in 20.
    assert "3 раб. дн. после подачи" in text
    assert "20 раб. дн." in text and "18 мес." in text
    assert 'href="/connection/calculator/"' in text
    assert 'href="/connection/check/"' in text


def test_documents_lists_only_the_kinds_taken_in(client, tomsk):
    text = html.unescape(client.get(DOCUMENTS).content.decode())
    assert "Технологическое присоединение к электрическим сетям" in text
    assert "План расположения энергопринимающих устройств" in text
    assert "Акт о ранее осуществлённом технологическом присоединении" in text
    assert "в некоторых случаях: если заявитель — физическое лицо" in text  # the passport
    assert "Подключение к системе теплоснабжения" not in text
    assert "/connection/forms/tc_heat.pdf" not in text
    # ПП 861 п. 16: six months up to 15 кВт, 15 working days for a temporary connection.
    assert "6 мес." in text and "15 раб. дн." in text


def test_documents_offers_filing_to_a_signed_in_customer(client, tomsk, alice):
    assert 'href="/applications/new/"' not in client.get(DOCUMENTS).content.decode()
    client.force_login(alice)
    assert 'href="/applications/new/"' in client.get(DOCUMENTS).content.decode()


def test_documents_is_404_when_no_kind_is_taken_in(client, settings, db):
    settings.KABINET_UTILITY = "tgk2"
    assert client.get(DOCUMENTS).status_code == 404


def pdf_text(pdf: bytes) -> str:
    return squeezed(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_blank_form_is_a_pdf_with_the_kinds_fields_and_documents(client, tomsk):
    response = client.get("/connection/forms/tc_electric.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Технологическое присоединение к электрическим сетям" in text
    for words in (
        "Горсети",  # the utility's name
        "Фамилия",
        "Паспорт: серия и номер",
        "Полное наименование организации",
        "Максимальная мощность присоединяемых устройств, кВт",
        "Присоединение впервые",
        "План расположения энергопринимающих устройств",
        "Копия паспорта",
        "Заявитель",
    ):
        assert words in text, words


def test_the_blank_form_of_every_kind_renders_without_touching_the_database(
    client, settings, db, django_assert_num_queries
):
    settings.KABINET_UTILITY = "tek_spb"
    settings.KABINET_APPLICATION_KINDS = list(KINDS)
    for spec in KINDS.values():
        with django_assert_num_queries(0):
            blank_form_context(spec)
        response = client.get(f"/connection/forms/{spec.code}.pdf")
        assert response.status_code == 200
        assert str(spec.title) in pdf_text(response.content)


def test_a_blank_form_of_a_kind_not_taken_in_is_404(client, tomsk):
    assert client.get("/connection/forms/tc_heat.pdf").status_code == 404
    assert client.get("/connection/forms/nonsense.pdf").status_code == 404
