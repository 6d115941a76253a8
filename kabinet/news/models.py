"""Новости (001): what the utility tells its customers — changes of law and tariffs,
new services of the cabinet — and which of them each customer has read."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NewsQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Items whose publication time has come (an item can be dated ahead)."""
        return self.filter(published_at__lte=now or timezone.now())

    def visible_to(self, user):
        """Staff who write the news see every item, including those dated ahead; everyone
        else (other staff too) the published ones."""
        from kabinet.backoffice import roles

        if roles.can(user, roles.OUTAGES_NEWS):
            return self
        return self.published()

    def unread_by(self, user):
        return self.published().exclude(reads__user=user)


class News(models.Model):
    """Новость: a title, its text and when it is (or was) published."""

    title = models.CharField(_("заголовок"), max_length=200)
    text = models.TextField(_("текст"))
    published_at = models.DateTimeField(_("дата публикации"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто опубликовал"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set once the customers were notified (at publication, or when its time came).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NewsQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("новость")
        verbose_name_plural = _("новости")

    def __str__(self) -> str:
        return self.title


class NewsRead(models.Model):
    """A customer has read a news item: the unread marker no longer counts it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "news"], name="news_read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.news_id}"
