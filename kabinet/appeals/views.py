from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from kabinet.appeals import forms, selectors, services
from kabinet.appeals.models import Appeal, AppealEvent, Attachment
from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.errors import DomainError
from kabinet.core.http import form_error, private_download
from kabinet.core.utility_profiles import APPEAL_TOPIC_ACCOUNT_LINK, APPEAL_TOPIC_PERSONAL_DATA

# /appeals/new/?topic=personal_data — links from the profile and the account pages.
TOPIC_SHORTCUTS = {
    "personal_data": (APPEAL_TOPIC_PERSONAL_DATA, gettext_noop("Личный кабинет")),
    "account_link": (APPEAL_TOPIC_ACCOUNT_LINK, gettext_noop("Лицевой счёт № …")),
}


def customer_required(view):
    """Customers only: staff answer appeals from their own pages."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _conversation(appeal):
    return appeal.conversation.messages.select_related("author").prefetch_related("attachments")


@customer_required
def appeal_list_view(request):
    """Мои обращения: all of them, by topic, the unread answers marked."""
    groups = selectors.appeals_by_topic(request.user)
    return render(request, "appeals/list.html", {"groups": groups})


@customer_required
def appeal_new_view(request):
    """Новое обращение (004)."""
    topics = services.appeal_topics()
    initial = {"email": request.user.email or ""}
    shortcut = TOPIC_SHORTCUTS.get(request.GET.get("topic", ""))
    if shortcut:
        initial.update(topic=shortcut[0], about=_(shortcut[1]))
    form = forms.AppealForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        topics=topics,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            appeal = services.appeal_open(
                user=request.user,
                topic=d["topic"],
                text=d["text"],
                account=d.get("account"),
                about=d["about"],
                answer_by_email=d["answer_by_email"],
                email=d["email"],
                files=d["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Обращение № %(n)s отправлено. Его зарегистрируют до %(reg)s, ответ — "
                    "до %(ans)s."
                )
                % {
                    "n": appeal.number,
                    "reg": appeal.register_due.strftime("%d.%m.%Y"),
                    "ans": appeal.answer_due.strftime("%d.%m.%Y"),
                },
            )
            return redirect("appeals:detail", uuid=appeal.uuid)
    return render(request, "appeals/new.html", {"form": form})


@customer_required
def appeal_detail_view(request, uuid):
    """The appeal as a chat; writing again; the unread mark goes once it is seen."""
    appeal = get_object_or_404(
        Appeal.objects.visible_to(request.user).select_related("account", "conversation"),
        uuid=uuid,
    )
    form = forms.MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_write(
                user=request.user,
                appeal=appeal,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Сообщение отправлено."))
            return redirect("appeals:detail", uuid=appeal.uuid)
    if request.method == "GET":
        unread_from = _first_unread(appeal, request.user)
        services.appeal_read(user=request.user, appeal=appeal)
    else:
        unread_from = None
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "conversation": _conversation(appeal),
            "form": form,
            "unread_from": unread_from,
        },
    )


def _first_unread(appeal, user):
    from kabinet.appeals.models import ReadMarker

    marker = ReadMarker.objects.filter(conversation=appeal.conversation, user=user).first()
    last = marker.last_read_message_id if marker else 0
    return (
        appeal.conversation.messages.filter(from_staff=True, pk__gt=last)
        .values_list("pk", flat=True)
        .first()
    )


@login_required
def attachment_view(request, uuid):
    """A file of a conversation, to its owner and to staff only: always downloaded
    (never shown inline), under the customer's checked name, never sniffed."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), uuid=uuid)
    return private_download(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )


# --- staff ------------------------------------------------------------------------------

QUEUE_TABS = [
    ("open", _("В работе и новые")),
    (Appeal.Status.ANSWERED, Appeal.Status.ANSWERED.label),
    (Appeal.Status.CLOSED, Appeal.Status.CLOSED.label),
]


@staff_required(roles.APPEALS)
def staff_queue_view(request):
    """Очередь обращений: open appeals by their next deadline, overdue first."""
    status = request.GET.get("status", "open")
    if status not in {key for key, _label in QUEUE_TABS}:
        status = "open"
    appeals = list(selectors.staff_queue(status=status)[:200])
    today = timezone.localdate()
    for appeal in appeals:
        appeal.days_left = (appeal.next_due - today).days if appeal.next_due else None
        appeal.days_overdue = -appeal.days_left if appeal.days_left else 0
    return render(
        request,
        "appeals/staff_queue.html",
        {"appeals": appeals, "tabs": QUEUE_TABS, "status": status, "today": today},
    )


@staff_required(roles.APPEALS)
def staff_appeal_view(request, uuid):
    """An appeal for staff: the conversation, the answer form and the status moves."""
    appeal = get_object_or_404(
        Appeal.objects.select_related("user", "account", "conversation"), uuid=uuid
    )
    form = forms.AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_answer(
                staff=request.user,
                appeal=appeal,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                final=form.cleaned_data["final"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Ответ отправлен заявителю."))
            if request.POST.get("from_queue"):
                return redirect("appeals_staff:queue")
            return redirect("appeals_staff:detail", uuid=appeal.uuid)
    return _staff_page(request, appeal, form=form, status_form=forms.StatusForm(appeal=appeal))


def _staff_page(request, appeal, *, form, status_form):
    today = timezone.localdate()
    due = appeal.due
    return render(
        request,
        "appeals/staff_detail.html",
        {
            "appeal": appeal,
            "conversation": _conversation(appeal),
            "events": AppealEvent.objects.filter(appeal=appeal).select_related("by"),
            "form": form,
            "status_form": status_form,
            "days_left": (due - today).days if due else None,
            "days_overdue": (today - due).days if due else 0,
        },
    )


@staff_required(roles.APPEALS)
@require_POST
def staff_status_view(request, uuid):
    appeal = get_object_or_404(
        Appeal.objects.select_related("user", "account", "conversation"), uuid=uuid
    )
    status_form = forms.StatusForm(request.POST, appeal=appeal)
    if status_form.is_valid():
        try:
            services.appeal_transition(
                appeal=appeal,
                to=status_form.cleaned_data["to"],
                by=request.user,
                comment=status_form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form_error(status_form, exc)
        else:
            messages.success(
                request,
                _("Обращение № %(n)s переведено в состояние «%(s)s».")
                % {"n": appeal.number, "s": appeal.get_status_display()},
            )
            if request.POST.get("from_queue"):
                return redirect("appeals_staff:queue")
            return redirect("appeals_staff:detail", uuid=appeal.uuid)
    return _staff_page(request, appeal, form=forms.AnswerForm(), status_form=status_form)
