"""Договоры и абоненты-организации: a contract keyed by its number, with its
customer — the organisation or ИП named by ИНН, with its requisites — and its
settlement account (``kabinet.contracts.services.loading.contract_upsert``).

A cabinet («личный кабинет» of an organisation, ``identity.Party``) is made by a
person signing up, not by the billing system: the contract waits for it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.contracts.models import Contract
from kabinet.contracts.services.loading import contract_upsert
from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import day, text, word

KIND = "contracts"
LABEL = gettext_lazy("договоры и абоненты-организации")

COLUMNS = [
    Column("contract", "номер договора", True, "до 32 знаков"),
    Column("account", "лицевой счёт", True, "лицевой счёт договора (без помещения)"),
    Column("inn", "ИНН", False, "ИНН абонента: 10 цифр (организация) или 12 (ИП); для нового"),
    Column("customer", "абонент", False, "наименование организации или ФИО ИП; для нового"),
    Column("signed_on", "дата договора", False, "ДД.ММ.ГГГГ; для нового"),
    Column("kind", "тип договора", False, "heat, hot_water, heat_hw, electricity, pnr; для нового"),
    Column("product", "вид товара", False, "heat, carrier, hot_water, electricity; для нового"),
    Column("starts_on", "дата начала", False, "ДД.ММ.ГГГГ; для нового"),
    Column("ends_on", "дата окончания", False, "ДД.ММ.ГГГГ"),
    Column("state", "состояние", False, "concluded, signing, suspended, terminated"),
    Column("carrier", "вид теплоносителя", False, "water, steam"),
    Column("kpp", "КПП", False, "9 цифр"),
    Column("legal_address", "юридический адрес", False, ""),
    Column("bank", "банк", False, ""),
    Column("bik", "БИК", False, "9 цифр"),
    Column("bank_account", "расчётный счёт", False, "20 цифр"),
    Column("corr_account", "корреспондентский счёт", False, "20 цифр"),
]

TEXTS = {
    "customer": "customer_name",
    "inn": "customer_inn",
    "kpp": "customer_kpp",
    "legal_address": "legal_address",
    "bank": "bank_name",
    "bik": "bank_bik",
    "bank_account": "bank_account",
    "corr_account": "bank_corr_account",
}
WORDS = {
    "kind": ("kind", Contract.Kind, _("Тип договора")),
    "product": ("product", Contract.Product, _("Вид товара")),
    "state": ("state", Contract.State, _("Состояние")),
    "carrier": ("heat_carrier", Contract.Carrier, _("Вид теплоносителя")),
}
DATES = {
    "signed_on": _("Дата договора"),
    "starts_on": _("Дата начала"),
    "ends_on": _("Дата окончания"),
}


def parse(values: dict) -> dict:
    fields = {field: text(values, col) or None for col, field in TEXTS.items()}
    for col, (field, enum, label) in WORDS.items():
        raw = text(values, col)
        choices = {code: label for code, label in enum.choices if code}
        fields[field] = word(raw, choices, str(label)) if raw else None
    for col, label in DATES.items():
        raw = text(values, col)
        fields[col] = day(raw, str(label)) if raw else None
    return {
        "number": text(values, "contract"),
        "account_number": text(values, "account"),
        **fields,
    }


def apply(rows):
    return apply_each(rows, lambda v: contract_upsert(**v)[1])
