"""Обращения (appeals) through the API: the same services and selectors as «Обращения»
in the cabinet (``kabinet.appeals``). Files go as multipart (``files``) and are checked by
the same rules as the page's form (type by content, size, at most ten)."""

from datetime import date, datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.api.pagination import Pagination
from kabinet.appeals import selectors, services
from kabinet.appeals.conversations import unread_by_customer
from kabinet.appeals.models import Appeal, Attachment
from kabinet.core.errors import DomainError
from kabinet.core.http import private_download
from kabinet.core.utility import get_utility
from kabinet.customer_accounts.models import PersonalAccount

router = Router()

# How a stored file is declared in the OpenAPI document: a download of its own type.
FILE_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def file_download_openapi(description: str, types=FILE_TYPES) -> dict:
    """``openapi_extra`` for an operation that answers with a file download."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {
                "description": description,
                "headers": {
                    "Content-Disposition": {
                        "description": "attachment; filename=…",
                        "schema": {"type": "string"},
                    }
                },
                "content": {t: binary for t in types},
            }
        }
    }


# --- schemas (shared with the applications router: its chat is the same conversation) --


class AttachmentOut(Schema):
    uuid: UUID = Field(description="Идентификатор файла (для скачивания)")
    name: str = Field(description="Имя файла")
    content_type: str = Field(description="Тип содержимого")
    size: int = Field(description="Размер, байт")


class MessageOut(Schema):
    id: int = Field(description="Номер сообщения в переписке (по возрастанию)")
    from_staff: bool = Field(description="Написал сотрудник организации")
    mine: bool = Field(description="Написал тот, кто спрашивает")
    author: str = Field(description="Кто написал: организация или пользователь кабинета")
    text: str = Field(description="Текст сообщения")
    created_at: datetime = Field(description="Когда написано")
    attachments: list[AttachmentOut] = Field(description="Вложения")


def messages_out(conversation, user) -> list[MessageOut]:
    """The messages of a conversation as the cabinet shows them: staff messages signed by
    the organisation, never by the employee."""
    if conversation is None:
        return []
    utility = get_utility().short_name
    rows = conversation.messages.select_related("author").prefetch_related("attachments")
    return [
        MessageOut(
            id=m.pk,
            from_staff=m.from_staff,
            mine=m.author_id == user.pk,
            author=utility if m.from_staff else str(m.author),
            text=m.text,
            created_at=m.created_at,
            attachments=[
                AttachmentOut(uuid=a.uuid, name=a.name, content_type=a.content_type, size=a.size)
                for a in m.attachments.all()
            ],
        )
        for m in rows
    ]


class TopicOut(Schema):
    value: str = Field(description="Значение для поля topic")
    label: str = Field(description="Тема, как её показывает кабинет")


class AppealOut(Schema):
    uuid: UUID = Field(description="Идентификатор обращения")
    number: str = Field(description="Номер обращения")
    topic: str = Field(description="Тема (значение из списка тем)")
    topic_label: str = Field(description="Тема, как её показывает кабинет")
    subject: str = Field(description="О чём: лицевой счёт или то, что указал заявитель")
    account: UUID | None = Field(description="Лицевой счёт, если обращение о нём")
    status: str = Field(description="Состояние: new, registered, in_work, answered, closed")
    status_label: str = Field(description="Состояние словами")
    unread: bool = Field(description="Есть непрочитанный ответ")
    created_at: datetime = Field(description="Отправлено")
    registered_at: datetime | None = Field(description="Зарегистрировано")
    answered_at: datetime | None = Field(description="Ответ дан")
    closed_at: datetime | None = Field(description="Закрыто")
    register_due: date = Field(description="Зарегистрировать до")
    answer_due: date = Field(description="Ответить до")
    answer_by_email: bool = Field(description="Ответ присылается также на e-mail")
    email: str = Field(description="E-mail для ответа")

    @staticmethod
    def resolve_topic_label(obj) -> str:
        return _(obj.topic)

    @staticmethod
    def resolve_account(obj):
        return obj.account.uuid if obj.account_id else None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_unread(obj) -> bool:
        return bool(getattr(obj, "unread", False))


class AppealDetailOut(AppealOut):
    messages: list[MessageOut] = Field(description="Переписка, по порядку")

    @staticmethod
    def resolve_messages(obj, context) -> list[MessageOut]:
        return messages_out(obj.conversation, context["request"].user)


def _visible(request, uuid) -> Appeal:
    return get_object_or_404(
        Appeal.objects.visible_to(request.user)
        .select_related("account__contract", "conversation")
        .annotate(unread=unread_by_customer(request.user)),
        uuid=uuid,
    )


# Text a customer sends may hold anything but NUL, which no database column takes (the
# page's form fields refuse it the same way): a 422 instead of a failed write.
NO_NUL = r"^[^\x00]*$"

# Multipart parameters with a default (module-level, so not a call in a signature).
FILES_FIELD = File(
    None,
    description=(
        "Файлы: PDF, JPEG, PNG, DOC, DOCX, XLS, XLSX, до 10 штук, каждый не больше 10 МБ "
        "(если организация не задала иначе)"
    ),
)
ACCOUNT_FIELD = Form(None, description="Лицевой счёт, о котором обращение (или укажите about)")

# --- operations ---------------------------------------------------------------------------


@router.get("/topics", response={200: list[TopicOut], **ERRORS}, summary="Темы обращений")
def appeal_topics(request):
    """Темы, из которых выбирают тему нового обращения."""
    return [TopicOut(value=t, label=_(t)) for t in services.appeal_topics()]


@router.get("/", response={200: list[AppealOut], **ERRORS}, summary="Мои обращения")
@paginate(Pagination)
def appeal_list(request):
    """Обращения пользователя, новые первыми, с отметкой непрочитанного ответа."""
    return selectors.appeals_of(request.user)


@router.post("/", response={201: AppealDetailOut, **WRITE_ERRORS}, summary="Новое обращение")
def appeal_create(
    request,
    topic: str = Form(..., pattern=NO_NUL, description="Тема обращения (value из /appeals/topics)"),
    text: str = Form(..., pattern=NO_NUL, description="Сообщение"),
    account: UUID | None = ACCOUNT_FIELD,
    about: str = Form("", pattern=NO_NUL, description="О чём обращение, если не о лицевом счёте"),
    answer_by_email: bool = Form(False, description="Прислать ответ также на e-mail"),
    email: str = Form("", pattern=NO_NUL, description="E-mail для ответа"),
    files: list[UploadedFile] = FILES_FIELD,
):
    """Создать обращение с первым сообщением и файлами. Сроки регистрации и ответа
    приходят в ответе."""
    require_full(request)
    chosen = None
    if account is not None:
        chosen = PersonalAccount.objects.filter(uuid=account).first()
        if chosen is None:
            raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."), field="account")
    appeal = services.appeal_open(
        user=request.user,
        topic=topic,
        text=text,
        account=chosen,
        about=about,
        answer_by_email=answer_by_email,
        email=email,
        files=files or [],
    )
    appeal = _visible(request, appeal.uuid)
    return Status(201, appeal)


@router.get("/{uuid}", response={200: AppealDetailOut, **ERRORS}, summary="Обращение")
def appeal_detail(request, uuid: UUID):
    """Обращение с перепиской. Прочитанным его делает POST …/read."""
    appeal = _visible(request, uuid)
    return appeal


@router.post(
    "/{uuid}/messages",
    response={201: AppealDetailOut, **WRITE_ERRORS},
    summary="Написать в обращение",
)
def appeal_write(
    request,
    uuid: UUID,
    text: str = Form("", pattern=NO_NUL, description="Сообщение (можно пустое, если есть файлы)"),
    files: list[UploadedFile] = FILES_FIELD,
):
    """Написать ещё: после ответа обращение возвращается в работу; в закрытое
    обращение писать нельзя."""
    require_full(request)
    appeal = _visible(request, uuid)
    services.appeal_write(user=request.user, appeal=appeal, text=text, files=files or [])
    appeal = _visible(request, uuid)
    return Status(201, appeal)


@router.post("/{uuid}/read", response={204: None, **WRITE_ERRORS}, summary="Отметить прочитанным")
def appeal_read(request, uuid: UUID):
    """Всё в обращении прочитано (как при открытии его страницы в кабинете)."""
    require_full(request)
    appeal = _visible(request, uuid)
    services.appeal_read(user=request.user, appeal=appeal)
    return Status(204, None)


@router.get(
    "/files/{uuid}",
    response=ERRORS,
    summary="Скачать вложение",
    openapi_extra=file_download_openapi("Файл вложения"),
)
def attachment_download(request, uuid: UUID):
    """Файл из переписки (обращения или заявки) — её участникам; всегда как вложение."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), uuid=uuid)
    return private_download(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )
