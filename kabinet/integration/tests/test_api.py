"""The billing system's HTTP API: bearer tokens, a file posted as the raw body or as a
form, the batch it makes (source «http») and its status as JSON."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kabinet.integration.api import XLSX_TYPE
from kabinet.integration.models import ImportBatch
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db

TOKEN = "billing-token-0123456789"
CREATE = "/api/integration/imports/readings/"


@pytest.fixture(autouse=True)
def _tokens(settings):
    settings.KABINET_INTEGRATION_TOKENS = ["old-token", TOKEN]


@pytest.fixture
def api():
    # CSRF checks on, as for a real client: the API must not need a CSRF token.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def meter():
    return f.meter(f.account())


def _csv(meter) -> bytes:
    n, m = meter.account.number, meter.number
    return f"account;meter;period;value\n{n};{m};2026-03;15,5\n{n};НЕТ;2026-03;1\n".encode()


def _post(api, body: bytes, *, token=TOKEN, url=CREATE, content_type="text/csv"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.post(url, data=body, content_type=content_type, headers=headers)


def test_no_tokens_configured_is_404(api, settings, meter):
    settings.KABINET_INTEGRATION_TOKENS = []
    assert _post(api, _csv(meter)).status_code == 404
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    response = api.get(f"/api/integration/imports/{batch.uuid}/")
    assert response.status_code == 404
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer ", f"Bearer {TOKEN}x"]
)
def test_a_missing_or_bad_token_is_401(api, meter, header):
    headers = {"Authorization": header} if header else {}
    response = api.post(CREATE, data=_csv(meter), content_type="text/csv", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["error"]
    assert not ImportBatch.objects.exists()


def test_a_good_token_makes_a_batch_and_previews_it(api, meter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, _csv(meter), token="old-token")
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    body = response.json()
    assert body["uuid"] == str(batch.uuid)
    assert body["url"] == f"http://testserver/api/integration/imports/{batch.uuid}/"
    assert (batch.source, batch.created_by, batch.format, batch.auto_apply) == (
        "http",
        None,
        "csv",
        False,
    )
    assert batch.original_name == "readings.csv"
    assert batch.status == "previewed" and not Reading.objects.exists()

    status = api.get(body["url"], headers={"Authorization": f"Bearer {TOKEN}"})
    assert status.status_code == 200
    data = status.json()
    assert (data["status"], data["kind"], data["source"]) == ("previewed", "readings", "http")
    assert (data["total"], data["created"], data["rejected"]) == (2, 1, 1)
    assert data["rejections"] == [
        {"line": 3, "reason": f"Счётчик НЕТ лицевого счёта {meter.account.number} не найден."}
    ]


def test_apply_1_applies_after_the_preview(api, meter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, _csv(meter), url=CREATE + "?apply=1&name=март.csv")
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created, batch.rejected) == ("applied", 1, 1)
    assert batch.original_name == "март.csv"
    assert Reading.objects.get().status == "accepted"
    data = api.get(response.json()["url"], headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert (data["status"], data["created"], data["progress"]) == ("applied", 1, 2)


def test_the_status_needs_the_token_too(api, meter):
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    url = f"/api/integration/imports/{batch.uuid}/"
    assert api.get(url).status_code == 401
    assert api.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    other = "/api/integration/imports/00000000-0000-0000-0000-000000000000/"
    assert api.get(other, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_multipart_and_xlsx(api, meter, django_capture_on_commit_callbacks):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["account", "meter", "period", "value"])
    book.active.append([meter.account.number, meter.number, "03.2026", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            CREATE + "?apply=1",
            {"file": SimpleUploadedFile("from-billing.xlsx", buffer.getvalue())},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        raw = _post(api, buffer.getvalue(), content_type=XLSX_TYPE)
    assert (response.status_code, raw.status_code) == (202, 202)
    first, second = ImportBatch.objects.order_by("pk")
    assert (first.format, first.original_name, first.status) == (
        "xlsx",
        "from-billing.xlsx",
        "applied",
    )
    assert (second.format, second.status, second.unchanged) == ("xlsx", "previewed", 1)
    assert Reading.objects.count() == 1


def test_what_is_refused(api, meter):
    assert _post(api, _csv(meter), content_type="application/json").status_code == 415
    headers = {"Authorization": f"Bearer {TOKEN}"}
    empty = api.generic("POST", CREATE, b"", CONTENT_TYPE="text/csv", headers=headers)
    assert (empty.status_code, empty.json()["error"]) == (400, "Файл пуст.")
    unknown = _post(api, _csv(meter), url="/api/integration/imports/cats/")
    assert unknown.status_code == 404
    assert api.get(CREATE, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_limit_is_413_and_makes_nothing(api, settings, meter):
    settings.KABINET_INTEGRATION_MAX_FILE_MB = 1
    big = b"account;meter;period;value\n" + b"1;2;2026-03;1\n" * 90_000  # about 1.2 MB
    response = _post(api, big)
    assert response.status_code == 413
    assert "больше 1 МБ" in response.json()["error"]
    form = {"file": SimpleUploadedFile("r.csv", big, content_type="text/csv")}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert api.post(CREATE, data=form, headers=headers).status_code == 413
    assert not ImportBatch.objects.exists()
