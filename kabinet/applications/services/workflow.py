"""The one workflow every application follows (ARCHITECTURE rule 2): the status table
is ``Application.TRANSITIONS`` (or a kind's own ``moves``); ``application_transition``
is the only function that changes a status. It locks the row, refuses any move the
table does not hold, dates the status, writes the history row and tells the applicant.

Numbers (002 §4.6.2: 2020-01-10-702-5) are given here too, when an application is
filed: the day, the kind's code, and the next sequence number of that day and kind,
taken from ``NumberCounter`` under a row lock."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.applications.kinds.base import working_days_after
from kabinet.applications.models import (
    Application,
    ApplicationEvent,
    ConnectionContract,
    NumberCounter,
)
from kabinet.backoffice import roles
from kabinet.core.audit import audit_record
from kabinet.core.errors import DomainError

Status = Application.Status


def number_next(*, kind_code: str, day) -> str:
    """The next number for a kind on a day: «2026-11-24-702-3». Call inside a
    transaction; the counter row stays locked until it commits, so a number is never
    given twice (and one given by a transaction that rolls back is given again)."""
    counter = NumberCounter.objects.select_for_update().filter(day=day, code=kind_code).first()
    if counter is None:
        try:
            with transaction.atomic():
                NumberCounter.objects.create(day=day, code=kind_code, last=0)
        except IntegrityError:
            pass  # another transaction created it first: lock theirs below
        counter = NumberCounter.objects.select_for_update().get(day=day, code=kind_code)
    NumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{day:%Y-%m-%d}-{kind_code}-{counter.last}"


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _event(application, *, kind, by, comment="", from_status="", to_status="", at=None):
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        by=by,
        by_staff=bool(by is not None and by.is_staff),
        at=at or timezone.now(),
        comment=comment,
    )


def application_notify(application: Application, *, title: str, text: str = "") -> None:
    """Tell the applicant (notice, and e-mail/SMS as they chose for «Статус заявок»),
    once the transaction commits."""
    from kabinet.notifications import services as notification_services
    from kabinet.notifications.models import Kind
    from kabinet.notifications.services import notify

    url = reverse("applications:detail", kwargs={"uuid": application.uuid})
    user = application.user
    # Quiet now (demo data, imports of history) stays quiet when the commit sends it.
    quiet = notification_services._quiet.get()

    def send():
        if quiet:
            with notification_services.quietly():
                notify(user=user, kind=Kind.APPLICATION, title=title, text=text, url=url)
        else:
            notify(user=user, kind=Kind.APPLICATION, title=title, text=text, url=url)

    transaction.on_commit(send)


def _due_after(application: Application, to: str):
    """The next deadline the utility owes once the application reaches ``to``."""
    spec = application.spec
    if spec is None or to not in Application.OPEN:
        return None
    filed = timezone.localdate(application.filed_at) if application.filed_at else None
    if spec.group == "service":
        return application.visit_date
    if filed is None:
        return None
    if to == Status.REGISTERED:
        return working_days_after(filed, spec.register_days)
    return working_days_after(filed, spec.answer_days_for(application))


def application_transition(
    *,
    application: Application,
    to: str,
    by,
    comment: str = "",
    notify: bool = True,
    audit: bool = True,
) -> Application:
    """Move an application to status ``to``: refused unless the table allows it from
    the current status (read under a row lock, so two staff clicking at once cannot
    both move it). A refusal needs its reason. A move by staff goes to the journal
    (``audit`` False: the caller writes one line for its whole action)."""
    if to not in Status.values:
        raise DomainError(_("Неизвестный статус заявки."))
    comment = (comment or "").strip()
    if to == Status.REFUSED and not comment:
        raise DomainError(_("Укажите причину отказа: её увидит заявитель."), field="comment")
    if to != Status.REGISTERED:
        roles.require(by, roles.APPLICATIONS, _("Статус заявки меняют инженеры по подключению."))
    with transaction.atomic():
        locked = _lock(application)
        current = locked.status
        if to == Status.REGISTERED and not locked.number:
            raise DomainError(_("Заявка подаётся со страницы предпросмотра."))
        spec = locked.spec
        table = spec.transitions if spec is not None else Application.TRANSITIONS
        if to not in table[Status(current)]:
            raise DomainError(
                _("Заявку в статусе «%(from)s» нельзя перевести в «%(to)s».")
                % {"from": Status(current).label, "to": Status(to).label}
            )
        if (
            to == Status.DONE
            and spec is not None
            and spec.result_contract
            and not ConnectionContract.objects.filter(application=locked).exists()
        ):
            raise DomainError(
                _("Заявка на подключение завершается договором: приложите его или откажите.")
            )
        now = timezone.now()
        locked.status = to
        dated = Application.DATED[Status(to)]
        # Filing dated the application with the moment its number was given.
        if not (to == Status.REGISTERED and locked.filed_at):
            setattr(locked, dated, now)
        else:
            now = locked.filed_at
        if to == Status.REFUSED:
            locked.refusal_reason = comment
        locked.due_date = _due_after(locked, to)
        locked.updated_at = now
        locked.save()
        _event(
            locked,
            kind=ApplicationEvent.Kind.STATUS,
            by=by,
            comment=comment,
            from_status=current,
            to_status=to,
            at=now,
        )
        if audit and to != Status.REGISTERED:  # filing is the applicant's own, not journalled
            audit_record(
                actor=by,
                action="application_transition",
                target=locked,
                subject=locked.user,
                changes={"status": [current, to]},
                note=comment[:500],
            )
        if notify and to != Status.REGISTERED:
            text = comment if to == Status.REFUSED else ""
            application_notify(
                locked,
                title=_("Заявка № %(n)s: %(s)s")
                % {"n": locked.number, "s": Status(to).label.lower()},
                text=text,
            )
    for field in (
        "status",
        "filed_at",
        "accepted_at",
        "in_work_at",
        "done_at",
        "refused_at",
        "refusal_reason",
        "due_date",
        "updated_at",
    ):
        setattr(application, field, getattr(locked, field))
    return application


def application_file_number(*, application: Application, by) -> Application:
    """File a draft: give it its number and register it (Черновик → Зарегистрирована),
    in one transaction. The caller has checked every step."""
    with transaction.atomic():
        locked = _lock(application)
        if locked.status != Status.DRAFT:
            raise DomainError(_("Эта заявка уже подана."))
        spec = locked.spec
        now = timezone.now()
        locked.number = number_next(kind_code=spec.number_code, day=timezone.localdate(now))
        locked.filed_at = now
        locked.save(update_fields=["number", "filed_at"])
        application.number = locked.number
        application.filed_at = now
        application_transition(application=application, to=Status.REGISTERED, by=by, notify=False)
        application_notify(
            application,
            title=_("Заявка № %(n)s зарегистрирована") % {"n": application.number},
            text=str(spec.title),
        )
    return application
