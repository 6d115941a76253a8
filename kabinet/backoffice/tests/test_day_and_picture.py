"""The dashboard of the day and the customer's whole picture (issue 9)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from kabinet.appeals.models import Appeal
from kabinet.appeals.tests.factories import appeal
from kabinet.backoffice.selectors import customer_picture, day_summary
from kabinet.billing.models import Charge, Payment
from kabinet.core.models import AuditEntry
from kabinet.identity import throttle
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f
from kabinet.notifications.models import Notice
from kabinet.payments.models import OnlinePayment

pytestmark = pytest.mark.django_db


def tiles_of(user, today=None):
    return {t.title: t for t in day_summary(user=user, today=today)}


def test_each_role_sees_the_figures_of_its_work(alice):
    today = timezone.localdate()
    fresh = appeal(alice)
    late = appeal(alice)
    Appeal.objects.filter(pk=late.pk).update(register_due=today - timedelta(days=1))
    m = f.meter(f.account(owner=alice))
    Reading.objects.create(meter=m, zone="total", period=today.replace(day=1), value=5)
    OnlinePayment.objects.create(
        user=alice,
        provider="test",
        idempotency_key="k1",
        method="card",
        status=OnlinePayment.Status.SUCCEEDED,
        amount_kopecks=123456,
        receipt_email="alice@example.ru",
        succeeded_at=timezone.now(),
    )

    operator = tiles_of(make_user(login="op-d", staff=True, role="operator"))
    appeals_tile = operator["Обращения в работе"]
    assert appeals_tile.figure == 2 and appeals_tile.url == reverse("appeals_staff:queue")
    assert ("просрочено: 1", "error") in appeals_tile.notes
    assert ("новых сегодня: 2", "") in appeals_tile.notes
    assert "Показания за этот месяц" not in operator and "Оплачено онлайн сегодня" not in operator

    billing = tiles_of(make_user(login="bill-d", staff=True, role="billing"))
    assert "Обращения в работе" not in billing
    assert billing["Показания за этот месяц"].figure == 1
    assert ("на проверке: 1", "") in billing["Показания за этот месяц"].notes
    assert billing["Оплачено онлайн сегодня"].figure == "1\u00a0234,56\u00a0₽"
    assert billing["Задания выполняются"].figure == 0
    assert fresh.pk


def test_the_dashboard_page_shows_the_tiles(client, staff, alice):
    appeal(alice)
    client.force_login(staff)
    text = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "Сводка на" in text and "Обращения в работе" in text and "Задания выполняются" in text


@pytest.fixture
def picture_of_alice(alice):
    acc = f.account(owner=alice)
    today = timezone.localdate()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    Charge.objects.create(account=acc, period=last, service="Отопление", amount_kopecks=500000)
    Payment.objects.create(
        account=acc, credited_on=today - timedelta(days=40), amount_kopecks=120000, channel="bank"
    )
    m = f.meter(acc)
    f.accepted(m, date(2026, 1, 1), 100)
    appeal(alice)
    Notice.objects.create(user=alice, kind="appeal", title="Ответ на обращение")
    return acc


def test_the_whole_picture_of_a_customer(client, staff, alice, charlie, picture_of_alice):
    client.force_login(staff)
    response = client.get(reverse("backoffice:user", args=[alice.uuid]))
    assert response.status_code == 200
    picture = response.context["picture"]
    assert [a.number for a in picture.accounts] == [picture_of_alice.number]
    assert picture.accounts[0].to_pay == 500000 - 120000
    text = response.content.decode()
    for seen in (
        picture_of_alice.number,
        "3\u00a0800,00\u00a0₽",
        "1\u00a0200,00\u00a0₽",
        "Ответ на обращение",
        "Последние показания",
        "Журнал: действия сотрудников и изменения данных",
    ):
        assert seen in text
    assert "вход заблокирован" not in text
    # another customer's picture holds none of it
    other = client.get(reverse("backoffice:user", args=[charlie.uuid]))
    assert picture_of_alice.number not in other.content.decode()


def test_the_picture_costs_the_same_whatever_it_holds(alice, picture_of_alice):
    with CaptureQueriesContext(connection) as few:
        customer_picture(subject=alice)
    for _i in range(5):
        acc = f.account(owner=alice)
        f.accepted(f.meter(acc), date(2026, 1, 1), 100)
        appeal(alice)
    with CaptureQueriesContext(connection) as many:
        customer_picture(subject=alice)
    assert len(many) == len(few)


def test_unlock_a_locked_cabinet_from_the_picture(client, alice, settings):
    operator = make_user(login="op-u", staff=True, role="operator")
    for _i in range(settings.KABINET_LOCKOUT_ACCOUNT_FAILURES):
        throttle.hit("signin_account", str(alice.pk))
    client.force_login(operator)
    url = reverse("backoffice:user", args=[alice.uuid])
    assert "Снять блокировку входа" in client.get(url).content.decode()

    engineer = make_user(login="eng-u", staff=True, role="engineer")
    client.force_login(engineer)
    assert client.post(reverse("backoffice:user_unlock", args=[alice.uuid])).status_code == 403
    assert not AuditEntry.objects.filter(action="user_unlock").exists()

    client.force_login(operator)
    response = client.post(reverse("backoffice:user_unlock", args=[alice.uuid]), follow=True)
    assert "Блокировка входа снята." in response.content.decode()
    assert throttle.hits("signin_account", str(alice.pk), seconds=3600) == 0
    entry = AuditEntry.objects.get(action="user_unlock")
    assert entry.actor == operator and entry.subject == alice
    assert entry.changes == {"locked": [True, False]}
    assert "Снята блокировка входа" in client.get(url).content.decode()

    response = client.post(reverse("backoffice:user_unlock", args=[alice.uuid]), follow=True)
    assert "Вход не заблокирован: снимать нечего." in response.content.decode()
    assert AuditEntry.objects.filter(action="user_unlock").count() == 1


def test_a_customer_cannot_open_a_picture(client, alice, charlie):
    client.force_login(charlie)
    assert client.get(reverse("backoffice:user", args=[alice.uuid])).status_code == 404
    assert client.post(reverse("backoffice:user_unlock", args=[alice.uuid])).status_code == 404


def test_link_and_unlink_an_account_from_the_picture(client, alice):
    operator = make_user(login="op-link", staff=True, role="operator")
    acc = f.account()
    client.force_login(operator)
    url = reverse("backoffice:user", args=[alice.uuid])
    page = client.get(url).content.decode()
    assert "Привязать лицевой счёт" in page
    client.post(reverse("accounts_staff:link", args=[alice.uuid]), {"number": acc.number})
    acc.refresh_from_db()
    assert acc.owner == alice
    page = client.get(url).content.decode()
    assert f"Отвязать счёт {acc.number}" in page
    client.post(reverse("accounts_staff:unlink", args=[acc.uuid]), {"reason": "продал квартиру"})
    acc.refresh_from_db()
    assert acc.owner is None
    actions = list(AuditEntry.objects.filter(subject=alice).values_list("action", flat=True))
    assert "account_link_by_staff" in actions and "account_unlink_by_staff" in actions
