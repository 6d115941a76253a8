"""The back office of applications: the queue (by kind and status, the nearest deadline
first) and an application's card for staff — everything the applicant typed and
attached, the timeline, requests for documents, the conversation, and the actions:
status moves, a request, an answer, the contract and its stages. Every action is a
POST through the services; a refusal is shown next to its field, keeping what was
typed, and a success redirects back to the card."""

from django.contrib import messages
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.appeals.models import Message
from kabinet.applications import forms_staff as forms
from kabinet.applications.kinds import enabled_kinds
from kabinet.applications.models import (
    Application,
    ApplicationEvent,
    ConnectionContract,
    ContractStage,
    InfoRequest,
)
from kabinet.applications.services import card, drafts, results
from kabinet.applications.services.workflow import application_transition
from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error

Status = Application.Status
QUEUE_LIMIT = 200


# --- the queue --------------------------------------------------------------------------


def _customer_unanswered(prefix: str = "") -> Q:
    """The applicant wrote last in the conversation (staff have not answered yet)."""
    last_customer = f"{prefix}conversation__last_customer_message_id"
    last_staff = f"{prefix}conversation__last_staff_message_id"
    return Q(**{f"{last_customer}__isnull": False}) & (
        Q(**{f"{last_staff}__isnull": True}) | Q(**{f"{last_customer}__gt": F(last_staff)})
    )


def _queue(*, kinds: list[str], status: str):
    """Filed applications of the kinds and status, in the queue's order."""
    qs = Application.objects.filed().filter(kind__in=kinds)
    if status == "open":
        qs = qs.filter(status__in=Application.OPEN)
    elif status != "all":
        qs = qs.filter(status=status)
    # Open ones: the nearest deadline first (the overdue on top), the oldest first among
    # equals; finished ones: the newest first.
    oldest_first = status not in ("all", Status.DONE, Status.REFUSED)
    return qs.order_by(
        F("due_date").asc(nulls_last=True), "filed_at" if oldest_first else "-filed_at", "id"
    )


def _with_turns(qs):
    """What the list shows of each, in the same query: whether a request waits for the
    applicant, when they last answered one and staff last acted, how many of their
    messages wait for an answer, whether they signed the contract. Applied to one page
    of rows only (the subqueries run per row)."""
    waiting = InfoRequest.objects.filter(application=OuterRef("pk"), answered_at__isnull=True)
    last_answer = (
        InfoRequest.objects.filter(application=OuterRef("pk"), answered_at__isnull=False)
        .order_by("-answered_at")
        .values("answered_at")[:1]
    )
    last_staff = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), by_staff=True)
        .order_by("-at")
        .values("at")[:1]
    )
    unanswered = (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            from_staff=False,
            pk__gt=Coalesce(OuterRef("conversation__last_staff_message_id"), Value(0)),
        )
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        waiting=Exists(waiting),
        last_answer_at=Subquery(last_answer),
        last_staff_at=Subquery(last_staff),
        unanswered=Coalesce(Subquery(unanswered, output_field=IntegerField()), Value(0)),
        signed_back_at=F("connection_contract__customer_signed_at"),
    )


@staff_required(roles.APPLICATIONS)
def queue_view(request):
    """Заявки: tabs by kind, a status filter (the open ones by default), the nearest
    deadline first with the overdue marked, and whose turn it is."""
    kinds = enabled_kinds()
    if not kinds:
        raise Http404  # this utility takes no applications
    codes = [k.code for k in kinds]
    kind = request.GET.get("kind", "")
    if kind not in codes:
        kind = ""
    form = forms.QueueFilterForm(request.GET or None)
    status = (form.cleaned_data.get("status") if form.is_valid() else "") or "open"
    # The page's rows first, then what the list shows of just those: the per-row
    # subqueries never run over thousands of finished applications.
    ids = list(
        _queue(kinds=[kind] if kind else codes, status=status).values_list("pk", flat=True)[
            : QUEUE_LIMIT + 1
        ]
    )
    truncated = len(ids) > QUEUE_LIMIT
    ids = ids[:QUEUE_LIMIT]
    by_id = {row.pk: row for row in _with_turns(Application.objects.filter(pk__in=ids))}
    rows = [by_id[pk] for pk in ids]
    today = timezone.localdate()
    for row in rows:
        row.days_left = (row.due_date - today).days if row.due_date and row.is_open else None
        row.days_overdue = -row.days_left if row.days_left and row.days_left < 0 else 0
        row.next_move = _next_move(row)
        # The applicant answered a request and staff have not acted since: staff's turn.
        row.staff_turn = bool(
            not row.waiting
            and row.last_answer_at
            and (row.last_staff_at is None or row.last_staff_at < row.last_answer_at)
        )
    open_by_kind = dict(
        Application.objects.filter(kind__in=codes, status__in=Application.OPEN)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    unanswered_total = (
        Application.objects.filed().filter(kind__in=codes).filter(_customer_unanswered()).count()
    )
    return render(
        request,
        "applications/staff_queue.html",
        {
            "rows": rows,
            "truncated": truncated,
            "limit": QUEUE_LIMIT,
            "kinds": [(k, open_by_kind.get(k.code, 0)) for k in kinds],
            "kind": kind,
            "status": status,
            "form": form if form.is_bound else forms.QueueFilterForm(initial={"status": status}),
            "unanswered_total": unanswered_total,
            "today": today,
        },
    )


# --- the card ---------------------------------------------------------------------------


def _application(uuid) -> Application:
    return get_object_or_404(
        Application.objects.filed().select_related(
            "user", "connection_object", "contract", "conversation"
        ),
        uuid=uuid,
    )


def _steps(application: Application) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each filled step's title and what was typed in it, as the applicant saw it."""
    spec = application.spec
    if spec is None:
        return []
    shown = []
    for step in spec.steps:
        if step.form is None:
            continue
        form = drafts.step_form(application, step.slug)
        shown.append((step.title, form.summary()))
    return shown


def _moves(application: Application) -> list[tuple[str, str]]:
    """The buttons of the moves the table allows now (a refusal has its own form; a
    result-contract kind is finished by attaching the contract)."""
    allowed = application.spec.transitions[Status(application.status)]
    spec = application.spec
    return [
        (status.value, forms.MOVE_LABELS[status])
        for status in (Status.ACCEPTED, Status.IN_WORK, Status.DONE)
        if status in allowed and not (status == Status.DONE and spec and spec.result_contract)
    ]


def _card(request, application: Application, *, status: int = 200, **bound):
    """The card with its forms; ``bound`` holds the one form that failed (its errors
    and what was typed), the others are fresh."""
    today = timezone.localdate()
    files = list(application.files.filter(info_request=None).select_related("uploaded_by"))
    requests = list(
        application.info_requests.select_related("asked_by", "answered_by").prefetch_related(
            "files"
        )
    )
    for f in files:
        f.application = application  # its kind's document title, without a query each
    contract = (
        ConnectionContract.objects.filter(application=application)
        .select_related("created_by")
        .first()
    )
    stages = []
    if contract is not None:
        stages = list(contract.stages.select_related("done_by"))
        failed = bound.get("stage_form")
        for stage in stages:
            # The utility's signature is set by the upload, the applicant's by theirs.
            stage.markable = stage.code != "utility_signed" and not (
                stage.code == "customer_signed" and contract.is_signed_back
            )
            if failed is not None and failed.prefix == _stage_prefix(stage):
                stage.form = failed
            else:
                stage.form = forms.StageForm(
                    prefix=_stage_prefix(stage), initial={"done_on": stage.done_on or today}
                )
    conversation = (
        application.conversation.messages.select_related("author").prefetch_related("attachments")
        if application.conversation_id
        else []
    )
    spec = application.spec
    due = application.due_date if application.is_open else None
    return render(
        request,
        "applications/staff_detail.html",
        {
            "application": application,
            "spec": spec,
            "steps": _steps(application),
            "files": files,
            "requests": requests,
            "events": application.events.select_related("by"),
            "conversation": conversation,
            "contract": contract,
            "stages": stages,
            "moves": _moves(application),
            "can_refuse": Status.REFUSED
            in application.spec.transitions[Status(application.status)],
            "can_attach": bool(
                spec
                and spec.result_contract
                and contract is None
                and application.status in (Status.ACCEPTED, Status.IN_WORK)
            ),
            "move_form": bound.get("move_form") or forms.MoveForm(application=application),
            "ask_form": bound.get("ask_form") or forms.AskForm(prefix="ask"),
            "write_form": bound.get("write_form") or forms.WriteForm(prefix="write"),
            "contract_form": bound.get("contract_form")
            or forms.ContractForm(initial={"date": today}),
            "days_left": (due - today).days if due else None,
            "days_overdue": (today - due).days if due else 0,
            "today": today,
        },
        status=status,
    )


def _stage_prefix(stage: ContractStage) -> str:
    return f"stage{stage.pk}"


# The move that takes an application on from the queue: «Принять», then «В работу».
FORWARD = (Status.ACCEPTED, Status.IN_WORK)


def _next_move(application: Application):
    spec = application.spec
    table = spec.transitions if spec is not None else Application.TRANSITIONS
    allowed = table.get(Status(application.status), set())
    return next((s for s in FORWARD if s in allowed), None)


def _back(application: Application, anchor: str = ""):
    response = redirect("applications_staff:detail", uuid=application.uuid)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@staff_required(roles.APPLICATIONS)
def detail_view(request, uuid):
    return _card(request, _application(uuid))


@staff_required(roles.APPLICATIONS)
@require_POST
def move_view(request, uuid):
    application = _application(uuid)
    form = forms.MoveForm(request.POST, application=application)
    if form.is_valid():
        to, comment = form.cleaned_data["to"], form.cleaned_data["comment"]
        try:
            application_transition(application=application, to=to, by=request.user, comment=comment)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Заявка № %(n)s: статус «%(s)s».")
                % {"n": application.number, "s": Status(to).label},
            )
            if request.POST.get("from_queue"):
                return redirect("applications_staff:queue")
            return _back(application)
    return _card(request, application, move_form=form)


@staff_required(roles.APPLICATIONS)
@require_POST
def ask_view(request, uuid):
    application = _application(uuid)
    form = forms.AskForm(request.POST, prefix="ask")
    if form.is_valid():
        try:
            card.info_request_ask(
                staff=request.user, application=application, text=form.cleaned_data["text"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Запрос отправлен заявителю."))
            return _back(application, "requests")
    return _card(request, application, ask_form=form)


@staff_required(roles.APPLICATIONS)
@require_POST
def write_view(request, uuid):
    application = _application(uuid)
    form = forms.WriteForm(request.POST, request.FILES, prefix="write")
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
            messages.success(request, _("Ответ отправлен заявителю."))
            return _back(application, "conversation")
    return _card(request, application, write_form=form)


@staff_required(roles.APPLICATIONS)
@require_POST
def contract_attach_view(request, uuid):
    application = _application(uuid)
    form = forms.ContractForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            contract = results.contract_attach(
                staff=request.user,
                application=application,
                number=d["number"],
                date=d["date"],
                pdf_upload=d["pdf"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Договор № %(n)s приложен и подписан электронной подписью организации; "
                    "заявка завершена, заявитель получил уведомление."
                )
                % {"n": contract.number},
            )
            return _back(application, "contract")
    return _card(request, application, contract_form=form)


@staff_required(roles.APPLICATIONS)
@require_POST
def stage_view(request, uuid, pk):
    application = _application(uuid)
    stage = get_object_or_404(ContractStage, pk=pk, contract__application=application)
    form = forms.StageForm(request.POST, prefix=_stage_prefix(stage))
    if form.is_valid():
        d = form.cleaned_data
        try:
            results.stage_mark(
                staff=request.user,
                stage=stage,
                done_on=None if d["undo"] else d["done_on"],
                note=d["note"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if d["undo"]:
                text = _("Отметка с этапа «%(s)s» снята.")
            else:
                text = _("Этап «%(s)s» отмечен выполненным.")
            messages.success(request, text % {"s": _(stage.title)})
            return _back(application, "contract")
    return _card(request, application, stage_form=form)
