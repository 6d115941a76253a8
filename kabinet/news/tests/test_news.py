"""News: staff publish, customers read, the unread marker clears once read."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kabinet.core.errors import DomainError
from kabinet.news import services
from kabinet.news.context_processors import news as news_context
from kabinet.news.models import News
from kabinet.notifications.models import Notice

pytestmark = pytest.mark.django_db


def publish(title="Новые тарифы с 1 июля", **kw):
    return services.news_publish(title=title, text=kw.pop("text", "Текст новости."), **kw)


def unread(user) -> int:
    request = RequestFactory().get("/")
    request.user = user
    return news_context(request).get("news_unread", 0)


def test_publish_notifies_customers_once(alice, charlie, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = publish(by=staff)
    notices = Notice.objects.filter(kind="news")
    assert sorted(n.user_id for n in notices) == sorted([alice.pk, charlie.pk])
    assert notices[0].url == f"/news/{item.pk}/"
    item.refresh_from_db()
    assert item.notified_at is not None
    assert services.news_notify_due() == 0
    assert Notice.objects.filter(kind="news").count() == 2


def test_news_dated_ahead_waits(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = publish(published_at=timezone.now() + timedelta(days=1))
    assert not Notice.objects.exists() and unread(alice) == 0
    assert services.news_notify_due(now=timezone.now() + timedelta(days=2)) == 1
    assert Notice.objects.get(user=alice).dedupe_key == f"news-{item.pk}"


def test_bad_news_refused_in_russian():
    with pytest.raises(DomainError) as exc:
        publish(title="  ")
    assert exc.value.field == "title" and "заголовок" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        publish(text="")
    assert exc.value.field == "text"
    assert not News.objects.exists()


def test_marker_clears_when_the_item_is_opened(client, alice, charlie, staff):
    first, second = publish("Первая"), publish("Вторая")
    assert unread(alice) == 2
    assert unread(staff) == 0
    client.force_login(alice)
    page = client.get(reverse("news:detail", args=[first.pk])).content.decode()
    assert "Новых: 1" in page  # the marker after reading this one: the other is left
    assert unread(alice) == 1 and unread(charlie) == 2
    page = client.get(reverse("news:detail", args=[second.pk])).content.decode()
    assert "Новых:" not in page and unread(alice) == 0


def test_opening_the_list_marks_everything_read(client, alice):
    with_notice = publish("С уведомлением")
    services.news_notify_due()
    publish("Вторая")
    client.force_login(alice)
    page = client.get(reverse("news:list")).content.decode()
    assert "Новых: 2" in page and page.count(">новое<") == 2
    assert unread(alice) == 0
    assert Notice.objects.get(user=alice, dedupe_key=f"news-{with_notice.pk}").read_at
    page = client.get(reverse("news:list")).content.decode()
    assert "Новых:" not in page and ">новое<" not in page


def test_marker_is_one_query(alice):
    for i in range(5):
        publish(f"Новость {i}")
    with CaptureQueriesContext(connection) as ctx:
        assert unread(alice) == 5
    assert len(ctx.captured_queries) == 1


def test_anonymous_has_no_marker_and_no_news_pages(client):
    from django.contrib.auth.models import AnonymousUser

    assert unread(AnonymousUser()) == 0
    item = publish()
    assert client.get(reverse("news:detail", args=[item.pk])).status_code == 302


def test_customer_cannot_see_news_dated_ahead_but_staff_can(client, alice, staff):
    item = publish(published_at=timezone.now() + timedelta(days=3))
    client.force_login(alice)
    assert client.get(reverse("news:detail", args=[item.pk])).status_code == 404
    assert item.title not in client.get(reverse("news:list")).content.decode()
    client.force_login(staff)
    assert client.get(reverse("news:detail", args=[item.pk])).status_code == 200


def test_staff_pages(client, alice, staff, django_capture_on_commit_callbacks):
    client.force_login(alice)
    assert client.get(reverse("news_staff:list")).status_code == 404
    item = publish()
    assert client.get(reverse("news_staff:edit", args=[item.pk])).status_code == 404
    client.force_login(staff)
    response = client.post(reverse("news_staff:list"), {"title": "", "text": "Текст остаётся"})
    text = response.content.decode()
    assert response.status_code == 200 and "Текст остаётся" in text
    assert 'id="id_title_error"' in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("news_staff:list"), {"title": "Приём показаний", "text": "С 15 по 25 число."}
        )
    assert response.status_code == 302
    created = News.objects.get(title="Приём показаний")
    assert created.created_by == staff
    assert Notice.objects.filter(user=alice, dedupe_key=f"news-{created.pk}").exists()
    response = client.post(
        reverse("news_staff:edit", args=[created.pk]),
        {
            "title": "Приём показаний с 15 числа",
            "text": "С 15 по 25 число.",
            "published_at": "2026-11-01T10:00",
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.title == "Приём показаний с 15 числа"
    assert Notice.objects.filter(user=alice, dedupe_key=f"news-{created.pk}").count() == 1
