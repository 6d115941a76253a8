"""Model fields of the interval (smart metering) storage.

``HourValuesField`` holds the 24 hourly slots of one series-day. The Python value is a
list of exactly 24 ``int | None`` (``None`` = no data, never 0). On PostgreSQL the column
is ``integer[]`` (a NULL element costs one bit of the array's null bitmap); on SQLite it
is a 96-byte BLOB (``struct '<24i'``) where ``INT32_MIN`` stands for a missing slot.
No SQL needs to look inside the array: totals are kept in their own columns.
"""

import struct

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

SLOTS = 24
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
_PACK = struct.Struct(f"<{SLOTS}i")


def empty_slots() -> list[int | None]:
    return [None] * SLOTS


def pack_slots(values: list[int | None]) -> bytes:
    """The SQLite form: 24 little-endian int32, INT32_MIN for a missing slot."""
    return _PACK.pack(*(INT32_MIN if v is None else v for v in values))


def unpack_slots(blob: bytes) -> list[int | None]:
    return [None if v == INT32_MIN else v for v in _PACK.unpack(bytes(blob))]


def check_slots(values) -> list[int | None]:
    """A list of 24 ``int | None`` within int32 (INT32_MIN is reserved), or ValueError."""
    values = list(values)
    if len(values) != SLOTS:
        raise ValueError(f"expected {SLOTS} slots, got {len(values)}")
    out: list[int | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        v = int(v)
        if not INT32_MIN < v <= INT32_MAX:
            raise ValueError(f"slot value {v} is out of the int32 range")
        out.append(v)
    return out


class HourValuesField(models.Field):
    """24 hourly slots: ``integer[]`` on PostgreSQL, a packed BLOB elsewhere."""

    description = _("24 часовых значения")
    empty_strings_allowed = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", empty_slots)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is empty_slots:
            del kwargs["default"]
        return name, path, args, kwargs

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "integer[]"
        return "blob"

    def get_internal_type(self):
        return "HourValuesField"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, (bytes, bytearray, memoryview)):
            return unpack_slots(value)
        return list(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, (bytes, bytearray, memoryview)):
            return unpack_slots(value)
        try:
            return check_slots(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        values = check_slots(value)
        if connection.vendor == "postgresql":
            return values
        return pack_slots(values)

    def value_to_string(self, obj):
        return ",".join("" if v is None else str(v) for v in self.value_from_object(obj))
