"""The applicant's side of a connection application's result (000 §4.5): download the
contract the utility signed, send it back signed with their own electronic signature,
and download what they sent. Shown in the application's card
(``applications/_contract.html``); staff use the same downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.applications.forms_staff import SignBackForm
from kabinet.applications.models import ConnectionContract
from kabinet.applications.selectors import application_for
from kabinet.applications.services import results
from kabinet.core.errors import DomainError
from kabinet.core.http import private_download

SIGNATURE_TYPE = "application/pkcs7-signature"
SIGNED_DATA_TYPE = "application/pkcs7-mime"


def _contract(user, uuid) -> ConnectionContract:
    """The contract of an application the user may see (owner or staff), else 404."""
    application = application_for(user, uuid)
    return get_object_or_404(
        ConnectionContract.objects.visible_to(user).select_related("application"),
        application=application,
    )


def _safe(number: str) -> str:
    """A contract number fit for a file name («12/ТП» → «12-ТП»)."""
    return "".join("-" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in number).strip()


@login_required
def contract_pdf_view(request, uuid):
    """The contract as the utility signed it, always downloaded."""
    contract = _contract(request.user, uuid)
    return private_download(
        contract.utility_pdf,
        filename=_("Договор № %(n)s.pdf") % {"n": _safe(contract.number)},
        content_type="application/pdf",
    )


@login_required
@require_POST
def contract_sign_view(request, uuid):
    """The applicant sends the contract back signed (owner only: staff and strangers
    get 404). Refusals come back as a message on the card; nothing is kept."""
    if request.user.is_staff:
        raise Http404
    contract = _contract(request.user, uuid)
    application = contract.application
    target = redirect("applications:detail", uuid=application.uuid)
    target["Location"] += "#contract"
    form = SignBackForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return target
    try:
        signed = results.contract_sign_back(
            user=request.user, application=application, upload=form.cleaned_data["signed"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return target
    messages.success(
        request,
        _("Договор № %(n)s подписан вами и отправлен в организацию. Подпись: %(who)s.")
        % {"n": signed.number, "who": signed.customer_signer},
    )
    return target


@login_required
def contract_signed_view(request, uuid):
    """The file the applicant sent back (their signed PDF or signature), to them and
    to staff."""
    contract = _contract(request.user, uuid)
    if not contract.customer_file:
        raise Http404
    content_type = {
        "pdf": "application/pdf",
        "detached": SIGNATURE_TYPE,
        "attached": SIGNED_DATA_TYPE,
    }.get(contract.customer_file_kind, "application/octet-stream")
    return private_download(
        contract.customer_file, filename=contract.customer_file_name, content_type=content_type
    )
