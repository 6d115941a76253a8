"""The application's card after filing: staff ask for more information or documents
(002 §4.6.2, 000 §3.4.4), the applicant answers with text and files, and both write in
the application's conversation (the appeals conversation, owned by the application)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.appeals import conversations, uploads
from kabinet.applications.models import Application, ApplicationEvent, InfoRequest
from kabinet.applications.services.drafts import MAX_FILES_PER_APPLICATION, _store
from kabinet.applications.services.workflow import _event, _lock, application_notify
from kabinet.backoffice import roles
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError

MAX_TEXT = 5000


def _filed_open(application: Application) -> Application:
    locked = _lock(application)
    if not locked.is_open:
        raise DomainError(
            _("Заявка в статусе «%(s)s»: по ней больше ничего не принимается.")
            % {"s": locked.get_status_display()}
        )
    return locked


def _may_act(user, application: Application) -> None:
    """The applicant, or a colleague with full rights on the request's contract."""
    if not Application.objects.actionable_by(user).filter(pk=application.pk).exists():
        raise DomainError(_("Это не ваша заявка."))


def info_request_ask(*, staff, application: Application, text: str) -> InfoRequest:
    """Запросить сведения или документы: the applicant is told and answers in the card."""
    if not roles.can(staff, roles.APPLICATIONS):
        raise DomainError(_("Запрашивать документы могут только сотрудники."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Напишите, что нужно предоставить."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_("Слишком длинный запрос: сократите его."), field="text")
    with transaction.atomic():
        locked = _filed_open(application)
        row = InfoRequest.objects.create(application=locked, text=text, asked_by=staff)
        _event(locked, kind=ApplicationEvent.Kind.REQUEST, by=staff, comment=text)
        audit_record(
            actor=staff,
            action="info_request_ask",
            target=locked,
            subject=locked.user,
            note=text[:300],
        )
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
        application_notify(
            locked,
            title=_("Заявка № %(n)s: запрошены сведения") % {"n": locked.number},
            text=text,
        )
    return row


def info_request_answer(
    *, user, application: Application, info_request: InfoRequest, text: str, files=()
) -> InfoRequest:
    """The applicant answers a request with a text, files, or both."""
    _may_act(user, application)
    text = (text or "").strip()
    files = list(files or [])
    if not text and not files:
        raise DomainError(_("Напишите ответ или приложите файлы."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_("Слишком длинный ответ: сократите его."), field="text")
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = _filed_open(application)
        row = (
            InfoRequest.objects.select_for_update()
            .filter(pk=info_request.pk, application=locked)
            .first()
        )
        if row is None:
            raise DomainError(_("Такого запроса в этой заявке нет."))
        if row.answered_at is not None:
            raise DomainError(_("На этот запрос вы уже ответили."))
        if locked.files.count() + len(checked) > MAX_FILES_PER_APPLICATION:
            raise DomainError(
                _("К заявке можно приложить не больше %(n)d файлов.")
                % {"n": MAX_FILES_PER_APPLICATION},
                field="files",
            )
        for f in checked:
            _store(locked, f, user=user, info_request=row)
        now = timezone.now()
        row.answer = text
        row.answered_by = user
        row.answered_at = now
        row.save(update_fields=["answer", "answered_by", "answered_at"])
        names = ", ".join(f.name for f in checked)
        audit_record(
            actor=user,
            action="info_request_answer",
            target=locked,
            subject=locked.user,
            changes={"files": [None, len(checked)]} if checked else None,
            note=text[:300],
        )
        _event(
            locked,
            kind=ApplicationEvent.Kind.ANSWER,
            by=user,
            comment="\n".join(p for p in (text, names) if p),
            at=now,
        )
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
    return row


def application_write(*, user, application: Application, text: str, files=()):
    """Задать вопрос специалисту (002 рисунок 14) or answer the applicant: a message in
    the application's conversation. The applicant is told when staff write."""
    if not user.is_staff:
        _may_act(user, application)
    text = conversations.clean_text(text, allow_empty=bool(files))
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = _lock(application)
        if locked.status == Application.Status.DRAFT:
            raise DomainError(_("Вопрос можно задать после подачи заявки."))
        if locked.conversation_id is None:
            locked.conversation = conversations.conversation_start()
            locked.save(update_fields=["conversation"])
        message = conversations.message_post(
            conversation=locked.conversation, author=user, text=text, files=checked
        )
        if user.is_staff:
            audit_record(
                actor=user,
                action="application_write",
                target=locked,
                subject=locked.user,
                note=text[:300],
            )
            application_notify(
                locked,
                title=_("Заявка № %(n)s: ответ специалиста") % {"n": locked.number},
                text=text[:500],
            )
    application.conversation = locked.conversation
    return message
