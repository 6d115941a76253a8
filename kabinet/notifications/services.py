"""Sending e-mail and SMS: rendered now, handed to a task once the transaction commits."""

import re

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
