"""Оплаты: money credited to accounts, keyed by account, the billing system's id of
the payment and its purpose (``kabinet.billing.services.payment_upsert``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.billing.models import Payment
from kabinet.integration.importers import Column, apply_each
from kabinet.integration.importers.fields import day, kopecks, text, word

KIND = "payments"
LABEL = gettext_lazy("оплаты")

COLUMNS = [
    Column("account", "лицевой счёт", True, "номер лицевого счёта"),
    Column("id", "идентификатор платежа", True, "код платежа в биллинге, до 80 знаков"),
    Column("credited_on", "дата поступления", True, "ДД.ММ.ГГГГ"),
    Column("amount", "сумма", True, "рубли с копейками: 2345,60; больше нуля"),
    Column("channel", "способ", False, "bank (по умолчанию), online, post, cash"),
    Column("purpose", "назначение", False, "energy (по умолчанию), penalty, fee"),
    Column("document", "документ плательщика", False, "номер платёжного документа"),
]


def parse(values: dict) -> dict:
    channels = dict(Payment.Channel.choices)
    purposes = dict(Payment._meta.get_field("purpose").choices)
    raw_channel, raw_purpose = text(values, "channel"), text(values, "purpose")
    return {
        "account_number": text(values, "account"),
        "external_id": text(values, "id"),
        "credited_on": day(text(values, "credited_on"), _("Дата поступления")),
        "amount_kopecks": kopecks(text(values, "amount"), _("Сумма")),
        "channel": word(raw_channel, channels, _("Способ")) if raw_channel else "bank",
        "purpose": word(raw_purpose, purposes, _("Назначение")) if raw_purpose else "energy",
        "document": text(values, "document"),
    }


def apply(rows):
    from kabinet.billing.services import payment_upsert

    return apply_each(rows, lambda v: payment_upsert(**v)[1])
