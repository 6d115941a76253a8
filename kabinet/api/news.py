"""Новости through the API: what a customer sees in «Новости» (published items only;
staff who write the news also those dated ahead), and marking them read — the same
queryset and services as the pages (``kabinet.news``). News items have integer ids."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kabinet.api.auth import require_full
from kabinet.api.errors import ERRORS, WRITE_ERRORS
from kabinet.api.pagination import Pagination
from kabinet.news import services
from kabinet.news.models import News, NewsRead

router = Router()


class NewsOut(Schema):
    id: int = Field(description="Идентификатор новости")
    title: str = Field(description="Заголовок")
    text: str = Field(description="Текст")
    published_at: datetime = Field(description="Дата публикации")
    unread: bool = Field(description="Пользователь ещё не читал новость")

    @staticmethod
    def resolve_unread(obj) -> bool:
        return bool(getattr(obj, "unread", False))


class ReadAllOut(Schema):
    marked: int = Field(description="Сколько новостей отмечено прочитанными")


def _news(request):
    items = News.objects.visible_to(request.user)
    if request.user.is_staff:
        return items
    read = NewsRead.objects.filter(news=OuterRef("pk"), user=request.user)
    return items.annotate(unread=~Exists(read))


@router.get("/", response={200: list[NewsOut], **ERRORS}, summary="Новости")
@paginate(Pagination)
def news_list(request):
    """Новости, новые первыми, с отметкой непрочитанных. Прочитанными их делает
    POST /news/read (как открытие списка в кабинете)."""
    return _news(request)


@router.post("/read", response={200: ReadAllOut, **WRITE_ERRORS}, summary="Прочитать все")
def news_read_all(request):
    """Всё опубликованное отмечается прочитанным."""
    require_full(request)
    return {"marked": services.news_read_all(user=request.user)}


@router.get("/{news_id}", response={200: NewsOut, **ERRORS}, summary="Новость")
def news_detail(request, news_id: int):
    """Одна новость. Прочитанной её делает POST /news/{id}/read."""
    return get_object_or_404(_news(request), pk=news_id)


@router.post("/{news_id}/read", response={204: None, **WRITE_ERRORS}, summary="Прочитать")
def news_read(request, news_id: int):
    """Новость прочитана (и её уведомление тоже), как при открытии её страницы."""
    require_full(request)
    services.news_read(user=request.user, news=get_object_or_404(_news(request), pk=news_id))
    return Status(204, None)
