"""Filing an application: a draft started, filled in step by step (a step is the same form
the page shows: ``GET …/steps/{slug}`` describes its fields, ``PUT`` keeps what was sent,
even what does not pass yet, and says what to fix), its documents, filing and discarding
it — and a service request, filed at once in one form."""

from datetime import date
from typing import Annotated
from uuid import UUID

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Form, Schema, Status, UploadedFile
from pydantic import StringConstraints

from kabinet.api.appeals import FILES_FIELD, NO_NUL
from kabinet.api.applications.access import _detail, _draft, _kinds_on, _visible
from kabinet.api.applications.schemas import ChoiceOut
from kabinet.api.auth import require_full
from kabinet.api.errors import ErrorOut
from kabinet.applications.services import drafts


class StartIn(Schema):
    kind: str = Field(pattern=NO_NUL, description="Вид заявки (code из /applications/kinds)")
    applicant_kind: str = Field("", pattern=NO_NUL, description="Заявитель: person, ip или legal")
    category: str = Field("", pattern=NO_NUL, description="Категория (если у вида они есть)")
    reason: str = Field(
        "", pattern=NO_NUL, description="Причина (если вид спрашивает её при создании)"
    )


class FieldOut(Schema):
    name: str = Field(description="Имя поля (ключ в data)")
    label: str = Field(description="Подпись поля")
    type: str = Field(description="text, email, integer, decimal, date, boolean или choice")
    required: bool = Field(description="Обязательное")
    help_text: str = Field(description="Подсказка")
    max_length: int | None = Field(description="Наибольшая длина")
    choices: list[ChoiceOut] = Field(description="Варианты (для choice)")


class StepFormOut(Schema):
    slug: str = Field(description="Шаг")
    title: str = Field(description="Название шага")
    fields: list[FieldOut] = Field(description="Поля шага")
    values: dict[str, str] = Field(description="Что сохранено в черновике на этом шаге")
    errors: dict[str, list[str]] = Field(description="Что исправить (если шаг не проходит)")
    passed: bool = Field(description="Шаг заполнен верно")


class StepIn(Schema):
    data: dict[
        str, Annotated[str, StringConstraints(pattern=NO_NUL)] | int | float | bool | None
    ] = Field(description="Значения полей шага: {имя поля: значение}")
    check: bool = Field(
        True, description="Проверить шаг (как «Далее»); false — только сохранить черновик"
    )


def _field_type(field) -> str:
    if isinstance(field, forms.BooleanField):
        return "boolean"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.DecimalField):
        return "decimal"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field, forms.EmailField):
        return "email"
    return "text"


def _choices(field) -> list[ChoiceOut]:
    if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return []
    return [
        ChoiceOut(value=str(value), label=str(label))
        for value, label in field.choices
        if str(value) != ""
    ]


def _step_out(application, slug, form) -> StepFormOut:
    step = application.spec.step(slug)
    passed = form.is_bound and form.is_valid()
    return StepFormOut(
        slug=slug,
        title=str(step.title),
        fields=[
            FieldOut(
                name=name,
                label=str(field.label or name),
                type=_field_type(field),
                required=field.required,
                help_text=str(field.help_text or ""),
                max_length=getattr(field, "max_length", None),
                choices=_choices(field),
            )
            for name, field in form.fields.items()
        ],
        values=dict(application.data.get(slug) or {}),
        errors={k: [str(m) for m in v] for k, v in form.errors.items()} if form.is_bound else {},
        passed=passed,
    )


def _as_text(value) -> str:
    """A JSON value as the page's form would have posted it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _refusal(form) -> Status:
    """A form that did not pass, in the one error shape (nothing was kept)."""
    return Status(
        400,
        ErrorOut(
            code="invalid",
            message=_("Проверьте выделенные поля."),
            fields={k: [str(m) for m in v] for k, v in form.errors.items()},
        ),
    )


# --- a draft, step by step --------------------------------------------------------------------


def application_start(request, payload: StartIn):
    """Создать черновик заявки вида kind (заявки на услугу подаются сразу:
    POST /applications/service)."""
    require_full(request)
    _kinds_on()
    application = drafts.application_start(
        user=request.user,
        kind=payload.kind,
        applicant_kind=payload.applicant_kind,
        category=payload.category,
        reason=payload.reason,
    )
    return Status(201, _detail(request, _visible(request, application.uuid)))


def application_step(request, uuid: UUID, slug: str):
    """Поля шага, сохранённые значения и что исправить."""
    application = _draft(request, uuid)
    step = application.spec.step(slug)
    if step is None or step.form is None:
        raise Http404
    return _step_out(application, slug, drafts.step_form(application, slug))


def application_step_save(request, uuid: UUID, slug: str, payload: StepIn):
    """Сохранить шаг. Черновик хранит всё присланное, даже то, что ещё не проходит
    проверку; passed и errors говорят, что исправить."""
    require_full(request)
    application = _draft(request, uuid)
    step = application.spec.step(slug)
    if step is None or step.form is None:
        raise Http404
    data = {name: _as_text(value) for name, value in payload.data.items()}
    form, _passed = drafts.application_save_step(
        application=application, user=request.user, slug=slug, data=data, check=payload.check
    )
    return _step_out(application, slug, form)


def application_upload(
    request,
    uuid: UUID,
    doc_type: str = Form(
        ..., pattern=NO_NUL, description="Вид документа (code из documents вида заявки)"
    ),
    files: list[UploadedFile] = FILES_FIELD,
):
    """Приложить файлы одного вида документа (как на шаге «Документы»)."""
    require_full(request)
    application = _draft(request, uuid)
    rows = drafts.application_upload(
        application=application, user=request.user, doc_type=doc_type, files=files or []
    )
    return Status(201, rows)


def application_file_remove(request, uuid: UUID, file_uuid: UUID):
    """Убрать файл из черновика (у поданной заявки файлы остаются)."""
    require_full(request)
    application = _draft(request, uuid)
    drafts.application_file_remove(application=application, user=request.user, file_uuid=file_uuid)
    return Status(204, None)


def application_submit(request, uuid: UUID):
    """Подать заявку: все шаги проверяются ещё раз; заявка получает номер."""
    require_full(request)
    application = _draft(request, uuid)
    drafts.application_submit(application=application, user=request.user)
    return _detail(request, _visible(request, uuid))


# --- service requests (003 §3.5) ---------------------------------------------------------------


class ServiceRequestIn(Schema):
    reason: str = Field(pattern=NO_NUL, description="Вид услуги (reasons вида заявки)")
    contract: UUID = Field(description="Договор (с полным доступом к нему)")
    unit: UUID | None = Field(None, description="Узел учёта (для обследования прибора учёта)")
    visit_date: date = Field(description="Желаемая дата посещения: рабочий день, с завтрашнего")
    visit_time: str = Field(pattern=NO_NUL, description="Желаемое время: 09-12, 12-15 или 15-18")
    contact_name: str = Field(pattern=NO_NUL, description="Кто встретит сотрудника (ФИО)")
    contact_phone: str = Field(pattern=NO_NUL, description="Телефон для связи")
    comment: str = Field("", pattern=NO_NUL, description="Комментарий")


def service_request(request, payload: ServiceRequestIn):
    """Заявка на услугу подаётся сразу и сразу получает номер; если что-то не так,
    ничего не сохраняется."""
    require_full(request)
    spec = next((k for k in _kinds_on() if k.direct), None)
    if spec is None:  # the organisation takes no service requests
        raise Http404
    data = {name: _as_text(v) for name, v in payload.model_dump().items() if v is not None}
    form, application = drafts.service_request_file(user=request.user, data=data, kind=spec.code)
    if application is None:
        return _refusal(form)
    return Status(201, _detail(request, _visible(request, application.uuid)))


# --- discarding a draft (registered last, at "/{uuid}": see __init__) ------------------------


def application_discard(request, uuid: UUID):
    """Удалить черновик и его файлы (поданную заявку удалить нельзя)."""
    require_full(request)
    drafts.application_discard(application=_draft(request, uuid), user=request.user)
    return Status(204, None)
