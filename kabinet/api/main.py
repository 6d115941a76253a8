"""The API object: ``/api/v1/`` with its docs at ``/api/v1/docs`` and the OpenAPI document at
``/api/v1/openapi.json`` (kept in the repository as ``docs/api/openapi.json``).

Routers live one per domain beside this module; they parse, call a service or selector and
serialise, and hold no rules of their own.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from kabinet.api import (
    accounts,
    addresses,
    appeals,
    applications,
    billing,
    contracts,
    errors,
    integration,
    intervals,
    me,
    metering,
    news,
    outages,
    payments,
)
from kabinet.api.auth import CUSTOMER_AUTH
from kabinet.api.throttling import api_throttles


class Utf8JSONRenderer(JSONRenderer):
    """Russian text as it is («Лицевой счёт»), not as \\u escapes: half the size, readable."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Kabinet API",
    version="1",
    description=(
        "API личного кабинета потребителя. Клиентские методы принимают токен, созданный в "
        "профиле (Authorization: Bearer <токен>), или сессию кабинета. Методы интеграции "
        "принимают только учётные данные интеграции. Ошибки приходят в одном виде: "
        '{"code", "message", "fields"}.'
    ),
    urls_namespace="api-v1",
    auth=CUSTOMER_AUTH,
    throttle=api_throttles(),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)

# Routers, one per domain (kabinet/api/<domain>.py, or a package for a large one). Metering
# and billing hang off an account's path (/accounts/{uuid}/meters, …/charges), so they are
# mounted at the root.
api.add_router("/me/", me.router, tags=["Профиль и токены"])
api.add_router("/accounts/", accounts.router, tags=["Лицевые счета"])
api.add_router("/", metering.router, tags=["Приборы учёта и показания"])
api.add_router("/", billing.router, tags=["Начисления и квитанции"])
api.add_router("/payments/", payments.router, tags=["Оплата"])
api.add_router("/appeals/", appeals.router, tags=["Обращения"])
api.add_router("/outages/", outages.router, tags=["Отключения"])
api.add_router("/addresses/", addresses.router, tags=["Адреса"])
api.add_router("/news/", news.router, tags=["Новости"])
api.add_router("/applications/", applications.router, tags=["Заявки"])
api.add_router("/contracts/", contracts.router, tags=["Договоры"])
api.add_router("/intervals/", intervals.router, tags=["Интервальные данные (ИСУ, КУУТЭ)"])
api.add_router("/integration/", integration.router, tags=["Интеграция"])
