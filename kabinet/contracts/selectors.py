"""Reads about contracts that are more than a filter."""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from kabinet.billing.models import Charge, Payment
from kabinet.contracts.models import Contract, SignedDocument, SupplyObject
from kabinet.contracts.services import documents as services
from kabinet.core.money import add_months, period_of
from kabinet.core.search import text_contains


def contract_for(user, uuid) -> Contract:
    """The contract if the user may see it; 404 for anyone else (never 403: a stranger
    learns nothing about whether it exists)."""
    contracts = Contract.objects.visible_to(user).select_related("party", "account")
    return get_object_or_404(contracts, uuid=uuid)


def can_act(user, contract: Contract) -> bool:
    """May the user pay, report and write on this contract (full rights)?"""
    return Contract.objects.writable_by(user).filter(pk=contract.pk).exists()


def debts(*, account_ids, today: date) -> dict[int, tuple[int, int]]:
    """Текущая задолженность per settlement account on ``today``, with the пени in it:
    {account_id: (debt, penalties)} in kopecks (negative debt: prepayment). The same
    rule as a resident's account (charges of a month count once it is closed, payments
    from the day they were credited), in two queries whatever the number of accounts;
    ``account_ids`` may be a list or a subquery."""
    last = add_months(period_of(today), -1)
    charged = {
        row["account_id"]: row
        for row in Charge.objects.filter(account_id__in=account_ids, period__lte=last)
        .values("account_id")
        .annotate(
            total=Sum("amount_kopecks"),
            penalties=Sum("amount_kopecks", filter=Q(kind=Charge.Kind.PENALTY)),
        )
    }
    paid = {
        row["account_id"]: row
        for row in Payment.objects.filter(account_id__in=account_ids, credited_on__lte=today)
        .values("account_id")
        .annotate(
            total=Sum("amount_kopecks"),
            penalties=Sum("amount_kopecks", filter=Q(purpose="penalty")),
        )
    }
    result = {}
    for pk in set(charged) | set(paid):
        c, p = charged.get(pk, {}), paid.get(pk, {})
        debt = (c.get("total") or 0) - (p.get("total") or 0)
        penalties = (c.get("penalties") or 0) - (p.get("penalties") or 0)
        result[pk] = (debt, max(0, min(penalties, debt)))
    return result


def contract_search(contracts: QuerySet, form) -> QuerySet:
    """Простой и расширенный поиск (000 §3.3.3) over a queryset of contracts."""
    if not form.is_bound or not form.is_valid():
        return contracts
    d = form.cleaned_data
    if d.get("q"):
        q = d["q"]
        objects = SupplyObject.objects.filter(
            Q(text_contains("name", q)) | Q(text_contains("address", q))
        ).values("contract_id")
        contracts = contracts.filter(
            Q(text_contains("number", q)) | Q(text_contains("customer_name", q)) | Q(pk__in=objects)
        )
    if d.get("number"):
        contracts = contracts.filter(text_contains("number", d["number"]))
    if d.get("object_name"):
        contracts = contracts.filter(
            pk__in=SupplyObject.objects.filter(text_contains("name", d["object_name"])).values(
                "contract_id"
            )
        )
    if d.get("address"):
        contracts = contracts.filter(
            pk__in=SupplyObject.objects.filter(text_contains("address", d["address"])).values(
                "contract_id"
            )
        )
    if d.get("state"):
        contracts = contracts.filter(state=d["state"])
    if d.get("active_from"):
        contracts = contracts.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=d["active_from"]))
    if d.get("active_to"):
        contracts = contracts.filter(starts_on__lte=d["active_to"])
    return contracts


# --- Акты сверки и счета-фактуры (003 §3.2) ------------------------------------------

PERIOD = re.compile(r"(\d{4})-(\d{2})")
UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class Made:
    """A document already made; ``intact``: its stored bytes are still those signed."""

    document: SignedDocument
    intact: bool


@dataclass(frozen=True)
class MonthRow:
    period: date
    act: Made | None
    factura: Made | None
    has_charges: bool  # a счёт-фактура is made only for a month with charges


def contract_documents(contract: Contract, *, today: date) -> list[MonthRow]:
    """Акты сверки и счета-фактуры of the contract, month by month (newest first, the
    twelve closed months before ``today``'s from the month the contract starts), with
    the state of the signature of each document already made.

    Where the signature is checked. A full check (kabinet.core.signing.verify_pdf) of
    one of these PDFs takes about 25 ms (measured on 55 KB documents: the PDF parse
    dominates), so a list of 24 of them would spend 0.6 s on checks. So the list does
    not run it: the signature was checked in full when the document was made
    (signed_document_issue stores nothing that fails), and here only the stored bytes
    are confirmed to be still those (their SHA-256, microseconds). The full check runs
    on every download (``services.documents.signed_document_checked``).
    """
    periods = [
        p for p in services.issuable_periods(today=today) if p >= contract.starts_on.replace(day=1)
    ]
    made: dict[tuple[str, date], Made] = {}
    charged: set[date] = set()
    if periods:
        for doc in SignedDocument.objects.filter(
            contract=contract, period__gte=periods[-1], period__lte=periods[0]
        ):
            intact = hashlib.sha256(bytes(doc.pdf)).hexdigest() == doc.sha256
            made[(doc.kind, doc.period)] = Made(doc, intact)
        charged = set(
            Charge.objects.filter(
                account=contract.account,
                period__gte=periods[-1],
                period__lte=periods[0],
                kind__in=services.FACTURA_KINDS,
            )
            .values_list("period", flat=True)
            .distinct()
        )
    return [
        MonthRow(
            period=p,
            act=made.get((SignedDocument.Kind.ACT, p)),
            factura=made.get((SignedDocument.Kind.FACTURA, p)),
            has_charges=p in charged,
        )
        for p in periods
    ]


def document_month(period: str) -> date | None:
    """The month a document's period «ГГГГ-ММ» names; None when it names none."""
    match = PERIOD.fullmatch(period)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def document_file_name(document: SignedDocument) -> str:
    """The PDF's file name: its number, which is Cyrillic and may hold a slash
    («702200101/70»): the slash and its kin become "-" (django.utils.http's
    content_disposition_header quotes the rest and adds the RFC 5987 form browsers use
    for non-ASCII names)."""
    return UNSAFE_IN_FILE_NAME.sub("-", document.number) + ".pdf"
