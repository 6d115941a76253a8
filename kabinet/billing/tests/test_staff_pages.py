"""The staff's «Расчётные задания» page: only staff, a run started and its progress
shown, a failed receipt e-mail sent again."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.billing import services
from kabinet.billing.models import BillingRun, ReceiptDelivery, ReceiptMailing
from kabinet.billing.tests import factories as f
from kabinet.core.money import add_months, period_of

pytestmark = pytest.mark.django_db(transaction=True)

LAST = add_months(period_of(timezone.localdate()), -1)


def test_customers_get_404_and_strangers_sign_in(client, alice):
    url = reverse("backoffice:billing")
    assert client.get(url).status_code == 302
    client.force_login(alice)
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "accrual", "period": f"{LAST:%Y-%m}"}).status_code == 404
    assert not BillingRun.objects.exists()


def test_staff_start_a_run_and_see_it_done(client, staff):
    a = f.account()
    f.charge(a, LAST, 100000)
    client.force_login(staff)
    url = reverse("backoffice:billing")
    page = client.get(url).content.decode()
    assert f'value="{LAST:%Y-%m}"' in page  # the last closed month is offered
    response = client.post(url, {"kind": "receipts", "period": f"{LAST:%Y-%m}"})
    assert response.status_code == 302
    run = BillingRun.objects.get()
    assert (run.kind, run.period, run.status, run.done, run.total) == (
        "receipts", LAST, "done", 1, 1,
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "завершено" in page and "1 из 1, ошибок: 0" in page


def test_a_month_not_over_is_refused_next_to_the_field(client, staff):
    client.force_login(staff)
    this = period_of(timezone.localdate())
    page = client.post(
        reverse("backoffice:billing"), {"kind": "accrual", "period": f"{this:%Y-%m}"}
    ).content.decode()
    assert "Месяц ещё не закончился" in page and 'id="id_period_error"' in page
    assert not BillingRun.objects.exists()


def test_a_failed_receipt_mail_is_sent_again(client, staff, alice, monkeypatch, mailoutbox):
    a = f.account()
    a.owner, a.linked_at = alice, timezone.now() - timedelta(days=90)
    a.save()
    f.charge(a, LAST, 100000)
    ReceiptDelivery.objects.create(account=a, paperless=True, email="alice@mail.ru")
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def broken(self, *args, **kwargs):
        raise OSError("SMTP: connection refused")

    monkeypatch.setattr(EmailMessage, "send", broken)
    services.receipt_issue(account=a, period=LAST, today=date.today())
    mailing = ReceiptMailing.objects.get()
    assert mailing.status == "failed" and "connection refused" in mailing.last_error
    client.force_login(staff)
    page = client.get(reverse("backoffice:billing")).content.decode()
    assert "alice@mail.ru" in page and "connection refused" in page

    monkeypatch.setattr(EmailMessage, "send", real_send)
    response = client.post(reverse("backoffice:mailing_retry", args=[mailing.pk]))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert (mailing.status, mailing.attempts) == ("sent", 2)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@mail.ru"]
    assert "Квитанция отправлена на alice@mail.ru." in client.get(response.url).content.decode()
    # Sent is sent: a second press changes nothing and says so.
    client.post(reverse("backoffice:mailing_retry", args=[mailing.pk]))
    assert len(mailoutbox) == 1
