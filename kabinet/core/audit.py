"""Журнал действий: how a service records a staff action or a change to customer data.

Every service that staff call, and every service that changes a customer's data, calls
``audit_record`` inside its transaction, so the line is written with the change or not
at all::

    before = audit_snapshot(account, ["owner_id", "linked_at"])
    ...change...
    audit_record(actor=staff, action="account_unlink", target=account, subject=owner,
                 changes=audit_diff(before, audit_snapshot(account, [...])))

An action's code is the service's name; its Russian label is in ``ACTIONS`` (a code
with no label is shown as it is, so a forgotten label never hides a line).
"""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.core.models import AuditEntry

ACTIONS: dict[str, Any] = {
    # identity: access issued by staff (001, 003)
    "issued_access_create": _("Выдан доступ, отправлена ссылка активации"),
    "issued_access_reissue": _("Доступ выдан повторно"),
    "contract_login_create": _("Создан вход по номеру договора"),
    "contract_login_reset": _("Пароль сброшен на первый (ИНН)"),
    "user_unlock": _("Снята блокировка входа"),
    "staff_roles_set": _("Изменены роли сотрудника"),
    # customer_accounts: personal accounts in and out of cabinets (000 §2.2.1, §2.3.1)
    "account_link": _("Лицевой счёт привязан к кабинету"),
    "account_unlink": _("Лицевой счёт убран из кабинета"),
    "account_link_request_create": _("Подана заявка на привязку лицевого счёта"),
    "account_link_request_approve": _("Заявка на привязку лицевого счёта одобрена"),
    "account_link_request_refuse": _("В привязке лицевого счёта отказано"),
    "account_link_by_staff": _("Сотрудник привязал лицевой счёт к кабинету"),
    "account_unlink_by_staff": _("Сотрудник отвязал лицевой счёт от кабинета"),
    # integration: exports for the billing system (issue 9)
    "export_create": _("Создана выгрузка в биллинг"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat") or hasattr(value, "as_tuple"):  # dates, Decimals
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def audit_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` of ``obj`` (attribute names, e.g. ``owner_id``)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def audit_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in {*before, *after}
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    subject=None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Write one line of the journal. ``actor`` None means the system (an import, a
    scheduled job); ``subject`` is the customer's user whose data it is."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=_actor_label(actor),
        action=action,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        changes={k: [_plain(v) for v in pair] for k, pair in (changes or {}).items()},
        note=note,
    )


def _actor_label(actor) -> str:
    if actor is None:
        return str(_("Система"))
    return str(actor)[:200]
