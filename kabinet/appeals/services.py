"""Every write about appeals (обращения): opening one, writing to it, staff answers,
status moves (one table, ``Appeal.TRANSITIONS``; one function, ``appeal_transition``)
and the customer's read marker."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.appeals import conversations, uploads
from kabinet.appeals.models import Appeal, AppealEvent
from kabinet.backoffice import roles
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError
from kabinet.core.utility import get_utility
from kabinet.core.utility_profiles import APPEAL_TOPIC_ACCOUNT_LINK, APPEAL_TOPIC_PERSONAL_DATA
from kabinet.customer_accounts.models import PersonalAccount

MAX_ABOUT = 200


def appeal_topics() -> tuple[str, ...]:
    """The topics a customer picks from: the utility's, and always the two for what a
    customer cannot change themselves (000 §2.2.2, §2.3.1), before «Прочее»."""
    topics = list(get_utility().appeal_topics)
    for extra in (APPEAL_TOPIC_PERSONAL_DATA, APPEAL_TOPIC_ACCOUNT_LINK):
        if extra not in topics:
            topics.insert(max(len(topics) - 1, 0), extra)
    return tuple(topics)


def appeal_transition(
    *, appeal: Appeal, to: str, by, comment: str = "", audit: bool = True
) -> Appeal:
    """Move an appeal to status ``to`` if ``Appeal.TRANSITIONS`` allows it: the row is
    locked, the status's date set, and a history row written (who, when, from, to,
    comment). Returns the locked, updated appeal. ``audit`` False: the caller writes
    the journal line itself (an answer is one line with its status moves)."""
    with conversations.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if to not in Appeal.Status.values:
            raise DomainError(_("Нет такого состояния обращения."), field="to")
        if to not in Appeal.TRANSITIONS[locked.status]:
            raise DomainError(
                _("Обращение в состоянии «%(from)s» нельзя перевести в «%(to)s».")
                % {
                    "from": locked.get_status_display(),
                    "to": Appeal.Status(to).label,
                },
                field="to",
            )
        now = timezone.now()
        AppealEvent.objects.create(
            appeal=locked,
            from_status=locked.status,
            to_status=to,
            by=by,
            at=now,
            comment=(comment or "").strip()[:500],
        )
        if audit:
            audit_record(
                actor=by,
                action="appeal_transition",
                target=locked,
                subject=locked.user,
                changes={"status": [locked.status, to]},
                note=(comment or "").strip()[:500],
            )
        locked.status = to
        fields = ["status"]
        dated = Appeal.DATED.get(to)
        if dated:
            setattr(locked, dated, now)
            fields.append(dated)
        locked.save(update_fields=fields)
    appeal.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked


def appeal_open(
    *,
    user,
    topic: str,
    text: str,
    account: PersonalAccount | None = None,
    about: str = "",
    answer_by_email: bool = False,
    email: str = "",
    files=(),
) -> Appeal:
    """Создать обращение: on one of the customer's accounts or about what they name, on
    a topic from the utility's list, with the first message and its files."""
    if user.is_staff:
        raise DomainError(_("Обращения пишут клиенты, а не сотрудники."))
    if topic not in appeal_topics():
        raise DomainError(_("Выберите тему обращения из списка."), field="topic")
    about = " ".join((about or "").split())
    if account is not None:
        if not PersonalAccount.objects.payable_by(user).filter(pk=account.pk).exists():
            raise DomainError(_("Этого лицевого счёта нет в вашем кабинете."), field="account")
        about = ""
    elif not about:
        raise DomainError(_("Выберите лицевой счёт или напишите, о чём обращение."), field="about")
    if len(about) > MAX_ABOUT:
        raise DomainError(_("Не длиннее %(n)d символов.") % {"n": MAX_ABOUT}, field="about")
    email = (email or "").strip()
    if answer_by_email:
        if not email:
            raise DomainError(_("Укажите e-mail, на который прислать ответ."), field="email")
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(_("Проверьте e-mail: в нём ошибка."), field="email") from exc
    text = conversations.clean_text(text)
    checked = uploads.check_files(files)  # before anything is written
    utility = get_utility()
    now = timezone.now()
    today = timezone.localdate(now)
    with conversations.atomic():
        appeal = Appeal.objects.create(
            user=user,
            account=account,
            about=about,
            topic=topic,
            answer_by_email=answer_by_email,
            email=email if answer_by_email else "",
            conversation=conversations.conversation_start(),
            created_at=now,
            register_due=today + timedelta(days=utility.appeal_register_days),
            answer_due=today + timedelta(days=utility.appeal_answer_days),
        )
        AppealEvent.objects.create(
            appeal=appeal, from_status="", to_status=Appeal.Status.NEW, by=user, at=now
        )
        conversations.message_post(
            conversation=appeal.conversation, author=user, text=text, files=checked
        )
    return appeal


def appeal_write(*, user, appeal: Appeal, text: str, files=()) -> None:
    """The customer writes again. After the answer this takes the appeal back to work;
    a closed appeal takes no more messages (open a new one)."""
    if appeal.user_id != user.pk:
        raise DomainError(_("Это не ваше обращение."))
    text = conversations.clean_text(text, allow_empty=bool(files))
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status == Appeal.Status.CLOSED:
            raise DomainError(
                _("Обращение закрыто. Если вопрос остался, создайте новое обращение."),
                field="text",
            )
        conversations.message_post(
            conversation=locked.conversation, author=user, text=text, files=checked
        )
        if locked.status == Appeal.Status.ANSWERED:
            appeal_transition(
                appeal=locked, to=Appeal.Status.IN_WORK, by=user, comment=_("Новое сообщение")
            )
    appeal.refresh_from_db()


def appeal_answer(*, staff, appeal: Appeal, text: str, files=(), final: bool = True) -> None:
    """A staff member writes to the customer. ``final``: it is the answer (ответ дан);
    otherwise a question back, and the appeal stays in work. A new appeal is registered
    on the way. The customer is notified (Kind.APPEAL); if they asked for answers by
    e-mail on the appeal, the answer is mailed to the appeal's address whatever their
    notification settings say."""
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import email_send, notify

    if not roles.can(staff, roles.APPEALS):
        raise DomainError(_("Отвечать на обращения могут только сотрудники."))
    text = conversations.clean_text(text)
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status == Appeal.Status.CLOSED:
            raise DomainError(_("Обращение закрыто."), field="text")
        message = conversations.message_post(
            conversation=locked.conversation, author=staff, text=text, files=checked
        )
        was = locked.status
        if locked.status == Appeal.Status.NEW:
            locked = appeal_transition(
                appeal=locked, to=Appeal.Status.REGISTERED, by=staff, audit=False
            )
        target = Appeal.Status.ANSWERED if final else Appeal.Status.IN_WORK
        if locked.status != target:
            locked = appeal_transition(appeal=locked, to=target, by=staff, audit=False)
        audit_record(
            actor=staff,
            action="appeal_answer" if final else "appeal_ask",
            target=locked,
            subject=locked.user,
            changes={"status": [was, locked.status]} if was != locked.status else None,
            note=text[:300],
        )
        url = reverse("appeals:detail", kwargs={"uuid": locked.uuid})
        title = _("Ответ на обращение № %(n)s") % {"n": locked.number}
        notify(
            user=locked.user,
            kind=Kind.APPEAL,
            title=title,
            text=_("Тема: %(topic)s.") % {"topic": _(locked.topic)},
            url=url,
            dedupe_key=f"appeal-message-{message.pk}",
            email=not locked.answer_by_email,
        )
        if locked.answer_by_email and locked.email:
            from django.conf import settings

            email_send(
                to=locked.email,
                template="appeal_answer",
                context={
                    "appeal": locked,
                    "topic": _(locked.topic),
                    "answer": message.text,
                    "files": [a.name for a in message.attachments.all()],
                    "link": settings.KABINET_PUBLIC_URL.rstrip("/") + url,
                },
            )
    appeal.refresh_from_db()


def appeal_read(*, user, appeal: Appeal) -> None:
    """The customer has seen everything in the appeal (the unread mark goes)."""
    if appeal.user_id != user.pk:
        return
    conversations.conversation_read(conversation=appeal.conversation, user=user)
