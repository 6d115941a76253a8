"""The demo says on every page that its letters and SMS go to test outboxes."""

import pytest

pytestmark = pytest.mark.django_db


def test_demo_outboxes_are_named_on_every_page(client, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.KABINET_SMS_OUTBOX_DIR = str(tmp_path / "sms")
    page = client.get("/login/").content.decode()
    assert "Демонстрационный режим." in page
    assert f"Письма не отправляются, а записываются в {tmp_path / 'mail'}." in page
    assert f"SMS не отправляются, а записываются в {tmp_path / 'sms'}." in page


def test_real_senders_show_no_banner(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.KABINET_SMS_BACKEND = "kabinet.notifications.sms.SmsRuSender"
    assert "Демонстрационный режим." not in client.get("/login/").content.decode()
