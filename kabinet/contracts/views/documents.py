"""Акты и счета-фактуры (003 §3.2, 000 §3.3.7): a contract's signed documents for the
last twelve closed months, each made on first request and then served as stored.

The list and its signature states come from ``selectors.contract_documents``, the file
from ``services.signed_document_checked`` (see both on where the signature is checked);
the API (kabinet/api/contracts.py) uses the same two.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from kabinet.contracts import selectors
from kabinet.contracts.models import SignedDocument
from kabinet.contracts.services import documents as services
from kabinet.core.errors import DomainError


@login_required
def documents_view(request, uuid):
    """Акты сверки и счета-фактуры of the contract, month by month, with the state of
    the signature of each document already made."""
    contract = selectors.contract_for(request.user, uuid)
    rows = selectors.contract_documents(contract, today=timezone.localdate())
    return render(
        request,
        "contracts/documents.html",
        {"contract": contract, "rows": rows, "heading": _("Акты и счета-фактуры")},
    )


@login_required
def document_view(request, uuid, kind, period):
    """The signed PDF of one month, made now if it was never asked for; ``?download=1``
    saves it instead of opening it. A refused month or a document whose signature fails
    the check goes back to the list with the reason."""
    contract = selectors.contract_for(request.user, uuid)
    month = selectors.document_month(period)
    if kind not in SignedDocument.Kind.values or month is None:
        raise Http404
    try:
        document = services.signed_document_checked(contract=contract, kind=kind, period=month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:documents", uuid=contract.uuid)
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        bool(request.GET.get("download")), selectors.document_file_name(document)
    )
    return response
