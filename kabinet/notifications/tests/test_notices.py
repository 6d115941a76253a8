"""Notices the customer controls: in the cabinet always, by e-mail and SMS by choice,
after commit, once per event, throttled; the bell and the pages."""

import pytest
from django.urls import reverse

from kabinet.notifications import services, sms
from kabinet.notifications.models import Kind, Notice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def clean_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_a_notice_goes_to_the_cabinet_and_by_the_default_channels(alice, mailoutbox):
    alice.phone = "+79001234567"
    alice.save()
    services.notify(user=alice, kind=Kind.OUTAGE, title="Отключение ГВС 01.12–14.12", url="/x/")
    assert Notice.objects.get().title == "Отключение ГВС 01.12–14.12"
    assert [m.subject for m in mailoutbox] == ["Отключение ГВС 01.12–14.12"]
    assert "http://" in mailoutbox[0].body and "/x/" in mailoutbox[0].body
    assert len(sms.outbox) == 1 and "Отключение ГВС" in sms.outbox[0]["text"]


def test_the_same_event_never_notifies_twice(alice, mailoutbox):
    for _ in range(3):
        services.notify(user=alice, kind=Kind.RECEIPT, title="Квитанция", dedupe_key="r-1")
    assert Notice.objects.count() == 1 and len(mailoutbox) == 1


def test_the_customers_choice_is_kept(alice, mailoutbox):
    services.preferences_set(user=alice, choices={Kind.RECEIPT: (False, False)})
    services.notify(user=alice, kind=Kind.RECEIPT, title="Квитанция")
    assert Notice.objects.count() == 1 and mailoutbox == []


def test_email_is_throttled_per_customer(alice, mailoutbox):
    for i in range(services.EMAIL_PER_HOUR + 5):
        services.notify(user=alice, kind=Kind.APPEAL, title=f"Ответ {i}")
    assert Notice.objects.count() == services.EMAIL_PER_HOUR + 5
    assert len(mailoutbox) == services.EMAIL_PER_HOUR


def test_nothing_is_sent_when_the_change_rolls_back(alice, mailoutbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(user=alice, kind=Kind.APPEAL, title="Ответ")
        raise RuntimeError
    assert not Notice.objects.exists() and mailoutbox == []


def test_pages_and_the_bell(client, alice, charlie):
    services.notify(user=alice, kind=Kind.NEWS, title="Новый тариф")
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert 'class="count"' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Новый тариф" in page and "новое" in page
    assert 'class="count"' not in client.get("/").content.decode()  # read once listed
    client.force_login(charlie)
    assert "Новый тариф" not in client.get(reverse("notifications:list")).content.decode()


def test_consumption_alerts_have_their_own_kind_on_the_preferences_page(client, alice):
    assert services.preferences_for(alice)[Kind.CONSUMPTION] == (True, False)
    client.force_login(alice)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert "Расход по данным ИСУ: прогноз, ночное потребление, нет данных" in page
    assert 'name="consumption_email"' in page and 'name="consumption_sms"' in page
    data = {f"{k}_email": "on" for k in Kind.values if k != Kind.CONSUMPTION}
    assert client.post(url, data).status_code == 302
    prefs = services.preferences_for(alice)
    assert prefs[Kind.CONSUMPTION] == (False, False) and prefs[Kind.READINGS] == (True, False)


def test_preferences_page_saves_the_choice(client, alice):
    alice.phone = ""
    alice.save()
    client.force_login(alice)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert "Чтобы получать SMS, укажите телефон в профиле." in page
    data = {f"{k}_email": "on" for k in Kind.values if k != Kind.RECEIPT}
    assert client.post(url, data).status_code == 302
    prefs = services.preferences_for(alice)
    assert prefs[Kind.RECEIPT] == (False, False) and prefs[Kind.NEWS] == (True, False)
