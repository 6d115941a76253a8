"""The developer's objects (000 §4.4): the registry of connection objects that connection
applications name, and the connection contracts concluded on the user's applications."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from kabinet.api.appeals import NO_NUL
from kabinet.api.applications.access import _kinds_on
from kabinet.api.applications.schemas import ConnectionContractOut
from kabinet.api.auth import require_full
from kabinet.api.pagination import Pagination
from kabinet.applications.models import ConnectionContract, ConnectionObject
from kabinet.applications.services import objects


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


@paginate(Pagination)
def connection_objects(request):
    """Объекты подключения пользователя, новые первыми, с заявками по каждому."""
    _connection_on()
    return (
        ConnectionObject.objects.visible_to(request.user)
        .prefetch_related("applications")
        .order_by("-created_at", "-id")
    )


def connection_object_create(request, payload: ConnectionObjectIn):
    """Добавить объект в реестр; заявки на подключение затем называют его."""
    require_full(request)
    _connection_on()
    return Status(201, objects.connection_object_create(user=request.user, **payload.model_dump()))


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
