"""Every API path that names an object, tried as its owner, as another customer and as staff.

The paths come from the OpenAPI document, so a path added later is covered without a line
here. Each path's parameters are filled from the owner's own lists: ``/accounts/{uuid}`` takes
the first item of ``/accounts/``, and a nested path takes its parent's first. The owner is
whichever demo customer has such an object. Then, each with a token:

- the owner gets 2xx;
- another customer gets 404, whatever the object;
- staff who see customers (the administrator, through the session) get the owner's answer.

A path no demo customer can fill is a failure, unless it is in ``UNFILLED`` with the reason.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import make_user
from kabinet.core.management.commands.api_schema import current_schema_text

PARAM = re.compile(r"\{([^}]+)\}")
CUSTOMERS = ("resident@example.ru", "buh@teplo-plus.example.ru", "developer@example.ru")
ID_KEYS = ("uuid", "id", "number", "period")

# Paths with parameters that are not objects of a customer's, with the reason.
UNFILLED: dict[str, str] = {}


def _schema():
    import json

    return json.loads(current_schema_text())


def _object_get_paths():
    return sorted(
        path
        for path, item in _schema()["paths"].items()
        if "get" in item
        and PARAM.search(path)
        and not path.startswith("/api/v1/integration/")
        and path not in UNFILLED
    )


def _required_query(template: str) -> dict:
    """Values for the operation's required query parameters (a period: the last 30 days)."""
    today = timezone.localdate()
    defaults = {
        "date_from": (today - timedelta(days=29)).isoformat(),
        "date_to": today.isoformat(),
    }
    params = _schema()["paths"][template]["get"].get("parameters", [])
    needed = [p["name"] for p in params if p["in"] == "query" and p.get("required")]
    missing = [name for name in needed if name not in defaults]
    assert not missing, f"{template}: add a value for the query parameters {missing}"
    return {name: defaults[name] for name in needed}


def _segment_models():
    """Where a path names an object by the segment before it, and no list sits at that
    segment, the object is the owner's own of this model."""
    from kabinet.contracts.models import MeteringUnit
    from kabinet.metering.interval_models import IntervalSeries
    from kabinet.metering.models import Meter

    return {"meters": Meter, "units": MeteringUnit, "series": IntervalSeries}


def _token_client(user) -> Client:
    from kabinet.identity.services import api_token_issue

    _token, secret = api_token_issue(user=user, name="access", scope="full")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _items(body):
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "results", "data"):
            if isinstance(body.get(key), list):
                return body[key]
    return []


def _identifier(item: dict, param: str):
    for key in (param, *ID_KEYS):
        if isinstance(item, dict) and item.get(key) not in (None, ""):
            return item[key]
    return None


def _fill(client: Client, user, path: str) -> str | None:
    """``path`` with every ``{param}`` replaced by one of the client's own objects."""
    models = _segment_models()
    while match := PARAM.search(path):
        param = match.group(1)
        prefix = path[: match.start()]
        segment = prefix.rstrip("/").rsplit("/", 1)[-1]
        if segment in models:
            value = models[segment].objects.visible_to(user).values_list("uuid", flat=True).first()
            if value is None:
                return None
            path = prefix + str(value) + path[match.end() :]
            continue
        listing = client.get(prefix) if prefix.endswith("/") else client.get(prefix + "/")
        if listing.status_code == 404 and prefix.endswith("/"):
            listing = client.get(prefix.rstrip("/"))
        if listing.status_code != 200:
            return None
        items = _items(listing.json())
        value = next((v for v in (_identifier(i, param) for i in items) if v is not None), None)
        if value is None:
            return None
        path = prefix + str(value) + path[match.end() :]
    return path


@pytest.fixture
def world(db):
    from kabinet.identity.models import User

    call_command("demo_data", quiet=True)
    owners = [
        (user, _token_client(user)) for user in (User.objects.get(email=e) for e in CUSTOMERS)
    ]
    stranger = _token_client(make_user(email="stranger@example.ru", phone="+79110000099"))
    staff = Client()
    staff.force_login(make_user(login="api-admin", staff=True, role="admin"))
    return owners, stranger, staff


@pytest.mark.parametrize("template", _object_get_paths())
def test_object_path_owner_stranger_staff(world, template):
    owners, stranger, staff = world
    for user, owner in owners:
        path = _fill(owner, user, template)
        if path is not None:
            break
    else:
        pytest.fail(f"no demo customer has an object for {template}: add demo data or UNFILLED")
    query = _required_query(template)

    mine = owner.get(path, query)
    assert 200 <= mine.status_code < 300, (path, mine.status_code, mine.content[:300])

    theirs = stranger.get(path, query)
    assert theirs.status_code == 404, (path, theirs.status_code, theirs.content[:300])
    assert theirs.json()["code"] == "not_found"

    seen_by_staff = staff.get(path, query)
    assert seen_by_staff.status_code == mine.status_code, (path, seen_by_staff.status_code)
    if mine["Content-Type"].startswith("application/json"):
        assert seen_by_staff.json() == mine.json()


def test_every_object_path_is_walked():
    # The walk above is built from the document: it must find the customer object paths.
    assert len(_object_get_paths()) >= 1
