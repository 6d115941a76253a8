"""Staff screens of the exchange with the billing system, beside the imports:
«Выгрузки в биллинг» (the form, the list and each export's file) and
«Ежедневное обновление» (the runs over the billing system's inbox)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required as _staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error, private_download
from kabinet.integration import exports
from kabinet.integration.models import ExportBatch, ImportBatch, RefreshRun

staff_required = _staff_required(roles.IMPORTS)

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
NEW, ALL = "new", "all"


class _DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault(
            "error_messages",
            {
                "required": gettext_lazy("Укажите дату."),
                "invalid": gettext_lazy("Введите дату в формате ДД.ММ.ГГГГ."),
            },
        )
        super().__init__(**kwargs)


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Что выгрузить"),
        choices=ExportBatch.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Выберите, что выгружать.")},
    )
    date_from = _DateField(label=gettext_lazy("С"))
    date_to = _DateField(label=gettext_lazy("По"))
    fmt = forms.ChoiceField(
        label=gettext_lazy("Формат"),
        choices=ExportBatch.Format.choices,
        initial=ExportBatch.Format.CSV,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Выберите формат.")},
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Какие записи"),
        choices=[
            (NEW, gettext_lazy("только новые — ещё не выгружавшиеся")),
            (ALL, gettext_lazy("все за период — повторная выгрузка")),
        ],
        initial=NEW,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Запись отмечается выгруженной один раз, при первой выгрузке; повторная "
            "выгрузка этих отметок не меняет. Заявки выгружаются архивом ZIP с документами."
        ),
    )


@staff_required
def export_list_view(request):
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = exports.export_create(
                staff=request.user,
                kind=data["kind"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                fmt=data["fmt"],
                only_new=data["mode"] == NEW,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            batch.refresh_from_db()
            if batch.status == ExportBatch.Status.READY:
                messages.success(request, _("Выгрузка готова."))
            elif batch.status == ExportBatch.Status.QUEUED:
                messages.success(request, _("Выгрузка готовится; список обновится сам."))
            else:
                messages.error(request, batch.error or _("Выгрузка не удалась."))
            return redirect("integration_exports:list")
    batches = ExportBatch.objects.select_related("created_by")[:200]
    working = any(b.status == ExportBatch.Status.QUEUED for b in batches)
    return render(
        request,
        "integration/export_list.html",
        {"form": form, "batches": batches, "working": working and request.method == "GET"},
    )


@staff_required
def export_download_view(request, uuid):
    batch = get_object_or_404(ExportBatch, uuid=uuid, status=ExportBatch.Status.READY)
    return private_download(
        batch.file, filename=batch.filename, content_type=exports.export_content_type(batch)
    )


@staff_required
def refresh_view(request):
    runs = list(RefreshRun.objects.all()[:60])
    uuids = {f["batch"] for run in runs for f in run.files if f.get("batch")}
    batches = {str(b.uuid): b for b in ImportBatch.objects.filter(uuid__in=uuids)}
    for run in runs:
        run.entries = [dict(f, import_batch=batches.get(f.get("batch") or "")) for f in run.files]
    return render(
        request,
        "integration/refresh_list.html",
        {"runs": runs, "hour": settings.KABINET_INTEGRATION_REFRESH_HOUR},
    )


@staff_required
@require_POST
def refresh_run_view(request):
    """«Запустить сейчас»: a forced run, queued (in-process in the embedded default)."""
    from kabinet.integration.tasks import refresh_task

    transaction.on_commit(lambda: refresh_task.delay(force=True))
    messages.success(request, _("Обновление запущено."))
    return redirect("integration_exports:refresh")
