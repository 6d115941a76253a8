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


@pytest.mark.django_db(transaction=True)
def test_paperless_receipt_goes_over_smtp_and_its_qr_code_reads(smtp_server, tmp_path, alice):
    """004: the receipt's PDF is e-mailed when it is issued; the QR code printed in that
    very PDF is read by a real decoder and says what the receipt says."""
    import shutil
    import subprocess
    from datetime import timedelta

    from django.utils import timezone

    from kabinet.billing import services as billing
    from kabinet.billing.models import ReceiptDelivery, ReceiptMailing
    from kabinet.billing.payment_qr import payment_string
    from kabinet.billing.receipts import payment_details_from_snapshot
    from kabinet.billing.tests.test_payment_qr import zbarimg
    from kabinet.core.money import add_months, format_period, period_of
    from kabinet.customer_accounts.tests.factories import account, charge

    last = add_months(period_of(timezone.localdate()), -1)
    acc = account(owner=alice)
    charge(acc, last, 412345)
    ReceiptDelivery.objects.create(account=acc, paperless=True, email="alice@mail.ru")
    document, _ = billing.receipt_issue(account=acc, period=last, today=timezone.localdate())

    assert smtp_server.received.wait(10), "no receipt reached the SMTP server"
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["alice@mail.ru"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    subject = str(
        make_header(decode_header(email.message_from_bytes(envelope.original_content)["Subject"]))
    )
    assert subject == f"Квитанция за {format_period(last).lower()}, лицевой счёт {acc.number}"
    [pdf] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    content = pdf.get_content()
    assert content.startswith(b"%PDF")
    assert ReceiptMailing.objects.get().status == "sent"
    assert acc.number in message.get_body(("plain",)).get_content()

    if shutil.which("gs") is None:
        why = "gs not found: apt-get install ghostscript (bash .ci/run installs it)"
        print(why)
        pytest.skip(why)
    (tmp_path / "receipt.pdf").write_bytes(content)
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r150",
         "-dFirstPage=1", "-dLastPage=1", f"-sOutputFile={tmp_path / 'page.png'}",
         str(tmp_path / "receipt.pdf")],
        check=True, timeout=60,
    )  # fmt: skip
    decoded = zbarimg((tmp_path / "page.png").read_bytes(), tmp_path)
    assert decoded.strip() == payment_string(payment_details_from_snapshot(document.snapshot))
    fields = dict(part.split("=", 1) for part in decoded.strip().split("|")[1:])
    assert fields["Sum"] == "412345" and fields["PersAcc"] == acc.number
    assert fields["PaymPeriod"] == f"{last:%m%Y}"
    assert timedelta(0) <= timezone.now() - ReceiptMailing.objects.get().sent_at
