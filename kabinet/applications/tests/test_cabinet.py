"""The applicant's pages: the step-by-step form, the card, objects, service requests,
and who may open what (owner, another customer, staff)."""

import re

import pytest
from django.urls import reverse

from kabinet.applications.models import Application, ConnectionObject
from kabinet.applications.services import card
from kabinet.applications.tests import factories


@pytest.fixture(autouse=True)
def tomsk(settings):
    settings.KABINET_UTILITY = "gorseti_tomsk"


def _login(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_start_offers_categories_by_applicant(client, alice):
    _login(client, alice)
    page = _text(client.get(reverse("applications:start")))
    assert "Технологическое присоединение к электрическим сетям" in page
    assert "до 15 кВт для бытовых нужд" in page
    assert "свыше 670 кВт" in page  # for ИП and organisations


@pytest.mark.parametrize("action", ["next", "save", "back"])
def test_a_nul_character_is_a_message_next_to_the_field_not_a_500(client, alice, action):
    _login(client, alice)
    client.post(
        reverse("applications:start"),
        {"kind": "tc_electric", "applicant_kind": "person", "category": "household15"},
    )
    app = Application.objects.get(user=alice)
    step = reverse("applications:step", args=[app.uuid, "requisites"])
    data = {**factories.PERSON_REQUISITES, "first_name": "Ан\x00на", "action": action}
    response = client.post(step, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_first_name_error"' in page
    assert "Уберите из текста недопустимый символ (NUL)" in page
    assert 'value="Петрова"' in page  # the rest of what was typed stays on screen
    app.refresh_from_db()
    assert "requisites" not in app.data


def test_whole_form_step_by_step(client, alice):
    _login(client, alice)
    response = client.post(
        reverse("applications:start"),
        {"kind": "tc_electric", "applicant_kind": "person", "category": "household15"},
    )
    app = Application.objects.get(user=alice)
    assert response.url == reverse("applications:step", args=[app.uuid, "requisites"])
    step = reverse("applications:step", args=[app.uuid, "requisites"])

    # A missing surname is refused at this step, next to the field; the rest is kept.
    data = {**factories.PERSON_REQUISITES, "last_name": "", "action": "next"}
    response = client.post(step, data)
    assert response.status_code == 400
    assert "Обязательное поле" in _text(response)
    assert 'value="Анна"' in response.content.decode()
    app.refresh_from_db()
    assert app.data["requisites"]["first_name"] == "Анна"

    # «Сохранить черновик» keeps it and stays; coming back shows what was typed.
    client.post(step, {**data, "action": "save"})
    assert 'value="69 04 123456"' in client.get(step).content.decode()

    response = client.post(step, {**factories.PERSON_REQUISITES, "action": "next"})
    assert response.url == reverse("applications:step", args=[app.uuid, "object"])
    response = client.post(response.url, {**factories.NEW_OBJECT, "action": "next"})
    technical = reverse("applications:step", args=[app.uuid, "technical"])
    assert response.url == technical
    response = client.post(
        technical, {**factories.TECHNICAL_15, "max_power": "16", "action": "next"}
    )
    assert response.status_code == 400
    assert "не больше 15 кВт" in _text(response)
    response = client.post(technical, {**factories.TECHNICAL_15, "action": "back"})
    assert response.url == reverse("applications:step", args=[app.uuid, "object"])
    response = client.post(technical, {**factories.TECHNICAL_15, "action": "next"})
    documents = reverse("applications:documents", args=[app.uuid])
    assert response.url == documents

    # Далее without the required documents: refused, listing them.
    response = client.post(documents, {"action": "next"})
    assert response.status_code == 400
    assert "План расположения энергопринимающих устройств" in _text(response)
    for code in ("plan", "title", "passport"):
        client.post(
            documents, {"action": "upload", "doc_type": code, "files": factories.pdf_upload()}
        )
    response = client.post(documents, {"action": "next"})
    preview = reverse("applications:preview", args=[app.uuid])
    assert response.url == preview
    page = _text(client.get(preview))
    assert "Петрова" in page and "Садовый дом" in page and "Предпросмотр" in page

    response = client.post(preview)
    app.refresh_from_db()
    assert app.status == Application.Status.REGISTERED
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-702-1", app.number)
    assert response.url == reverse("applications:detail", args=[app.uuid])
    page = _text(client.get(response.url, follow=True))
    assert f"Заявка № {app.number}" in page
    assert "Зарегистрирована" in page
    assert ConnectionObject.objects.get(user=alice).name == "Садовый дом"
    # The filed application can no longer be edited.
    assert client.get(step).status_code == 404


def test_preview_refuses_incomplete(client, alice):
    app = factories.draft(alice)
    _login(client, alice)
    preview = reverse("applications:preview", args=[app.uuid])
    page = _text(client.get(preview))
    assert "Заявку пока нельзя подать" in page
    response = client.post(preview)
    assert response.status_code == 400
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT and app.number is None


def test_access_to_every_application_url(client, alice, charlie, staff):
    app = factories.filed(alice)
    file = app.files.first()
    card.info_request_ask(staff=staff, application=app, text="Приложите схему")
    urls = [
        reverse("applications:detail", args=[app.uuid]),
        reverse("applications:file", args=[app.uuid, file.uuid]),
        reverse("applications:print", args=[app.uuid]),
    ]
    _login(client, alice)
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.logout()
    _login(client, charlie)
    for url in urls:
        assert client.get(url).status_code == 404, url
    pk = app.info_requests.get().pk
    assert (
        client.post(reverse("applications:answer", args=[app.uuid, pk]), {"text": "x"}).status_code
        == 404
    )
    assert (
        client.post(reverse("applications:write", args=[app.uuid]), {"text": "x"}).status_code
        == 404
    )
    assert app.info_requests.get().answered_at is None
    client.logout()
    _login(client, staff)
    assert client.get(urls[1]).status_code == 200
    assert client.get(urls[0]).url == reverse("applications_staff:detail", args=[app.uuid])


def test_drafts_are_the_owners(client, alice, charlie):
    app = factories.draft(alice)
    _login(client, charlie)
    for url in (
        reverse("applications:step", args=[app.uuid, "requisites"]),
        reverse("applications:documents", args=[app.uuid]),
        reverse("applications:preview", args=[app.uuid]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "save"}).status_code == 404
    assert client.post(reverse("applications:discard", args=[app.uuid])).status_code == 404
    assert Application.objects.filter(pk=app.pk).exists()


def test_answer_a_request_with_a_file(client, alice, staff):
    app = factories.filed(alice)
    request = card.info_request_ask(staff=staff, application=app, text="Приложите схему")
    _login(client, alice)
    page = _text(client.get(reverse("applications:detail", args=[app.uuid])))
    assert "Приложите схему" in page
    response = client.post(
        reverse("applications:answer", args=[app.uuid, request.pk]),
        {
            f"r{request.pk}-text": "Схема во вложении",
            f"r{request.pk}-files": factories.pdf_upload("схема.pdf"),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_at and request.files.get().name == "схема.pdf"


def test_question_to_a_specialist(client, alice):
    app = factories.filed(alice)
    _login(client, alice)
    url = reverse("applications:write", args=[app.uuid])
    response = client.post(url, {"text": ""})
    assert response.status_code == 400 and "Напишите сообщение" in _text(response)
    client.post(url, {"text": "Когда будет договор?"})
    app.refresh_from_db()
    assert app.conversation.messages.get().text == "Когда будет договор?"


def test_objects_registry(client, alice, charlie):
    _login(client, alice)
    response = client.post(reverse("applications:object_new"), {"name": "", "address": ""})
    assert response.status_code == 400
    client.post(
        reverse("applications:object_new"),
        {"name": "Жилой дом № 3", "address": "г. Томск, ул. Новая, 3", "cadastral_number": ""},
    )
    obj = ConnectionObject.objects.get(user=alice)
    assert "Жилой дом № 3" in _text(client.get(reverse("applications:objects")))
    client.logout()
    _login(client, charlie)
    assert client.get(reverse("applications:object", args=[obj.uuid])).status_code == 404
    assert "Жилой дом № 3" not in _text(client.get(reverse("applications:objects")))


def test_pages_404_where_no_kind_is_taken(client, alice, settings):
    settings.KABINET_UTILITY = "tgk2"
    _login(client, alice)
    assert client.get(reverse("applications:list")).status_code == 404
    assert client.get(reverse("applications:start")).status_code == 404


def test_contract_request_starts_with_reason_and_counterparty(client, alice, settings):
    settings.KABINET_UTILITY = "tek_spb"
    _login(client, alice)
    page = _text(client.get(reverse("applications:start")))
    assert "Заключение договора теплоснабжения" in page
    assert "Договор на пусконаладочные работы (ПНР)" in page
    response = client.post(
        reverse("applications:start"), {"kind": "contract", "contract-applicant_kind": "legal"}
    )
    assert response.status_code == 400
    assert not Application.objects.exists()
    response = client.post(
        reverse("applications:start"),
        {
            "kind": "contract",
            "contract-reason": "after_pnr",
            "contract-category": "budget",
            "contract-applicant_kind": "legal",
        },
    )
    app = Application.objects.get()
    assert (app.reason, app.category) == ("after_pnr", "budget")
    assert response.url == reverse("applications:step", args=[app.uuid, "responsible"])
    page = _text(client.get(reverse("applications:documents", args=[app.uuid])))
    assert "Акт о завершении пусконаладочных работ" in page
    assert "Доведённые лимиты бюджетных обязательств" in page


def test_heat_application_names_an_object_from_the_registry(client, alice, settings):
    settings.KABINET_UTILITY = "tek_spb"
    _login(client, alice)
    client.post(
        reverse("applications:start"),
        {"kind": "tc_heat", "applicant_kind": "person", "category": "upto01"},
    )
    app = Application.objects.get()
    url = reverse("applications:step", args=[app.uuid, "object"])
    response = client.post(url, {"connection_object": "", "action": "next"})
    assert response.status_code == 400
    assert "Обязательное поле" in _text(response)
    obj = ConnectionObject.objects.create(user=alice, name="Дом", address="СПб, ул. Новая, 1")
    response = client.post(url, {"connection_object": str(obj.uuid), "action": "next"})
    assert response.url == reverse("applications:step", args=[app.uuid, "technical"])
    app.refresh_from_db()
    assert app.connection_object == obj


def test_chat_files_of_an_application_are_its_applicants(client, alice, charlie, staff):
    app = factories.filed(alice)
    message = card.application_write(
        user=alice, application=app, text="Схема", files=[factories.pdf_upload("схема.pdf")]
    )
    url = reverse("appeals:attachment", args=[message.attachments.get().uuid])
    _login(client, alice)
    assert client.get(url).status_code == 200
    client.logout()
    _login(client, charlie)
    assert client.get(url).status_code == 404
    client.logout()
    _login(client, staff)
    assert client.get(url).status_code == 200


def test_colleagues_share_a_service_request(client, alice, charlie, settings):
    """A service request is about the organisation's contract: a colleague with full
    rights answers and writes in it, a read-only one sees it, a stranger gets 404."""
    from conftest import make_user
    from kabinet.applications.services import drafts
    from kabinet.contracts.tests.factories import contract, organisation
    from kabinet.identity.models import PartyMember

    settings.KABINET_UTILITY = "tashkent_heat"
    party = organisation(alice)
    c = contract(party=party)
    full = make_user(email="full@example.ru")
    reader = make_user(email="reader@example.ru")
    PartyMember.objects.create(
        party=party, user=full, rights=PartyMember.Rights.FULL, added_by=alice
    )
    PartyMember.objects.create(
        party=party, user=reader, rights=PartyMember.Rights.READ, added_by=alice
    )
    from datetime import timedelta

    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    form, app = drafts.service_request_file(
        user=alice,
        data={
            "reason": "no_debt",
            "contract": str(c.uuid),
            "visit_date": day.isoformat(),
            "visit_time": "09-12",
            "contact_name": "Иванов Иван",
            "contact_phone": "+998 71 000-00-01",
        },
    )
    assert app is not None, form.errors
    detail = reverse("applications:detail", args=[app.uuid])
    write = reverse("applications:write", args=[app.uuid])

    _login(client, full)
    assert "Иванов Иван" in _text(client.get(detail))
    assert client.post(write, {"text": "Будем на месте с 9:00"}).status_code == 302
    client.logout()
    _login(client, reader)
    page = _text(client.get(detail))
    assert "доступ только для просмотра" in page and "Будем на месте с 9:00" in page
    assert client.post(write, {"text": "Я тоже"}).status_code == 404
    assert client.get(reverse("applications:print", args=[app.uuid])).status_code == 200
    client.logout()
    _login(client, charlie)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("applications:list")).status_code in (200, 404)
    app.refresh_from_db()
    assert list(app.conversation.messages.values_list("text", flat=True)) == [
        "Будем на месте с 9:00"
    ]


def test_connection_contracts_by_stage(client, alice, charlie, staff):
    """000 §4.6 «Договоры»: each contract with its stages done and the next one due."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from kabinet.applications.services import results, workflow
    from kabinet.core.pdf import render_pdf

    app = factories.filed(alice)
    workflow.application_transition(application=app, to="accepted", by=staff)
    body = render_pdf(
        "applications/demo_contract",
        {
            "number": "12-ТП",
            "date": "24.11.2026",
            "utility": "ООО «Горсети»",
            "applicant": "Петрова А. С.",
            "object": "Садовый дом",
            "address": "СНТ «Рассвет»",
            "application": app.number,
            "term": "6 месяцев",
        },
    )
    results.contract_attach(
        staff=staff,
        application=app,
        number="12-ТП",
        date=timezone.localdate(),
        pdf_upload=SimpleUploadedFile("д.pdf", body, content_type="application/pdf"),
    )
    _login(client, alice)
    page = _text(client.get(reverse("applications:contracts")))
    assert "№ 12-ТП" in page and "Садовый дом" in page
    assert "1 из 6" in page and "Договор подписан заявителем" in page
    assert "ждёт подписи" in page
    client.logout()
    _login(client, charlie)
    assert "12-ТП" not in _text(client.get(reverse("applications:contracts")))
