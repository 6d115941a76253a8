"""Дома и адреса: the houses of the supply zone, keyed by their address; settlements,
streets and management companies are added as needed
(``kabinet.premises.services.house_upsert``)."""

from django.utils.translation import gettext_lazy

from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import text
from kabinet.premises.services import house_upsert

KIND = "houses"
LABEL = gettext_lazy("дома и адреса")

ADDRESS = [
    Column("settlement", "населённый пункт", True, "город или посёлок, как в реестре"),
    Column("street", "улица", True, "улица с её типом: «Садовая улица»"),
    Column("house", "дом", True, "номер дома"),
    Column("building", "корпус", False, "корпус, если есть"),
    Column("letter", "литера", False, "литера, если есть"),
]
COLUMNS = [
    *ADDRESS,
    Column("company", "управляющая компания", False, "наименование УК (ИКУ); пусто — не менять"),
]


def address(values: dict) -> dict:
    return {
        "settlement": text(values, "settlement"),
        "street": text(values, "street"),
        "number": text(values, "house"),
        "building": text(values, "building"),
        "letter": text(values, "letter"),
    }


def parse(values: dict) -> dict:
    return {**address(values), "management_company": text(values, "company") or None}


def apply(rows):
    return apply_each(rows, lambda v: house_upsert(**v)[1])
