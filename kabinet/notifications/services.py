"""Sending e-mail and SMS: rendered now, handed to a task once the transaction commits."""

import contextlib
import contextvars
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from kabinet.core.utility import get_utility
from kabinet.notifications import tasks


def email_render(*, template: str, context: dict) -> tuple[str, str, str]:
    """Render ``notifications/email/<template>``: its subject, text and HTML."""
    ctx = {"utility": get_utility(), **context}
    subject = render_to_string(f"notifications/email/{template}_subject.txt", ctx)
    # Collapse the template's line breaks, but keep no-break spaces (1 000,00 ₽).
    subject = re.sub(r"[ \t\r\n]+", " ", subject).strip()
    text = render_to_string(f"notifications/email/{template}.txt", ctx)
    html = render_to_string(f"notifications/email/{template}.html", ctx)
    return subject, text, html


def email_send(*, to: str, template: str, context: dict) -> None:
    """Render ``notifications/email/<template>`` (subject, text and HTML) and queue it."""
    subject, text, html = email_render(template=template, context=context)
    transaction.on_commit(
        lambda: tasks.send_email.delay(to=to, subject=subject, text=text, html=html)
    )


def email_with_attachment(
    *, to: str, template: str, context: dict, filename: str, content: bytes, mimetype: str
) -> EmailMultiAlternatives:
    """A letter with a file (a receipt's PDF), built for a task that sends it at once."""
    subject, text, html = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.attach(filename, content, mimetype)
    return message


def sms_send(*, phone: str, text: str, idempotency_key: str) -> None:
    """Queue an SMS; the key lets a retried task be recognised by the gateway log."""
    transaction.on_commit(
        lambda: tasks.send_sms.delay(phone=phone, text=text, idempotency_key=idempotency_key)
    )


# --- notices the customer controls ------------------------------------------------

SMS_PER_HOUR = 5  # per customer: notices never flood a phone
EMAIL_PER_HOUR = 20

_quiet = contextvars.ContextVar("notifications_quiet", default=False)


@contextlib.contextmanager
def quietly():
    """Notices are kept in the cabinet but nothing is e-mailed or texted: for building
    demo data and for imports of history, where the events are not news to anyone."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def preferences_for(user) -> dict[str, tuple[bool, bool]]:
    """(e-mail, SMS) per kind: the customer's choice, or the default."""
    from kabinet.notifications.models import DEFAULTS, Preference

    chosen = {p.kind: (p.email, p.sms) for p in Preference.objects.filter(user=user)}
    return {kind: chosen.get(kind, default) for kind, default in DEFAULTS.items()}


def preferences_set(*, user, choices: dict[str, tuple[bool, bool]]) -> None:
    """Save the customer's channels per kind."""
    from kabinet.notifications.models import Kind, Preference

    with transaction.atomic():
        for kind, (email, sms) in choices.items():
            if kind not in Kind.values:
                continue
            Preference.objects.update_or_create(
                user=user, kind=kind, defaults={"email": email, "sms": sms}
            )


def notify(
    *,
    user,
    kind: str,
    title: str,
    text: str = "",
    url: str = "",
    dedupe_key: str = "",
    email: bool = True,
):
    """Уведомить: a notice in the cabinet, and an e-mail and an SMS if the customer
    chose them for this kind. Sent after the transaction commits, at most once per
    ``dedupe_key``, and throttled per customer. Returns the notice, or None when this
    event was already notified."""
    from django.db import IntegrityError

    from kabinet.core.utility import get_utility
    from kabinet.identity import throttle
    from kabinet.notifications.models import Notice

    email_on, sms_on = preferences_for(user).get(kind, (False, False))
    email_on = email_on and email and not _quiet.get()
    sms_on = sms_on and not _quiet.get()
    key = str(user.pk)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                user=user, kind=kind, title=title[:200], text=text, url=url, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None
    link = (settings.KABINET_PUBLIC_URL.rstrip("/") + url) if url.startswith("/") else url
    if (
        email_on
        and user.email
        and not throttle.retry_after("notice_email", key, limit=EMAIL_PER_HOUR, seconds=3600)
    ):
        throttle.hit("notice_email", key)
        email_send(
            to=user.email,
            template="notice",
            context={"title": title, "text": text, "link": link},
        )
        notice.emailed = True
    if (
        sms_on
        and user.phone
        and not throttle.retry_after("notice_sms", key, limit=SMS_PER_HOUR, seconds=3600)
    ):
        throttle.hit("notice_sms", key)
        sms_send(
            phone=user.phone,
            text=f"{get_utility().short_name}: {title}"[:300],
            idempotency_key=f"notice-{notice.pk}",
        )
        notice.texted = True
    if notice.emailed or notice.texted:
        notice.save(update_fields=["emailed", "texted"])
    return notice


def notices_read(*, user, ids=None) -> int:
    """Mark the customer's notices read (all, or those given)."""
    from django.utils import timezone

    from kabinet.notifications.models import Notice

    qs = Notice.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
