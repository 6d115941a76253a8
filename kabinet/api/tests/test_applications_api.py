"""Заявки through the API: the list and the card as the pages show them, a draft filled
step by step and filed, a service request filed at once, answering a request for
documents, questions, downloads; a stranger gets 404 on every object, staff read per
``visible_to``, refused input keeps nothing."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kabinet.appeals.models import Attachment, Message
from kabinet.applications.models import Application, ApplicationFile, InfoRequest
from kabinet.applications.services import card, results
from kabinet.applications.services.workflow import application_transition
from kabinet.applications.tests import factories

pytestmark = pytest.mark.django_db

BASE = "/api/v1/applications/"
PDF = factories.PDF
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _env(settings, tmp_path, tmp_path_factory):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    settings.KABINET_SIGNING_KEY_PASSPHRASE = None


@pytest.fixture
def uploads(tmp_path):
    return tmp_path / "uploads"


def stored(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def upload(name="документ.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def filed(alice, staff):
    app = factories.filed(alice)
    card.info_request_ask(staff=staff, application=app, text="Приложите выписку из ЕГРН.")
    card.application_write(user=staff, application=app, text="Добрый день", files=[upload()])
    return app


def _object_urls(app):
    urls = [f"{BASE}{app.uuid}", f"{BASE}{app.uuid}/print"]
    urls += [f"{BASE}{app.uuid}/files/{f.uuid}" for f in app.files.all()]
    if app.conversation_id:
        urls += [
            f"/api/v1/appeals/files/{a.uuid}"
            for a in Attachment.objects.filter(message__conversation=app.conversation)
        ]
    return urls


# --- reads ------------------------------------------------------------------------------------


def test_kinds(client, alice):
    client.force_login(alice)
    kinds = client.get(BASE + "kinds").json()
    electric = next(k for k in kinds if k["code"] == "tc_electric")
    assert [s["slug"] for s in electric["steps"]] == [
        "requisites",
        "object",
        "technical",
        "documents",
    ]
    assert any(c["code"] == "household15" for c in electric["categories"])
    assert electric["documents"] and not electric["direct"]


def test_owner_list_and_card(client, alice, filed):
    client.force_login(alice)
    body = client.get(BASE).json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["uuid"] == str(filed.uuid) and row["number"] == filed.number
    assert row["status"] == "registered" and row["waiting"] is True
    assert row["file_count"] == filed.files.count()
    detail = client.get(f"{BASE}{filed.uuid}").json()
    assert detail["can_act"] is True and detail["problems"] == {}
    assert [e["to_status"] for e in detail["events"] if e["kind"] == "status"] == ["registered"]
    assert detail["events"][-1]["kind"] == "request"
    assert detail["info_requests"][0]["is_open"] is True
    requisites = next(s for s in detail["summaries"] if s["slug"] == "requisites")
    assert {"label": "Фамилия", "value": "Петрова"} in requisites["rows"]
    assert detail["messages"][0]["text"] == "Добрый день"
    assert detail["messages"][0]["from_staff"] is True
    assert detail["connection_contract"] is None


def test_owner_downloads(client, alice, filed):
    client.force_login(alice)
    for url in _object_urls(filed)[2:]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "attachment" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"


def test_print(client, alice, filed):
    client.force_login(alice)
    response = client.get(f"{BASE}{filed.uuid}/print")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_stranger_gets_404_everywhere(client, charlie, filed):
    client.force_login(charlie)
    assert client.get(BASE).json()["count"] == 0
    for url in _object_urls(filed):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    request_id = filed.info_requests.get().pk
    for url in [
        f"{BASE}{filed.uuid}/messages",
        f"{BASE}{filed.uuid}/requests/{request_id}/answer",
        f"{BASE}{filed.uuid}/read",
        f"{BASE}{filed.uuid}/submit",
        f"{BASE}{filed.uuid}/documents",
    ]:
        assert client.post(url, {"text": "чужое", "doc_type": "x"}).status_code == 404, url
    assert client.delete(f"{BASE}{filed.uuid}").status_code == 404
    assert client.get(f"{BASE}{filed.uuid}/steps/requisites").status_code == 404
    assert not Message.objects.filter(author=charlie).exists()
    assert InfoRequest.objects.get().answered_at is None


def test_staff_reads_per_visible_to_and_cannot_act(client, staff, filed):
    client.force_login(staff)
    for url in _object_urls(filed):
        assert client.get(url).status_code == 200, url
    request_id = filed.info_requests.get().pk
    response = client.post(f"{BASE}{filed.uuid}/requests/{request_id}/answer", {"text": "за них"})
    assert response.status_code == 404
    assert client.get(f"{BASE}{filed.uuid}").json()["can_act"] is False


def test_anonymous_401(client, filed):
    for url in [BASE, *_object_urls(filed)]:
        assert client.get(url).status_code == 401, url


# --- a draft, step by step ------------------------------------------------------------------


def test_draft_step_by_step_and_submit(client, alice, uploads):
    client.force_login(alice)
    response = client.post(
        BASE,
        {"kind": "tc_electric", "applicant_kind": "person", "category": "household15"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    uuid = body["uuid"]
    assert body["status"] == "draft" and body["number"] is None
    assert set(body["problems"]) == {"requisites", "object", "technical", "documents"}

    step = client.get(f"{BASE}{uuid}/steps/requisites").json()
    names = [f["name"] for f in step["fields"]]
    assert "last_name" in names and "passport" in names
    reason = next(f for f in step["fields"] if f["name"] == "reason")
    assert reason["type"] == "choice" and reason["choices"]

    # A missing surname: kept as typed, not passed, the Russian message by the field.
    data = {**factories.PERSON_REQUISITES, "last_name": ""}
    response = client.put(
        f"{BASE}{uuid}/steps/requisites", {"data": data}, content_type="application/json"
    )
    assert response.status_code == 200
    step = response.json()
    assert step["passed"] is False and "last_name" in step["errors"]
    assert step["values"]["first_name"] == "Анна"
    for slug, values in (
        ("requisites", factories.PERSON_REQUISITES),
        ("object", factories.NEW_OBJECT),
        ("technical", factories.TECHNICAL_15),
    ):
        response = client.put(
            f"{BASE}{uuid}/steps/{slug}", {"data": values}, content_type="application/json"
        )
        assert response.json()["passed"] is True, response.json()["errors"]
    # Filing before the documents are there is refused, nothing filed.
    response = client.post(f"{BASE}{uuid}/submit")
    assert response.status_code == 400
    assert Application.objects.get(uuid=uuid).status == "draft"
    problems = client.get(f"{BASE}{uuid}").json()["problems"]
    assert list(problems) == ["documents"]
    kinds = client.get(BASE + "kinds").json()
    docs = next(k for k in kinds if k["code"] == "tc_electric")["documents"]
    app = Application.objects.get(uuid=uuid)
    needed = [d["code"] for d in docs if d["code"] in {x.code for x in app.spec.documents_for(app)}]
    for code in needed:
        response = client.post(f"{BASE}{uuid}/documents", {"doc_type": code, "files": [upload()]})
        assert response.status_code == 201, response.content
    removable = ApplicationFile.objects.filter(application=app).first()
    response = client.post(
        f"{BASE}{uuid}/documents", {"doc_type": removable.doc_type, "files": [upload("ещё.pdf")]}
    )
    extra = response.json()[0]["uuid"]
    assert client.delete(f"{BASE}{uuid}/documents/{extra}").status_code == 204
    assert not ApplicationFile.objects.filter(uuid=extra).exists()

    response = client.post(f"{BASE}{uuid}/submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "registered" and body["number"]
    # A filed application is no longer a draft: its steps are gone from the API.
    assert client.get(f"{BASE}{uuid}/steps/requisites").status_code == 404
    assert client.delete(f"{BASE}{uuid}").status_code == 404


def test_start_refused(client, alice, staff):
    client.force_login(alice)
    response = client.post(
        BASE,
        {"kind": "tc_electric", "applicant_kind": "person", "category": "no-such"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"category": ["Выберите категорию заявки."]}
    response = client.post(BASE, {"kind": "nope"}, content_type="application/json")
    assert response.status_code == 400
    assert "не принимает" in response.json()["message"]
    response = client.post(BASE, {}, content_type="application/json")
    assert response.status_code == 422
    client.force_login(staff)
    response = client.post(
        BASE,
        {"kind": "tc_electric", "applicant_kind": "person", "category": "household15"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_discard_draft(client, alice, charlie, uploads):
    draft = factories.draft(alice)
    client.force_login(charlie)
    assert client.delete(f"{BASE}{draft.uuid}").status_code == 404
    client.force_login(alice)
    assert client.delete(f"{BASE}{draft.uuid}").status_code == 204
    assert not Application.objects.exists()


def test_bad_upload_keeps_nothing(client, alice, uploads):
    draft = factories.draft(alice)
    client.force_login(alice)
    code = draft.spec.documents_for(draft)[0].code
    for files, words in (
        ([upload("фото.png", PDF)], "по содержимому не PNG"),
        ([upload("вирус.exe", b"MZ")], "тип не принимается"),
        ([], "Выберите файл"),
    ):
        response = client.post(f"{BASE}{draft.uuid}/documents", {"doc_type": code, "files": files})
        assert response.status_code == 400
        assert words in response.json()["message"]
    response = client.post(
        f"{BASE}{draft.uuid}/documents", {"doc_type": "nope", "files": [upload()]}
    )
    assert response.status_code == 400 and "doc_type" in response.json()["fields"]
    assert not ApplicationFile.objects.exists() and stored(uploads) == []


# --- the card: answers, questions -------------------------------------------------------------


def test_answer_request_with_files(client, alice, filed, uploads):
    request_id = filed.info_requests.get().pk
    client.force_login(alice)
    url = f"{BASE}{filed.uuid}/requests/{request_id}/answer"
    response = client.post(url, {"text": ""})
    assert response.status_code == 400
    assert response.json()["fields"] == {"text": ["Напишите ответ или приложите файлы."]}
    before = len(stored(uploads))
    response = client.post(url, {"files": [upload("фото.png", PNG)], "text": "Прилагаю"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["info_requests"][0]["is_open"] is False
    assert body["info_requests"][0]["answer"] == "Прилагаю"
    answered = [f for f in body["files"] if f["info_request"] == request_id]
    assert [f["name"] for f in answered] == ["фото.png"]
    assert len(stored(uploads)) == before + 1
    response = client.post(url, {"text": "Ещё раз"})
    assert response.status_code == 400
    assert "уже ответили" in response.json()["message"]
    missing = client.post(f"{BASE}{filed.uuid}/requests/999999/answer", {"text": "x"})
    assert missing.status_code == 404


def test_question_and_read(client, alice, filed):
    client.force_login(alice)
    url = f"{BASE}{filed.uuid}/messages"
    assert client.post(url, {"text": " "}).status_code == 400
    response = client.post(url, {"text": "Когда будет договор?"})
    assert response.status_code == 201
    assert response.json()["messages"][-1]["mine"] is True
    assert client.post(f"{BASE}{filed.uuid}/read").status_code == 204


def test_closed_application_takes_no_answer(client, alice, staff, filed):
    application_transition(application=filed, to="refused", by=staff, comment="Не та зона")
    request_id = filed.info_requests.get().pk
    client.force_login(alice)
    response = client.post(f"{BASE}{filed.uuid}/requests/{request_id}/answer", {"text": "Вот"})
    assert response.status_code == 400
    assert "Отказ" in response.json()["message"]
    detail = client.get(f"{BASE}{filed.uuid}").json()
    assert detail["status"] == "refused" and detail["refusal_reason"] in ("", "Не та зона")


# --- the connection contract ------------------------------------------------------------------


def _contract_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_connection_contract_download_and_access(client, alice, charlie, staff, filed):
    application_transition(application=filed, to="accepted", by=staff)
    results.contract_attach(
        staff=staff,
        application=filed,
        number="12/ТП",
        date=timezone.localdate(),
        pdf_upload=upload("договор.pdf", _contract_pdf()),
    )
    client.force_login(alice)
    detail = client.get(f"{BASE}{filed.uuid}").json()
    contract = detail["connection_contract"]
    assert contract["number"] == "12/ТП" and contract["signed_back"] is False
    assert [s["order"] for s in contract["stages"]] == sorted(
        s["order"] for s in contract["stages"]
    )
    response = client.get(f"{BASE}{filed.uuid}/contract")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "12-%D0%A2%D0%9F.pdf" in response["Content-Disposition"]  # «12/ТП» made safe
    assert client.get(f"{BASE}{filed.uuid}/contract/signed").status_code == 404
    rows = client.get(BASE + "connection-contracts").json()
    assert rows["count"] == 1 and rows["items"][0]["number"] == "12/ТП"
    assert rows["items"][0]["application"]["uuid"] == str(filed.uuid)
    assert rows["items"][0]["object_name"] == "Садовый дом"
    assert rows["items"][0]["stages"] == contract["stages"]
    # A file that is no signature is refused, nothing kept.
    response = client.post(f"{BASE}{filed.uuid}/contract/sign", {"signed": upload("a.txt", b"x")})
    assert response.status_code == 400 and "signed" in response.json()["fields"]
    client.force_login(charlie)
    assert client.get(f"{BASE}{filed.uuid}/contract").status_code == 404
    assert client.get(BASE + "connection-contracts").json()["count"] == 0
    response = client.post(f"{BASE}{filed.uuid}/contract/sign", {"signed": upload()})
    assert response.status_code == 404
    client.force_login(staff)
    assert client.get(f"{BASE}{filed.uuid}/contract").status_code == 200
    assert client.post(f"{BASE}{filed.uuid}/contract/sign", {"signed": upload()}).status_code == 404


# --- service requests (a utility that takes them) ------------------------------------------------


def _next_working_day():
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_service_request_filed_at_once(client, alice, settings):
    from kabinet.contracts.tests.factories import contract, organisation

    settings.KABINET_UTILITY = "tashkent_heat"
    con = contract(party=organisation(alice))
    client.force_login(alice)
    data = {
        "reason": "system_inspection",
        "contract": str(con.uuid),
        "visit_date": _next_working_day().isoformat(),
        "visit_time": "09-12",
        "contact_name": "Каримов Азиз",
        "contact_phone": "+998 71 000-00-00",
    }
    saturday = timezone.localdate() + timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
    response = client.post(
        BASE + "service", {**data, "visit_date": saturday.isoformat()}, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["visit_date"] == [
        "Сотрудники выезжают по рабочим дням: выберите будний день."
    ]
    assert not Application.objects.exists()
    response = client.post(BASE + "service", data, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered" and body["number"]
    assert body["contract"]["uuid"] == str(con.uuid)
    assert body["visit_time_label"] == "09:00–12:00"
    # Someone without the contract cannot file on it.
    from conftest import make_user

    other = make_user(email="other@example.ru")
    client.force_login(other)
    response = client.post(BASE + "service", data, content_type="application/json")
    assert response.status_code == 400 and "contract" in response.json()["fields"]
    assert Application.objects.count() == 1
    # An organisation that takes no service requests: there is nothing to file.
    settings.KABINET_UTILITY = "gorseti_tomsk"
    client.force_login(alice)
    assert client.post(BASE + "service", data, content_type="application/json").status_code == 404


def test_read_only_token_reads_but_never_writes(client, alice, filed):
    from kabinet.identity.services import api_token_issue

    # A real read-only token of alice's: it is tried before the session.
    _token, secret = api_token_issue(user=alice, name="только чтение", scope="read")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    draft = factories.draft(alice)
    client.force_login(alice)
    assert client.get(f"{BASE}{filed.uuid}").status_code == 200
    request_id = filed.info_requests.get().pk
    code = draft.spec.documents_for(draft)[0].code
    responses = [
        client.post(
            BASE,
            {"kind": "tc_electric", "applicant_kind": "person", "category": "household15"},
            "application/json",
        ),
        client.put(
            f"{BASE}{draft.uuid}/steps/requisites",
            {"data": factories.PERSON_REQUISITES},
            "application/json",
        ),
        client.post(f"{BASE}{draft.uuid}/documents", {"doc_type": code, "files": [upload()]}),
        client.post(f"{BASE}{draft.uuid}/submit"),
        client.delete(f"{BASE}{draft.uuid}"),
        client.post(f"{BASE}{filed.uuid}/requests/{request_id}/answer", {"text": "Вот"}),
        client.post(f"{BASE}{filed.uuid}/messages", {"text": "Вопрос"}),
        client.post(f"{BASE}{filed.uuid}/read"),
        client.post(f"{BASE}{filed.uuid}/contract/sign", {"signed": upload()}),
        client.post(
            BASE + "service",
            {
                "reason": "no_debt",
                "contract": str(filed.uuid),
                "visit_date": "2030-01-02",
                "visit_time": "09-12",
                "contact_name": "Иванов",
                "contact_phone": "+7 900 000-00-00",
            },
            "application/json",
        ),
    ]
    assert [r.status_code for r in responses] == [403] * len(responses)
    draft.refresh_from_db()
    assert draft.data == {} and not draft.files.exists()
    assert Application.objects.count() == 2
    assert InfoRequest.objects.get().answered_at is None


# --- the developer's objects --------------------------------------------------------------------


def test_objects_registry(client, alice, charlie, staff):
    client.force_login(alice)
    objects_url = BASE + "objects"
    response = client.post(
        objects_url,
        {"name": "  ", "address": "Томск, ул. Ленина, 1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": ["Укажите наименование объекта."]}
    response = client.post(
        objects_url,
        {"name": "Жилой дом № 3", "address": "Томск, ул. Ленина, 1", "purpose": "жилое"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    uuid = response.json()["uuid"]
    listing = client.get(objects_url).json()
    assert listing["count"] == 1 and listing["items"][0]["name"] == "Жилой дом № 3"
    assert client.get(f"{objects_url}/{uuid}").json()["applications"] == []
    # The object is offered in the draft's «Объект» step.
    draft = factories.draft(alice)
    step = client.get(f"{BASE}{draft.uuid}/steps/object").json()
    field = next(f for f in step["fields"] if f["name"] == "connection_object")
    assert [c["value"] for c in field["choices"]] == [uuid]
    client.force_login(charlie)
    assert client.get(f"{objects_url}/{uuid}").status_code == 404
    assert client.get(objects_url).json()["count"] == 0
    client.force_login(staff)
    assert client.get(f"{objects_url}/{uuid}").status_code == 200
    response = client.post(
        objects_url, {"name": "Чужой", "address": "Томск"}, content_type="application/json"
    )
    assert response.status_code == 400
    from kabinet.applications.models import ConnectionObject

    assert ConnectionObject.objects.count() == 1


def test_list_queries_do_not_grow_with_applications(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.draft(alice)
    client.force_login(alice)
    client.get(BASE)  # the first request after signing in also saves the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(BASE).status_code == 200
    for _ in range(4):
        factories.draft(alice)
    with CaptureQueriesContext(connection) as five:
        assert client.get(BASE).json()["count"] == 5
    assert len(five) == len(one)


def test_nul_is_refused_not_a_server_error(client, alice):
    draft = factories.draft(alice)
    client.force_login(alice)
    response = client.post(
        BASE + "objects", {"name": "Дом\x00", "address": "Томск"}, content_type="application/json"
    )
    assert response.status_code == 422
    response = client.put(
        f"{BASE}{draft.uuid}/steps/requisites",
        {"data": {"last_name": "Пе\x00трова"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.data == {}
