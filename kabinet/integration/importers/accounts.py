"""Лицевые счета и помещения: a residential account keyed by its number, with its
premises keyed by house and flat (``premises_upsert``, ``account_upsert``). The house
must be in the registry (load houses first)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.customer_accounts.services import account_upsert
from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import integer, number, text
from kabinet.integration.importers.houses import ADDRESS, address
from kabinet.premises.services import house_require, premises_upsert

KIND = "accounts"
LABEL = gettext_lazy("лицевые счета и помещения")

COLUMNS = [
    Column("account", "лицевой счёт", True, "номер лицевого счёта, до 20 знаков"),
    *ADDRESS,
    Column("flat", "квартира", False, "номер квартиры; пусто — дом целиком"),
    Column("area", "площадь", False, "отапливаемая площадь, м²: 54,3 (нужна для нового помещения)"),
    Column("registered", "зарегистрировано", False, "число зарегистрированных"),
    Column("beneficiaries", "льготников", False, "число льготников"),
    Column("last_name", "фамилия", False, "владелец счёта"),
    Column("first_name", "имя", False, ""),
    Column("middle_name", "отчество", False, ""),
    Column("services", "услуги", False, "услуги через запятую"),
]

HOLDER = {
    "last_name": "holder_last_name",
    "first_name": "holder_first_name",
    "middle_name": "holder_middle_name",
    "services": "services",
}


def parse(values: dict) -> dict:
    result = {"account": text(values, "account"), "address": address(values)}
    result["flat"] = text(values, "flat")
    result["area_m2"] = (
        number(text(values, "area"), _("Площадь"), places=2) if text(values, "area") else None
    )
    for name, label in (("registered", _("Зарегистрировано")), ("beneficiaries", _("Льготников"))):
        raw = text(values, name)
        result[name] = integer(raw, label) if raw else None
    result["holder"] = {field: text(values, col) or None for col, field in HOLDER.items()}
    return result


def _load(values: dict) -> str:
    house = house_require(**values["address"])
    premises, made = premises_upsert(
        house=house,
        flat=values["flat"],
        area_m2=values["area_m2"],
        registered_people=values["registered"],
        beneficiaries=values["beneficiaries"],
    )
    _account, outcome = account_upsert(
        number=values["account"], premises=premises, **values["holder"]
    )
    if outcome == "unchanged" and made != "unchanged":
        return "updated"  # the account is the row: its premises changed
    return outcome


def apply(rows):
    return apply_each(rows, _load)
