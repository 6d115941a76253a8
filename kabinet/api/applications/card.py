"""The card of an application: «Мои заявки», the kinds, the card itself, its documents and
the printed application, answering a request for documents, questions to a specialist, and
the connection contract (its PDF, the signed copy, signing it back)."""

from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Status, UploadedFile
from ninja.pagination import paginate

from kabinet.api.appeals import FILES_FIELD, NO_NUL
from kabinet.api.applications.access import _detail, _kinds_on, _own, _visible
from kabinet.api.applications.schemas import _contract_out, _kind_out
from kabinet.api.auth import require_full
from kabinet.api.pagination import Pagination
from kabinet.appeals import conversations
from kabinet.applications import selectors
from kabinet.applications.models import ApplicationFile, ConnectionContract
from kabinet.applications.services import card, results
from kabinet.core.http import private_download

SIGNED_FIELD = File(..., description="PDF договора с вашей подписью или файл подписи (.sig, .p7s)")
SIGNATURE_TYPES = ("application/pdf", "application/pkcs7-signature", "application/pkcs7-mime")

# --- reads ----------------------------------------------------------------------------------


def application_kinds(request):
    """Виды заявок, которые принимает организация: шаги, причины, категории, документы."""
    return [_kind_out(k) for k in _kinds_on()]


@paginate(Pagination)
def application_list(request):
    """Заявки пользователя (и заявки на услуги по договорам, которые он видит), новые
    первыми, с отметкой «ждём вашего ответа»."""
    _kinds_on()
    return selectors.my_applications(request.user)


def application_file(request, uuid: UUID, file_uuid: UUID):
    """Документ заявки — заявителю (и тем, кто видит заявку) и сотрудникам."""
    row = get_object_or_404(
        ApplicationFile.objects.visible_to(request.user), uuid=file_uuid, application__uuid=uuid
    )
    return private_download(row.file, filename=row.name, content_type=row.content_type)


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


def connection_contract_pdf(request, uuid: UUID):
    """Договор о подключении, подписанный организацией."""
    from kabinet.applications.views.results import _safe

    contract = _connection_contract(request, uuid)
    return private_download(
        contract.utility_pdf,
        filename=_("Договор № %(n)s.pdf") % {"n": _safe(contract.number)},
        content_type="application/pdf",
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


# --- the card: answers and questions ------------------------------------------------------------


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


def application_read(request, uuid: UUID):
    """Переписка заявки прочитана (как при открытии карточки в кабинете)."""
    require_full(request)
    application = _visible(request, uuid)
    if application.conversation_id and not request.user.is_staff:
        conversations.conversation_read(conversation=application.conversation, user=request.user)
    return Status(204, None)


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


# --- the card itself (registered last, at "/{uuid}": see __init__) ---------------------------


def application_detail(request, uuid: UUID):
    """Карточка заявки: данные, документы, запросы, ход рассмотрения, договор, переписка.
    У черновика — ещё и что исправить перед подачей."""
    return _detail(request, _visible(request, uuid))
