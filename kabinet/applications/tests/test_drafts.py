"""Filling in an application (002 §4.6.1): a draft keeps what was typed, each step is
checked on the server with the error next to its field, the application is filed only
when every step passes, and a filed one is the utility's record, no longer editable."""

import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kabinet.applications import selectors
from kabinet.applications.kinds.base import working_days_after
from kabinet.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ConnectionObject,
    InfoRequest,
    NumberCounter,
)
from kabinet.applications.services import drafts
from kabinet.applications.tests import factories
from kabinet.applications.tests.factories import (
    NEW_OBJECT,
    PERSON_REQUISITES,
    TECHNICAL_15,
    draft,
    pdf_upload,
)
from kabinet.core.errors import DomainError
from kabinet.notifications.models import Notice

REQUIRED = "Обязательное поле."
INVALID_CHOICE = "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."
FILED_MESSAGE = "Заявка уже подана: изменить её нельзя. Напишите в её карточке."


@pytest.fixture
def tomsk(settings):
    settings.KABINET_UTILITY = "gorseti_tomsk"


@pytest.fixture
def spb(settings):
    settings.KABINET_UTILITY = "tek_spb"


def stored(path) -> list[str]:
    return sorted(p.name for p in path.rglob("*") if p.is_file()) if path.exists() else []


def save(app, user, slug, data, check=True):
    return drafts.application_save_step(
        application=app, user=user, slug=slug, data=data, check=check
    )


def state(app) -> dict:
    """What a refused action must leave as it was."""
    app.refresh_from_db()
    return {
        "status": app.status,
        "number": app.number,
        "data": app.data,
        "step": app.step,
        "reason": app.reason,
        "connection_object": app.connection_object_id,
        "filed_at": app.filed_at,
        "files": sorted(app.files.values_list("pk", flat=True)),
        "events": app.events.count(),
    }


# --- starting a draft ----------------------------------------------------------------


@pytest.mark.usefixtures("tomsk")
class TestStart:
    def test_a_draft_of_an_enabled_kind(self, alice):
        app = draft(alice)
        assert (app.kind, app.applicant_kind, app.category) == (
            "tc_electric",
            "person",
            "household15",
        )
        assert app.status == Application.Status.DRAFT and app.number is None
        assert app.step == "requisites" and app.data == {}

    @pytest.mark.parametrize("kind", ["tc_heat", "contract", "service", "no_such_kind"])
    def test_a_kind_the_utility_does_not_take_is_refused(self, alice, kind):
        with pytest.raises(DomainError) as err:
            drafts.application_start(
                user=alice, kind=kind, applicant_kind="person", category="upto01"
            )
        assert str(err.value.message) == "Такие заявки организация не принимает."
        assert not Application.objects.exists()

    @pytest.mark.parametrize(
        "applicant_kind,category",
        [("person", "upto670"), ("person", "over670"), ("legal", "household15"), ("ip", "")],
    )
    def test_a_category_the_applicant_may_not_choose_is_refused(
        self, alice, applicant_kind, category
    ):
        with pytest.raises(DomainError) as err:
            draft(alice, applicant_kind=applicant_kind, category=category)
        assert err.value.field == "category"
        assert str(err.value.message) == "Выберите категорию заявки."
        assert not Application.objects.exists()

    def test_an_unknown_applicant_kind_is_refused(self, alice):
        with pytest.raises(DomainError) as err:
            draft(alice, applicant_kind="alien")
        assert err.value.field == "applicant_kind"
        assert str(err.value.message) == "Выберите, кто подаёт заявку."
        assert not Application.objects.exists()

    def test_an_unknown_reason_is_refused(self, alice):
        with pytest.raises(DomainError) as err:
            draft(alice, reason="whim")
        assert err.value.field == "reason"
        assert str(err.value.message) == "Выберите причину заявки."
        assert not Application.objects.exists()

    def test_staff_do_not_file_applications(self, staff):
        with pytest.raises(DomainError) as err:
            draft(staff)
        assert str(err.value.message) == "Заявки подают заявители, а не сотрудники."
        assert not Application.objects.exists()

    def test_drafts_are_limited(self, alice):
        for _ in range(drafts.MAX_DRAFTS):
            draft(alice)
        with pytest.raises(DomainError) as err:
            draft(alice)
        assert "20 черновиков" in str(err.value.message)
        assert Application.objects.filter(user=alice).count() == drafts.MAX_DRAFTS


# --- steps ---------------------------------------------------------------------------


@pytest.mark.usefixtures("tomsk")
class TestSteps:
    def test_a_missing_required_field_fails_next_to_it_and_the_rest_is_kept(self, alice):
        app = draft(alice)
        typed = {**PERSON_REQUISITES, "last_name": ""}
        form, passed = save(app, alice, "requisites", typed)
        assert not passed
        assert form.errors == {"last_name": [REQUIRED]}
        assert form.fields["last_name"].label == "Фамилия"
        app.refresh_from_db()
        kept = app.data["requisites"]
        assert kept["last_name"] == ""
        assert kept["first_name"] == "Анна"
        assert kept["passport"] == "69 04 123456"
        assert kept["email"] == "petrova@example.ru"
        assert app.reason == ""  # a step that did not pass sets nothing on the application
        assert app.step == "requisites"

    def test_a_step_that_passes_sets_what_it_derives(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "requisites", {**PERSON_REQUISITES, "reason": "point"})
        assert passed, form.errors
        app.refresh_from_db()
        assert app.reason == "point"
        assert app.data["requisites"]["last_name"] == "Петрова"

    def test_saving_without_check_keeps_what_was_typed(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "technical", {"max_power": "1000"}, check=False)
        assert not passed
        app.refresh_from_db()
        assert app.data["technical"] == {"max_power": "1000"}
        assert app.step == "technical"

    def test_power_above_the_category_is_refused(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "technical", {**TECHNICAL_15, "max_power": "16"})
        assert not passed
        assert form.errors["max_power"] == [
            "Для категории «до 15 кВт для бытовых нужд» мощность не больше 15 кВт: "
            "выберите другую категорию заявки."
        ]
        app.refresh_from_db()
        assert app.data["technical"]["max_power"] == "16"

    def test_power_at_the_category_max_passes(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "technical", {**TECHNICAL_15, "max_power": "15,00"})
        assert passed, form.errors

    def test_power_below_the_category_min_is_refused(self, alice):
        app = draft(alice, applicant_kind="legal", category="upto670")
        data = {**TECHNICAL_15, "max_power": "100", "reliability": "2"}
        form, passed = save(app, alice, "technical", data)
        assert not passed
        assert form.errors["max_power"] == [
            "Для категории «от 150 до 670 кВт» мощность должна быть больше 150 кВт."
        ]

    def test_increase_without_the_existing_power_is_refused(self, alice):
        app = draft(alice)
        assert save(app, alice, "requisites", {**PERSON_REQUISITES, "reason": "increase"})[1]
        form, passed = save(app, alice, "technical", {**TECHNICAL_15, "existing_power": ""})
        assert not passed
        assert form.errors["existing_power"] == [
            "При увеличении мощности укажите присоединённую сейчас."
        ]
        form, passed = save(
            app, alice, "technical", {**TECHNICAL_15, "max_power": "10", "existing_power": "10"}
        )
        assert not passed
        assert form.errors["max_power"] == [
            "Новая мощность должна быть больше присоединённой сейчас."
        ]
        form, passed = save(
            app, alice, "technical", {**TECHNICAL_15, "max_power": "15", "existing_power": "5"}
        )
        assert passed, form.errors

    def test_a_household_connection_takes_only_reliability_three(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "technical", {**TECHNICAL_15, "reliability": "2"})
        assert not passed
        assert form.errors == {
            "reliability": ["Выберите корректный вариант. 2 нет среди допустимых значений."]
        }

    def test_a_passport_number_is_ten_digits(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "requisites", {**PERSON_REQUISITES, "passport": "69 04"})
        assert not passed
        assert form.errors == {
            "passport": ["Серия и номер паспорта — 10 цифр, например 69 04 123456."]
        }

    def test_a_new_object_needs_a_name_and_an_address(self, alice):
        app = draft(alice)
        form, passed = save(app, alice, "object", {**NEW_OBJECT, "name": "", "address": ""})
        assert not passed
        message = "Выберите объект из реестра или заполните это поле для нового."
        assert form.errors == {"name": [message], "address": [message]}

    def test_another_users_object_is_not_a_choice(self, alice, charlie):
        theirs = ConnectionObject.objects.create(user=charlie, name="Гараж", address="Томск")
        app = draft(alice)
        form, passed = save(
            app, alice, "object", {**NEW_OBJECT, "connection_object": str(theirs.uuid)}
        )
        assert not passed
        assert form.errors["connection_object"] == [INVALID_CHOICE]
        app.refresh_from_db()
        assert app.connection_object is None

    def test_a_stranger_cannot_save_steps_of_the_draft(self, alice, charlie):
        app = draft(alice)
        save(app, alice, "requisites", PERSON_REQUISITES)
        before = state(app)
        with pytest.raises(DomainError) as err:
            save(app, charlie, "requisites", {**PERSON_REQUISITES, "last_name": "Чужой"})
        assert str(err.value.message) == "Это не ваша заявка."
        assert state(app) == before

    @pytest.mark.parametrize("check", [True, False])
    @pytest.mark.parametrize("field", ["last_name", "reason"])  # a text and a choice
    def test_a_nul_character_is_refused_next_to_its_field_and_nothing_is_kept(
        self, alice, check, field
    ):
        # The draft keeps input before the form's check: PostgreSQL's JSON refused the
        # NUL («unsupported Unicode escape sequence»), a 500 on the page.
        app = draft(alice)
        save(app, alice, "requisites", PERSON_REQUISITES)
        before = state(app)
        with pytest.raises(DomainError) as err:
            save(app, alice, "requisites", {**PERSON_REQUISITES, field: "Петр\x00ва"}, check)
        assert err.value.field == field
        assert "NUL" in str(err.value.message)
        assert state(app) == before

    def test_an_unknown_step_is_refused(self, alice):
        app = draft(alice)
        before = state(app)
        with pytest.raises(DomainError) as err:
            save(app, alice, "documents", {})
        assert str(err.value.message) == "Такого шага нет."
        assert state(app) == before


PERSON_REQUIRED = {
    "reason",
    "last_name",
    "first_name",
    "passport",
    "passport_issued",
    "registered_address",
    "phone",
    "email",
}


@pytest.mark.usefixtures("tomsk")
@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(blank=st.sets(st.sampled_from(sorted(PERSON_REQUISITES))))
def test_a_step_fails_exactly_on_the_blank_required_fields_and_keeps_the_rest(alice, blank):
    app = Application.objects.filter(user=alice).first() or draft(alice)
    typed = {k: ("" if k in blank else v) for k, v in PERSON_REQUISITES.items()}
    form, passed = save(app, alice, "requisites", typed)
    missing = blank & PERSON_REQUIRED
    assert passed == (not missing)
    assert form.errors == {name: [REQUIRED] for name in missing}
    app.refresh_from_db()
    assert app.data["requisites"] == typed
    assert app.status == Application.Status.DRAFT and app.number is None


# --- documents -----------------------------------------------------------------------


@pytest.mark.usefixtures("tomsk")
class TestDocuments:
    def test_an_upload_is_stored_for_its_document(self, alice, uploads_dir):
        app = draft(alice)
        [row] = drafts.application_upload(
            application=app, user=alice, doc_type="plan", files=[pdf_upload("план.pdf")]
        )
        assert (row.doc_type, row.name, row.uploaded_by) == ("plan", "план.pdf", alice)
        assert stored(uploads_dir) == [row.file.name]
        assert [d.code for d in drafts.documents_missing(app)] == ["title", "passport"]

    def test_a_fake_pdf_is_refused_and_nothing_is_stored(self, alice, uploads_dir):
        app = draft(alice)
        fake = SimpleUploadedFile("план.pdf", b"<html>not a pdf</html>", "application/pdf")
        with pytest.raises(DomainError) as err:
            drafts.application_upload(application=app, user=alice, doc_type="plan", files=[fake])
        assert err.value.field == "files"
        assert str(err.value.message).startswith("Файл «план.pdf» по содержимому не PDF.")
        assert not ApplicationFile.objects.exists()
        assert stored(uploads_dir) == []

    @pytest.mark.parametrize("doc_type", ["gpzu", "limits", "", "nonsense"])
    def test_a_document_type_not_of_the_kind_is_refused(self, alice, uploads_dir, doc_type):
        app = draft(alice)
        with pytest.raises(DomainError) as err:
            drafts.application_upload(
                application=app, user=alice, doc_type=doc_type, files=[pdf_upload()]
            )
        assert err.value.field == "doc_type"
        assert str(err.value.message) == "Выберите, какой это документ."
        assert not ApplicationFile.objects.exists()
        assert stored(uploads_dir) == []

    def test_a_stranger_cannot_upload_to_the_draft(self, alice, charlie, uploads_dir):
        app = draft(alice)
        with pytest.raises(DomainError) as err:
            drafts.application_upload(
                application=app, user=charlie, doc_type="plan", files=[pdf_upload()]
            )
        assert str(err.value.message) == "Это не ваша заявка."
        assert not ApplicationFile.objects.exists()
        assert stored(uploads_dir) == []

    def test_removing_a_file_deletes_it(
        self, alice, uploads_dir, django_capture_on_commit_callbacks
    ):
        app = draft(alice)
        [keep] = drafts.application_upload(
            application=app, user=alice, doc_type="plan", files=[pdf_upload()]
        )
        [gone] = drafts.application_upload(
            application=app, user=alice, doc_type="title", files=[pdf_upload()]
        )
        with django_capture_on_commit_callbacks(execute=True):
            drafts.application_file_remove(application=app, user=alice, file_uuid=gone.uuid)
        assert list(app.files.all()) == [keep]
        assert stored(uploads_dir) == [keep.file.name]


# --- checking and filing ---------------------------------------------------------------


@pytest.mark.usefixtures("tomsk")
class TestSubmit:
    def test_check_lists_every_failing_step_and_missing_document(self, alice):
        app = draft(alice)
        problems = drafts.application_check(app)
        assert problems == {
            "requisites": ["Шаг не заполнен."],
            "object": ["Шаг не заполнен."],
            "technical": ["Шаг не заполнен."],
            "documents": [
                "Приложите: План расположения энергопринимающих устройств.",
                "Приложите: Документ о праве собственности или ином законном основании на объект.",
                "Приложите: Копия паспорта.",
            ],
        }
        save(app, alice, "requisites", {**PERSON_REQUISITES, "last_name": ""})
        save(app, alice, "object", NEW_OBJECT)
        save(app, alice, "technical", {**TECHNICAL_15, "max_power": "16"})
        drafts.application_upload(
            application=app, user=alice, doc_type="plan", files=[pdf_upload()]
        )
        problems = drafts.application_check(app)
        assert set(problems) == {"requisites", "technical", "documents"}
        assert problems["requisites"] == [f"Фамилия: {REQUIRED}"]
        assert problems["technical"][0].startswith(
            "Максимальная мощность присоединяемых устройств, кВт: Для категории"
        )
        assert len(problems["documents"]) == 2

    def test_the_documents_asked_for_follow_the_answers(self, alice):
        app = draft(alice)
        assert [d.code for d in drafts.documents_missing(app)] == ["plan", "title", "passport"]
        data = {**PERSON_REQUISITES, "by_representative": "on", "reason": "increase"}
        assert save(app, alice, "requisites", data)[1]
        app.refresh_from_db()
        assert [d.code for d in drafts.documents_missing(app)] == [
            "plan",
            "title",
            "passport",
            "power_of_attorney",
            "existing_act",
        ]

    def test_an_incomplete_draft_is_not_filed_and_nothing_changes(self, alice, uploads_dir):
        app = draft(alice)
        save(app, alice, "requisites", PERSON_REQUISITES)
        save(app, alice, "object", NEW_OBJECT)
        save(app, alice, "technical", TECHNICAL_15)
        # documents missing
        before = state(app)
        with pytest.raises(DomainError) as err:
            drafts.application_submit(application=app, user=alice)
        assert str(err.value.message) == (
            "Заявка заполнена не до конца: исправьте отмеченные шаги."
        )
        assert state(app) == before
        assert before["status"] == Application.Status.DRAFT and before["number"] is None
        assert not ConnectionObject.objects.exists()
        assert not NumberCounter.objects.exists()
        assert not ApplicationEvent.objects.exists()

    def test_filing(self, alice, django_capture_on_commit_callbacks):
        app = factories.filled_draft(alice)
        with django_capture_on_commit_callbacks(execute=True):
            filed = drafts.application_submit(application=app, user=alice)
        filed.refresh_from_db()
        today = timezone.localdate()
        assert re.fullmatch(rf"{today:%Y-%m-%d}-702-1", filed.number)
        assert filed.status == Application.Status.REGISTERED
        assert filed.filed_at is not None
        assert timezone.localdate(filed.filed_at) == today
        # the new object typed in the form joins the registry
        obj = ConnectionObject.objects.get(user=alice)
        assert (obj.name, obj.address, obj.cadastral_number) == (
            "Садовый дом",
            "Томская обл., СНТ «Рассвет», уч. 15",
            "70:14:0100024:15",
        )
        assert filed.connection_object == obj
        assert filed.applicant_name == "Петрова Анна Сергеевна"
        assert filed.check_key == "петрова"
        assert filed.object_address == "Томская обл., СНТ «Рассвет», уч. 15"
        assert filed.reason == "first"
        # 3 working days to accept it or ask for what is missing
        assert filed.due_date == working_days_after(today, 3)
        [event] = filed.events.all()
        assert (event.kind, event.from_status, event.to_status) == ("status", "draft", "registered")
        assert event.by == alice and not event.by_staff
        [notice] = Notice.objects.filter(user=alice, kind="application")
        assert notice.title == f"Заявка № {filed.number} зарегистрирована"

    def test_a_registry_object_is_used_as_it_is(self, alice):
        mine = ConnectionObject.objects.create(user=alice, name="Дом", address="Томск, ул. 1")
        app = factories.filled_draft(alice)
        assert save(app, alice, "object", {**NEW_OBJECT, "connection_object": str(mine.uuid)})[1]
        filed = drafts.application_submit(application=app, user=alice)
        assert filed.connection_object == mine
        assert filed.object_address == "Томск, ул. 1"
        assert ConnectionObject.objects.filter(user=alice).count() == 1

    def test_a_filed_application_cannot_be_changed_or_discarded(self, alice, uploads_dir):
        filed = factories.filed(alice)
        before = state(filed)
        files = stored(uploads_dir)
        with pytest.raises(DomainError) as err:
            save(filed, alice, "requisites", {**PERSON_REQUISITES, "last_name": "Иванова"})
        assert str(err.value.message) == FILED_MESSAGE
        with pytest.raises(DomainError) as err:
            drafts.application_discard(application=filed, user=alice)
        assert str(err.value.message) == FILED_MESSAGE
        with pytest.raises(DomainError) as err:
            drafts.application_upload(
                application=filed, user=alice, doc_type="other", files=[pdf_upload()]
            )
        assert str(err.value.message) == FILED_MESSAGE
        with pytest.raises(DomainError):
            drafts.application_submit(application=filed, user=alice)
        assert state(filed) == before
        assert stored(uploads_dir) == files

    def test_a_stranger_cannot_file_or_discard_the_draft(self, alice, charlie, uploads_dir):
        app = factories.filled_draft(alice)
        before, files = state(app), stored(uploads_dir)
        for action in (drafts.application_submit, drafts.application_discard):
            with pytest.raises(DomainError) as err:
                action(application=app, user=charlie)
            assert str(err.value.message) == "Это не ваша заявка."
        assert state(app) == before
        assert stored(uploads_dir) == files

    def test_discarding_deletes_the_draft_and_its_files(
        self, alice, uploads_dir, django_capture_on_commit_callbacks
    ):
        app = factories.filled_draft(alice)
        assert len(stored(uploads_dir)) == 3
        with django_capture_on_commit_callbacks(execute=True):
            drafts.application_discard(application=app, user=alice)
        assert not Application.objects.filter(pk=app.pk).exists()
        assert not ApplicationFile.objects.exists()
        assert stored(uploads_dir) == []


# --- heat connection and contract conclusion (tek_spb) ------------------------------------

HEAT_TECHNICAL = {
    "load_heating": "0,05",
    "load_ventilation": "",
    "load_hot_water": "0,03",
    "carrier": "water",
    "floors": "2",
    "connect_date": "II квартал 2028 года",
}


@pytest.mark.usefixtures("spb")
class TestHeat:
    def test_the_object_must_come_from_the_registry(self, alice, charlie):
        theirs = ConnectionObject.objects.create(user=charlie, name="Склад", address="СПб")
        mine = ConnectionObject.objects.create(user=alice, name="Дом", address="СПб, ул. 2")
        app = draft(alice, kind="tc_heat", category="upto01")
        # a new object typed in is not taken: only the registry
        form, passed = save(app, alice, "object", NEW_OBJECT)
        assert not passed
        assert form.errors == {"connection_object": [REQUIRED]}
        app.refresh_from_db()
        assert app.data["object"] == {"connection_object": ""}
        form, passed = save(app, alice, "object", {"connection_object": str(theirs.uuid)})
        assert not passed
        assert form.errors == {"connection_object": [INVALID_CHOICE]}
        app.refresh_from_db()
        assert app.connection_object is None
        form, passed = save(app, alice, "object", {"connection_object": str(mine.uuid)})
        assert passed, form.errors
        app.refresh_from_db()
        assert app.connection_object == mine

    def test_a_load_above_the_category_is_refused(self, alice):
        app = draft(alice, kind="tc_heat", category="upto01")
        form, passed = save(
            app,
            alice,
            "technical",
            {**HEAT_TECHNICAL, "load_heating": "0,08", "load_hot_water": "0,05"},
        )
        assert not passed
        assert form.errors["load_heating"] == [
            "Суммарная нагрузка 0,13 Гкал/ч больше, чем допускает категория «до 0,1 Гкал/ч»: "
            "выберите другую категорию заявки."
        ]
        app.refresh_from_db()
        assert app.data["technical"]["load_heating"] == "0,08"
        form, passed = save(app, alice, "technical", HEAT_TECHNICAL)
        assert passed, form.errors

    def test_a_zero_load_is_refused(self, alice):
        app = draft(alice, kind="tc_heat", category="upto01")
        form, passed = save(
            app, alice, "technical", {**HEAT_TECHNICAL, "load_heating": "0", "load_hot_water": ""}
        )
        assert not passed
        assert form.errors["load_heating"] == ["Укажите тепловую нагрузку больше нуля."]

    def test_filing_a_heat_connection_for_a_registry_object(self, alice):
        mine = ConnectionObject.objects.create(user=alice, name="Дом", address="СПб, ул. 2")
        app = draft(alice, kind="tc_heat", category="upto01")
        for slug, data in (
            ("requisites", {**PERSON_REQUISITES, "phone": "+7 921 000-00-01"}),
            ("object", {"connection_object": str(mine.uuid)}),
            ("technical", HEAT_TECHNICAL),
        ):
            form, passed = save(app, alice, slug, data)
            assert passed, form.errors
        assert [d.code for d in drafts.documents_missing(app)] == [
            "situation_plan",
            "title",
            "load_calc",
            "passport",
        ]
        for doc in drafts.documents_missing(app):
            drafts.application_upload(
                application=app, user=alice, doc_type=doc.code, files=[pdf_upload()]
            )
        filed = drafts.application_submit(application=app, user=alice)
        assert re.fullmatch(rf"{timezone.localdate():%Y-%m-%d}-701-1", filed.number)
        assert filed.connection_object == mine and filed.object_address == "СПб, ул. 2"
        assert ConnectionObject.objects.filter(user=alice).count() == 1

    def test_electric_connection_is_not_taken_here(self, alice):
        with pytest.raises(DomainError):
            draft(alice)
        assert not Application.objects.exists()


RESPONSIBLE = {
    "org_name": "МБОУ «Школа № 5»",
    "inn": "7804000010",
    "responsible_name": "Смирнова Ольга Петровна",
    "responsible_position": "Завхоз",
    "phone": "+7 812 000-00-01",
    "email": "school5@example.ru",
    "object_name": "Здание школы № 5",
    "object_address": "Санкт-Петербург, ул. Садовая, д. 5",
    "load": "0,4",
}


def contract_draft(user, *, reason="after_pnr", category="budget"):
    return drafts.application_start(
        user=user, kind="contract", applicant_kind="legal", category=category, reason=reason
    )


@pytest.mark.usefixtures("spb")
class TestContract:
    def test_after_pnr_for_a_budget_organisation_needs_its_documents(self, alice):
        app = contract_draft(alice)
        assert (app.reason, app.category, app.step) == ("after_pnr", "budget", "responsible")
        missing = drafts.application_check(app)["documents"]
        assert "Приложите: Акт о завершении пусконаладочных работ." in missing
        assert "Приложите: Доведённые лимиты бюджетных обязательств." in missing
        codes = [d.code for d in drafts.documents_missing(app)]
        assert codes == [
            "statement",
            "constituent",
            "title",
            "connection_act",
            "pnr_act",
            "limits",
        ]

    def test_other_reasons_and_categories_do_not_need_them(self, alice):
        app = contract_draft(alice, reason="permanent", category="other")
        codes = [d.code for d in drafts.documents_missing(app)]
        assert "pnr_act" not in codes and "limits" not in codes
        assert codes == ["statement", "constituent", "title", "connection_act"]

    def test_filing_a_contract_application(self, alice):
        app = contract_draft(alice)
        form, passed = save(app, alice, "responsible", RESPONSIBLE)
        assert passed, form.errors
        for doc in drafts.documents_missing(app):
            drafts.application_upload(
                application=app, user=alice, doc_type=doc.code, files=[pdf_upload()]
            )
        filed = drafts.application_submit(application=app, user=alice)
        assert filed.status == Application.Status.REGISTERED
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-601-1", filed.number)
        assert filed.applicant_name == "МБОУ «Школа № 5»"
        assert filed.check_key == "школа 5"
        assert filed.object_address == "Санкт-Петербург, ул. Садовая, д. 5"
        assert filed.connection_object is None
        assert not ConnectionObject.objects.exists()

    def test_a_contract_application_is_not_filed_without_its_reason(self, alice):
        """«Причина заявки» (ПНР, после ПНР, постоянный) decides the documents asked for
        (the act of commissioning after ПНР); no step of the form asks it, so it must be
        given when the draft is started, or filing must refuse."""
        try:
            app = contract_draft(alice, reason="")
        except DomainError as err:
            assert err.field == "reason"
            assert not Application.objects.exists()
            return
        assert save(app, alice, "responsible", RESPONSIBLE)[1]
        for doc in drafts.documents_missing(app):
            drafts.application_upload(
                application=app, user=alice, doc_type=doc.code, files=[pdf_upload()]
            )
        with pytest.raises(DomainError):
            drafts.application_submit(application=app, user=alice)
        app.refresh_from_db()
        assert app.status == Application.Status.DRAFT and app.number is None


# --- the list ------------------------------------------------------------------------


_numbers = itertools.count(1)


def _applications(user, staff, n):
    obj = ConnectionObject.objects.create(user=user, name="Дом", address="Томск")
    for i in range(n):
        app = Application.objects.create(
            user=user,
            kind="tc_electric",
            applicant_kind="person",
            category="household15",
            status=Application.Status.REGISTERED if i % 2 else Application.Status.DRAFT,
            number=f"2026-01-12-702-{next(_numbers)}" if i % 2 else None,
            connection_object=obj if i % 3 else None,
        )
        if i % 2:
            InfoRequest.objects.create(application=app, text="Приложите план", asked_by=staff)


def _list(user):
    rows = list(selectors.my_applications(user))
    for a in rows:
        # what the list shows
        (a.connection_object, a.contract, a.waiting, a.file_count, a.type_title(), str(a))
    return rows


@pytest.mark.usefixtures("tomsk")
def test_my_applications_takes_the_same_queries_for_3_and_30(
    alice, charlie, staff, django_assert_max_num_queries
):
    _applications(alice, staff, 3)
    _applications(charlie, staff, 2)
    with CaptureQueriesContext(connection) as few, django_assert_max_num_queries(2):
        rows = _list(alice)
    assert len(rows) == 3
    assert sum(a.waiting for a in rows) == 1
    _applications(alice, staff, 27)
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(2):
        rows = _list(alice)
    assert len(rows) == 30
    assert {a.user_id for a in rows} == {alice.pk}
    assert sum(a.waiting for a in rows) == 1 + 13
    assert len(many) == len(few)


def test_a_service_request_has_no_draft(settings, alice):
    """Service requests are filed from their one form at once (``direct``: «no draft and
    no preview», services/drafts.py): the service must not start a draft of one."""
    settings.KABINET_UTILITY = "tashkent_heat"
    with pytest.raises(DomainError):
        drafts.application_start(user=alice, kind="service", applicant_kind="legal")
    assert not Application.objects.exists()
