"""The applicant's side: «Мои заявки» (002 §4.6.2), creating an application step by step
(002 §4.6.1: Реквизиты и контакты → Объект → Технические данные → Документы →
Предпросмотр, with Далее and Назад), the application's card (data, documents, requests
for more, the timeline, the result and the questions to a specialist), the developer's
objects (000 §4.4) and service requests (003 §3.5)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kabinet.appeals.views import customer_required
from kabinet.applications import selectors
from kabinet.applications.kinds import enabled_kinds, get_kind
from kabinet.applications.models import (
    Application,
    ApplicationFile,
    ConnectionContract,
    ConnectionObject,
)
from kabinet.applications.services import card, drafts, objects
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error, private_download

PREVIEW = "preview"


def _kinds_on():
    kinds = enabled_kinds()
    if not kinds:
        raise Http404
    return kinds


def _own(request, uuid) -> Application:
    """The application for whoever may answer and write in it: its applicant, or a
    colleague with full rights on its contract (staff work from the back office)."""
    application = selectors.application_for(request.user, uuid)
    if not Application.objects.actionable_by(request.user).filter(pk=application.pk).exists():
        raise Http404
    return application


def _draft(request, uuid) -> Application:
    """A draft, for its author only."""
    application = selectors.application_for(request.user, uuid)
    if application.user_id != request.user.pk or not application.is_draft:
        raise Http404
    return application


# --- «Мои заявки» ------------------------------------------------------------------------


@customer_required
def list_view(request):
    kinds = _kinds_on()
    rows = list(selectors.my_applications(request.user)[:500])
    return render(
        request,
        "applications/list.html",
        {
            "rows": rows,
            "kinds": kinds,
            "has_connection": any(k.group == "connection" for k in kinds),
            "has_service": any(k.group == "service" for k in kinds),
        },
    )


class ContractStartForm(forms.Form):
    """000 §3.4.4: the type of request is chosen, then its reason, then «Создать»."""

    reason = forms.ChoiceField(label=gettext_lazy("Причина заявки"), widget=forms.RadioSelect)
    category = forms.ChoiceField(label=gettext_lazy("Тип контрагента"), widget=forms.RadioSelect)
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("Заявитель"), choices=Application.ApplicantKind.choices
    )

    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r.code, r.label) for r in spec.reasons]
        self.fields["category"].choices = [(c.code, c.label) for c in spec.categories]
        self.fields["category"].label = spec.category_label


@customer_required
def start_view(request):
    """«Создать заявку»: the kind, then the applicant and the category (002 рисунок 9)
    or the reason and the type of counterparty (000 §3.4.4)."""
    kinds = [k for k in _kinds_on() if not k.direct]
    services = [k for k in enabled_kinds() if k.direct]
    applicant = _applicant_kind(request.user)
    contract_forms = {
        k.code: ContractStartForm(spec=k, prefix=k.code, initial={"applicant_kind": applicant})
        for k in kinds
    }
    error = ""
    if request.method == "POST":
        spec = get_kind(request.POST.get("kind", ""))
        if spec is None or spec not in kinds:
            raise Http404
        data = {
            "applicant_kind": request.POST.get("applicant_kind", ""),
            "category": request.POST.get("category", ""),
        }
        if spec.group == "contract":
            form = ContractStartForm(request.POST, spec=spec, prefix=spec.code)
            contract_forms[spec.code] = form
            if not form.is_valid():
                return _start_page(request, kinds, services, contract_forms, error, status=400)
            data = form.cleaned_data
        try:
            application = drafts.application_start(user=request.user, kind=spec.code, **data)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(_step_url(application, application.spec.steps[0].slug))
    return _start_page(request, kinds, services, contract_forms, error)


def _applicant_kind(user) -> str:
    """The kind of the user's own party (an organisation applies as one)."""
    from kabinet.identity.models import Party

    kinds = set(Party.objects.acting_for(user).values_list("kind", flat=True))
    for kind in ("legal", "ip"):
        if kind in kinds:
            return kind
    return "person"


def _start_page(request, kinds, services, contract_forms, error, status=200):
    groups = []
    for spec in kinds:
        if spec.group == "connection":
            applicants = [
                (code, label, spec.categories_for(code))
                for code, label in Application.ApplicantKind.choices
                if code in spec.applicant_kinds and spec.categories_for(code)
            ]
            groups.append({"spec": spec, "applicants": applicants})
        else:
            groups.append({"spec": spec, "form": contract_forms[spec.code]})
    return render(
        request,
        "applications/start.html",
        {"groups": groups, "services": services, "error": error},
        status=400 if error else status,
    )


# --- the form, step by step -----------------------------------------------------------


def _step_url(application, slug):
    if slug == "documents":
        return reverse("applications:documents", kwargs={"uuid": application.uuid})
    if slug == PREVIEW:
        return reverse("applications:preview", kwargs={"uuid": application.uuid})
    return reverse("applications:step", kwargs={"uuid": application.uuid, "slug": slug})


def _neighbours(application, slug):
    slugs = [s.slug for s in application.spec.steps] + [PREVIEW]
    i = slugs.index(slug)
    return (slugs[i - 1] if i > 0 else None), slugs[i + 1]


def _progress(application, current, problems=None):
    """The steps above the form: title, link, current, done (passes)."""
    if problems is None:
        problems = drafts.application_check(application)
    steps = [
        {
            "slug": s.slug,
            "title": s.title,
            "url": _step_url(application, s.slug),
            "current": s.slug == current,
            "done": s.slug not in problems,
            "visited": s.slug in application.data or s.form is None,
        }
        for s in application.spec.steps
    ]
    steps.append(
        {
            "slug": PREVIEW,
            "title": _("Предпросмотр"),
            "url": _step_url(application, PREVIEW),
            "current": current == PREVIEW,
            "done": False,
            "visited": True,
        }
    )
    return steps


@customer_required
def step_view(request, uuid, slug):
    application = _draft(request, uuid)
    step = application.spec.step(slug)
    if step is None or step.form is None:
        raise Http404
    previous, following = _neighbours(application, slug)
    if request.method == "POST":
        action = request.POST.get("action", "next")
        try:
            form, passed = drafts.application_save_step(
                application=application,
                user=request.user,
                slug=slug,
                data=request.POST,
                check=action == "next",
            )
        except DomainError as exc:
            if exc.field is None:
                messages.error(request, exc.message)
                return redirect("applications:detail", uuid=application.uuid)
            # What was typed cannot be kept (a NUL character): nothing is saved, whatever
            # the button, and the step shows why next to the field.
            form = drafts.step_form(application, slug, request.POST)
            form.is_valid()
            form.errors.pop(exc.field, None)  # the field's own wording of the same refusal
            form_error(form, exc)
            return _render_step(request, application, step, form, previous, status=400)
        if action == "back" and previous:
            return redirect(_step_url(application, previous))
        if action == "save":
            messages.success(
                request, _("Черновик сохранён. Вернуться к нему можно из «Мои заявки».")
            )
            return redirect(_step_url(application, slug))
        if passed:
            return redirect(_step_url(application, following))
        status = 400
    else:
        # What the draft keeps is shown as typed; errors only after «Далее».
        stored = application.data.get(slug)
        initial = stored if stored is not None else _initial(application, slug)
        form = step.form(application=application, initial=initial)
        status = 200
    return _render_step(request, application, step, form, previous, status=status)


def _render_step(request, application, step, form, previous, *, status: int):
    return render(
        request,
        "applications/step.html",
        {
            "application": application,
            "step": step,
            "form": form,
            "progress": _progress(application, step.slug),
            "previous": previous,
        },
        status=status,
    )


def _initial(application, slug) -> dict:
    """Prefill the contacts from the profile on a first visit."""
    user = application.user
    if slug in ("requisites", "responsible"):
        from kabinet.core.validators import format_ru_phone

        return {"email": user.email or "", "phone": format_ru_phone(user.phone or "")}
    return {}


class UploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=gettext_lazy("Какой это документ"))
    files = forms.FileField(
        label=gettext_lazy("Файлы"),
        widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}),
        help_text=gettext_lazy("PDF, JPEG, PNG, DOC, DOCX, XLS, XLSX; можно несколько."),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [
            (d.code, d.title) for d in application.spec.documents_for(application)
        ]

    def clean_files(self):
        return self.files.getlist(self.add_prefix("files"))


@customer_required
def documents_view(request, uuid):
    """Документы: what the kind asks for, for this applicant and reason, and the files
    attached to each."""
    application = _draft(request, uuid)
    slug = "documents"
    if application.spec.step(slug) is None:
        raise Http404
    previous, following = _neighbours(application, slug)
    form = UploadForm(application=application)
    status = 200
    page_error = ""
    if request.method == "POST":
        action = request.POST.get("action", "upload")
        try:
            if action == "remove":
                drafts.application_file_remove(
                    application=application, user=request.user, file_uuid=request.POST.get("file")
                )
                messages.success(request, _("Файл удалён из заявки."))
                return redirect(_step_url(application, slug))
            if action == "back":
                return redirect(_step_url(application, previous))
            if action == "next":
                missing = drafts.documents_missing(application)
                if not missing:
                    return redirect(_step_url(application, following))
                page_error = _("Приложите обязательные документы: %(docs)s.") % {
                    "docs": "; ".join(str(d.title) for d in missing)
                }
                status = 400
            else:
                form = UploadForm(request.POST, request.FILES, application=application)
                if form.is_valid():
                    rows = drafts.application_upload(
                        application=application,
                        user=request.user,
                        doc_type=form.cleaned_data["doc_type"],
                        files=form.cleaned_data["files"],
                    )
                    messages.success(
                        request,
                        _("Приложено: %(names)s.") % {"names": ", ".join(r.name for r in rows)},
                    )
                    return redirect(_step_url(application, slug))
                status = 400
        except DomainError as exc:
            if form.is_bound:
                form_error(form, exc)
            else:
                page_error = exc.message
            status = 400
    files = list(application.files.filter(info_request=None))
    docs = [
        {"doc": d, "files": [f for f in files if f.doc_type == d.code]}
        for d in application.spec.documents_for(application)
    ]
    return render(
        request,
        "applications/documents.html",
        {
            "application": application,
            "form": form,
            "docs": docs,
            "page_error": page_error,
            "progress": _progress(application, slug),
        },
        status=status,
    )


def _summaries(application):
    """Each step's title, what was typed (label, value) and its files."""
    out = []
    files = list(application.files.all())
    for step in application.spec.steps:
        if step.form is None:
            rows = [
                (str(d.title), ", ".join(f.name for f in files if f.doc_type == d.code) or "—")
                for d in application.spec.documents_for(application)
            ]
            out.append({"step": step, "rows": rows, "url": _step_url(application, step.slug)})
            continue
        form = drafts.step_form(application, step.slug)
        rows = form.summary() if form.is_bound else []
        out.append({"step": step, "rows": rows, "url": _step_url(application, step.slug)})
    return out


@customer_required
def preview_view(request, uuid):
    """Предпросмотр: the whole application as it will be filed, what still needs
    fixing, and «Подать заявку»."""
    application = _draft(request, uuid)
    status = 200
    if request.method == "POST":
        try:
            application = drafts.application_submit(application=application, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(
                request,
                _("Заявка подана и зарегистрирована под номером %(n)s.")
                % {"n": application.number},
            )
            return redirect("applications:detail", uuid=application.uuid)
    problems = drafts.application_check(application)
    return render(
        request,
        "applications/preview.html",
        {
            "application": application,
            "summaries": _summaries(application),
            "problems": [
                {
                    "step": application.spec.step(slug),
                    "messages": msgs,
                    "url": _step_url(application, slug),
                }
                for slug, msgs in problems.items()
            ],
            "progress": _progress(application, PREVIEW, problems),
        },
        status=status,
    )


@customer_required
@require_POST
def discard_view(request, uuid):
    application = _draft(request, uuid)
    drafts.application_discard(application=application, user=request.user)
    messages.success(request, _("Черновик удалён."))
    return redirect("applications:list")


# --- the card ----------------------------------------------------------------------------


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ответ"),
        required=False,
        max_length=card.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = forms.FileField(
        label=gettext_lazy("Файлы"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}),
    )

    def clean_files(self):
        return self.files.getlist(self.add_prefix("files")) if self.files else []


class SignForm(forms.Form):
    """The contract signed back: a signed PDF or a detached signature (000 §4.5)."""

    signed = forms.FileField(
        label=gettext_lazy("Подписанный договор (PDF) или файл подписи (.sig, .p7s)"),
        help_text=gettext_lazy(
            "Подпишите скачанный PDF своей электронной подписью и приложите результат."
        ),
    )


class WriteForm(AnswerForm):
    text = forms.CharField(
        label=gettext_lazy("Вопрос специалисту"),
        required=False,
        max_length=card.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _card(request, application, *, answer_forms=None, write_form=None, status=200):
    from kabinet.appeals import conversations

    try:
        contract = application.connection_contract
    except Application.connection_contract.RelatedObjectDoesNotExist:
        contract = None
    requests_ = list(application.info_requests.all())
    answer_forms = answer_forms or {}
    for r in requests_:
        r.form = answer_forms.get(r.pk) or AnswerForm(prefix=f"r{r.pk}")
    messages_ = []
    if application.conversation_id:
        messages_ = list(
            application.conversation.messages.select_related("author").prefetch_related(
                "attachments"
            )
        )
        if request.method == "GET":
            conversations.conversation_read(
                conversation=application.conversation, user=request.user
            )
    sign_form = None
    if contract is not None and not contract.is_signed_back:
        sign_form = SignForm()
    files = list(application.files.select_related("info_request"))
    can_act = Application.objects.actionable_by(request.user).filter(pk=application.pk).exists()
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "summaries": _summaries(application),
            "files": files,
            "info_requests": requests_,
            "events": list(application.events.select_related("by")),
            "contract": contract,
            "stages": list(contract.stages.all()) if contract else [],
            "sign_form": sign_form,
            "conversation": messages_,
            "write_form": write_form or WriteForm(),
            "can_act": can_act,
            # Colleagues share a service request: each message names its author.
            "show_authors": application.contract_id is not None,
            "colleague": application.user_id != request.user.pk,
        },
        status=status,
    )


@login_required
def detail_view(request, uuid):
    application = selectors.application_for(request.user, uuid)
    if request.user.is_staff:
        return redirect("applications_staff:detail", uuid=application.uuid)
    if application.is_draft:
        return redirect(_step_url(application, application.step or application.spec.steps[0].slug))
    return _card(request, application)


@login_required
def file_view(request, uuid, file):
    """A file of an application: its applicant and staff; others get 404."""
    row = get_object_or_404(
        ApplicationFile.objects.visible_to(request.user).select_related("application"),
        uuid=file,
        application__uuid=uuid,
    )
    return private_download(row.file, filename=row.name, content_type=row.content_type)


@customer_required
@require_POST
def answer_view(request, uuid, pk):
    application = _own(request, uuid)
    info_request = get_object_or_404(application.info_requests, pk=pk)
    form = AnswerForm(request.POST, request.FILES, prefix=f"r{pk}")
    if form.is_valid():
        try:
            card.info_request_answer(
                user=request.user,
                application=application,
                info_request=info_request,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Ответ отправлен специалисту."))
            return redirect("applications:detail", uuid=application.uuid)
    return _card(request, application, answer_forms={pk: form}, status=400)


@customer_required
@require_POST
def write_view(request, uuid):
    application = _own(request, uuid)
    form = WriteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            card.application_write(
                user=request.user,
                application=application,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Вопрос отправлен. Ответ придёт сюда и в уведомления."))
            return redirect(reverse("applications:detail", args=[application.uuid]) + "#chat")
    return _card(request, application, write_form=form, status=400)


# --- objects (000 §4.4) -------------------------------------------------------------------


class ObjectForm(forms.ModelForm):
    class Meta:
        model = ConnectionObject
        fields = ["name", "address", "cadastral_number", "purpose"]
        help_texts = {
            "name": gettext_lazy("Например: жилой дом № 3, магазин, котельная."),
            "address": gettext_lazy("Если адреса ещё нет — ориентир и населённый пункт."),
            "cadastral_number": gettext_lazy("Например 78:34:0004281:12."),
            "purpose": gettext_lazy("Жилое, нежилое, производственное…"),
        }


def _connection_on():
    if not any(k.group == "connection" for k in _kinds_on()):
        raise Http404


@customer_required
def objects_view(request):
    """Реестр объектов (000 §4.4 рисунок 58), each with its applications."""
    _connection_on()
    rows = (
        ConnectionObject.objects.visible_to(request.user)
        .prefetch_related("applications")
        .order_by("-created_at")
    )
    return render(request, "applications/objects.html", {"rows": rows})


@customer_required
def object_new_view(request):
    _connection_on()
    form = ObjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obj = objects.connection_object_create(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("Объект «%(name)s» добавлен в реестр.") % {"name": obj.name}
            )
            return redirect("applications:objects")
    return render(
        request,
        "applications/object_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@customer_required
def object_view(request, uuid):
    _connection_on()
    obj = get_object_or_404(ConnectionObject.objects.visible_to(request.user), uuid=uuid)
    return render(
        request,
        "applications/object.html",
        {"obj": obj, "applications": obj.applications.order_by("-created_at")},
    )


@customer_required
def connection_contracts_view(request):
    """Договоры о подключении (000 §4.6): each contract with how far its stages are,
    the next one due and whether it is overdue; the card holds the rest."""
    _connection_on()
    rows = list(
        ConnectionContract.objects.visible_to(request.user)
        .select_related("application__connection_object")
        .prefetch_related("stages")
        .order_by("-date", "-id")
    )
    for row in rows:
        stages = list(row.stages.all())
        row.done_count = sum(1 for s in stages if s.done_on)
        row.stage_count = len(stages)
        row.next_stage = next((s for s in stages if not s.done_on), None)
    return render(request, "applications/contracts.html", {"rows": rows})


# --- service requests (003 §3.5) ----------------------------------------------------------


@customer_required
def service_new_view(request):
    """«Подать заявку» (003 §3.5): the kind, the contract, the desired visit; the number
    is given at once, with the printable form."""
    spec = next((k for k in _kinds_on() if k.direct), None)
    if spec is None:
        raise Http404
    probe = Application(user=request.user, kind=spec.code, applicant_kind="legal")
    step = spec.steps[0]
    if request.method == "POST":
        try:
            form, application = drafts.service_request_file(
                user=request.user, data=request.POST, kind=spec.code
            )
        except DomainError as exc:
            form = step.form(request.POST, application=probe)
            form.is_valid()
            form_error(form, exc)
            application = None
        if application is not None:
            messages.success(
                request,
                _("Заявка принята, её номер %(n)s. Бланк заявки можно распечатать.")
                % {"n": application.number},
            )
            return redirect("applications:detail", uuid=application.uuid)
        status = 400
    else:
        form = step.form(application=probe, initial=_initial(probe, "request"))
        status = 200
    has_contracts = form.fields["contract"].queryset.exists()
    return render(
        request,
        "applications/service_new.html",
        {"form": form, "spec": spec, "has_contracts": has_contracts},
        status=status,
    )
