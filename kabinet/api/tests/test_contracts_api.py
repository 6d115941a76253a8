"""Договоры through the API, read-only: the organisation's cabinet sees its contracts
with their debt and their signed акты сверки and счета-фактуры, a stranger gets 404,
staff per ``visible_to``."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from kabinet.contracts.models import SignedDocument
from kabinet.contracts.tests.factories import OTHER_INN, contract, organisation
from kabinet.customer_accounts.tests.factories import charge, payment
from kabinet.identity.services import api_token_issue

pytestmark = pytest.mark.django_db

BASE = "/api/v1/contracts/"


@pytest.fixture
def con(alice):
    c = contract(party=organisation(alice))
    closed = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    charge(c.account, closed, 150_000)
    charge(c.account, closed, 2_345, kind="penalty", service="Пени")
    payment(c.account, closed, 50_000)
    return c


def test_list_with_debts(client, alice, con):
    other = contract(party=organisation(alice, inn=OTHER_INN, name="ООО «Лютик»"))
    client.force_login(alice)
    response = client.get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["number"] for c in body["items"]] == sorted([con.number, other.number])
    mine = next(c for c in body["items"] if c["uuid"] == str(con.uuid))
    assert Decimal(mine["debt"]) == Decimal("1023.45")
    assert Decimal(mine["penalties"]) == Decimal("23.45")
    assert mine["state_label"] == "заключён"
    assert Decimal(body["total_debt"]) == Decimal("1023.45")
    page = client.get(BASE, {"limit": 1, "offset": 1}).json()
    assert len(page["items"]) == 1 and page["count"] == 2


def test_detail(client, alice, con):
    client.force_login(alice)
    response = client.get(f"{BASE}{con.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == con.number and body["can_act"] is True
    assert body["curators"][0]["full_name"] == "Хлынова Ирина Владимировна"
    assert body["payment_terms"][0]["day"] == 18
    assert body["objects"][0]["name"] == "Административное здание"
    unit = con.units.get()
    assert body["units"][0]["uuid"] == str(unit.uuid)
    assert body["points"][0]["unit"] == str(unit.uuid)
    assert body["signed_on"] == date(2015, 10, 1).isoformat()


def test_stranger_and_staff(client, charlie, staff, con):
    client.force_login(charlie)
    assert client.get(BASE).json()["count"] == 0
    response = client.get(f"{BASE}{con.uuid}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(staff)
    body = client.get(BASE).json()
    assert body["count"] == 1 and body["total_debt"] is None
    detail = client.get(f"{BASE}{con.uuid}").json()
    assert detail["can_act"] is False


def test_anonymous_and_utilities_without_contracts(client, alice, con, settings):
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}{con.uuid}").status_code == 401
    settings.KABINET_UTILITY = "gorseti_tomsk"
    client.force_login(alice)
    assert client.get(BASE).status_code == 404


def test_list_queries_do_not_grow_with_contracts(client, alice, con):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    client.get(BASE)  # the first request after signing in also saves the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(BASE).status_code == 200
    party = con.party
    for _ in range(4):
        contract(party=party)
    with CaptureQueriesContext(connection) as five:
        assert client.get(BASE).json()["count"] == 5
    assert len(five) == len(one)


# --- Акты сверки и счета-фактуры ------------------------------------------------------


@pytest.fixture
def signing_key(settings, tmp_path_factory):
    # The demo key, made once per test worker outside the repository's var/.
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None


def _closed_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def test_documents_listed_and_downloaded_by_the_owner(client, alice, con, signing_key):
    client.force_login(alice)
    month = f"{_closed_month():%Y-%m}"
    response = client.get(f"{BASE}{con.uuid}/documents")
    assert response.status_code == 200
    items = response.json()
    acts = [i for i in items if i["kind"] == "act"]
    facturas = [i for i in items if i["kind"] == "factura"]
    assert len(acts) == 12  # the twelve closed months, as on the page
    assert [f["period"] for f in facturas] == [month]  # only the month with charges
    act = acts[0]
    assert act["period"] == month and act["document"] == f"act-{month}"
    assert act["kind_label"] == "акт сверки"
    assert act["issued"] is False and act["signed"] is False and act["number"] is None
    assert act["download"] == f"{BASE}{con.uuid}/documents/act-{month}.pdf"

    pdf = client.get(act["download"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;")
    factura = client.get(facturas[0]["download"])
    assert factura.status_code == 200 and factura.content.startswith(b"%PDF")

    again = {i["document"]: i for i in client.get(f"{BASE}{con.uuid}/documents").json()}
    made = again[f"act-{month}"]
    stored = SignedDocument.objects.get(contract=con, kind="act")
    assert made["issued"] is True and made["signed"] is True
    assert made["number"] == stored.number and made["signer"] == stored.signer
    assert made["signed_at"] is not None


def test_documents_bad_ids_and_refusals(client, alice, con, signing_key):
    client.force_login(alice)
    for bad in ("invoice-2026-01", "act-2026-13", "act-26-01", "act", "x"):
        response = client.get(f"{BASE}{con.uuid}/documents/{bad}.pdf")
        assert response.status_code == 404, bad
        assert response.json()["code"] == "not_found"
    assert client.get(f"{BASE}not-a-uuid/documents").status_code in (404, 422)
    # A month outside the last twelve closed ones: refused with the reason.
    current = f"{timezone.localdate():%Y-%m}"
    refused = client.get(f"{BASE}{con.uuid}/documents/act-{current}.pdf")
    assert refused.status_code == 400
    assert "последние 12 закрытых месяцев" in refused.json()["message"]

    # A stored file that no longer matches its signature is not handed out.
    month = f"{_closed_month():%Y-%m}"
    assert client.get(f"{BASE}{con.uuid}/documents/act-{month}.pdf").status_code == 200
    broken = SignedDocument.objects.get(contract=con, kind="act")
    pdf = bytearray(broken.pdf)
    pdf[200] ^= 1
    broken.pdf = bytes(pdf)
    broken.save()
    listed = {i["document"]: i for i in client.get(f"{BASE}{con.uuid}/documents").json()}
    assert listed[f"act-{month}"]["issued"] is True
    assert listed[f"act-{month}"]["signed"] is False
    response = client.get(f"{BASE}{con.uuid}/documents/act-{month}.pdf")
    assert response.status_code == 400
    assert response.json()["code"] == "signature"
    assert "не прошла проверку" in response.json()["message"]


def test_documents_stranger_staff_read_token(client, alice, charlie, staff, con, signing_key):
    month = f"{_closed_month():%Y-%m}"
    listing = f"{BASE}{con.uuid}/documents"
    download = f"{listing}/act-{month}.pdf"
    client.force_login(charlie)
    for url in (listing, download):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    assert not SignedDocument.objects.exists()  # a stranger's request makes nothing

    client.force_login(staff)
    assert client.get(listing).status_code == 200
    assert client.get(download).status_code == 200

    _token, secret = api_token_issue(user=alice, name="только чтение", scope="read")
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    items = reader.get(listing).json()
    assert items[0]["document"] == f"act-{month}" and items[0]["issued"] is True
    pdf = reader.get(download)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    client.logout()
    assert client.get(listing).status_code == 401
