"""``/api/v1/integration/``: integration credentials and their scopes, file imports, exports,
and the head-end's interval data, event logs and register snapshots."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from kabinet.integration.credentials import credential_create, credential_revoke
from kabinet.integration.models import ExportBatch, ImportBatch, IntegrationCredential
from kabinet.metering.interval_models import (
    Channel,
    DeviceEvent,
    IntervalDay,
    IntervalRevision,
    IntervalSeries,
    RegisterReading,
)
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/integration/"
IMPORT = BASE + "imports/readings"


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.KABINET_INTEGRATION_UPLOADS_DIR = str(tmp_path / "uploads")
    settings.KABINET_INTEGRATION_EXPORTS_DIR = str(tmp_path / "exports")
    settings.KABINET_INTEGRATION_TOKENS = []


@pytest.fixture
def api():
    # CSRF checks on, as for a real client: bearer calls must not need a CSRF token.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def token():
    """A token per set of scopes: ``token("imports", "intervals")``."""

    def make(*scopes):
        return credential_create(name="Биллинг", scopes=list(scopes))[1]

    return make


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def meter():
    return f.meter(f.account())


def readings_csv(meter) -> bytes:
    n, m = meter.account.number, meter.number
    return f"account;meter;period;value\n{n};{m};2026-03;15,5\n{n};НЕТ;2026-03;1\n".encode()


def post_csv(api, body: bytes, *, token, url=IMPORT):
    return api.post(url, data=body, content_type="text/csv", headers=auth(token))


# --- credentials ---------------------------------------------------------------------


def test_the_command_prints_the_token_once_and_keeps_only_its_hash(capsys):
    call_command("integration_credential", "create", "ИСУ", "--scope", "intervals")
    out = capsys.readouterr().out
    credential = IntegrationCredential.objects.get()
    token = out.strip().splitlines()[-1]
    assert token.startswith(f"kint_{credential.prefix}_")
    assert credential.scopes == ["intervals"] and credential.name == "ИСУ"
    assert token not in credential.secret_hash and len(credential.secret_hash) == 64
    call_command("integration_credential", "revoke", credential.prefix)
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    call_command("integration_credential", "list")
    assert credential.prefix in capsys.readouterr().out


def test_the_command_refuses_an_unknown_scope():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Неизвестное право"):
        call_command("integration_credential", "create", "X", "--scope", "everything")
    with pytest.raises(CommandError, match="хотя бы одно"):
        call_command("integration_credential", "create", "X")
    assert not IntegrationCredential.objects.exists()


def test_the_right_scope_works_and_is_recorded(
    api, meter, token, django_capture_on_commit_callbacks
):
    good = token("imports")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(api, readings_csv(meter), token=good)
    assert response.status_code == 202, response.content
    batch = ImportBatch.objects.get()
    body = response.json()
    assert body["uuid"] == str(batch.uuid)
    assert body["url"] == f"http://testserver/api/v1/integration/imports/batches/{batch.uuid}"
    assert (batch.source, batch.created_by, batch.status) == ("http", None, "previewed")
    assert IntegrationCredential.objects.get().last_used_at is not None


def test_a_wrong_scope_is_403_in_the_error_shape(api, meter, token):
    response = post_csv(api, readings_csv(meter), token=token("intervals", "exports"))
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "Недостаточно прав.", "fields": {}}
    assert not ImportBatch.objects.exists()


def test_a_revoked_credential_is_401_at_once(api, meter, token):
    good = token("imports")
    prefix = IntegrationCredential.objects.get().prefix
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    url = f"{BASE}imports/batches/{batch.uuid}"
    assert api.get(url, headers=auth(good)).status_code == 200
    credential_revoke(prefix=prefix)
    response = api.get(url, headers=auth(good))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert post_csv(api, readings_csv(meter), token=good).status_code == 401


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong", "Bearer kint_00000000_nope", "Basic abc", "Bearer "],
)
def test_a_missing_or_bad_token_is_401(api, token, header):
    token("imports")
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    headers = {"Authorization": header} if header else {}
    response = api.get(f"{BASE}imports/batches/{batch.uuid}", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_a_tampered_secret_is_401(api, token):
    good = token("imports")
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    bad = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert api.get(f"{BASE}imports/batches/{batch.uuid}", headers=auth(bad)).status_code == 401


def test_a_customers_session_is_401_here(api, alice, staff, meter):
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    for user in (alice, staff):
        client = Client()
        client.force_login(user)
        assert client.get(f"{BASE}imports/batches/{batch.uuid}").status_code == 401
        response = client.post(IMPORT, data=readings_csv(meter), content_type="text/csv")
        assert response.status_code == 401
    assert ImportBatch.objects.count() == 1


def test_an_integration_token_is_not_a_customer(api, token):
    """The session is not set by an integration token: the customer's own operations (any
    router on the default auth) answer 401 to it. Public operations (no security in the
    document: the outage search, tariffs) answer anyone."""
    from kabinet.api.main import api as ninja_api

    good = token("imports", "exports", "intervals")
    customer_paths = [
        path
        for path, item in ninja_api.get_openapi_schema()["paths"].items()
        if not path.startswith("/api/v1/integration/")
        and "get" in item
        and "{" not in path
        and item["get"].get("security")
    ]
    assert "/api/v1/accounts/" in customer_paths
    for path in customer_paths:
        assert api.get(path, headers=auth(good)).status_code == 401, path


def test_legacy_tokens_keep_the_imports_scope_only(api, settings, meter):
    settings.KABINET_INTEGRATION_TOKENS = ["legacy-token-0123"]
    batch = ImportBatch.objects.create(kind="readings", format="csv", original_name="r.csv")
    assert (
        api.get(
            f"{BASE}imports/batches/{batch.uuid}", headers=auth("legacy-token-0123")
        ).status_code
        == 200
    )
    body = {"kind": "readings", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    response = api.post(
        BASE + "exports",
        data=body,
        content_type="application/json",
        headers=auth("legacy-token-0123"),
    )
    assert response.status_code == 403


def test_the_old_urls_take_a_credential_with_imports(
    api, meter, token, django_capture_on_commit_callbacks
):
    good = token("imports")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(
            api, readings_csv(meter), token=good, url="/api/integration/imports/readings/"
        )
    assert response.status_code == 202
    assert response.json()["url"].startswith("http://testserver/api/integration/imports/")
    status = api.get(response.json()["url"], headers=auth(good)).json()
    assert (status["status"], status["created"], status["rejected"]) == ("previewed", 1, 1)
    other = token("intervals")
    assert (
        post_csv(api, b"x", token=other, url="/api/integration/imports/readings/").status_code
        == 401
    )


# --- imports -------------------------------------------------------------------------


def test_import_apply_and_status(api, meter, token, django_capture_on_commit_callbacks):
    good = token("imports")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(
            api, readings_csv(meter), token=good, url=IMPORT + "?apply=true&name=март.csv"
        )
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.original_name) == ("applied", "март.csv")
    assert Reading.objects.get().status == "accepted"
    data = api.get(response.json()["url"], headers=auth(good)).json()
    assert (data["status"], data["total"], data["created"], data["rejected"]) == (
        "applied",
        2,
        1,
        1,
    )
    assert data["rejections"] == [
        {"line": 3, "reason": f"Счётчик НЕТ лицевого счёта {meter.account.number} не найден."}
    ]
    assert data["rejections_truncated"] is False


def test_import_as_a_form_field(api, meter, token, django_capture_on_commit_callbacks):
    good = token("imports")
    upload = SimpleUploadedFile("b.csv", readings_csv(meter), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(IMPORT + "?apply=1", {"file": upload}, headers=auth(good))
    assert response.status_code == 202
    assert ImportBatch.objects.get().original_name == "b.csv"


def test_what_an_import_refuses(api, meter, token):
    good = token("imports")
    unknown = post_csv(api, readings_csv(meter), token=good, url=BASE + "imports/cats")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    wrong_type = api.post(IMPORT, data=b"{}", content_type="application/json", headers=auth(good))
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")
    empty = api.generic("POST", IMPORT, b"", CONTENT_TYPE="text/csv", headers=auth(good))
    assert (empty.status_code, empty.json()["message"]) == (400, "Файл пуст.")
    missing = api.get(
        f"{BASE}imports/batches/00000000-0000-0000-0000-000000000000", headers=auth(good)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_limit_is_413_in_the_error_shape(api, settings, token):
    settings.KABINET_INTEGRATION_MAX_FILE_MB = 1
    good = token("imports")
    big = b"account;meter;period;value\n" + b"1;2;2026-03;1\n" * 90_000  # about 1.2 MB
    response = post_csv(api, big, token=good)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and "больше 1 МБ" in body["message"]
    form = {"file": SimpleUploadedFile("r.csv", big, content_type="text/csv")}
    assert api.post(IMPORT, data=form, headers=auth(good)).status_code == 413
    assert not ImportBatch.objects.exists()


# --- exports -------------------------------------------------------------------------


def test_an_export_is_started_followed_and_downloaded(
    api, meter, token, django_capture_on_commit_callbacks
):
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    Reading.objects.create(
        meter=meter,
        zone="total",
        period=date(2026, 3, 1),
        value=Decimal("1234.5"),
        submitted_at=datetime(2026, 3, 20, 10, tzinfo=ZoneInfo("Europe/Moscow")),
        status="submitted",
        source="customer",
    )
    good = token("exports")
    body = {"kind": "readings", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            BASE + "exports", data=body, content_type="application/json", headers=auth(good)
        )
    assert response.status_code == 202, response.content
    batch = ExportBatch.objects.get()
    assert batch.created_by is None
    status = api.get(response.json()["url"], headers=auth(good)).json()
    assert (status["status"], status["rows"], status["format"]) == ("ready", 1, "csv")
    file = api.get(status["file_url"], headers=auth(good))
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(file.streaming_content).decode()), delimiter=";"))
    assert rows[1][2] == meter.number and rows[1][5] == "1234.5"
    # Imports-only credentials cannot export.
    assert api.get(status["url"], headers=auth(token("imports"))).status_code == 403


def test_an_export_not_ready_is_409_and_a_bad_period_400(api, token):
    good = token("exports")
    batch = ExportBatch.objects.create(
        kind="readings", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), format="csv"
    )
    response = api.get(f"{BASE}exports/{batch.uuid}/file", headers=auth(good))
    assert (response.status_code, response.json()["code"]) == (409, "state")
    body = {"kind": "readings", "date_from": "2026-03-31", "date_to": "2026-03-01"}
    bad = api.post(BASE + "exports", data=body, content_type="application/json", headers=auth(good))
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"date_to": ["Конец периода раньше его начала."]}
    wrong = api.post(
        BASE + "exports",
        data={**body, "kind": "cats"},
        content_type="application/json",
        headers=auth(good),
    )
    assert wrong.status_code == 422


# --- interval data ------------------------------------------------------------------------

INTERVALS = BASE + "intervals"


def hours(day="2026-03-20", values=None, *, offset="+03:00", estimated=()):
    values = values if values is not None else [Decimal("0.5") + h for h in range(24)]
    return [
        {
            "ts": f"{day}T{h:02d}:00:00{offset}",
            "value": None if v is None else str(v),
            "estimated": h in estimated,
        }
        for h, v in enumerate(values)
    ]


def send(api, token, series):
    return api.post(
        INTERVALS, data={"series": series}, content_type="application/json", headers=auth(token)
    )


def stored(meter, channel="a_imp", day=date(2026, 3, 20)):
    return IntervalDay.objects.get(series__meter=meter, series__channel=channel, day=day)


def test_intervals_are_stored_and_a_gap_stays_a_gap(api, meter, token):
    good = token("intervals")
    values = [Decimal("0.5") + h for h in range(24)]
    values[13] = None
    response = send(
        api,
        good,
        [{"meter_number": meter.number, "channel": "a_imp", "points": hours(values=values)}],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["points"], body["inserted"], body["rejected"]) == (24, 23, 0)
    row = stored(meter)
    assert row.values[13] is None and row.values[0] == 500 and row.present == 23
    series = IntervalSeries.objects.get(meter=meter)
    assert (series.unit_label, series.step_minutes, series.source) == ("кВт·ч", 60, "api")
    assert series.last_value_at is not None
    # "no data" never clears a stored value
    again = send(
        api,
        good,
        [{"meter_number": meter.number, "channel": "a_imp", "points": hours(values=[None] * 24)}],
    )
    assert again.json()["inserted"] == again.json()["replaced"] == 0
    assert stored(meter).values[0] == 500


def test_re_sent_interval_data_changes_nothing(api, meter, token):
    good = token("intervals")
    spec = [{"meter_number": meter.number, "channel": "a_imp", "points": hours()}]
    send(api, good, spec)
    before = stored(meter)
    body = send(api, good, spec).json()
    assert (body["inserted"], body["replaced"], body["unchanged"]) == (0, 0, 24)
    after = stored(meter)
    assert (after.values, after.updated_at) == (before.values, before.updated_at)
    assert not IntervalRevision.objects.exists()


def test_a_correction_replaces_and_keeps_the_revision(api, meter, token):
    good = token("intervals")
    send(api, good, [{"meter_number": meter.number, "channel": "a_imp", "points": hours()}])
    corrected = [{"ts": "2026-03-20T07:00:00Z", "value": 42.125, "estimated": False}]  # 10:00 MSK
    body = send(
        api, good, [{"meter_number": meter.number, "channel": "a_imp", "points": corrected}]
    ).json()
    assert (body["replaced"], body["inserted"]) == (1, 0)
    assert stored(meter).values[10] == 42125
    revision = IntervalRevision.objects.get()
    assert (revision.day, revision.slot, revision.old_value, revision.new_value) == (
        date(2026, 3, 20),
        10,
        10500,
        42125,
    )
    assert revision.source == "api"


def test_an_estimate_never_overwrites_a_measurement(api, meter, token):
    good = token("intervals")
    send(api, good, [{"meter_number": meter.number, "channel": "a_imp", "points": hours()}])
    estimate = hours(values=[Decimal(9)] * 24, estimated=range(24))
    body = send(
        api, good, [{"meter_number": meter.number, "channel": "a_imp", "points": estimate}]
    ).json()
    assert (body["kept"], body["replaced"]) == (24, 0)
    assert stored(meter).estimated_mask == 0


def test_every_rejected_point_comes_back_with_its_reason(api, meter, token):
    good = token("intervals")
    points = hours()
    points[3]["value"] = "-1"
    points[5]["ts"] = "2026-03-20T05:30:00+03:00"
    points[6]["ts"] = "2026-03-20T06:00:00"  # no offset
    body = send(
        api,
        good,
        [
            {"meter_number": meter.number, "channel": "a_imp", "points": points},
            {"meter_number": "НЕТ-ТАКОГО", "channel": "a_imp", "points": hours()[:2]},
            {"meter_number": meter.number, "channel": "volts", "points": hours()[:1]},
        ],
    ).json()
    assert body["inserted"] == 21
    reasons = {(r["series"], r["point"]): r["reason"] for r in body["rejections"]}
    assert reasons == {
        (0, 3): "Отрицательное значение.",
        (0, 5): "Время должно быть началом часа.",
        (0, 6): "Время без смещения: укажите его, например 2026-03-20T10:00:00+03:00.",
        (1, 0): "Прибор учёта № НЕТ-ТАКОГО не найден.",
        (1, 1): "Прибор учёта № НЕТ-ТАКОГО не найден.",
        (2, 0): "Неизвестный канал: volts.",
    }
    assert body["rejected"] == 6


def test_a_meter_number_on_two_accounts_needs_the_account(api, meter, token):
    good = token("intervals")
    f.meter(f.account(), number=meter.number)
    spec = {"meter_number": meter.number, "channel": "a_imp", "points": hours()[:1]}
    body = send(api, good, [spec]).json()
    assert "укажите счёт" in body["rejections"][0]["reason"]
    body = send(api, good, [{**spec, "account": meter.account.number}]).json()
    assert body["inserted"] == 1
    assert IntervalSeries.objects.get().meter == meter


def test_heat_units_daily_archive(api, token):
    from kabinet.contracts.tests import factories as cf

    unit = cf.contract().units.get()
    good = token("intervals")
    spec = {
        "unit_number": unit.number,
        "channel": "q_gcal",
        "step_minutes": 1440,
        "points": [{"ts": "2026-03-20T00:00:00+03:00", "value": "1.2345"}],
    }
    body = send(api, good, [spec]).json()
    assert body["inserted"] == 1, body
    series = IntervalSeries.objects.get(unit=unit)
    assert (series.step_minutes, series.unit_label) == (1440, "Гкал")
    assert IntervalDay.objects.get(series=series).values[0] == 12345


def test_intervals_need_their_scope_and_a_limit(api, meter, token, monkeypatch):
    from kabinet.api import integration as module

    spec = [{"meter_number": meter.number, "channel": "a_imp", "points": hours()}]
    assert send(api, token("imports", "exports"), spec).status_code == 403
    assert send(api, "Bearer-less", spec).status_code == 401
    monkeypatch.setattr(module, "MAX_ITEMS", 10)
    response = send(api, token("intervals"), spec)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert not IntervalDay.objects.exists()


def test_device_events_are_stored_once(api, meter, token):
    good = token("intervals")
    events = [
        {"occurred_at": "2026-03-20T03:15:00+03:00", "code": "power_off", "severity": "alarm"},
        {"occurred_at": "2026-03-20T03:40:00+03:00", "code": "power_on"},
        {"occurred_at": "2026-03-20T04:00:00+03:00", "code": "explosion"},
    ]
    body = {"devices": [{"meter_number": meter.number, "events": events}]}
    first = api.post(
        BASE + "device-events", data=body, content_type="application/json", headers=auth(good)
    )
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["rejected"]) == (2, 1)
    assert first.json()["rejections"][0]["item"] == 2
    again = api.post(
        BASE + "device-events", data=body, content_type="application/json", headers=auth(good)
    ).json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert DeviceEvent.objects.filter(meter=meter).count() == 2


def test_register_snapshots_upsert(api, meter, token):
    good = token("intervals")

    def post(value):
        readings = [
            {"day": "2026-03-20", "register": "a_imp", "zone": "t1", "value": value},
            {"day": "2026-03-20", "register": "a_imp", "zone": "t2", "value": "100"},
        ]
        body = {"meters": [{"meter_number": meter.number, "readings": readings}]}
        return api.post(
            BASE + "registers", data=body, content_type="application/json", headers=auth(good)
        ).json()

    assert post("1234.5")["created"] == 2
    assert post("1234.5")["unchanged"] == 2
    assert post("1240")["updated"] == 1
    assert RegisterReading.objects.get(meter=meter, zone="t1").value == Decimal("1240.000")


# --- the intervals import kind --------------------------------------------------------------

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "integration" / "intervals.csv"


def test_the_documented_intervals_file_loads_and_a_second_run_changes_nothing(
    api, token, django_capture_on_commit_callbacks
):
    meter = f.meter(f.account(), number="ЭЛ-0457812")
    good = token("imports")
    content = EXAMPLE.read_bytes()
    for created, unchanged in ((3, 0), (0, 3)):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_csv(api, content, token=good, url=BASE + "imports/intervals?apply=1")
        assert response.status_code == 202
        status = api.get(response.json()["url"], headers=auth(good)).json()
        assert (status["status"], status["rejected"]) == ("applied", 0), status
        assert (status["created"], status["unchanged"]) == (created, unchanged)
    day = stored(meter, day=date(2026, 3, 21))
    assert day.values[13] is None and day.present == 23
    assert day.is_estimated(3) and day.is_estimated(4) and not day.is_estimated(5)
    assert stored(meter, "r_imp").present == 24
    assert not IntervalRevision.objects.exists()


def test_bad_interval_rows_are_rejected_with_their_line(
    api, token, django_capture_on_commit_callbacks
):
    meter = f.meter(f.account(), number="ЭЛ-1")
    good = token("imports")
    head = "номер ПУ;канал;дата;" + ";".join(f"ч{h:02d}" for h in range(24)) + ";сутки;оценка\n"
    full = ";".join("1" for _h in range(24))
    lines = [
        f"НЕТ;a_imp;20.03.2026;{full};;",
        f"ЭЛ-1;volts;20.03.2026;{full};;",
        f"ЭЛ-1;a_imp;31.02.2026;{full};;",
        "ЭЛ-1;a_imp;20.03.2026;" + ";".join("-1" if h == 5 else "1" for h in range(24)) + ";;",
        "ЭЛ-1;a_imp;20.03.2026;" + ";".join("x" if h == 7 else "1" for h in range(24)) + ";;",
        f"ЭЛ-1;a_imp;20.03.2026;{full};24;",
        "ЭЛ-1;a_imp;20.03.2026;" + ";".join("" if h == 2 else "1" for h in range(24)) + ";;2",
        f"ЭЛ-1;a_imp;20.03.2026;{full};;25",
        f"ЭЛ-1;a_imp;21.03.2026;{full};;0-5",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(
            api,
            (head + "\n".join(lines) + "\n").encode(),
            token=good,
            url=BASE + "imports/intervals?apply=1",
        )
    status = api.get(response.json()["url"], headers=auth(good)).json()
    assert [(r["line"], r["reason"]) for r in status["rejections"]] == [
        (2, "Прибор учёта № НЕТ не найден."),
        (
            3,
            "Канал: «volts» — нет такого значения; можно: "
            + ", ".join(c for c, _l in Channel.choices)
            + ".",
        ),
        (4, "Дата: дата «31.02.2026» не распознана, нужна ДД.ММ.ГГГГ."),
        (5, "ч05: Отрицательное значение."),
        (6, "ч07: «x» не число."),
        (7, "Заполнены и часы, и «сутки»: суточное значение — без часов."),
        (8, "Оценка: в часах 02 нет значений."),
        (9, "Оценка: «25» — часы от 0 до 23."),
    ]
    assert (status["created"], status["rejected"]) == (1, 8)
    day = stored(meter, day=date(2026, 3, 21))
    assert day.estimated_mask == 0b111111
    assert not IntervalDay.objects.filter(day=date(2026, 3, 20)).exists()


def test_a_corrected_file_replaces_and_keeps_the_revision(
    api, token, django_capture_on_commit_callbacks
):
    meter = f.meter(f.account(), number="ЭЛ-2")
    good = token("imports")
    head = "номер ПУ;канал;дата;ч00;ч01;ч02;оценка\n"

    def load(lines):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_csv(
                api, (head + lines).encode(), token=good, url=BASE + "imports/intervals?apply=1"
            )
        return api.get(response.json()["url"], headers=auth(good)).json()

    first = load("ЭЛ-2;a_imp;20.03.2026;1;2;;\n")
    assert (first["created"], first["rejected"]) == (1, 0)
    # the same day twice in a file: applied in file order, the later row wins
    second = load("ЭЛ-2;a_imp;20.03.2026;1;2;3;\nЭЛ-2;a_imp;20.03.2026;1;2,5;3;\n")
    assert (second["created"], second["updated"]) == (1, 1)
    assert stored(meter).values[:3] == [1000, 2500, 3000]
    revision = IntervalRevision.objects.get()
    assert (revision.slot, revision.old_value, revision.new_value, revision.source) == (
        1,
        2000,
        2500,
        "import",
    )
    # an estimate does not replace the measured value
    third = load("ЭЛ-2;a_imp;20.03.2026;9;;;0\n")
    assert third["unchanged"] == 1 and stored(meter).values[0] == 1000
