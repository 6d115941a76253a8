"""Staff screens of imports: the list of batches, the upload form and a batch's page
(its preview, «Применить», the progress while applying and the result)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required as _staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.integration import services
from kabinet.integration.forms import UploadForm
from kabinet.integration.importers import columns
from kabinet.integration.models import ImportBatch

PER_PAGE = 100

# Who may use these screens is decided here, once, for every view of the app.
staff_required = _staff_required(roles.IMPORTS)


@staff_required
def batch_list_view(request):
    batches = ImportBatch.objects.select_related("created_by")[:200]
    return render(request, "integration/list.html", {"batches": batches, "form": UploadForm()})


@staff_required
def upload_view(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_upload(
                staff=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("integration:batch", uuid=batch.uuid)
    kinds = [(label, columns(kind)) for kind, label in ImportBatch.Kind.choices]
    return render(request, "integration/upload.html", {"form": form, "kinds": kinds})


@staff_required
def batch_view(request, uuid):
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), uuid=uuid)
    page = Paginator(batch.rejections.all(), PER_PAGE).get_page(request.GET.get("page"))
    working = batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.APPLYING)
    return render(
        request,
        "integration/batch.html",
        {"batch": batch, "page": page, "working": working, "columns": columns(batch.kind)},
    )


@staff_required
@require_POST
def apply_view(request, uuid):
    batch = get_object_or_404(ImportBatch, uuid=uuid)
    try:
        services.import_request_apply(staff=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Загрузка применяется."))
    return redirect("integration:batch", uuid=batch.uuid)
