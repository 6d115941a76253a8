"""Лицевые счета through the API, with the cabinet's session: the owner sees what the
account page shows, another customer gets 404, staff follow ``visible_to``; adding and
removing an account go through the page's form and services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.models import AccountLinkEvent, PersonalAccount
from kabinet.customer_accounts.tests.factories import account, charge, payment

pytestmark = pytest.mark.django_db

LAST = add_months(period_of(timezone.localdate()), -1)
BASE = "/api/v1/accounts"
LIST = f"{BASE}/"


@pytest.fixture
def acc(alice):
    a = account(owner=alice)
    a.linked_at = timezone.now() - timedelta(days=40)
    a.save()
    charge(a, LAST, 412345)
    charge(a, LAST, 1234, service="Пени", kind="penalty")
    return a


def test_list_shows_my_accounts_with_balance(client, alice, acc):
    account(number="100000002", flat="3")  # nobody's
    client.force_login(alice)
    response = client.get(LIST)
    assert response.status_code == 200
    (row,) = response.json()
    assert row["uuid"] == str(acc.uuid)
    assert row["number"] == "100000001"
    assert row["address"] == acc.premises.address
    assert row["holder"] == "Иванов И. И."
    assert row["balance"] == "4135.79"
    assert row["kind"] == "residential"


def test_detail_has_the_page_summary(client, alice, acc):
    payment(acc, timezone.localdate(), 100000)
    client.force_login(alice)
    data = client.get(f"{BASE}/{acc.uuid}").json()
    s = data["summary"]
    assert s["last_period"] == LAST.isoformat()
    assert s["debt_end_of_last_period"] == "4135.79"
    assert s["penalties_in_debt"] == "12.34"
    assert s["paid_this_period"] == "1000.00"
    assert s["to_pay"] == "3135.79"
    assert {c["service"] for c in s["last_period_charges"]} == {"Отопление", "Пени"}
    line = next(c for c in s["last_period_charges"] if c["service"] == "Отопление")
    assert line["amount"] == "4123.45" and line["tariff"] == "3120.45"
    assert line["kind_label"] == "начисление"


def test_stranger_gets_404_on_every_account_url(client, charlie, acc):
    client.force_login(charlie)
    assert client.get(LIST).json() == []
    assert client.get(f"{BASE}/{acc.uuid}").status_code == 404
    response = client.delete(f"{BASE}/{acc.uuid}")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Не найдено.", "fields": {}}
    acc.refresh_from_db()
    assert acc.owner_id is not None


def test_staff_follow_visible_to(client, staff, acc):
    """Staff who may see customers (visible_to) read the account; it is not theirs, so
    it is not in their list and they cannot take it out of the cabinet."""
    client.force_login(staff)
    assert client.get(LIST).json() == []
    assert client.get(f"{BASE}/{acc.uuid}").json()["number"] == acc.number
    response = client.delete(f"{BASE}/{acc.uuid}")
    assert response.status_code == 400
    assert response.json()["message"] == "Этого лицевого счёта нет в вашем кабинете."
    acc.refresh_from_db()
    assert acc.owner_id is not None


def test_staff_without_customer_access_get_404(client, acc):
    from conftest import make_user

    reader = make_user(login="nobody1", staff=True)
    reader.groups.clear()  # staff with no role: no customers' data
    client.force_login(reader)
    assert client.get(f"{BASE}/{acc.uuid}").status_code == 404


def test_anonymous_gets_401(client, acc):
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_link_rules(client, alice):
    client.force_login(alice)
    assert client.get(f"{BASE}/link-rules").json() == {
        "proof": "last_payment",
        "number_digits": 9,
    }


def test_link_by_last_payment_adds_the_account(client, alice):
    a = account(number="100000009", flat="9")
    payment(a, date(2026, 10, 14), 234560)
    client.force_login(alice)
    response = client.post(
        LIST,
        {"number": "100000009", "amount": "2345.60", "paid_on": "2026-10-14"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["uuid"] == str(a.uuid)
    a.refresh_from_db()
    assert a.owner == alice
    assert AccountLinkEvent.objects.get(account=a).proof == "last_payment"


def test_link_bad_input_gets_the_forms_messages(client, alice):
    client.force_login(alice)
    response = client.post(
        LIST,
        {"number": "12", "amount": "abc", "paid_on": "2026-10-14"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"]["number"] == ["Номер лицевого счёта состоит из 9 цифр."]
    assert body["fields"]["amount"] == ["Введите сумму в рублях, например 1234,56."]


def test_link_wrong_proof_is_400_with_tries_left(client, alice):
    a = account(number="100000009", flat="9")
    payment(a, date(2026, 10, 14), 234560)
    client.force_login(alice)
    response = client.post(
        LIST,
        {"number": "100000009", "amount": "1.00", "paid_on": "2026-10-14"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_found"
    assert "Осталось 4 попытки." in response.json()["message"]
    a.refresh_from_db()
    assert a.owner is None


def test_link_someone_elses_account_is_refused(client, charlie, acc):
    payment(acc, date(2026, 10, 14), 234560)
    client.force_login(charlie)
    response = client.post(
        LIST,
        {"number": acc.number, "amount": "2345,60", "paid_on": "2026-10-14"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "taken"
    assert PersonalAccount.objects.get(pk=acc.pk).owner_id != charlie.pk


def test_unlink_takes_the_account_out(client, alice, acc):
    client.force_login(alice)
    response = client.delete(f"{BASE}/{acc.uuid}")
    assert response.status_code == 204
    acc.refresh_from_db()
    assert acc.owner is None
    assert client.get(f"{BASE}/{acc.uuid}").status_code == 404


def test_bad_uuid_is_422(client, alice):
    client.force_login(alice)
    response = client.get(f"{BASE}/not-a-uuid")
    assert response.status_code in (404, 422)


def test_openapi_declares_the_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/accounts/"]) == {"get", "post"}
    assert set(paths["/api/v1/accounts/{uuid}"]) == {"get", "delete"}
    assert "404" in paths["/api/v1/accounts/{uuid}"]["get"]["responses"]


def test_schema_names_are_unique_across_routers():
    """The OpenAPI document names each schema by its class: two routers' classes of one
    name would silently share one schema, and one of them would be documented wrongly."""
    import importlib
    import inspect
    import pkgutil

    from ninja import Schema

    import kabinet.api

    where: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(kabinet.api.__path__, prefix="kabinet.api."):
        if info.name.startswith("kabinet.api.tests"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            ours = inspect.isclass(obj) and obj.__module__ == module.__name__
            if ours and issubclass(obj, Schema):
                where.setdefault(obj.__name__, set()).add(module.__name__)
    assert {name: mods for name, mods in where.items() if len(mods) > 1} == {}


# --- заявки на привязку -----------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUESTS = f"{BASE}/link-requests"


@pytest.fixture
def uploads_dir(settings, tmp_path):
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def request_data(**extra):
    return {
        "number": "100000001",
        "address": "Санкт-Петербург, Садовая улица, д. 5, кв. 12",
        "holder_name": "Иванов Иван Иванович",
        "phone": "+7 911 000-00-11",
        **extra,
    }


@pytest.mark.usefixtures("uploads_dir")
def test_link_request_with_a_document(client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kabinet.customer_accounts.models import AccountLinkRequest

    account(number="100000001")
    client.force_login(alice)
    scan = SimpleUploadedFile("kvitanciya.pdf", PDF, content_type="application/pdf")
    response = client.post(REQUESTS, {**request_data(), "document": scan})
    assert response.status_code == 201, response.content
    data = response.json()
    row = AccountLinkRequest.objects.get()
    assert data["uuid"] == str(row.uuid) and row.user == alice
    assert data["status"] == "pending" and data["phone"] == "+79110000011"
    assert data["document_name"] == "kvitanciya.pdf"
    assert [r["uuid"] for r in client.get(REQUESTS).json()] == [data["uuid"]]
    assert client.get(f"{REQUESTS}/{row.uuid}").json()["number"] == "100000001"
    download = client.get(data["document_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.usefixtures("uploads_dir")
def test_link_request_bad_input_gets_the_pages_messages(client, alice):
    from kabinet.customer_accounts.models import AccountLinkRequest

    client.force_login(alice)
    response = client.post(REQUESTS, request_data(number="12345", address="", phone="12"))
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["number"] == ["Номер лицевого счёта состоит из 9 цифр."]
    assert fields["address"] == ["Обязательное поле."]
    assert fields["phone"] == ["Введите номер телефона в формате +7 900 000-00-00."]
    client.post(REQUESTS, request_data())
    again = client.post(REQUESTS, request_data())
    assert again.status_code == 400
    assert again.json()["fields"] == {
        "number": ["Заявка на привязку этого лицевого счёта уже подана и рассматривается."]
    }
    assert AccountLinkRequest.objects.count() == 1


@pytest.mark.usefixtures("uploads_dir")
def test_link_requests_another_customer_404_staff_by_visible_to(client, alice, charlie, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    uuid = client.post(REQUESTS, {**request_data(), "document": scan}).json()["uuid"]
    client.force_login(charlie)
    assert client.get(REQUESTS).json() == []
    assert client.get(f"{REQUESTS}/{uuid}").status_code == 404
    assert client.get(f"{REQUESTS}/{uuid}/document").status_code == 404
    # Staff who see customers read the request (visible_to); their own list is empty.
    client.force_login(staff)
    assert client.get(REQUESTS).json() == []
    assert client.get(f"{REQUESTS}/{uuid}").json()["uuid"] == uuid
    assert client.get(f"{REQUESTS}/{uuid}/document").status_code == 200
    response = client.post(REQUESTS, request_data())  # staff file no requests
    assert response.status_code == 400
    assert response.json()["message"] == "Сотрудники привязывают лицевые счета в бэк-офисе."


# A schema-valid body for every write operation of these routers (none of them may be
# reached by a read-only credential).
WRITE_BODIES = {
    ("post", "/api/v1/accounts/"): {"number": "100000001"},
    ("delete", "/api/v1/accounts/{uuid}"): None,
    ("post", "/api/v1/accounts/link-requests"): "multipart",
    ("post", "/api/v1/meters/{uuid}/readings"): {"values": {"total": "1"}},
    ("put", "/api/v1/accounts/{uuid}/receipt-delivery"): {"paperless": False},
    ("post", "/api/v1/payments/"): {"parts": [], "method": "card", "receipt_email": "a@b.ru"},
    ("post", "/api/v1/payments/{uuid}/retry"): None,
    ("delete", "/api/v1/payments/cards/{uuid}"): None,
    ("post", "/api/v1/payments/autopays"): {
        "account": "00000000-0000-4000-8000-000000000001",
        "card": "00000000-0000-4000-8000-000000000002",
        "day": 1,
        "ceiling": "1",
    },
    ("post", "/api/v1/payments/autopays/{uuid}/cancel"): None,
}
TAGS = {"Лицевые счета", "Приборы учёта и показания", "Начисления и квитанции", "Оплата"}


def _read_only(client, user, monkeypatch) -> dict:
    """A read-only credential for ``client``: a real read-only token once the token auth
    is in (``api_token_issue``); before it, the session answering as a read-only token."""
    try:
        from kabinet.identity.services import api_token_issue
    except ImportError:
        from types import SimpleNamespace

        from kabinet.api import auth

        def read_only(request, key):
            return SimpleNamespace(scope="read") if request.user.is_authenticated else None

        monkeypatch.setattr(auth.session_auth, "authenticate", read_only)
        client.force_login(user)
        return {}
    _token, secret = api_token_issue(user=user, name="read only", scope="read")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_read_only_credentials_cannot_write(client, alice, monkeypatch):
    """Every write operation calls require_full first: a read-only credential gets 403
    whatever the object, and nothing is written."""
    import json
    from uuid import uuid4

    headers = _read_only(client, alice, monkeypatch)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    writes = {
        (method, path)
        for path, ops in paths.items()
        for method, op in ops.items()
        if method != "get" and set(op.get("tags", [])) & TAGS
    }
    assert writes == set(WRITE_BODIES)
    for (method, path), data in WRITE_BODIES.items():
        url = path.replace("{uuid}", str(uuid4()))
        if data == "multipart":
            fields = {"number": "1", "address": "a", "holder_name": "b", "phone": "c"}
            response = client.post(url, fields, **headers)
        else:
            body = "" if data is None else json.dumps(data)
            response = client.generic(
                method.upper(), url, body, content_type="application/json", **headers
            )
        assert response.status_code == 403, (method, path, response.content)
        assert response.json()["code"] == "forbidden"
    assert not PersonalAccount.objects.exists()
