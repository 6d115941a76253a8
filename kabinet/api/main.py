"""The API object: ``/api/v1/`` with its docs at ``/api/v1/docs`` and the OpenAPI document at
``/api/v1/openapi.json`` (kept in the repository as ``docs/api/openapi.json``).

Routers live one per domain beside this module; they parse, call a service or selector and
serialise, and hold no rules of their own.
"""

from ninja import NinjaAPI

from kabinet.api import errors
from kabinet.api.auth import CUSTOMER_AUTH

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
)
errors.install(api)

# Routers are added here, one per domain (kabinet/api/<domain>.py).

from kabinet.api import appeals, applications, contracts, news, outages  # noqa: E402

api.add_router("/appeals/", appeals.router, tags=["Обращения"])
api.add_router("/outages/", outages.router, tags=["Отключения"])
api.add_router("/news/", news.router, tags=["Новости"])
api.add_router("/applications/", applications.router, tags=["Заявки"])
api.add_router("/contracts/", contracts.router, tags=["Договоры"])
