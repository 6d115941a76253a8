"""Запрос сведений (002 §4.6.2): staff ask in the application's card, the applicant is
told and answers once with a text and files; then the request is closed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.applications.models import Application, ApplicationEvent, ApplicationFile
from kabinet.applications.services.card import info_request_answer, info_request_ask
from kabinet.applications.services.workflow import application_transition
from kabinet.applications.tests import factories
from kabinet.core.errors import DomainError
from kabinet.notifications.models import Notice

ASK = "Приложите выписку из ЕГРН не старше 30 дней."


@pytest.fixture(autouse=True)
def _tomsk(settings):
    settings.KABINET_UTILITY = "gorseti_tomsk"


@pytest.fixture
def filed(alice):
    return factories.filed(alice)


def stored(path) -> list[str]:
    return sorted(p.name for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_round_trip(alice, staff, filed, uploads_dir, django_capture_on_commit_callbacks):
    files_before = stored(uploads_dir)
    with django_capture_on_commit_callbacks(execute=True):
        request = info_request_ask(staff=staff, application=filed, text=f"  {ASK}  ")
    assert request.text == ASK and request.is_open and request.asked_by == staff
    notice = Notice.objects.get(user=alice, title__contains="запрошены сведения")
    assert notice.kind == "application"
    assert notice.title == f"Заявка № {filed.number}: запрошены сведения"
    assert notice.text == ASK
    asked = filed.events.get(kind=ApplicationEvent.Kind.REQUEST)
    assert (asked.by, asked.by_staff, asked.comment) == (staff, True, ASK)

    answered = info_request_answer(
        user=alice,
        application=filed,
        info_request=request,
        text="Выписка приложена.",
        files=[factories.pdf_upload("выписка.pdf")],
    )
    answered.refresh_from_db()
    assert not answered.is_open
    assert answered.answer == "Выписка приложена."
    assert answered.answered_by == alice
    [row] = ApplicationFile.objects.filter(info_request=answered)
    assert row.application == filed and row.name == "выписка.pdf"
    assert row.doc_type == "" and not row.from_staff and row.uploaded_by == alice
    assert row.content_type == "application/pdf" and row.size == len(factories.PDF)
    with row.file.open("rb") as f:
        assert f.read() == factories.PDF
    assert stored(uploads_dir) == sorted([*files_before, row.file.name])
    event = filed.events.get(kind=ApplicationEvent.Kind.ANSWER)
    assert event.by == alice and not event.by_staff
    assert event.comment == "Выписка приложена.\nвыписка.pdf"
    # the status does not move by itself
    filed.refresh_from_db()
    assert filed.status == Application.Status.REGISTERED


def test_answering_twice_is_refused(alice, staff, filed, uploads_dir):
    request = info_request_ask(staff=staff, application=filed, text=ASK)
    info_request_answer(user=alice, application=filed, info_request=request, text="Вот")
    files_before, events_before = stored(uploads_dir), filed.events.count()
    with pytest.raises(DomainError) as err:
        info_request_answer(
            user=alice,
            application=filed,
            info_request=request,
            text="Ещё раз",
            files=[factories.pdf_upload()],
        )
    assert str(err.value.message) == "На этот запрос вы уже ответили."
    request.refresh_from_db()
    assert request.answer == "Вот"
    assert stored(uploads_dir) == files_before
    assert not ApplicationFile.objects.filter(info_request=request).exists()
    assert filed.events.count() == events_before


def test_a_stranger_cannot_answer(alice, charlie, staff, filed, uploads_dir):
    request = info_request_ask(staff=staff, application=filed, text=ASK)
    files_before = stored(uploads_dir)
    with pytest.raises(DomainError) as err:
        info_request_answer(
            user=charlie,
            application=filed,
            info_request=request,
            text="Я не Алиса",
            files=[factories.pdf_upload()],
        )
    assert str(err.value.message) == "Это не ваша заявка."
    request.refresh_from_db()
    assert request.is_open and request.answer == ""
    assert stored(uploads_dir) == files_before
    assert not filed.events.filter(kind=ApplicationEvent.Kind.ANSWER).exists()


def test_a_refused_application_takes_no_answer(alice, staff, filed, uploads_dir):
    request = info_request_ask(staff=staff, application=filed, text=ASK)
    application_transition(application=filed, to="refused", by=staff, comment="Нет мощности")
    files_before = stored(uploads_dir)
    with pytest.raises(DomainError) as err:
        info_request_answer(
            user=alice,
            application=filed,
            info_request=request,
            text="Поздно",
            files=[factories.pdf_upload()],
        )
    assert str(err.value.message) == (
        "Заявка в статусе «Отказ»: по ней больше ничего не принимается."
    )
    request.refresh_from_db()
    assert request.is_open
    assert stored(uploads_dir) == files_before
    # nor may staff ask any more
    with pytest.raises(DomainError):
        info_request_ask(staff=staff, application=filed, text="Ещё")
    assert filed.info_requests.count() == 1


def test_a_fake_pdf_in_an_answer_is_refused_and_nothing_kept(alice, staff, filed, uploads_dir):
    request = info_request_ask(staff=staff, application=filed, text=ASK)
    files_before = stored(uploads_dir)
    fake = SimpleUploadedFile("выписка.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as err:
        info_request_answer(
            user=alice, application=filed, info_request=request, text="Вот", files=[fake]
        )
    assert err.value.field == "files"
    assert "по содержимому не PDF" in str(err.value.message)
    request.refresh_from_db()
    assert request.is_open and request.answer == ""
    assert stored(uploads_dir) == files_before


def test_an_empty_answer_is_refused(alice, staff, filed):
    request = info_request_ask(staff=staff, application=filed, text=ASK)
    with pytest.raises(DomainError) as err:
        info_request_answer(user=alice, application=filed, info_request=request, text="  ")
    assert err.value.field == "text"
    assert str(err.value.message) == "Напишите ответ или приложите файлы."
    request.refresh_from_db()
    assert request.is_open


def test_only_staff_ask_and_a_request_says_what(alice, staff, filed):
    with pytest.raises(DomainError) as err:
        info_request_ask(staff=alice, application=filed, text=ASK)
    assert str(err.value.message) == "Запрашивать документы могут только сотрудники."
    with pytest.raises(DomainError) as err:
        info_request_ask(staff=staff, application=filed, text="   ")
    assert err.value.field == "text"
    assert filed.info_requests.count() == 0
    assert not filed.events.filter(kind=ApplicationEvent.Kind.REQUEST).exists()


def test_an_answer_goes_to_the_request_of_that_application(alice, staff, filed):
    """Alice's own second application cannot carry the answer to a request made on
    her first one: the request is looked up inside the application."""
    other = factories.filed(alice)
    request = info_request_ask(staff=staff, application=filed, text=ASK)
    with pytest.raises((DomainError, request.DoesNotExist)):
        info_request_answer(user=alice, application=other, info_request=request, text="Вот")
    request.refresh_from_db()
    assert request.is_open


# --- questions in the application's conversation -------------------------------------


def test_questions_and_answers_in_the_card(
    alice, staff, filed, uploads_dir, django_capture_on_commit_callbacks
):
    from kabinet.applications.services.card import application_write

    question = application_write(user=alice, application=filed, text="Когда будет договор?")
    filed.refresh_from_db()
    assert filed.conversation is not None
    assert question.conversation == filed.conversation and question.author == alice
    # the applicant's own question tells nobody
    assert not Notice.objects.filter(title__contains="ответ специалиста").exists()
    with django_capture_on_commit_callbacks(execute=True):
        application_write(
            user=staff,
            application=filed,
            text="В течение 10 рабочих дней.",
            files=[factories.pdf_upload("график.pdf")],
        )
    assert filed.conversation.messages.count() == 2
    notice = Notice.objects.get(user=alice, title__contains="ответ специалиста")
    assert notice.title == f"Заявка № {filed.number}: ответ специалиста"
    assert notice.text == "В течение 10 рабочих дней."


def test_a_stranger_cannot_write_and_a_draft_has_no_conversation(alice, charlie, filed):
    from kabinet.applications.services.card import application_write

    with pytest.raises(DomainError) as err:
        application_write(user=charlie, application=filed, text="Здравствуйте")
    assert str(err.value.message) == "Это не ваша заявка."
    draft = factories.draft(alice)
    with pytest.raises(DomainError) as err:
        application_write(user=alice, application=draft, text="Здравствуйте")
    assert str(err.value.message) == "Вопрос можно задать после подачи заявки."
    filed.refresh_from_db()
    draft.refresh_from_db()
    assert filed.conversation is None and draft.conversation is None
