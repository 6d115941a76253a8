"""One error shape for every API answer that is not a success.

    {"code": "invalid", "message": "Показание меньше предыдущего.", "fields": {"value": ["…"]}}

``code`` is stable and machine-readable; ``message`` is Russian (or the request's language) and
meant for the person; ``fields`` maps a request field to its messages, when the error belongs to
one. Every operation declares ``ErrorOut`` for its error statuses (``ERRORS``), so the OpenAPI
document says what a client gets.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled

from kabinet.core.errors import DomainError, Throttled

# Domain codes that mean "the object is not in the state for this" rather than "bad input".
CONFLICT_CODES = frozenset({"conflict", "state", "duplicate", "already"})


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


# The error statuses every operation can answer with; spread into ``response={...}``.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut}


def error_response(api, request, status: int, code: str, message, fields=None, headers=None):
    response = api.create_response(
        request,
        {"code": code, "message": str(message), "fields": fields or {}},
        status=status,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc) -> str:
    # ("body", "payload", "value") → "value"; ("query", "date_from") → "date_from"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "header")]
    return parts[-1] if parts else "__all__"


def _validation_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("Обязательное поле.")
    if kind.startswith(("int_", "float_", "decimal_")):
        return _("Введите число.")
    if kind.startswith(("date_", "datetime_")):
        return _("Введите дату в формате ГГГГ-ММ-ДД.")
    if kind.startswith("uuid"):
        return _("Неверный идентификатор.")
    if kind in ("string_too_long",):
        return _("Слишком длинное значение.")
    if kind in ("string_too_short",):
        return _("Слишком короткое значение.")
    if kind.startswith("literal_") or kind == "enum":
        return _("Недопустимое значение.")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("Значение вне допустимого диапазона.")
    return _("Неверное значение.")


def install(api) -> None:
    """Map every error an operation can raise to the one shape."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        if isinstance(exc, Throttled):
            return error_response(
                api,
                request,
                429,
                exc.code,
                exc.message,
                headers={"Retry-After": str(exc.retry_after_seconds)},
            )
        status = 409 if exc.code in CONFLICT_CODES else 403 if exc.code == "forbidden" else 400
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return error_response(api, request, status, exc.code, exc.message, fields)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(
                _validation_message(error)
            )
        return error_response(
            api, request, 422, "validation", _("Проверьте выделенные поля."), fields
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return error_response(
            api,
            request,
            401,
            "unauthorized",
            _("Нужен действующий токен (Authorization: Bearer <токен>) или вход в кабинет."),
            headers={"WWW-Authenticate": 'Bearer realm="kabinet"'},
        )

    @api.exception_handler(AuthorizationError)
    def authorization_error(request, exc):
        return error_response(api, request, 403, "forbidden", _("Недостаточно прав."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(api, request, 404, "not_found", _("Не найдено."))

    @api.exception_handler(NinjaThrottled)
    def throttled(request, exc: NinjaThrottled):
        wait = int(exc.wait or 1)
        return error_response(
            api,
            request,
            429,
            "throttled",
            _("Слишком много запросов. Повторите через %(seconds)s с.") % {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return error_response(api, request, exc.status_code, "error", exc.message)
