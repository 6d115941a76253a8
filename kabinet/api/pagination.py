"""Lists page by ``limit`` and ``offset``, both bounded: a number past the bounds is a 422 in
the error shape, never a database overflow."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=settings.NINJA_PAGINATION_MAX_LIMIT,
            description="Сколько записей на странице",
        )
        offset: int = Field(
            0, ge=0, le=settings.NINJA_PAGINATION_MAX_OFFSET, description="Сколько пропустить"
        )
