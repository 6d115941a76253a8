"""Квитанция (единый платёжный документ) as PDF, from the snapshot frozen at issue.

``receipt_issue`` (billing.services) freezes everything a receipt shows into a JSON
snapshot stored on the issued document; this module only turns a snapshot into a
picture of it. Nothing here reads the database or the live utility profile: a receipt
printed again a year later, after the utility changed its bank, shows the bank it was
issued with, and its QR code pays to that bank.

The snapshot (amounts are int kopecks, dates ISO strings)::

    number, period, issued_on, pay_url
    payee: short_name, full_name, inn, kpp, ogrn, legal_address, bank_name, bik,
           settlement_account, correspondent_account, support_phone, support_email
    payer: name (already masked: «Иванов И. И.»), address, account, area_m2,
           registered_people
    lines: service, kind (charge | recalc | penalty | fee), kind_label, volume, unit,
           tariff_kopecks, amount_kopecks, reason
    opening_debt_kopecks (negative: a prepayment), paid_kopecks, charged_kopecks,
    penalties_kopecks, total_kopecks = max(opening - paid + charged, 0)
    readings: meter, zone, previous, current, consumption, unit

The receipt is a Russian document whatever language the customer reads the portal
in (the ЕПД form and the payment purpose a bank shows are Russian), so the context is
made with Russian active and the template's labels are Russian.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation

from kabinet.billing.payment_qr import TECH_CODE_UTILITIES, PaymentDetails, qr_svg
from kabinet.core.money import format_period, format_quantity, format_rub, from_kopecks
from kabinet.core.pdf import render_pdf, render_png

TEMPLATE = "billing/receipt"

# Rows that are not the month's own charge get a mark in the table.
MARKED_KINDS = {"recalc", "penalty", "fee"}


def _date(value: str) -> date:
    return date.fromisoformat(value)


def _period_label(snapshot: dict) -> str:
    """The period as "Октябрь 2026" (always Russian: see the module's docstring)."""
    with translation.override("ru"):
        return str(format_period(_date(snapshot["period"])))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _quantity(value: str | None) -> str:
    """Decimal text "1234.5000" → "1 234,5"; a value the snapshot already shows the
    Russian way ("812,3", as billing.services writes readings) is kept as it is."""
    if value in (None, ""):
        return ""
    try:
        return format_quantity(Decimal(value))
    except InvalidOperation:
        return str(value)


def payment_details_from_snapshot(snapshot: dict) -> PaymentDetails:
    """Реквизиты платежа of the receipt, from the snapshot's payee (not the live profile).

    Sum is the total to pay, left out when nothing is due (the payer types an amount);
    the purpose names the лицевой счёт and the month; LastName is the first word of the
    payer's (masked) name, so the bank's form shows whose receipt it is. The address
    is left out: it would make the code denser without helping the bank.
    """
    payee = snapshot["payee"]
    payer = snapshot["payer"]
    account = payer["account"]
    total = snapshot["total_kopecks"]
    name_words = (payer.get("name") or "").split()
    return PaymentDetails(
        name=payee["short_name"],
        personal_acc=payee["settlement_account"],
        bank_name=payee["bank_name"],
        bic=payee["bik"],
        corresp_acc=payee.get("correspondent_account") or "0",
        payee_inn=payee.get("inn", ""),
        kpp=payee.get("kpp", ""),
        amount=from_kopecks(total) if total > 0 else None,
        purpose=(f"Оплата по лицевому счёту {account} за {_lower_first(_period_label(snapshot))}"),
        pers_acc=account,
        period=_date(snapshot["period"]),
        last_name=name_words[0] if name_words else "",
        tech_code=TECH_CODE_UTILITIES,
    )


def _line(line: dict) -> dict[str, Any]:
    tariff = line.get("tariff_kopecks")
    return {
        "service": line["service"],
        "kind": line["kind"],
        "mark": line.get("kind_label", "") if line["kind"] in MARKED_KINDS else "",
        "reason": line.get("reason") or "",
        "volume": _quantity(line.get("volume")),
        "unit": (line.get("unit") or "") if line.get("volume") not in (None, "") else "",
        "tariff": format_rub(tariff) if tariff is not None else "",
        "amount": format_rub(line["amount_kopecks"]),
    }


def _summary(snapshot: dict) -> list[dict[str, Any]]:
    opening = snapshot["opening_debt_kopecks"]
    rows = [
        {
            "label": (
                "Задолженность на начало периода"
                if opening >= 0
                else "Переплата (аванс) на начало периода"
            ),
            "amount": format_rub(abs(opening)),
        },
        {"label": "Оплачено в периоде", "amount": format_rub(snapshot["paid_kopecks"])},
        {"label": "Начислено за период", "amount": format_rub(snapshot["charged_kopecks"])},
    ]
    if snapshot.get("penalties_kopecks"):
        rows.append(
            {
                "label": "в том числе пени",
                "amount": format_rub(snapshot["penalties_kopecks"]),
                "minor": True,
            }
        )
    return rows


def receipt_context(snapshot: dict) -> dict[str, Any]:
    """Everything the receipt template shows, formatted for display (money, dates, QR)."""
    payee = snapshot["payee"]
    payer = snapshot["payer"]
    period = _period_label(snapshot)
    details = payment_details_from_snapshot(snapshot)
    balance = (
        snapshot["opening_debt_kopecks"] - snapshot["paid_kopecks"] + snapshot["charged_kopecks"]
    )
    area = payer.get("area_m2")
    people = payer.get("registered_people")
    return {
        "title": f"Квитанция за {_lower_first(period)}",
        "number": snapshot["number"],
        "period": period,
        "issued_on": _date(snapshot["issued_on"]).strftime("%d.%m.%Y"),
        "payee": {
            key: payee.get(key) or ""
            for key in (
                "short_name",
                "full_name",
                "inn",
                "kpp",
                "ogrn",
                "legal_address",
                "bank_name",
                "bik",
                "settlement_account",
                "correspondent_account",
                "support_phone",
                "support_email",
            )
        },
        "payer": {
            "name": payer.get("name") or "",
            "address": payer.get("address") or "",
            "account": payer["account"],
            "area": f"{_quantity(area)} м²" if area not in (None, "") else "",
            "people": str(people) if people not in (None, "") else "",
        },
        "lines": [_line(line) for line in snapshot["lines"]],
        "charged": format_rub(snapshot["charged_kopecks"]),
        "summary": _summary(snapshot),
        "total": format_rub(snapshot["total_kopecks"]),
        # The amount the QR code carries; "" when nothing is due and the code has no Sum.
        "pay_sum": format_rub(snapshot["total_kopecks"]) if details.amount else "",
        # The part of a prepayment not used up this month, carried to the next one.
        "overpaid": format_rub(-balance) if balance < 0 else "",
        "readings": [
            {
                "meter": r["meter"],
                "zone": r.get("zone") or "",
                "previous": _quantity(r.get("previous")),
                "current": _quantity(r.get("current")),
                "consumption": _quantity(r.get("consumption")),
                "unit": r.get("unit") or "",
            }
            for r in snapshot.get("readings", [])
        ],
        "purpose": details.purpose,
        # Scale only sets the SVG's own size; the template fixes the printed width.
        "qr": qr_svg(details, scale=1),
        "pay_url": snapshot.get("pay_url") or "",
    }


def render_receipt_pdf(snapshot: dict) -> bytes:
    """The receipt as an A4 PDF: one page, unless the lines need more."""
    return render_pdf(TEMPLATE, receipt_context(snapshot))


def render_receipt_png(snapshot: dict, ppi: int = 110) -> bytes:
    """The receipt's first page as PNG: the preview on the page, and the tests' QR check."""
    return render_png(TEMPLATE, receipt_context(snapshot), ppi=ppi)


_PAYEE = {
    "short_name": "ГУП «ТЭК СПб»",
    "full_name": (
        "Государственное унитарное предприятие «Топливно-энергетический комплекс Санкт-Петербурга»"
    ),
    "inn": "7830001028",
    "kpp": "783801001",
    "ogrn": "1027809934569",
    "legal_address": "190000, г. Санкт-Петербург, ул. Малая Морская, д. 12",
    "bank_name": "Северо-Западный банк ПАО Сбербанк",
    "bik": "044030653",
    "settlement_account": "40702810755000012345",
    "correspondent_account": "30101810500000000653",
    "support_phone": "+7 (812) 000-00-00",
    "support_email": "lk@tek-spb.example.ru",
}


def sample_snapshot() -> dict:
    """A realistic receipt for the demo, the tests and docs/screenshots/receipt.png:
    heating and hot water for October 2026, a recalculation of September's heating
    with its reason, пени for a late payment and two meter readings."""
    lines = [
        {
            "service": "Отопление",
            "kind": "charge",
            "kind_label": "начисление",
            "volume": "1.0317",
            "unit": "Гкал",
            "tariff_kopecks": 312045,
            "amount_kopecks": 321937,
            "reason": "",
        },
        {
            "service": "Горячее водоснабжение (теплоноситель)",
            "kind": "charge",
            "kind_label": "начисление",
            "volume": "6.8",
            "unit": "м³",
            "tariff_kopecks": 5123,
            "amount_kopecks": 34836,
            "reason": "",
        },
        {
            "service": "Горячее водоснабжение (тепловая энергия)",
            "kind": "charge",
            "kind_label": "начисление",
            "volume": "0.4216",
            "unit": "Гкал",
            "tariff_kopecks": 312045,
            "amount_kopecks": 131558,
            "reason": "",
        },
        {
            "service": "Отопление",
            "kind": "recalc",
            "kind_label": "перерасчёт",
            "volume": "-0.0521",
            "unit": "Гкал",
            "tariff_kopecks": 312045,
            "amount_kopecks": -16258,
            "reason": (
                "Перерасчёт за сентябрь 2026: перерыв в теплоснабжении 12–14.09.2026 "
                "(акт № 418 от 15.09.2026)"
            ),
        },
        {
            "service": "Пени",
            "kind": "penalty",
            "kind_label": "пени",
            "volume": None,
            "unit": "",
            "tariff_kopecks": None,
            "amount_kopecks": 1234,
            "reason": "За просрочку оплаты сентября 2026, ст. 155 ЖК РФ",
        },
    ]
    charged = sum(line["amount_kopecks"] for line in lines)
    opening, paid = 1200000, 1000000
    return {
        "number": "100000001-202610",
        "period": "2026-10-01",
        "issued_on": "2026-11-01",
        "payee": dict(_PAYEE),
        "payer": {
            "name": "Иванов И. И.",
            "address": "Санкт-Петербург, Садовая улица, д. 1, кв. 12",
            "account": "100000001",
            "area_m2": "54.30",
            "registered_people": 3,
        },
        "lines": lines,
        "opening_debt_kopecks": opening,
        "paid_kopecks": paid,
        "charged_kopecks": charged,
        "penalties_kopecks": 1234,
        "total_kopecks": max(opening - paid + charged, 0),
        "readings": [
            {
                "meter": "ГВС-000001",
                "zone": "сутки",
                "previous": "812.3",
                "current": "819.1",
                "consumption": "6.8",
                "unit": "м³",
            },
            {
                "meter": "ТЭ-004217",
                "zone": "сутки",
                "previous": "37.2114",
                "current": "38.2431",
                "consumption": "1.0317",
                "unit": "Гкал",
            },
        ],
        "pay_url": "https://lk.tek-spb.example.ru/accounts/100000001/pay/",
    }
