"""Объекты подключения (000 §4.4): the developer's registry."""

from django.utils.translation import gettext as _

from kabinet.applications.models import ConnectionObject
from kabinet.core.errors import DomainError

MAX_OBJECTS = 500


def connection_object_create(
    *, user, name: str, address: str, cadastral_number: str = "", purpose: str = ""
) -> ConnectionObject:
    """Add an object to the user's registry; applications then name it."""
    if user.is_staff:
        raise DomainError(_("Объекты создают заявители."))
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise DomainError(_("Укажите наименование объекта."), field="name")
    if not address:
        raise DomainError(_("Укажите адрес объекта."), field="address")
    if ConnectionObject.objects.filter(user=user).count() >= MAX_OBJECTS:
        raise DomainError(_("В реестре уже %(n)d объектов.") % {"n": MAX_OBJECTS})
    return ConnectionObject.objects.create(
        user=user,
        name=name,
        address=address,
        cadastral_number=(cadastral_number or "").strip(),
        purpose=(purpose or "").strip(),
    )
