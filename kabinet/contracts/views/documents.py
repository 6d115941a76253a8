"""Акты и счета-фактуры (003 §3.2, 000 §3.3.7): a contract's signed documents for the
last twelve closed months, each made on first request and then served as stored.

Where the signature is checked. A full check (kabinet.core.signing.verify_pdf) of one of
these PDFs takes about 25 ms (measured on 55 KB documents: the PDF parse dominates), so
a page with 24 of them would spend 0.6 s on checks. So the page does not run it: the
signature was checked in full when the document was made (signed_document_issue stores
nothing that fails), and the page only confirms that the stored bytes are still those
(their SHA-256, microseconds) and shows the stored signer and time. The full check runs
on every download, and a document that fails it is not handed out.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from kabinet.billing.models import Charge
from kabinet.contracts import selectors
from kabinet.contracts.models import SignedDocument
from kabinet.contracts.services import documents as services
from kabinet.core.errors import DomainError
from kabinet.core.signing import verify_pdf

logger = logging.getLogger(__name__)

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


@login_required
def documents_view(request, uuid):
    """Акты сверки и счета-фактуры of the contract, month by month, with the state of
    the signature of each document already made (see the module on how it is checked).
    """
    contract = selectors.contract_for(request.user, uuid)
    periods = [
        p
        for p in services.issuable_periods(today=timezone.localdate())
        if p >= contract.starts_on.replace(day=1)
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
    rows = [
        MonthRow(
            period=p,
            act=made.get((SignedDocument.Kind.ACT, p)),
            factura=made.get((SignedDocument.Kind.FACTURA, p)),
            has_charges=p in charged,
        )
        for p in periods
    ]
    return render(
        request,
        "contracts/documents.html",
        {"contract": contract, "rows": rows, "heading": _("Акты и счета-фактуры")},
    )


@login_required
def document_view(request, uuid, kind, period):
    """The signed PDF of one month, made now if it was never asked for; ``?download=1``
    saves it instead of opening it."""
    contract = selectors.contract_for(request.user, uuid)
    match = PERIOD.fullmatch(period)
    if kind not in SignedDocument.Kind.values or not match:
        raise Http404
    try:
        month = date(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise Http404 from exc
    try:
        document = services.signed_document_issue(contract=contract, kind=kind, period=month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:documents", uuid=contract.uuid)
    pdf = bytes(document.pdf)
    check = verify_pdf(pdf)
    if not check.ok:
        logger.error(
            "Signed document %s (%s) fails its signature check: %s",
            document.pk,
            document.number,
            check.error,
        )
        messages.error(
            request,
            _(
                "Подпись документа %(n)s не прошла проверку, поэтому он не выдан. "
                "Напишите куратору договора: документ переоформят."
            )
            % {"n": document.number},
        )
        return redirect("contracts:documents", uuid=contract.uuid)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The number is Cyrillic and may hold a slash («702200101/70»): the slash and its
    # kin become "-", and the header helper quotes the rest and adds the RFC 5987 form
    # browsers use for non-ASCII names.
    name = UNSAFE_IN_FILE_NAME.sub("-", document.number) + ".pdf"
    response["Content-Disposition"] = content_disposition_header(
        bool(request.GET.get("download")), name
    )
    return response
