"""A real SMTP exchange: the sign-up letter goes through Django's SMTP backend to aiosmtpd."""

import email
import email.policy
import re
import socket
import threading
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from conftest import PASSWORD
from kabinet.identity import services
from kabinet.identity.models import User
from kabinet.identity.services import Client, PartyData

LINK = re.compile(r"http://testserver/confirm/([0-9a-f-]{36})/([\w-]+)/")


class Collector:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.envelopes = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.received.set()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield handler
    finally:
        controller.stop()


@pytest.mark.django_db(transaction=True)
def test_signup_letter_goes_over_smtp(smtp_server, settings):
    user = services.signup_email(
        email="Anna@Example.ru",
        phone="",
        password=PASSWORD,
        party=PartyData(kind="person", last_name="Смирнова", first_name="Анна"),
        consent=True,
        client=Client(ip="203.0.113.7", user_agent="pytest"),
    )
    assert smtp_server.received.wait(10), "no message reached the SMTP server"
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["anna@example.ru"]
    assert envelope.mail_from == "no-reply@kabinet.local"

    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["To"] == "anna@example.ru"
    # The subject travels as RFC 2047 encoded words (the raw letter is plain ASCII).
    raw_subject = email.message_from_bytes(envelope.original_content)["Subject"]
    assert "=?utf-8?" in raw_subject.lower()
    assert str(make_header(decode_header(raw_subject))) == (
        "Подтвердите регистрацию в личном кабинете"
    )
    assert message["From"].addresses[0].display_name == "Личный кабинет"
    assert message.get_content_type() == "multipart/alternative"

    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and text.get_content_type() == "text/plain"
    assert html is not None and html.get_content_type() == "text/html"
    text_body, html_body = text.get_content(), html.get_content()
    assert "Вы зарегистрировались в личном кабинете" in text_body
    assert "Подтвердить e-mail" in html_body

    link = LINK.search(text_body)
    assert link, text_body
    assert f'href="{link.group(0)}"' in html_body

    # The link in the letter that went over the wire confirms the e-mail.
    services.signup_email_confirm(link_id=link.group(1), token=link.group(2))
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.email_verified
