"""Заявки through the API: «Мои заявки», the card with its timeline, filling a draft in
step by step and filing it, service requests filed at once, answering a request for
documents, questions to a specialist, the documents and the connection contract — the
same services and selectors as the cabinet's pages (``kabinet.applications``).

A step is the same form the page shows: ``GET …/steps/{slug}`` describes its fields,
``PUT`` keeps what was sent (even what does not pass yet, as the page keeps a draft) and
says what to fix.

The views live by sub-domain — ``card`` (the list, the card, its documents, answers,
questions and the connection contract), ``drafts`` (a draft step by step, a service
request), ``objects`` (the developer's objects and connection contracts), with their
schemas in ``schemas`` and the access rules in ``access`` — and are registered here, on
one router, in one order: Django tries URL patterns in order, and fixed paths
(``/service``, ``/objects``, ``/connection-contracts``) must come before ``/{uuid}``."""

from ninja import Router

from kabinet.api.appeals import file_download_openapi
from kabinet.api.applications import card, drafts, objects
from kabinet.api.applications.card import SIGNATURE_TYPES
from kabinet.api.applications.drafts import StepFormOut
from kabinet.api.applications.objects import ConnectionContractRowOut, ConnectionObjectOut
from kabinet.api.applications.schemas import (
    ApplicationDetailOut,
    ApplicationFileOut,
    ApplicationOut,
    ConnectionContractOut,
    KindOut,
)
from kabinet.api.errors import ERRORS, WRITE_ERRORS

router = Router()


def _add(method: str, path: str, view, **options) -> None:
    """Register ``view`` on the router. Its operation id stays the one it had when the
    views were one module, ``kabinet_api_applications_<view>``: clients generated from
    the OpenAPI document name their methods by it."""
    operation_id = f"{__name__}_{view.__name__}".replace(".", "_")
    router.add_api_operation(path, [method], view, operation_id=operation_id, **options)


# --- reads ----------------------------------------------------------------------------------
_add(
    "GET",
    "/kinds",
    card.application_kinds,
    response={200: list[KindOut], **ERRORS},
    summary="Виды заявок",
)
_add(
    "GET",
    "/",
    card.application_list,
    response={200: list[ApplicationOut], **ERRORS},
    summary="Мои заявки",
)
_add(
    "GET",
    "/{uuid}/files/{file_uuid}",
    card.application_file,
    response=ERRORS,
    summary="Скачать документ заявки",
    openapi_extra=file_download_openapi("Документ заявки"),
)
_add(
    "GET",
    "/{uuid}/print",
    card.application_print,
    response=ERRORS,
    summary="Бланк поданной заявки (PDF)",
    openapi_extra=file_download_openapi("Заявка для печати", ("application/pdf",)),
)
_add(
    "GET",
    "/{uuid}/contract",
    card.connection_contract_pdf,
    response=ERRORS,
    summary="Договор о подключении (PDF организации)",
    openapi_extra=file_download_openapi("Договор, подписанный организацией", ("application/pdf",)),
)
_add(
    "GET",
    "/{uuid}/contract/signed",
    card.connection_contract_signed,
    response=ERRORS,
    summary="Договор, подписанный заявителем",
    openapi_extra=file_download_openapi("Подписанный PDF или файл подписи", SIGNATURE_TYPES),
)

# --- a draft, step by step --------------------------------------------------------------------
_add(
    "POST",
    "/",
    drafts.application_start,
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Начать заявку",
)
_add(
    "GET",
    "/{uuid}/steps/{slug}",
    drafts.application_step,
    response={200: StepFormOut, **ERRORS},
    summary="Шаг черновика",
)
_add(
    "PUT",
    "/{uuid}/steps/{slug}",
    drafts.application_step_save,
    response={200: StepFormOut, **WRITE_ERRORS},
    summary="Заполнить шаг черновика",
)
_add(
    "POST",
    "/{uuid}/documents",
    drafts.application_upload,
    response={201: list[ApplicationFileOut], **WRITE_ERRORS},
    summary="Приложить документы к черновику",
)
_add(
    "DELETE",
    "/{uuid}/documents/{file_uuid}",
    drafts.application_file_remove,
    response={204: None, **WRITE_ERRORS},
    summary="Убрать документ из черновика",
)
_add(
    "POST",
    "/{uuid}/submit",
    drafts.application_submit,
    response={200: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Подать заявку",
)

# --- service requests (003 §3.5) ---------------------------------------------------------------
_add(
    "POST",
    "/service",
    drafts.service_request,
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Подать заявку на услугу по договору",
)

# --- the card: answers and questions ------------------------------------------------------------
_add(
    "POST",
    "/{uuid}/requests/{request_id}/answer",
    card.info_request_answer,
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Ответить на запрос документов",
)
_add(
    "POST",
    "/{uuid}/messages",
    card.application_write,
    response={201: ApplicationDetailOut, **WRITE_ERRORS},
    summary="Вопрос специалисту",
)
_add(
    "POST",
    "/{uuid}/read",
    card.application_read,
    response={204: None, **WRITE_ERRORS},
    summary="Прочитать переписку",
)
_add(
    "POST",
    "/{uuid}/contract/sign",
    card.connection_contract_sign,
    response={201: ConnectionContractOut, **WRITE_ERRORS},
    summary="Вернуть договор о подключении подписанным",
)

# --- the developer's objects (000 §4.4) --------------------------------------------------------
_add(
    "GET",
    "/objects",
    objects.connection_objects,
    response={200: list[ConnectionObjectOut], **ERRORS},
    summary="Реестр объектов",
)
_add(
    "POST",
    "/objects",
    objects.connection_object_create,
    response={201: ConnectionObjectOut, **WRITE_ERRORS},
    summary="Добавить объект",
)
_add(
    "GET",
    "/objects/{uuid}",
    objects.connection_object,
    response={200: ConnectionObjectOut, **ERRORS},
    summary="Объект подключения",
)
_add(
    "GET",
    "/connection-contracts",
    objects.connection_contracts,
    response={200: list[ConnectionContractRowOut], **ERRORS},
    summary="Договоры о подключении",
)

# --- "/{uuid}" itself last: Django tries paths in order, and "/service" must come first ---
_add(
    "GET",
    "/{uuid}",
    card.application_detail,
    response={200: ApplicationDetailOut, **ERRORS},
    summary="Заявка",
)
_add(
    "DELETE",
    "/{uuid}",
    drafts.application_discard,
    response={204: None, **WRITE_ERRORS},
    summary="Удалить черновик",
)
