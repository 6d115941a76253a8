"""The applications back office: only staff reach it; the queue shows each kind's
applications by deadline in a fixed number of queries; on the card staff move an
application through the status table (a refusal needs its reason, a move the table
forbids is refused and changes nothing), ask for documents, answer, attach the
contract and mark its stages — each through the services, errors next to the field."""

import io
import itertools
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from kabinet.appeals import conversations
from kabinet.applications.models import (
    Application,
    ApplicationEvent,
    ConnectionContract,
    InfoRequest,
)
from kabinet.applications.services import card
from kabinet.applications.services.workflow import application_transition
from kabinet.applications.tests.factories import filed
from kabinet.notifications.models import Notice

Status = Application.Status
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _connection_utility(settings, tmp_path_factory):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    settings.KABINET_SIGNING_KEY_PASSPHRASE = None


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def url(name, app, **kw):
    return reverse(f"applications_staff:{name}", kwargs={"uuid": app.uuid, **kw})


def row(user, *, status=Status.REGISTERED, due=None, name="Петрова Анна Сергеевна"):
    """A filed application as one row (the queue reads only the row)."""
    now = timezone.now()
    return Application.objects.create(
        user=user,
        kind="tc_electric",
        applicant_kind="person",
        category="household15",
        status=status,
        number=f"2026-01-12-702-{next(_numbers)}",
        filed_at=now,
        due_date=due,
        applicant_name=name,
        object_address="Томская обл., СНТ «Рассвет», уч. 15",
    )


def contract_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- who gets in ------------------------------------------------------------------------


def test_the_back_office_is_staff_only(client, alice, charlie):
    app = row(alice)
    pages = [
        reverse("applications_staff:queue"),
        url("detail", app),
    ]
    posts = [url(name, app) for name in ("move", "ask", "write", "contract_attach")]
    for page in pages + posts:
        response = client.get(page) if page in pages else client.post(page, {"to": "accepted"})
        assert response.status_code == 302 and "/login" in response["Location"]
    for who in (alice, charlie):
        client.force_login(who)
        for page in pages:
            assert client.get(page).status_code == 404
        for page in posts:
            assert client.post(page, {"to": "accepted", "text": "x"}).status_code == 404
    app.refresh_from_db()
    assert app.status == Status.REGISTERED
    assert not InfoRequest.objects.exists()


def test_a_draft_is_not_in_the_back_office(staff_client, alice):
    from kabinet.applications.tests.factories import draft

    app = draft(alice)
    assert staff_client.get(url("detail", app)).status_code == 404


# --- the queue --------------------------------------------------------------------------


def test_queue_shows_open_applications_nearest_deadline_first(staff_client, alice, charlie, staff):
    today = timezone.localdate()
    later = row(alice, due=today + timedelta(days=5), name="Поздняя")
    overdue = row(charlie, due=today - timedelta(days=2), name="Просроченная")
    done = row(alice, status=Status.DONE, name="Завершённая")
    asked = row(alice, due=today + timedelta(days=1), name="Ждёт сведений")
    InfoRequest.objects.create(application=asked, text="Приложите план", asked_by=staff)
    response = staff_client.get(reverse("applications_staff:queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert done.number not in html
    assert html.index(overdue.number) < html.index(asked.number) < html.index(later.number)
    assert "просрочено на 2 дня" in html
    assert "ждём сведения от заявителя" in html
    assert "Просроченная" in html and "Томская обл., СНТ «Рассвет», уч. 15" in html
    response = staff_client.get(reverse("applications_staff:queue"), {"status": "done"})
    assert done.number in response.content.decode()
    assert later.number not in response.content.decode()


def test_queue_marks_staff_s_turn_and_unanswered_messages(staff_client, alice, staff):
    app = row(alice, due=timezone.localdate() + timedelta(days=3))
    request = card.info_request_ask(staff=staff, application=app, text="Приложите план")
    card.info_request_answer(user=alice, application=app, info_request=request, text="Вот план")
    card.application_write(user=alice, application=app, text="Когда будет ответ?")
    card.application_write(user=alice, application=app, text="И ещё вопрос")
    html = staff_client.get(reverse("applications_staff:queue")).content.decode()
    assert "заявитель ответил на запрос" in html
    # (Russian plural forms come from the catalogue: match the stem.)
    assert "2 сообщени" in html
    assert "1 заявка с вопросом заявителя без ответа" in html
    card.application_write(user=staff, application=app, text="Ответим до пятницы")
    html = staff_client.get(reverse("applications_staff:queue")).content.decode()
    assert "без ответа" not in html


def test_queue_tab_of_a_kind_and_a_bad_filter(staff_client, alice, settings):
    settings.KABINET_APPLICATION_KINDS = ["tc_electric", "tc_heat"]
    electric = row(alice)
    heat = row(alice)
    Application.objects.filter(pk=heat.pk).update(kind="tc_heat", category="upto01")
    response = staff_client.get(reverse("applications_staff:queue"), {"kind": "tc_heat"})
    html = response.content.decode()
    assert heat.number in html and electric.number not in html
    response = staff_client.get(reverse("applications_staff:queue"), {"status": "nonsense"})
    assert response.status_code == 200
    assert electric.number in response.content.decode()


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("applications_staff:queue")).status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow(staff_client, alice, staff, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            app = row(alice, due=timezone.localdate() + timedelta(days=i % 7))
            if i % 3 == 0:
                InfoRequest.objects.create(application=app, text="План", asked_by=staff)
            if i % 4 == 0:
                with conversations.atomic():
                    app.conversation = conversations.conversation_start()
                    app.save(update_fields=["conversation"])
                    conversations.message_post(
                        conversation=app.conversation, author=alice, text="Вопрос"
                    )

    add(5)
    staff_client.get(reverse("applications_staff:queue"))  # the session is saved once
    few = _queue_queries(staff_client)
    add(45)
    with django_assert_max_num_queries(few):
        staff_client.get(reverse("applications_staff:queue"))
    assert _queue_queries(staff_client) == few


# --- the card ---------------------------------------------------------------------------


def test_card_shows_what_the_applicant_typed_and_attached(staff_client, alice, staff):
    app = filed(alice)
    card.info_request_ask(staff=staff, application=app, text="Приложите схему")
    card.application_write(user=alice, application=app, text="Вопрос о сроках")
    response = staff_client.get(url("detail", app))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        app.number,
        "Петрова",  # the requisites step
        "Садовый дом",  # the object step
        "IV квартал 2027 года",  # the technical step
        "документ.pdf",
        "Приложите схему",
        "Вопрос о сроках",
        "Принять",
        "Отказать",
    ):
        assert text in html, text
    for f in app.files.all():
        assert reverse("applications:file", kwargs={"uuid": app.uuid, "file": f.uuid}) in html
    assert "Взять в работу" not in html  # not allowed from «Зарегистрирована»
    assert "Приложить договор" not in html  # only once accepted


def test_staff_move_an_application_through_the_table(
    staff_client, alice, django_capture_on_commit_callbacks
):
    app = filed(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("move", app), {"to": "accepted"})
    assert response.status_code == 302 and response["Location"] == url("detail", app)
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED and app.accepted_at is not None
    assert Notice.objects.filter(user=alice, title__contains="принята").exists()
    page = staff_client.get(url("detail", app)).content.decode()
    assert "Взять в работу" in page and "Приложить договор" in page
    assert "«Принята»" in page  # the success message
    staff_client.post(url("move", app), {"to": "in_work"})
    app.refresh_from_db()
    assert app.status == Status.IN_WORK
    moves = list(
        app.events.filter(kind=ApplicationEvent.Kind.STATUS).values_list("to_status", "by_staff")
    )
    assert moves == [("registered", False), ("accepted", True), ("in_work", True)]


def test_a_refusal_needs_its_reason_and_keeps_what_was_typed(staff_client, alice):
    app = filed(alice)
    response = staff_client.post(url("move", app), {"to": "refused", "comment": "  "})
    assert response.status_code == 200
    form = response.context["move_form"]
    assert form.errors["comment"] == ["Укажите причину отказа: её увидит заявитель."]
    app.refresh_from_db()
    assert app.status == Status.REGISTERED and app.refusal_reason == ""
    response = staff_client.post(
        url("move", app), {"to": "refused", "comment": "Объект вне зоны обслуживания"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.REFUSED and app.refusal_reason == "Объект вне зоны обслуживания"


def test_a_move_the_table_forbids_is_refused_in_russian(staff_client, alice):
    app = filed(alice)
    before = app.events.count()
    response = staff_client.post(url("move", app), {"to": "in_work"})
    assert response.status_code == 200
    errors = response.context["move_form"].non_field_errors()
    assert errors == ["Заявку в статусе «Зарегистрирована» нельзя перевести в «В работе»."]
    assert "нельзя перевести" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.REGISTERED and app.events.count() == before


def test_a_connection_application_is_finished_by_its_contract(staff_client, alice, staff):
    app = filed(alice)
    application_transition(application=app, to=Status.ACCEPTED, by=staff)
    application_transition(application=app, to=Status.IN_WORK, by=staff)
    page = staff_client.get(url("detail", app)).content.decode()
    assert ">Завершить<" not in page
    response = staff_client.post(url("move", app), {"to": "done"})
    assert response.status_code == 200
    assert "завершается договором" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.IN_WORK


def test_ask_for_documents_tells_the_applicant(
    staff_client, alice, django_capture_on_commit_callbacks
):
    app = filed(alice)
    response = staff_client.post(url("ask", app), {"ask-text": ""})
    assert response.status_code == 200 and response.context["ask_form"].errors["text"]
    assert not InfoRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("ask", app), {"ask-text": "Приложите ситуационный план"})
    assert response.status_code == 302 and response["Location"].endswith("#requests")
    request = InfoRequest.objects.get(application=app)
    assert request.text == "Приложите ситуационный план" and request.is_open
    notice = Notice.objects.get(user=alice, title__contains="запрошены сведения")
    assert notice.text == "Приложите ситуационный план"
    assert app.events.filter(kind=ApplicationEvent.Kind.REQUEST).exists()


def test_staff_answer_in_the_conversation(staff_client, alice, django_capture_on_commit_callbacks):
    app = filed(alice)
    response = staff_client.post(url("write", app), {"write-text": ""})
    assert response.status_code == 200 and response.context["write_form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("write", app), {"write-text": "Документы получены"})
    assert response.status_code == 302
    app.refresh_from_db()
    message = app.conversation.messages.get()
    assert message.from_staff and message.text == "Документы получены"
    assert Notice.objects.filter(user=alice, title__contains="ответ специалиста").exists()


def test_attach_the_contract_from_the_card(staff_client, alice, staff):
    from kabinet.core import signing

    app = filed(alice)
    application_transition(application=app, to=Status.ACCEPTED, by=staff)
    today = timezone.localdate()
    # A scan instead of a PDF: refused next to the field, the number typed is kept.
    response = staff_client.post(
        url("contract_attach", app),
        {
            "number": "77-ТП",
            "date": today.isoformat(),
            "pdf": SimpleUploadedFile("скан.png", b"\x89PNG\r\n\x1a\n" + b"0" * 30, "image/png"),
        },
    )
    assert response.status_code == 200
    form = response.context["contract_form"]
    assert form.errors["pdf"] == ["Договор прикладывается в формате PDF."]
    assert 'value="77-ТП"' in response.content.decode()
    assert not ConnectionContract.objects.exists()
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED

    response = staff_client.post(
        url("contract_attach", app),
        {
            "number": "77-ТП",
            "date": today.strftime("%d.%m.%Y"),
            "pdf": SimpleUploadedFile("договор.pdf", contract_pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#contract")
    contract = ConnectionContract.objects.get(application=app)
    with contract.utility_pdf.open("rb") as handle:
        assert signing.verify_pdf(handle.read()).ok
    app.refresh_from_db()
    assert app.status == Status.DONE
    page = staff_client.get(url("detail", app)).content.decode()
    assert "Договор № 77-ТП" in page and "Этапы исполнения договора" in page
    assert "Договор подписан заявителем" in page and "ждёт подписи заявителя" in page
    # A second one is refused (the form is gone; a forged post too).
    response = staff_client.post(
        url("contract_attach", app),
        {
            "number": "78-ТП",
            "date": today.isoformat(),
            "pdf": SimpleUploadedFile("договор.pdf", contract_pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "договор уже приложен" in response.content.decode()
    assert ConnectionContract.objects.filter(application=app).count() == 1


def test_mark_a_stage_from_the_card(staff_client, alice, staff):
    from kabinet.applications.services import results

    app = filed(alice)
    application_transition(application=app, to=Status.ACCEPTED, by=staff)
    contract = results.contract_attach(
        staff=staff,
        application=app,
        number="5",
        date=timezone.localdate(),
        pdf_upload=SimpleUploadedFile("д.pdf", contract_pdf(), "application/pdf"),
    )
    stage = contract.stages.get(code="customer_conditions")
    prefix = f"stage{stage.pk}"
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = staff_client.post(
        url("stage", app, pk=stage.pk), {f"{prefix}-done_on": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    failed = next(s for s in response.context["stages"] if s.pk == stage.pk).form
    assert failed.errors["done_on"] == ["Дата выполнения не может быть позже сегодняшней."]
    stage.refresh_from_db()
    assert stage.done_on is None
    response = staff_client.post(
        url("stage", app, pk=stage.pk),
        {f"{prefix}-done_on": timezone.localdate().isoformat(), f"{prefix}-note": "Акт № 3"},
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.done_on == timezone.localdate() and stage.note == "Акт № 3"
    response = staff_client.post(url("stage", app, pk=stage.pk), {f"{prefix}-undo": "1"})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.done_on is None
    # A stage of another application's contract is not reachable through this one.
    other = filed(alice)
    assert staff_client.post(url("stage", other, pk=stage.pk), {}).status_code == 404


def test_an_application_is_taken_on_from_the_queue(staff_client, alice):
    app = row(alice)
    page = staff_client.get(reverse("applications_staff:queue")).content.decode()
    assert "Принять" in page
    response = staff_client.post(url("move", app), {"to": "accepted", "from_queue": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("applications_staff:queue")
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    page = staff_client.get(reverse("applications_staff:queue")).content.decode()
    assert "Взять в работу" in page
    staff_client.post(url("move", app), {"to": "in_work", "from_queue": "1"})
    app.refresh_from_db()
    assert app.status == Status.IN_WORK
