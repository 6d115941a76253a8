"""Заявки through the API: what is read — the kinds an organisation takes, a row of «Мои
заявки» and the card with what it resolves (the steps' summaries, the documents, the
requests, the timeline, the connection contract, the questions to a specialist)."""

import datetime as dt
from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from kabinet.api.appeals import MessageOut, messages_out
from kabinet.applications.models import Application, ConnectionContract
from kabinet.applications.services import drafts
from kabinet.core.utility import get_utility


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
