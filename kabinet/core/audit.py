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
from django.utils.translation import pgettext_lazy

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
    # identity: the customer's own cabinet
    "signup": _("Регистрация в личном кабинете"),
    "signup_confirm": _("Регистрация подтверждена"),
    "consent_record": _("Дано согласие на обработку персональных данных"),
    "password_change": _("Пароль изменён"),
    "password_reset": _("Пароль восстановлен по коду"),
    "email_change": _("E-mail изменён"),
    "phone_change": _("Телефон изменён"),
    "totp_enable": _("Включён вход с кодом из приложения"),
    "totp_disable": _("Отключён вход с кодом из приложения"),
    "member_invite": _("Сотрудник организации добавлен"),
    "member_set_rights": _("Права сотрудника организации изменены"),
    "member_remove": _("Сотрудник организации удалён"),
    "member_join": _("Сотрудник организации принял приглашение"),
    "api_token_issue": _("Создан токен доступа к API"),
    "api_token_revoke": _("Токен доступа к API отозван"),
    "integration_credential_create": _("Созданы учётные данные интеграции"),
    "integration_credential_revoke": _("Учётные данные интеграции отозваны"),
    "consumption_rule_set": _("Включено уведомление о потреблении"),
    "consumption_rule_disable": _("Выключено уведомление о потреблении"),
    # personal accounts
    # appeals
    "appeal_answer": _("Ответ на обращение"),
    "appeal_ask": _("Вопрос по обращению"),
    "appeal_transition": _("Статус обращения изменён"),
    # contracts
    "contract_request_approve": _("Заявка на добавление договора одобрена"),
    "contract_request_refuse": _("В добавлении договора отказано"),
    "contract_chat_answer": _("Ответ куратора в чате договора"),
    "report_accept": _("Отчёт о потреблении учтён"),
    "report_reject": _("Отчёт о потреблении отклонён"),
    "normative_submit": _("Сведения для расчёта по нормативам внесены"),
    "signed_document_issue": _("Документ подписан электронной подписью"),
    # metering
    "reading_accept": _("Показание принято"),
    "reading_reject": _("Показание отклонено"),
    "meter_register": _("Прибор учёта зарегистрирован"),
    "meter_update": _("Описание прибора учёта изменено"),
    "meter_verify": _("Дата поверки прибора учёта изменена"),
    "meter_remove": _("Прибор учёта снят с учёта"),
    "meter_restore": _("Прибор учёта возвращён в работу"),
    # applications
    "application_transition": _("Статус заявки изменён"),
    "application_write": _("Сообщение специалиста по заявке"),
    "info_request_ask": _("Запрошены сведения по заявке"),
    "info_request_answer": _("Заявитель ответил на запрос"),
    "contract_attach": _("Договор приложен к заявке"),
    "contract_sign_back": _("Заявитель подписал договор"),
    "stage_mark": _("Этап договора отмечен"),
    # outages and news
    "outage_create": _("Отключение внесено"),
    "outage_update": _("Отключение изменено"),
    "outages_load": _("Отключения загружены из файла"),
    "news_publish": _("Новость опубликована"),
    "news_update": _("Новость изменена"),
    # billing and payments
    "tariff_add": _("Тариф добавлен"),
    "billing_run_start": _("Запущено расчётное задание"),
    "receipt_mailing_retry": _("Квитанция отправлена повторно"),
    "receipt_delivery_set": _("Способ получения квитанций изменён"),
    "card_save": _("Карта сохранена для оплаты"),
    "card_delete": _("Сохранённая карта удалена"),
    "autopay_set": _("Автоплатёж настроен"),
    "autopay_cancel": _("Автоплатёж отменён"),
    # imports
    "import_upload": _("Файл загрузки принят"),
    "import_request_apply": _("Загрузка отправлена на применение"),
    "import_apply": _("Загрузка применена"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def actions_matching(text: str) -> list[str]:
    """The action codes whose Russian label (or code) contains ``text``."""
    text = text.strip().lower()
    if not text:
        return []
    return [code for code, label in ACTIONS.items() if text in str(label).lower() or text in code]


def owner_of(contract):
    """The customer whose cabinet holds a contract (None while no cabinet holds it)."""
    if contract is None or contract.party_id is None:
        return None
    return contract.party.user


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


def _field(target_type: str, name: str):
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        model = apps.get_model(target_type)
        return model._meta.get_field(name.removesuffix("_id"))
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _shown(field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("да") if value else pgettext_lazy("ответ", "нет"))
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def change_lines(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """The entry's changes as (field's Russian name, was, became), for people to read:
    a model field is named by its verbose name and a status by its label."""
    lines = []
    for name, pair in sorted((entry.changes or {}).items()):
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        field = _field(entry.target_type, name) if entry.target_type else None
        label = str(field.verbose_name) if field is not None else name
        lines.append((label, _shown(field, old), _shown(field, new)))
    return lines


def target_type_label(target_type: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type
