"""Документы по взаиморасчётам (003 §3.2): акт сверки взаимных расчётов and
счёт-фактура of a contract for a month, as PDFs signed with the utility's электронная
подпись (kabinet.core.signing).

A document is made the first time someone asks for it, for one of the last twelve
closed months, and stored (``SignedDocument``); after that the stored bytes are served,
so the signed file never changes, even when billing corrects the month later.

The signature shows that a PDF came from the portal unchanged. Legally binding exchange
of счета-фактуры and акты goes through the customer's ЭДО operator (000 §3.3.7), and
both PDFs say so.

Like the receipt (kabinet.billing.receipts), the documents are Russian whatever language
the customer reads the portal in, so their text is not translated; the errors shown on
the portal are. Money is integer kopecks until it is formatted for the page.
"""

import calendar
import hashlib
import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kabinet.billing.models import Charge, IssuedDocument, Payment
from kabinet.billing.selectors import balance_at
from kabinet.contracts.models import Contract, SignedDocument
from kabinet.core import signing
from kabinet.core.audit import audit_record, owner_of
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, format_period, format_quantity, format_rub, period_of
from kabinet.core.pdf import render_pdf
from kabinet.core.utility import get_utility

MONTHS_BACK = 12  # 003 §3.2: «за последние 12 месяцев»
logger = logging.getLogger(__name__)

VAT_PERCENT = Decimal(20)  # НДС 20 % (НК РФ ст. 164 п. 3)
VAT_RATE_LABEL = "20%"
# Коды единиц измерения по ОКЕИ for the units billing uses.
OKEI = {"Гкал": "233", "м³": "113", "м3": "113", "кВт·ч": "245", "кВт*ч": "245", "т": "168"}
# Пени and госпошлина are not a supply of goods: no НДС and no place in a счёт-фактура.
FACTURA_KINDS = (Charge.Kind.CHARGE, Charge.Kind.RECALCULATION)


def issuable_periods(*, today: date) -> list[date]:
    """The months documents may be had for, newest first: the twelve closed months
    before ``today``'s (003 §3.2)."""
    current = period_of(today)
    return [add_months(current, -n) for n in range(1, MONTHS_BACK + 1)]


def signed_document_issue(*, contract: Contract, kind: str, period: date) -> SignedDocument:
    """Акт сверки or счёт-фактура of the contract for the month, signed: the stored one
    if it was made before, else made now, signed and stored.

    Rendering and signing happen outside the transaction (they take a tenth of a second
    and need no lock); only the insert is inside it. Two requests for the same new
    document may both make one: the unique constraint keeps the first stored, and the
    other returns that row, so everyone gets the same bytes.
    """
    if kind not in SignedDocument.Kind.values:
        raise DomainError(_("Такого документа нет."), field="kind")
    _check_period(contract=contract, period=period)
    stored = SignedDocument.objects.filter(contract=contract, kind=kind, period=period).first()
    if stored is not None:
        return stored
    if kind == SignedDocument.Kind.ACT:
        snapshot = act_snapshot(contract=contract, period=period)
        template, context = "contracts/act", act_context(snapshot)
        reason = f"Акт сверки взаимных расчётов № {snapshot['number']}"
    else:
        snapshot = factura_snapshot(contract=contract, period=period)
        template, context = "contracts/factura", factura_context(snapshot)
        reason = f"Счёт-фактура № {snapshot['number']}"
    pdf = signing.sign_pdf(
        render_pdf(template, context),
        reason=reason,
        location=snapshot["utility"]["legal_address"],
    )
    check = signing.verify_pdf(pdf)
    if not check.ok:  # never store a document whose signature would not hold
        raise RuntimeError(f"the signature just made does not verify: {check.error}")
    try:
        with transaction.atomic():
            document = SignedDocument.objects.create(
                contract=contract,
                kind=kind,
                period=period,
                number=snapshot["number"],
                pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
                signer=check.signer[:300],
                signed_at=check.signed_at or timezone.now(),
            )
            audit_record(
                actor=None,
                action="signed_document_issue",
                target=document,
                subject=owner_of(contract),
                note=document.signer,
            )
            return document
    except IntegrityError:  # another request stored it a moment ago: theirs stands
        return SignedDocument.objects.get(contract=contract, kind=kind, period=period)


def signed_document_checked(*, contract: Contract, kind: str, period: date) -> SignedDocument:
    """The document to hand out: ``signed_document_issue``'s, after a full check of its
    signature (kabinet.core.signing.verify_pdf, about 25 ms). A document that fails the
    check is not handed out: DomainError (code ``signature``), and the failure is logged
    for the staff."""
    document = signed_document_issue(contract=contract, kind=kind, period=period)
    check = signing.verify_pdf(bytes(document.pdf))
    if not check.ok:
        logger.error(
            "Signed document %s (%s) fails its signature check: %s",
            document.pk,
            document.number,
            check.error,
        )
        raise DomainError(
            _(
                "Подпись документа %(n)s не прошла проверку, поэтому он не выдан. "
                "Напишите куратору договора: документ переоформят."
            )
            % {"n": document.number},
            code="signature",
        )
    return document


def _check_period(*, contract: Contract, period: date) -> None:
    allowed = issuable_periods(today=timezone.localdate())
    if period != period_of(period) or not allowed[-1] <= period <= allowed[0]:
        raise DomainError(
            _("Документы можно получить за последние 12 закрытых месяцев: с %(first)s по %(last)s.")
            % {
                "first": format_period(allowed[-1]).lower(),
                "last": format_period(allowed[0]).lower(),
            },
            field="period",
        )
    if period < period_of(contract.starts_on):
        raise DomainError(
            _("В этом месяце договор ещё не действовал (он действует с %(d)s).")
            % {"d": contract.starts_on.strftime("%d.%m.%Y")},
            field="period",
        )


# --- the snapshots: what a document says, as plain data --------------------------------


def _month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def _yyyymm(period: date) -> str:
    return f"{period.year:04d}{period.month:02d}"


def _utility() -> dict[str, str]:
    return get_utility().organisation()


def _customer(contract: Contract) -> dict[str, str]:
    return {
        "name": contract.customer_name,
        "inn": contract.customer_inn,
        "kpp": contract.customer_kpp,
        "legal_address": contract.legal_address,
        "bank_name": contract.bank_name,
        "bik": contract.bank_bik,
        "settlement_account": contract.bank_account,
        "correspondent_account": contract.bank_corr_account,
    }


def _contract(contract: Contract) -> dict[str, str]:
    return {"number": contract.number, "signed_on": contract.signed_on.isoformat()}


def _ru_period(period: date) -> str:
    with translation.override("ru"):
        return str(format_period(period))


def _ru_label(value) -> str:
    with translation.override("ru"):
        return str(value)


def act_snapshot(*, contract: Contract, period: date) -> dict[str, Any]:
    """Акт сверки взаимных расчётов for a month, from the utility's side: the debt at
    the start (the ledger's rule: a month's charges count from the first of the next
    month, a payment from the day it was credited), each charge of the month (debit,
    on its last day) and each payment credited in it (credit), the turnovers and the
    debt at the end. Positive balances are the customer's debt, negative an overpayment.
    """
    account = contract.account
    end = _month_end(period)
    opening = balance_at(account=account, day=period)
    events = []
    for c in Charge.objects.filter(account=account, period=period).order_by("service", "id"):
        what = c.service
        if c.kind != Charge.Kind.CHARGE:
            what += f" ({_ru_label(c.get_kind_display())})"
        text = f"Начислено за {_ru_period(period).lower()}: {what}"
        events.append((end, 1, c.pk, text, c.amount_kopecks, 0))
    payments = Payment.objects.filter(
        account=account, credited_on__gte=period, credited_on__lte=end
    ).order_by("credited_on", "id")
    for p in payments:
        text = "Оплата"
        if p.purpose != "energy":
            text += f" ({_ru_label(p.get_purpose_display())})"
        if p.document:  # billing writes either the bare number or «п/п № 123»
            text += f", {p.document}" if "№" in p.document else f", документ № {p.document}"
        else:
            text += f", {_ru_label(p.get_channel_display())}"
        events.append((p.credited_on, 0, p.pk, text, 0, p.amount_kopecks))
    events.sort()
    debit = sum(e[4] for e in events)
    credit = sum(e[5] for e in events)
    return {
        "kind": "act",
        "number": f"АС-{contract.number}-{_yyyymm(period)}",
        "period": period.isoformat(),
        "period_end": end.isoformat(),
        "issued_on": timezone.localdate().isoformat(),
        "utility": _utility(),
        "customer": _customer(contract),
        "contract": _contract(contract),
        "opening_kopecks": opening,
        "rows": [
            {"date": day.isoformat(), "text": text, "debit_kopecks": d, "credit_kopecks": c}
            for day, _order, _pk, text, d, c in events
        ],
        "debit_kopecks": debit,
        "credit_kopecks": credit,
        "closing_kopecks": opening + debit - credit,
    }


def vat_split(total_kopecks: int) -> tuple[int, int]:
    """(стоимость без НДС, НДС) of an amount that includes НДС 20 %, in kopecks.

    НДС is taken out of the total at the расчётная ставка 20/120 (НК РФ ст. 164 п. 4)
    with exact Decimal arithmetic and rounded half up to a kopeck; the cost without
    НДС is the rest. So on every line cost + НДС is exactly the charged total, and the
    document's totals are the sums of its lines.
    """
    vat = (Decimal(total_kopecks) * VAT_PERCENT / (100 + VAT_PERCENT)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return total_kopecks - int(vat), int(vat)


def factura_snapshot(*, contract: Contract, period: date) -> dict[str, Any]:
    """Счёт-фактура for a month: one line per service (and unit) of the month's charges
    and recalculations, with the volume, the price without НДС, the cost without НДС,
    the rate, the НДС and the total with it. Refused for a month without charges.

    Billing's amounts are the totals with НДС; everything else is derived from them
    (``vat_split``). The price is the cost without НДС over the volume, rounded half up
    to a kopeck: it is informative, the costs are what add up.
    """
    charges = Charge.objects.filter(
        account=contract.account, period=period, kind__in=FACTURA_KINDS
    ).order_by("service", "unit", "id")
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for c in charges:
        group = groups.setdefault(
            (c.service, c.unit), {"volume": None, "total": 0, "service": c.service}
        )
        group["total"] += c.amount_kopecks
        if c.volume is not None:
            group["volume"] = (group["volume"] or Decimal(0)) + c.volume
    lines = []
    for (service, unit), group in groups.items():
        if group["total"] == 0:
            continue  # a charge cancelled in the same month: nothing was supplied
        cost, vat = vat_split(group["total"])
        volume = group["volume"]
        price = (
            (Decimal(cost) / volume).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            if volume
            else None
        )
        lines.append(
            {
                "service": service,
                "unit": unit if volume is not None else "",
                "okei": OKEI.get(unit, "") if volume is not None else "",
                "volume": str(volume) if volume is not None else None,
                "price_kopecks": int(price) if price is not None else None,
                "cost_kopecks": cost,
                "vat_rate": VAT_RATE_LABEL,
                "vat_kopecks": vat,
                "total_kopecks": group["total"],
            }
        )
    if not lines:
        raise DomainError(_("За этот месяц начислений нет."), field="period")
    utility, customer = _utility(), _customer(contract)
    # When billing issued its own счёт-фактура for the month (listed on «Платёжные
    # документы», which links here), its number and date are the ones in the utility's
    # books; otherwise the portal numbers it and dates it by the supply: the month's end.
    issued = IssuedDocument.objects.filter(
        account=contract.account, kind=IssuedDocument.Kind.INVOICE_FACTURA, period=period
    ).first()
    return {
        "kind": "factura",
        "number": issued.number if issued else f"СФ-{contract.number}-{_yyyymm(period)}",
        "period": period.isoformat(),
        "issued_on": (issued.issued_on if issued else _month_end(period)).isoformat(),
        "utility": utility,
        "customer": customer,
        "contract": _contract(contract),
        "lines": lines,
        "cost_kopecks": sum(line["cost_kopecks"] for line in lines),
        "vat_kopecks": sum(line["vat_kopecks"] for line in lines),
        "total_kopecks": sum(line["total_kopecks"] for line in lines),
    }


# --- the contexts: the snapshot formatted for the Typst templates ---------------------


def _amount(kopecks: int) -> str:
    """12345678 → "123 456,78": roubles in the tables, where the header says «руб.»."""
    return format_rub(kopecks).removesuffix("\u00a0₽")


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")


def _sign_note(utility: dict[str, str]) -> str:
    return (
        f"Документ подписан электронной подписью {utility['short_name']} "
        f"({signing.signer_name()}), формат PAdES. Подпись подтверждает, что файл получен "
        "из личного кабинета и не изменялся после подписания. Юридически значимый обмен "
        "документами (счета-фактуры, акты) ведётся через вашего оператора ЭДО."
    )


def _requisites(party: dict[str, str], *, account_label: str = "р/с") -> list[list[str]]:
    pairs = [
        ("ИНН", party.get("inn", "")),
        ("КПП", party.get("kpp", "")),
        ("Адрес", party.get("legal_address", "")),
        (account_label, party.get("settlement_account", "")),
        ("Банк", party.get("bank_name", "")),
        ("БИК", party.get("bik", "")),
        ("к/с", party.get("correspondent_account", "")),
    ]
    return [[label, value] for label, value in pairs if value]


def act_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the act's template shows, every amount and date already formatted."""
    utility, customer = snapshot["utility"], snapshot["customer"]
    opening, closing = snapshot["opening_kopecks"], snapshot["closing_kopecks"]
    start, end = _day(snapshot["period"]), _day(snapshot["period_end"])

    def balance_row(label: str, kopecks: int) -> list[str]:
        return [
            "",
            label,
            _amount(kopecks) if kopecks > 0 else "",
            _amount(-kopecks) if kopecks < 0 else "",
        ]

    if closing > 0:
        verdict = (
            f"На {end} задолженность в пользу {utility['short_name']} "
            f"составляет {_amount(closing)} руб."
        )
    elif closing < 0:
        verdict = (
            f"На {end} переплата {customer['name']} (задолженность в пользу "
            f"{customer['name']}) составляет {_amount(-closing)} руб."
        )
    else:
        verdict = f"На {end} задолженность отсутствует."
    contract = snapshot["contract"]
    return {
        "title": f"Акт сверки взаимных расчётов № {snapshot['number']}",
        "number": snapshot["number"],
        "issued_on": _day(snapshot["issued_on"]),
        "period_text": f"за период с {start} по {end}",
        "contract_text": f"по договору № {contract['number']} от {_day(contract['signed_on'])}",
        "utility": utility["short_name"],
        "utility_full": utility["full_name"],
        "customer": customer["name"],
        "utility_requisites": _requisites(utility),
        "customer_requisites": _requisites(customer),
        "preamble": (
            f"Мы, нижеподписавшиеся, {utility['full_name']} и {customer['name']}, составили "
            f"настоящий акт о том, что состояние взаимных расчётов с {start} по {end} "
            "по данным учёта следующее:"
        ),
        "opening": balance_row(f"Сальдо начальное на {start}", opening),
        "rows": [
            [
                _day(r["date"]),
                r["text"],
                _amount(r["debit_kopecks"]) if r["debit_kopecks"] else "",
                _amount(r["credit_kopecks"]) if r["credit_kopecks"] else "",
            ]
            for r in snapshot["rows"]
        ],
        "turnover": [
            "",
            "Обороты за период",
            _amount(snapshot["debit_kopecks"]),
            _amount(snapshot["credit_kopecks"]),
        ],
        "closing": balance_row(f"Сальдо конечное на {end}", closing),
        "verdict": verdict,
        "sign_note": _sign_note(utility),
    }


def factura_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the счёт-фактура's template shows (the form of Постановление № 1137)."""
    utility, customer = snapshot["utility"], snapshot["customer"]
    contract = snapshot["contract"]

    def kpp_pair(party: dict[str, str]) -> str:
        return " / ".join(x for x in (party["inn"], party["kpp"]) if x)

    lines = []
    for n, line in enumerate(snapshot["lines"], start=1):
        volume = Decimal(line["volume"]) if line["volume"] is not None else None
        lines.append(
            [
                str(n),
                line["service"],
                line["okei"] or "—",
                line["unit"] or "—",
                format_quantity(volume) if volume is not None else "—",
                _amount(line["price_kopecks"]) if line["price_kopecks"] is not None else "—",
                _amount(line["cost_kopecks"]),
                "без акциза",
                line["vat_rate"],
                _amount(line["vat_kopecks"]),
                _amount(line["total_kopecks"]),
            ]
        )
    return {
        "title": f"Счёт-фактура № {snapshot['number']} от {_day(snapshot['issued_on'])}",
        "number": snapshot["number"],
        "period_text": "за "
        + _ru_period(date.fromisoformat(snapshot["period"])).lower()
        + f" по договору № {contract['number']} от {_day(contract['signed_on'])}",
        "issued_on": _day(snapshot["issued_on"]),
        "heading": [
            ["Продавец", utility["full_name"]],
            ["Адрес", utility["legal_address"]],
            ["ИНН/КПП продавца", kpp_pair(utility)],
            ["Грузоотправитель и его адрес", "он же"],
            [
                "Грузополучатель и его адрес",
                ", ".join(x for x in (customer["name"], customer["legal_address"]) if x),
            ],
            ["К платёжно-расчётному документу", "—"],
            ["Документ об отгрузке", "—"],
            ["Покупатель", customer["name"]],
            ["Адрес", customer["legal_address"] or "—"],
            ["ИНН/КПП покупателя", kpp_pair(customer)],
            ["Валюта: наименование, код", "Российский рубль, 643"],
            [
                "Основание",
                f"договор № {contract['number']} от {_day(contract['signed_on'])}",
            ],
        ],
        "lines": lines,
        "totals": [
            _amount(snapshot["cost_kopecks"]),
            _amount(snapshot["vat_kopecks"]),
            _amount(snapshot["total_kopecks"]),
        ],
        "utility": utility["short_name"],
        "sign_note": _sign_note(utility),
    }
