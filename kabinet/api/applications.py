"""Заявки through the API: «Мои заявки», the card with its timeline, filling a draft in
step by step and filing it, service requests filed at once, answering a request for
documents, questions to a specialist, the documents and the connection contract — the
same services and selectors as the cabinet's pages (``kabinet.applications``).

A step is the same form the page shows: ``GET …/steps/{slug}`` describes its fields,
``PUT`` keeps what was sent (even what does not pass yet, as the page keeps a draft) and
says what to fix."""

import datetime as dt
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints

from kabinet.api.appeals import (
    FILES_FIELD,
    NO_NUL,
    MessageOut,
    file_download_openapi,
    messages_out,
)
from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS, ErrorOut
from kabinet.api.pagination import Pagination
from kabinet.appeals import conversations
from kabinet.applications import selectors
from kabinet.applications.kinds import enabled_kinds
from kabinet.applications.models import (
    Application,
    ApplicationFile,
    ConnectionContract,
    ConnectionObject,
)
from kabinet.applications.services import card, drafts, objects, results
from kabinet.core.http import private_download
from kabinet.core.utility import get_utility

router = Router()

SIGNED_FIELD = File(..., description="PDF договора с вашей подписью или файл подписи (.sig, .p7s)")
SIGNATURE_TYPES = ("application/pdf", "application/pkcs7-signature", "application/pkcs7-mime")


# --- schemas ------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str = Field(description="Значение")
    label: str = Field(description="Как показывает кабинет")


class CategoryOut(Schema):
    code: str = Field(description="Код категории")
    label: str = Field(description="Категория словами")
    applicant_kinds: list[str] = Field(description="Кто может её выбрать: person, ip, legal")


class StepOut(Schema):
    slug: str = Field(description="Шаг (для …/steps/{slug})")
    title: str = Field(description="Название шага")
    form: bool = Field(description="Шаг — форма; иначе это шаг документов")


class DocTypeOut(Schema):
    code: str = Field(description="Код вида документа (doc_type)")
    title: str = Field(description="Вид документа")
    hint: str = Field(description="Подсказка")
    required: bool = Field(description="Обязателен")
    conditional: bool = Field(
        description="Нужен не всегда: зависит от заявителя, категории или причины"
    )


class KindOut(Schema):
    code: str = Field(description="Вид заявки (kind)")
    group: str = Field(description="connection, contract или service")
    title: str = Field(description="Название")
    hint: str = Field(description="Для кого и зачем")
    direct: bool = Field(
        description="Подаётся сразу одной формой (POST /applications/service), без черновика"
    )
    applicant_kinds: list[str] = Field(description="Кто может подать: person, ip, legal")
    reason_label: str = Field(description="Как называется причина")
    reason_at_start: bool = Field(description="Причина выбирается при создании черновика")
    reasons: list[ChoiceOut] = Field(description="Причины")
    category_label: str = Field(description="Как называется категория")
    categories: list[CategoryOut] = Field(description="Категории")
    steps: list[StepOut] = Field(description="Шаги формы")
    documents: list[DocTypeOut] = Field(description="Документы, которые прикладывают")


def _kind_out(spec) -> KindOut:
    return KindOut(
        code=spec.code,
        group=spec.group,
        title=str(spec.title),
        hint=str(spec.hint),
        direct=spec.direct,
        applicant_kinds=list(spec.applicant_kinds),
        reason_label=str(spec.reason_label),
        reason_at_start=spec.reason_at_start,
        reasons=[ChoiceOut(value=r.code, label=str(r.label)) for r in spec.reasons],
        category_label=str(spec.category_label),
        categories=[
            CategoryOut(code=c.code, label=str(c.label), applicant_kinds=sorted(c.applicant_kinds))
            for c in spec.categories
        ],
        steps=[
            StepOut(slug=s.slug, title=str(s.title), form=s.form is not None) for s in spec.steps
        ],
        documents=[
            DocTypeOut(
                code=d.code,
                title=str(d.title),
                hint=str(d.hint),
                required=d.required,
                conditional=d.when is not None,
            )
            for d in spec.documents
        ],
    )


class ApplicationOut(Schema):
    uuid: UUID = Field(description="Идентификатор заявки")
    number: str | None = Field(description="Номер заявки (у черновика нет)")
    kind: str = Field(description="Вид заявки")
    kind_title: str = Field(description="Вид словами")
    type_title: str = Field(description="Тип заявки: вид, заявитель и категория")
    status: str = Field(description="Статус: draft, registered, accepted, in_work, done, refused")
    status_label: str = Field(description="Статус словами")
    step: str = Field(description="Шаг, на котором остановился черновик")
    object_address: str = Field(description="Адрес объекта (или договор заявки на услугу)")
    created_at: datetime = Field(description="Создана")
    filed_at: datetime | None = Field(description="Подана")
    due_date: date | None = Field(description="Срок следующего ответа организации")
    waiting: bool = Field(description="Специалист ждёт ответа на запрос")
    file_count: int = Field(description="Сколько документов в заявке")

    @staticmethod
    def resolve_kind_title(obj) -> str:
        return str(obj.kind_title())

    @staticmethod
    def resolve_type_title(obj) -> str:
        return str(obj.type_title())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_waiting(obj) -> bool:
        if hasattr(obj, "waiting"):
            return bool(obj.waiting)
        return obj.info_requests.filter(answered_at=None).exists()

    @staticmethod
    def resolve_file_count(obj) -> int:
        if hasattr(obj, "file_count"):
            return obj.file_count
        return obj.files.count()


class RowOut(Schema):
    label: str = Field(description="Поле")
    value: str = Field(description="Что указано")


class SummaryOut(Schema):
    slug: str = Field(description="Шаг")
    title: str = Field(description="Название шага")
    rows: list[RowOut] = Field(description="Что указано на шаге")


class ApplicationFileOut(Schema):
    uuid: UUID = Field(description="Идентификатор документа (для скачивания)")
    name: str = Field(description="Имя файла")
    content_type: str = Field(description="Тип содержимого")
    size: int = Field(description="Размер, байт")
    doc_type: str = Field(description="Вид документа (код)")
    doc_type_title: str = Field(description="Вид документа словами")
    from_staff: bool = Field(description="Документ добавила организация")
    info_request: int | None = Field(description="Ответом на какой запрос приложен")
    created_at: datetime = Field(description="Когда приложен")

    @staticmethod
    def resolve_doc_type_title(obj) -> str:
        return str(obj.doc_type_title())

    @staticmethod
    def resolve_info_request(obj):
        return obj.info_request_id


class InfoRequestOut(Schema):
    id: int = Field(description="Идентификатор запроса")
    text: str = Field(description="Что нужно предоставить")
    asked_at: datetime = Field(description="Когда запрошено")
    answer: str = Field(description="Ответ заявителя")
    answered_at: datetime | None = Field(description="Когда ответили")
    is_open: bool = Field(description="Ждёт ответа")


class EventOut(Schema):
    kind: str = Field(description="status, request, answer, file, contract, signed или stage")
    kind_label: str = Field(description="Что произошло")
    from_status: str = Field(description="Статус до (для kind=status)")
    to_status: str = Field(description="Статус после (для kind=status)")
    to_status_label: str = Field(description="Статус после словами")
    at: datetime = Field(description="Когда")
    by_staff: bool = Field(description="Сделала организация")
    mine: bool = Field(description="Сделал тот, кто спрашивает")
    by: str = Field(description="Кто: организация или пользователь кабинета")
    comment: str = Field(description="Комментарий")


class StageOut(Schema):
    order: int = Field(description="Порядковый номер")
    title: str = Field(description="Этап")
    due_date: date | None = Field(description="Срок")
    done_on: date | None = Field(description="Выполнен")
    overdue: bool = Field(description="Срок прошёл, а этап не выполнен")


class ConnectionContractOut(Schema):
    uuid: UUID = Field(description="Идентификатор договора")
    number: str = Field(description="Номер договора")
    date: dt.date = Field(description="Дата договора")
    utility_signer: str = Field(description="Подписан от организации")
    signed_back: bool = Field(description="Заявитель подписал договор")
    customer_signer: str = Field(description="Подписан заявителем")
    customer_signed_at: datetime | None = Field(description="Когда подписан заявителем")
    stages: list[StageOut] = Field(description="Этапы исполнения")

    @staticmethod
    def resolve_signed_back(obj) -> bool:
        return obj.is_signed_back

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class ContractRefOut(Schema):
    uuid: UUID = Field(description="Договор теплоснабжения")
    number: str = Field(description="Номер договора")


class ApplicationDetailOut(ApplicationOut):
    reason: str = Field(description="Причина (код)")
    reason_title: str = Field(description="Причина словами")
    applicant_kind: str = Field(description="Заявитель: person, ip или legal")
    category: str = Field(description="Категория (код)")
    applicant_category: str = Field(description="Заявитель и категория словами")
    contract: ContractRefOut | None = Field(description="Договор заявки на услугу")
    visit_date: date | None = Field(description="Желаемая дата посещения")
    visit_time: str = Field(description="Желаемое время посещения (код)")
    visit_time_label: str = Field(description="Желаемое время посещения словами")
    accepted_at: datetime | None = Field(description="Принята")
    in_work_at: datetime | None = Field(description="Взята в работу")
    done_at: datetime | None = Field(description="Завершена")
    refused_at: datetime | None = Field(description="Отказ")
    refusal_reason: str = Field(description="Причина отказа")
    summaries: list[SummaryOut] = Field(description="Что указано, по шагам")
    files: list[ApplicationFileOut] = Field(description="Документы")
    info_requests: list[InfoRequestOut] = Field(description="Запросы сведений и ответы")
    events: list[EventOut] = Field(description="Ход рассмотрения (по порядку)")
    connection_contract: ConnectionContractOut | None = Field(
        description="Договор о подключении — результат заявки на подключение"
    )
    messages: list[MessageOut] = Field(description="Вопросы специалисту и ответы")
    can_act: bool = Field(description="Можно отвечать и писать (иначе только просмотр)")
    problems: dict[str, list[str]] = Field(
        description="Черновик: что исправить перед подачей, по шагам (у поданной — пусто)"
    )

    @staticmethod
    def resolve_reason_title(obj) -> str:
        return str(obj.reason_title())

    @staticmethod
    def resolve_applicant_category(obj) -> str:
        return str(obj.applicant_category())

    @staticmethod
    def resolve_contract(obj):
        return {"uuid": obj.contract.uuid, "number": obj.contract.number} if obj.contract else None

    @staticmethod
    def resolve_visit_time_label(obj) -> str:
        return str(obj.get_visit_time_label())

    @staticmethod
    def resolve_summaries(obj) -> list[SummaryOut]:
        return _summaries(obj) if obj.spec else []

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())

    @staticmethod
    def resolve_info_requests(obj) -> list:
        return list(obj.info_requests.all())

    @staticmethod
    def resolve_events(obj, context) -> list[EventOut]:
        return _events(obj, context["request"].user)

    @staticmethod
    def resolve_connection_contract(obj):
        return _contract_out(obj)

    @staticmethod
    def resolve_messages(obj, context) -> list[MessageOut]:
        return messages_out(obj.conversation, context["request"].user)

    @staticmethod
    def resolve_can_act(obj, context) -> bool:
        user = context["request"].user
        return Application.objects.actionable_by(user).filter(pk=obj.pk).exists()

    @staticmethod
    def resolve_problems(obj) -> dict:
        return drafts.application_check(obj) if obj.is_draft else {}


def _summaries(application) -> list[SummaryOut]:
    """Each step's title and what was typed, as the card shows it."""
    out = []
    files = list(application.files.all())
    for step in application.spec.steps:
        if step.form is None:
            rows = [
                RowOut(
                    label=str(d.title),
                    value=", ".join(f.name for f in files if f.doc_type == d.code) or "—",
                )
                for d in application.spec.documents_for(application)
            ]
        else:
            form = drafts.step_form(application, step.slug)
            rows = [RowOut(label=k, value=v) for k, v in form.summary()] if form.is_bound else []
        out.append(SummaryOut(slug=step.slug, title=str(step.title), rows=rows))
    return out


def _events(application, user) -> list[EventOut]:
    utility = get_utility().short_name
    return [
        EventOut(
            kind=e.kind,
            kind_label=str(e.get_kind_display()),
            from_status=e.from_status,
            to_status=e.to_status,
            to_status_label=str(e.get_to_status_display()),
            at=e.at,
            by_staff=e.by_staff,
            mine=e.by_id == user.pk,
            by=utility if e.by_staff else (str(e.by) if e.by_id else ""),
            comment=e.comment,
        )
        for e in application.events.select_related("by")
    ]


def _contract_out(application) -> ConnectionContract | None:
    """The connection contract of an application (``ConnectionContractOut``), if any."""
    return ConnectionContract.objects.filter(application=application).first()


def _detail(request, application: Application) -> Application:
    """The card (``ApplicationDetailOut`` resolves what the card page shows)."""
    return application


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


# --- access: the pages' rules ---------------------------------------------------------------


def _visible(request, uuid) -> Application:
    """Whoever may see it (applicant, colleagues on its contract, staff), else 404."""
    return selectors.application_for(request.user, uuid)


def _own(request, uuid) -> Application:
    """Whoever may answer and write in it (the applicant, a colleague with full rights
    on its contract), else 404 — as the card's forms."""
    application = _visible(request, uuid)
    if not Application.objects.actionable_by(request.user).filter(pk=application.pk).exists():
        raise Http404
    return application


def _draft(request, uuid) -> Application:
    """A draft, for its author only."""
    application = _visible(request, uuid)
    if application.user_id != request.user.pk or not application.is_draft:
        raise Http404
    return application


def _kinds_on():
    kinds = enabled_kinds()
    if not kinds:
        raise Http404
    return kinds


# --- reads ----------------------------------------------------------------------------------


@router.get("/kinds", response={200: list[KindOut], **ERRORS}, summary="Виды заявок")
def application_kinds(request):
    """Виды заявок, которые принимает организация: шаги, причины, категории, документы."""
    return [_kind_out(k) for k in _kinds_on()]


@router.get("/", response={200: list[ApplicationOut], **ERRORS}, summary="Мои заявки")
@paginate(Pagination)
def application_list(request):
    """Заявки пользователя (и заявки на услуги по договорам, которые он видит), новые
    первыми, с отметкой «ждём вашего ответа»."""
    _kinds_on()
    return selectors.my_applications(request.user)


@router.get(
    "/{uuid}/files/{file_uuid}",
    response=ERRORS,
    summary="Скачать документ заявки",
    openapi_extra=file_download_openapi("Документ заявки"),
)
def application_file(request, uuid: UUID, file_uuid: UUID):
    """Документ заявки — заявителю (и тем, кто видит заявку) и сотрудникам."""
    row = get_object_or_404(
        ApplicationFile.objects.visible_to(request.user), uuid=file_uuid, application__uuid=uuid
    )
    return private_download(row.file, filename=row.name, content_type=row.content_type)


@router.get(
    "/{uuid}/print",
    response=ERRORS,
    summary="Бланк поданной заявки (PDF)",
    openapi_extra=file_download_openapi("Заявка для печати", ("application/pdf",)),
)
def application_print(request, uuid: UUID):
    """Поданная заявка для печати: что указано по шагам, документы, место для подписи."""
    from kabinet.applications.views.printing import application_print_context
    from kabinet.core.pdf import render_pdf

    application = _visible(request, uuid)
    if application.is_draft or application.spec is None:
        raise Http404
    pdf = render_pdf("applications/application", application_print_context(application))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="zayavka-{application.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _connection_contract(request, uuid) -> ConnectionContract:
    application = _visible(request, uuid)
    return get_object_or_404(
        ConnectionContract.objects.visible_to(request.user).select_related("application"),
        application=application,
    )


@router.get(
    "/{uuid}/contract",
    response=ERRORS,
    summary="Договор о подключении (PDF организации)",
    openapi_extra=file_download_openapi("Договор, подписанный организацией", ("application/pdf",)),
)
def connection_contract_pdf(request, uuid: UUID):
    """Договор о подключении, подписанный организацией."""
    from kabinet.applications.views.results import _safe

    contract = _connection_contract(request, uuid)
    return private_download(
        contract.utility_pdf,
        filename=_("Договор № %(n)s.pdf") % {"n": _safe(contract.number)},
        content_type="application/pdf",
    )


@router.get(
    "/{uuid}/contract/signed",
    response=ERRORS,
    summary="Договор, подписанный заявителем",
    openapi_extra=file_download_openapi("Подписанный PDF или файл подписи", SIGNATURE_TYPES),
)
def connection_contract_signed(request, uuid: UUID):
    """Файл, которым заявитель подписал договор (PDF с подписью или файл подписи)."""
    contract = _connection_contract(request, uuid)
    if not contract.customer_file:
        raise Http404
    content_type = {
        "pdf": "application/pdf",
        "detached": "application/pkcs7-signature",
        "attached": "application/pkcs7-mime",
    }.get(contract.customer_file_kind, "application/octet-stream")
    return private_download(
        contract.customer_file, filename=contract.customer_file_name, content_type=content_type
    )


# --- a draft, step by step --------------------------------------------------------------------


@router.post("/", response={201: ApplicationDetailOut, **WRITE_ERRORS}, summary="Начать заявку")
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


@router.get("/{uuid}/steps/{slug}", response={200: StepFormOut, **ERRORS}, summary="Шаг черновика")
def application_step(request, uuid: UUID, slug: str):
    """Поля шага, сохранённые значения и что исправить."""
    application = _draft(request, uuid)
    step = application.spec.step(slug)
    if step is None or step.form is None:
        raise Http404
    return _step_out(application, slug, drafts.step_form(application, slug))


@router.put(
    "/{uuid}/steps/{slug}",
    response={200: StepFormOut, **WRITE_ERRORS},
    summary="Заполнить шаг черновика",
)
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


@router.post(
    "/{uuid}/documents",
    response={201: list[ApplicationFileOut], **WRITE_ERRORS},
    summary="Приложить документы к черновику",
)
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


@router.delete(
    "/{uuid}/documents/{file_uuid}",
    response={204: None, **WRITE_ERRORS},
    summary="Убрать документ из черновика",
)
def application_file_remove(request, uuid: UUID, file_uuid: UUID):
    """Убрать файл из черновика (у поданной заявки файлы остаются)."""
    require_full(request)
    application = _draft(request, uuid)
    drafts.application_file_remove(application=application, user=request.user, file_uuid=file_uuid)
    return Status(204, None)


@router.post(
    "/{uuid}/submit", response={200: ApplicationDetailOut, **WRITE_ERRORS}, summary="Подать заявку"
)
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


@router.post(
    "/service",
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Подать заявку на услугу по договору",
)
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


# --- the card: answers and questions ------------------------------------------------------------


@router.post(
    "/{uuid}/requests/{request_id}/answer",
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Ответить на запрос документов",
)
def info_request_answer(
    request,
    uuid: UUID,
    request_id: int,
    text: str = Form("", pattern=NO_NUL, description="Ответ (можно пустой, если есть файлы)"),
    files: list[UploadedFile] = FILES_FIELD,
):
    """Ответить на запрос специалиста текстом, файлами или тем и другим."""
    require_full(request)
    application = _own(request, uuid)
    info_request = get_object_or_404(application.info_requests, pk=request_id)
    card.info_request_answer(
        user=request.user,
        application=application,
        info_request=info_request,
        text=text,
        files=files or [],
    )
    return Status(201, _detail(request, _visible(request, uuid)))


@router.post(
    "/{uuid}/messages",
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Вопрос специалисту",
)
def application_write(
    request,
    uuid: UUID,
    text: str = Form("", pattern=NO_NUL, description="Вопрос (можно пустой, если есть файлы)"),
    files: list[UploadedFile] = FILES_FIELD,
):
    """Написать специалисту в переписку заявки (после подачи)."""
    require_full(request)
    application = _own(request, uuid)
    card.application_write(user=request.user, application=application, text=text, files=files or [])
    return Status(201, _detail(request, _visible(request, uuid)))


@router.post("/{uuid}/read", response={204: None, **WRITE_ERRORS}, summary="Прочитать переписку")
def application_read(request, uuid: UUID):
    """Переписка заявки прочитана (как при открытии карточки в кабинете)."""
    require_full(request)
    application = _visible(request, uuid)
    if application.conversation_id and not request.user.is_staff:
        conversations.conversation_read(conversation=application.conversation, user=request.user)
    return Status(204, None)


@router.post(
    "/{uuid}/contract/sign",
    response={201: ConnectionContractOut, **WRITE_ERRORS},
    summary="Вернуть договор о подключении подписанным",
)
def connection_contract_sign(
    request,
    uuid: UUID,
    signed: UploadedFile = SIGNED_FIELD,
):
    """Подписанный своей электронной подписью договор; подпись проверяется, и если она
    не годится, ничего не сохраняется."""
    require_full(request)
    if request.user.is_staff:
        raise Http404
    contract = _connection_contract(request, uuid)
    results.contract_sign_back(user=request.user, application=contract.application, upload=signed)
    return Status(201, _contract_out(contract.application))


# --- the developer's objects (000 §4.4) --------------------------------------------------------


class ObjectApplicationOut(Schema):
    uuid: UUID = Field(description="Заявка")
    number: str | None = Field(description="Номер заявки")
    status: str = Field(description="Статус заявки")


class ConnectionObjectOut(Schema):
    uuid: UUID = Field(description="Идентификатор объекта (connection_object в шаге «Объект»)")
    name: str = Field(description="Наименование объекта")
    address: str = Field(description="Адрес (местоположение)")
    cadastral_number: str = Field(description="Кадастровый номер земельного участка")
    purpose: str = Field(description="Назначение")
    created_at: datetime = Field(description="Добавлен")
    applications: list[ObjectApplicationOut] = Field(description="Заявки по объекту")

    @staticmethod
    def resolve_applications(obj) -> list:
        return list(obj.applications.all())


class ConnectionObjectIn(Schema):
    name: str = Field(pattern=NO_NUL, description="Наименование объекта", max_length=200)
    address: str = Field(
        pattern=NO_NUL, description="Адрес (местоположение) объекта", max_length=300
    )
    cadastral_number: str = Field(
        "", pattern=NO_NUL, description="Кадастровый номер участка", max_length=40
    )
    purpose: str = Field("", pattern=NO_NUL, description="Назначение объекта", max_length=200)


def _connection_on():
    if not any(k.group == "connection" for k in _kinds_on()):
        raise Http404


@router.get(
    "/objects", response={200: list[ConnectionObjectOut], **ERRORS}, summary="Реестр объектов"
)
@paginate(Pagination)
def connection_objects(request):
    """Объекты подключения пользователя, новые первыми, с заявками по каждому."""
    _connection_on()
    return (
        ConnectionObject.objects.visible_to(request.user)
        .prefetch_related("applications")
        .order_by("-created_at", "-id")
    )


@router.post(
    "/objects", response={201: ConnectionObjectOut, **WRITE_ERRORS}, summary="Добавить объект"
)
def connection_object_create(request, payload: ConnectionObjectIn):
    """Добавить объект в реестр; заявки на подключение затем называют его."""
    require_full(request)
    _connection_on()
    return Status(201, objects.connection_object_create(user=request.user, **payload.model_dump()))


@router.get(
    "/objects/{uuid}", response={200: ConnectionObjectOut, **ERRORS}, summary="Объект подключения"
)
def connection_object(request, uuid: UUID):
    """Объект подключения с его заявками."""
    _connection_on()
    return get_object_or_404(ConnectionObject.objects.visible_to(request.user), uuid=uuid)


class ConnectionContractRowOut(ConnectionContractOut):
    application: ObjectApplicationOut = Field(description="Заявка, по которой заключён договор")
    object_name: str = Field(description="Объект подключения")

    @staticmethod
    def resolve_object_name(obj) -> str:
        application = obj.application
        return application.connection_object.name if application.connection_object_id else ""


@router.get(
    "/connection-contracts",
    response={200: list[ConnectionContractRowOut], **ERRORS},
    summary="Договоры о подключении",
)
@paginate(Pagination)
def connection_contracts(request):
    """Договоры о подключении по заявкам пользователя, новые первыми, с этапами."""
    _connection_on()
    return (
        ConnectionContract.objects.visible_to(request.user)
        .select_related("application__connection_object")
        .prefetch_related("stages")
        .order_by("-date", "-id")
    )


# --- "/{uuid}" itself last: Django tries paths in order, and "/service" must come first ---


@router.get("/{uuid}", response={200: ApplicationDetailOut, **ERRORS}, summary="Заявка")
def application_detail(request, uuid: UUID):
    """Карточка заявки: данные, документы, запросы, ход рассмотрения, договор, переписка.
    У черновика — ещё и что исправить перед подачей."""
    return _detail(request, _visible(request, uuid))


@router.delete("/{uuid}", response={204: None, **WRITE_ERRORS}, summary="Удалить черновик")
def application_discard(request, uuid: UUID):
    """Удалить черновик и его файлы (поданную заявку удалить нельзя)."""
    require_full(request)
    drafts.application_discard(application=_draft(request, uuid), user=request.user)
    return Status(204, None)
