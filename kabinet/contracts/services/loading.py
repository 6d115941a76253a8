"""Contracts as the billing system has them (kabinet.integration): the contract keyed
by its number, with its customer — the organisation or ИП named by ИНН — and its
settlement account. Attaching a contract to a cabinet stays with ``cabinet``."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.contracts.models import Contract
from kabinet.core.errors import DomainError
from kabinet.core.validators import validate_inn
from kabinet.customer_accounts.services import settlement_account_get_or_create

# Requisites a row may give; a field given as None is left as it is.
CONTRACT_FIELDS = (
    "signed_on",
    "kind",
    "product",
    "starts_on",
    "ends_on",
    "state",
    "heat_carrier",
    "load_character",
    "customer_name",
    "customer_inn",
    "customer_kpp",
    "legal_address",
    "bank_name",
    "bank_bik",
    "bank_account",
    "bank_corr_account",
)
REQUIRED_NEW = ("signed_on", "kind", "product", "starts_on", "customer_name", "customer_inn")


def _check(values: dict) -> dict:
    values = dict(values)
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = " ".join(value.split())
            limit = Contract._meta.get_field(name).max_length
            if limit and len(values[name]) > limit:
                raise DomainError(
                    _("Поле «%(f)s» — не длиннее %(n)s символов.")
                    % {"f": Contract._meta.get_field(name).verbose_name, "n": limit}
                )
    if values.get("customer_inn"):
        try:
            values["customer_inn"] = validate_inn(values["customer_inn"])
        except ValidationError as exc:
            raise DomainError(exc.messages[0]) from exc
    for name, digits in (
        ("customer_kpp", 9),
        ("bank_bik", 9),
        ("bank_account", 20),
        ("bank_corr_account", 20),
    ):
        value = values.get(name)
        if value and not (value.isdigit() and len(value) == digits):
            raise DomainError(
                _("%(f)s — %(n)s цифр.")
                % {"f": Contract._meta.get_field(name).verbose_name, "n": digits}
            )
    choices = {
        "kind": Contract.Kind,
        "product": Contract.Product,
        "state": Contract.State,
        "heat_carrier": Contract.Carrier,
    }
    for name, enum in choices.items():
        if values.get(name) is not None and values[name] not in enum.values:
            raise DomainError(_("Неизвестное значение поля «%(f)s».") % {"f": name})
    return values


@transaction.atomic
def contract_upsert(*, number: str, account_number: str, **fields) -> tuple[Contract, str]:
    """A contract keyed by its number, with its settlement account (added when new);
    the customer's requisites and the contract's terms (``CONTRACT_FIELDS``) given as
    None are left as they are. A contract never moves to another account.

    Returns the contract and "created", "updated" or "unchanged"."""
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise TypeError(f"contract_upsert() got {sorted(unknown)}")
    number = " ".join((number or "").split())
    if not number or len(number) > 32:
        raise DomainError(_("Номер договора — от 1 до 32 символов."))
    given = _check({k: v for k, v in fields.items() if v is not None})
    starts_on, ends_on = given.get("starts_on"), given.get("ends_on")
    contract = Contract.objects.select_for_update().filter(number=number).first()
    if contract is not None:
        starts_on = starts_on or contract.starts_on
        ends_on = ends_on if "ends_on" in given else contract.ends_on
    if isinstance(starts_on, date) and isinstance(ends_on, date) and ends_on < starts_on:
        raise DomainError(_("Дата окончания договора раньше даты начала."))
    account = settlement_account_get_or_create(number=account_number)
    if contract is None:
        missing = [name for name in REQUIRED_NEW if not given.get(name)]
        if missing:
            raise DomainError(_("Для нового договора укажите: %(c)s.") % {"c": ", ".join(missing)})
        if Contract.objects.filter(account=account).exists():
            raise DomainError(
                _("Лицевой счёт %(a)s уже принадлежит другому договору.") % {"a": account.number}
            )
        return Contract.objects.create(number=number, account=account, **given), "created"
    if contract.account_id != account.pk:
        raise DomainError(
            _("У договора № %(n)s другой лицевой счёт: %(a)s.")
            % {"n": number, "a": contract.account.number}
        )
    changed = [name for name, value in given.items() if getattr(contract, name) != value]
    if not changed:
        return contract, "unchanged"
    for name in changed:
        setattr(contract, name, given[name])
    contract.save(update_fields=changed)
    return contract, "updated"
