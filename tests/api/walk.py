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
    # An online payment (the demo has none), started as the pay page starts one.
    resident, client = owners[0]
    account = client.get("/api/v1/accounts/").json()[0]["uuid"]
    started = client.post(
        "/api/v1/payments/",
        {
            "parts": [{"account": account, "amount": "100.00"}],
            "method": "card",
            "receipt_email": resident.email,
        },
        content_type="application/json",
    )
    assert started.status_code == 201, (started.status_code, started.content)
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


def _explicit_sources():
    """Objects a path names that no list shows, by (segment before the parameter, name)."""
    from kabinet.appeals.models import Attachment
    from kabinet.applications.models import ApplicationFile
    from kabinet.billing.models import IssuedDocument

    def receipts(user, filled_prefix):
        account_uuid = filled_prefix.split("/accounts/")[1].split("/")[0]
        periods = IssuedDocument.objects.filter(
            account__uuid=account_uuid, kind=IssuedDocument.Kind.RECEIPT
        ).values_list("period", flat=True)
        return [p.strftime("%Y-%m") for p in periods.order_by("-period")[:CANDIDATES]]

    def appeal_files(user, filled_prefix):
        rows = Attachment.objects.visible_to(user).values_list("uuid", flat=True)
        return list(rows[:CANDIDATES])

    def application_files(user, filled_prefix):
        app_uuid = filled_prefix.split("/applications/")[1].split("/")[0]
        rows = ApplicationFile.objects.visible_to(user).filter(application__uuid=app_uuid)
        return list(rows.values_list("uuid", flat=True)[:CANDIDATES])

    def application_steps(user, filled_prefix):
        from kabinet.applications.models import Application

        app_uuid = filled_prefix.split("/applications/")[1].split("/")[0]
        application = Application.objects.visible_to(user).filter(uuid=app_uuid).first()
        if application is None:
            return []
        return [step.slug for step in application.spec.steps][:CANDIDATES]

    def outages(user, filled_prefix):
        from kabinet.outages.models import Outage

        rows = Outage.objects.visible_to(user).order_by("-id").values_list("id", flat=True)
        return list(rows[:CANDIDATES])

    return {
        ("outages", "outage_id"): outages,
        ("receipts", "period"): receipts,
        ("files", "uuid"): appeal_files,
        ("files", "file_uuid"): application_files,
        ("steps", "slug"): application_steps,
    }


CANDIDATES = 8


def _candidates(client: Client, user, prefix: str, param: str) -> list:
    segment = prefix.rstrip("/").rsplit("/", 1)[-1]
    explicit = _explicit_sources().get((segment, param))
    if explicit is not None:
        return explicit(user, prefix)
    models = _segment_models()
    if segment in models:
        rows = models[segment].objects.visible_to(user).values_list("uuid", flat=True)
        return list(rows[:CANDIDATES])
    listing = client.get(prefix)
    if listing.status_code == 404 and prefix.endswith("/"):
        listing = client.get(prefix.rstrip("/"))
    if listing.status_code != 200:
        return []
    found = (_identifier(item, param) for item in _items(listing.json()))
    return [value for value in found if value][:CANDIDATES]


def fill(client: Client, user, template: str, query: dict | None = None) -> str | None:
    """``template`` with every ``{param}`` replaced by the user's own objects, such that the
    user's GET of it succeeds: candidates come from the list at the path before the
    parameter, the user's rows of the model the segment names, or ``_explicit_sources``.
    None when no combination works (the user has no such object)."""
    match = PARAM.search(template)
    if match is None:
        answer = client.get(template, query or {})
        return template if 200 <= answer.status_code < 300 else None
    prefix = template[: match.start()]
    for value in _candidates(client, user, prefix, match.group(1)):
        filled = fill(client, user, prefix + str(value) + template[match.end() :], query)
        if filled is not None:
            return filled
    return None


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
