"""What the API tests share: the OpenAPI document, token clients, and filling a path's
parameters with objects a customer owns (so calls reach real rows, not only 404s)."""

import json
import re
from datetime import timedelta
from functools import cache

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import make_user
from kabinet.core.management.commands.api_schema import current_schema_text

PARAM = re.compile(r"\{([^}]+)\}")
CUSTOMERS = ("resident@example.ru", "buh@teplo-plus.example.ru", "developer@example.ru")
ID_KEYS = ("uuid", "id", "number", "period")


@cache
def schema() -> dict:
    return json.loads(current_schema_text())


def token_secret(user, scope: str = "full", name: str = "") -> str:
    from kabinet.identity.services import api_token_issue

    name = name or f"tests {scope}"
    _token, secret = api_token_issue(user=user, name=name, scope=scope)
    return secret


def token_client(user, scope: str = "full") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_secret(user, scope)}")


def demo_world():
    """The demo's customers (each with a token client), a stranger and an administrator."""
    from kabinet.identity.models import User

    call_command("demo_data", quiet=True)
    owners = [(u, token_client(u)) for u in (User.objects.get(email=e) for e in CUSTOMERS)]
    stranger = token_client(make_user(email="stranger@example.ru", phone="+79110000099"))
    staff = Client()
    staff.force_login(make_user(login="api-admin", staff=True, role="admin"))
    return owners, stranger, staff


def required_query(template: str, method: str = "get") -> dict:
    """Values for an operation's required query parameters (a period: the last 30 days)."""
    today = timezone.localdate()
    defaults = {
        "date_from": (today - timedelta(days=29)).isoformat(),
        "date_to": today.isoformat(),
    }
    params = schema()["paths"][template][method].get("parameters", [])
    needed = [p["name"] for p in params if p["in"] == "query" and p.get("required")]
    missing = [name for name in needed if name not in defaults]
    assert not missing, f"{template}: add a value for the query parameters {missing}"
    return {name: defaults[name] for name in needed}


def _segment_models():
    """Where a path names an object by the segment before it, and no list sits at that
    segment, the object is one the owner sees of this model."""
    from kabinet.contracts.models import MeteringUnit
    from kabinet.metering.interval_models import IntervalSeries
    from kabinet.metering.models import Meter

    return {"meters": Meter, "units": MeteringUnit, "series": IntervalSeries}


def _items(body):
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "results", "data"):
            if isinstance(body.get(key), list):
                return body[key]
    return []


def _identifier(item, param: str):
    for key in (param, *ID_KEYS):
        if isinstance(item, dict) and item.get(key) not in (None, ""):
            return item[key]
    return None


def fill(client: Client, user, template: str) -> str | None:
    """``template`` with every ``{param}`` replaced by one of the user's own objects: the
    first item of the list at the path before it, or the user's first row of the model the
    segment names. None when the user has no such object."""
    models = _segment_models()
    path = template
    while match := PARAM.search(path):
        param = match.group(1)
        prefix = path[: match.start()]
        segment = prefix.rstrip("/").rsplit("/", 1)[-1]
        if segment in models:
            value = models[segment].objects.visible_to(user).values_list("uuid", flat=True).first()
        else:
            listing = client.get(prefix)
            if listing.status_code == 404 and prefix.endswith("/"):
                listing = client.get(prefix.rstrip("/"))
            if listing.status_code != 200:
                return None
            value = next(
                (v for v in (_identifier(i, param) for i in _items(listing.json())) if v), None
            )
        if value is None:
            return None
        path = prefix + str(value) + path[match.end() :]
    return path


def path_parameters(template: str, filled: str) -> dict:
    """The values ``fill`` chose, by parameter name."""
    names = PARAM.findall(template)
    pattern = (
        "^"
        + PARAM.sub("([^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        + "$"
    )
    found = re.match(pattern, filled)
    return dict(zip(names, found.groups(), strict=True)) if found else {}
