"""Writes of the news app: staff publish and correct news; a customer's reading clears
the unread marker; customers are told of a new item through the notification service."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.errors import DomainError
from kabinet.news.models import News, NewsRead
from kabinet.notifications.models import Kind, Notice
from kabinet.notifications.services import notices_read, notify

TITLE_MAX = 200


def _check(*, title: str, text: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    text = (text or "").strip()
    if not title:
        raise DomainError(_("Укажите заголовок новости."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(
            _("Заголовок — не длиннее %(n)s символов.") % {"n": TITLE_MAX}, field="title"
        )
    if not text:
        raise DomainError(_("Напишите текст новости."), field="text")
    return title, text


def _queue_notices(news: News) -> None:
    if news.published_at <= timezone.now():
        from kabinet.news import tasks

        transaction.on_commit(lambda: tasks.notify_due.delay())


@transaction.atomic
def news_publish(*, title: str, text: str, published_at: datetime | None = None, by=None) -> News:
    """Опубликовать новость. Customers are notified once its publication time comes."""
    title, text = _check(title=title, text=text)
    news = News.objects.create(
        title=title, text=text, published_at=published_at or timezone.now(), created_by=by
    )
    if by is not None:  # the demo's news are not journalled
        audit_record(
            actor=by,
            action="news_publish",
            target=news,
            changes={"title": [None, title], "published_at": [None, news.published_at]},
        )
    _queue_notices(news)
    return news


@transaction.atomic
def news_update(*, news: News, title: str, text: str, published_at: datetime, by=None) -> News:
    """Correct a news item. Readers are not notified again; an item moved ahead that was
    not yet notified is notified when its time comes."""
    title, text = _check(title=title, text=text)
    news = News.objects.select_for_update().get(pk=news.pk)
    before = audit_snapshot(news, ["title", "text", "published_at"])
    news.title, news.text, news.published_at = title, text, published_at
    news.save(update_fields=["title", "text", "published_at"])
    changes = audit_diff(before, audit_snapshot(news, ["title", "text", "published_at"]))
    if "text" in changes:  # a news text is long: the journal says only that it changed
        changes["text"] = ["…", "…"]
    audit_record(actor=by, action="news_update", target=news, changes=changes)
    if news.notified_at is None:
        _queue_notices(news)
    return news


def news_notify_due(*, now: datetime | None = None) -> int:
    """Notify every customer of the news items whose time has come and that were not yet
    notified (one notice per customer and item: the dedupe key makes a rerun harmless).
    Returns how many items were notified."""
    from kabinet.identity.models import User

    now = now or timezone.now()
    done = 0
    for news_id in (
        News.objects.published(now=now).filter(notified_at=None).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            news = News.objects.select_for_update().filter(pk=news_id, notified_at=None).first()
            if news is None:
                continue
            url = reverse("news:detail", args=[news.pk])
            customers = User.objects.filter(status=User.Status.ACTIVE, is_staff=False).only(
                "pk", "email", "phone"
            )
            for user in customers.iterator(chunk_size=500):
                notify(
                    user=user,
                    kind=Kind.NEWS,
                    title=news.title,
                    url=url,
                    dedupe_key=f"news-{news.pk}",
                )
            news.notified_at = now
            news.save(update_fields=["notified_at"])
        done += 1
    return done


def news_read(*, user, news: News) -> None:
    """The customer opened the news item: it no longer counts as unread, and its notice
    in «Уведомления» is read too."""
    if not user.is_authenticated or user.is_staff:
        return
    with transaction.atomic():
        NewsRead.objects.get_or_create(user=user, news=news)
        ids = Notice.objects.filter(user=user, dedupe_key=f"news-{news.pk}", read_at=None)
        notices_read(user=user, ids=ids.values_list("pk", flat=True))


def news_read_all(*, user, now: datetime | None = None) -> int:
    """The customer opened the news list: everything published so far counts as read."""
    if not user.is_authenticated or user.is_staff:
        return 0
    with transaction.atomic():
        unread = list(
            News.objects.unread_by(user)
            .filter(published_at__lte=now or timezone.now())
            .values_list("pk", flat=True)
        )
        if not unread:
            return 0
        NewsRead.objects.bulk_create(
            [NewsRead(user=user, news_id=pk) for pk in unread], ignore_conflicts=True
        )
        notices_read(
            user=user,
            ids=Notice.objects.filter(
                user=user, read_at=None, dedupe_key__in=[f"news-{pk}" for pk in unread]
            ).values_list("pk", flat=True),
        )
        return len(unread)
