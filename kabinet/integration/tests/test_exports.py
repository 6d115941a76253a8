"""Выгрузки в биллинг: each kind in each format with real rows, the once-only marks,
the period, the form and who may use it."""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import reverse

from conftest import make_user
from kabinet.applications.models import Application, ApplicationFile
from kabinet.contracts.models import ConsumptionReport
from kabinet.contracts.tests import factories as cf
from kabinet.core.models import AuditEntry
from kabinet.integration import exports
from kabinet.integration.models import ExportBatch, ExportedRow
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f
from kabinet.payments.models import OnlinePayment, PaymentPart

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
MARCH = {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}


def at(month, day, hour=10, minute=15):
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.KABINET_INTEGRATION_EXPORTS_DIR = str(tmp_path / "exports")
    settings.KABINET_APPEAL_UPLOADS_DIR = str(tmp_path / "uploads")


@pytest.fixture
def export(staff, django_capture_on_commit_callbacks):
    """Create an export and build it as the queued task does; the batch, built."""

    def make(kind, fmt="csv", *, only_new=True, period=MARCH):
        with django_capture_on_commit_callbacks(execute=True):
            batch = exports.export_create(
                staff=staff, kind=kind, fmt=fmt, only_new=only_new, **period
            )
        batch.refresh_from_db()
        return batch

    return make


def content(batch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def table(batch) -> bytes:
    """The table of an export (for applications: the one inside the ZIP)."""
    data = content(batch)
    if batch.kind == "applications":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(f"applications.{batch.format}")
    return data


def rows_of(batch) -> tuple[list[str], list[dict]]:
    """The header and the rows of an export's table, whatever its format."""
    data = table(batch)
    if batch.format == "csv":
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";")
        header, *records = list(reader)
    elif batch.format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        header, *records = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        document = json.loads(data)
        assert document["kind"] == batch.kind
        assert document["date_from"] == batch.date_from.isoformat()
        return document["columns"], document["rows"]
    return header, [dict(zip(header, r, strict=True)) for r in records]


# --- the data of each kind ---------------------------------------------------------


def reading(meter, period, value, *, when, status="submitted", source="customer"):
    return Reading.objects.create(
        meter=meter,
        zone="total",
        period=period,
        value=Decimal(value),
        submitted_at=when,
        status=status,
        source=source,
    )


@pytest.fixture
def readings():
    m1 = f.meter(f.account())
    m2 = f.meter(f.account())
    inside = [
        reading(m1, date(2026, 3, 1), "1234.5", when=at(3, 20)),
        reading(m1, date(2026, 2, 1), "1230", when=at(3, 31, 23, 30), status="accepted"),
    ]
    reading(m1, date(2026, 1, 1), "1", when=at(3, 21), status="rejected")  # refused
    reading(m2, date(2026, 3, 1), "5", when=at(3, 21), status="accepted", source="billing")
    reading(m2, date(2026, 4, 1), "7", when=at(4, 1, 0, 10))  # after the period
    reading(m2, date(2026, 2, 1), "6", when=at(2, 28, 23, 59))  # before it
    return inside


@pytest.fixture
def reports(alice):
    c1 = cf.contract()
    c2 = cf.contract()
    p1, p2 = c1.points.get(), c2.points.get()

    def report(point, period, consumption, *, when, status="sent"):
        return ConsumptionReport.objects.create(
            point=point,
            period=period,
            consumption=Decimal(consumption),
            read_on=date(2026, 3, 24),
            scan_name="отчёт.pdf",
            scan_type="application/pdf",
            scan_size=10,
            submitted_by=alice,
            submitted_at=when,
            status=status,
        )

    inside = [
        report(p1, date(2026, 3, 1), "12.50", when=at(3, 24)),
        report(p2, date(2026, 2, 1), "7.00", when=at(3, 25), status="accepted"),
    ]
    report(p1, date(2026, 2, 1), "1", when=at(3, 10), status="replaced")
    report(p2, date(2026, 1, 1), "2", when=at(3, 11), status="rejected")
    report(p2, date(2026, 3, 1), "3", when=at(4, 2))
    return inside


PDF = b"%PDF-1.4\n%%EOF\n"


def document(app, name, data, user):
    doc = ApplicationFile(
        application=app,
        doc_type="passport",
        name=name,
        content_type="application/pdf",
        size=len(data),
        uploaded_by=user,
    )
    doc.file.save(doc.uuid.hex, ContentFile(data), save=False)
    doc.save()
    return doc


@pytest.fixture
def applications(alice):
    def app(number, when, status="registered"):
        return Application.objects.create(
            user=alice,
            kind="tc_electric",
            applicant_kind="person",
            category="household15",
            status=status,
            number=number,
            filed_at=when,
            applicant_name="Петрова Анна Сергеевна",
            object_address="Томская обл., СНТ «Рассвет», уч. 15",
        )

    first = app("2026-03-20-702-1", at(3, 20))
    document(first, "паспорт.pdf", PDF + b"1", alice)
    document(first, "план/участка.pdf", PDF + b"2", alice)
    second = app("2026-03-30-702-1", at(3, 30), status="refused")
    app(None, None, status="draft")
    app("2026-04-01-702-1", at(4, 1))
    return [first, second]


@pytest.fixture
def payments(alice):
    a1, a2 = f.account(), f.account()
    n = iter(range(100))

    def pay(status, when, parts):
        payment = OnlinePayment.objects.create(
            user=alice,
            provider="test",
            provider_payment_id=f"p-{next(n)}",
            idempotency_key=f"k-{next(n)}",
            method="card",
            status=status,
            amount_kopecks=sum(k for _, _, k in parts),
            receipt_email="alice@example.ru",
            succeeded_at=when,
        )
        for acc, purpose, kopecks in parts:
            PaymentPart.objects.create(
                payment=payment, account=acc, purpose=purpose, amount_kopecks=kopecks
            )
        return payment

    inside = [pay("succeeded", at(3, 21), [(a1, "energy", 150000), (a2, "penalty", 2550)])]
    pay("pending", None, [(a1, "energy", 100)])
    pay("canceled", None, [(a1, "energy", 100)])
    pay("succeeded", at(4, 1, 0, 1), [(a1, "energy", 100)])
    return inside, a1, a2


# --- each kind, the exact CSV ------------------------------------------------------


def test_readings_csv_carries_what_customers_submitted_in_the_period(export, readings):
    batch = export("readings")
    r1, r2 = readings
    acc, meter = r1.meter.account.number, r1.meter.number
    assert batch.status == "ready"
    assert batch.filename == f"readings_2026-03-01_2026-03-31_{batch.pk}.csv"
    assert content(batch).decode() == (
        "reading_id;account;meter;zone;period;value;submitted_at;status\r\n"
        f"{r1.pk};{acc};{meter};total;2026-03;1234.5;2026-03-20T10:15:00+03:00;submitted\r\n"
        f"{r2.pk};{acc};{meter};total;2026-02;1230;2026-03-31T23:30:00+03:00;accepted\r\n"
    )
    assert (batch.rows, batch.marked) == (2, 2)


def test_reports_csv(export, reports):
    batch = export("reports")
    r1, r2 = reports
    c1, c2 = r1.point.contract.number, r2.point.contract.number
    assert content(batch).decode() == (
        "report_id;contract;point;resource;unit;period;consumption;read_on;submitted_at;"
        "status;scan_name\r\n"
        f"{r1.uuid};{c1};ТУ-{c1}-1;heat;Гкал;2026-03;12.5;2026-03-24;"
        "2026-03-24T10:15:00+03:00;sent;отчёт.pdf\r\n"
        f"{r2.uuid};{c2};ТУ-{c2}-1;heat;Гкал;2026-02;7;2026-03-24;"
        "2026-03-25T10:15:00+03:00;accepted;отчёт.pdf\r\n"
    )


def test_applications_go_as_a_zip_with_their_documents(export, applications):
    batch = export("applications")
    first, second = applications
    docs = list(first.files.all())
    paths = [
        f"documents/2026-03-20-702-1/{d.uuid.hex[:8]}_{n}"
        for d, n in zip(docs, ["паспорт.pdf", "план_участка.pdf"], strict=True)
    ]
    assert batch.filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(content(batch))) as archive:
        assert sorted(archive.namelist()) == sorted(["applications.csv", *paths])
        assert archive.read(paths[0]) == PDF + b"1"
        assert archive.read(paths[1]) == PDF + b"2"
        text = archive.read("applications.csv").decode()
    assert text == (
        "application_id;number;kind;applicant_kind;category;status;applicant_name;"
        "object_address;contract;filed_at;documents\r\n"
        f"{first.uuid};2026-03-20-702-1;tc_electric;person;household15;registered;"
        "Петрова Анна Сергеевна;Томская обл., СНТ «Рассвет», уч. 15;;"
        f"2026-03-20T10:15:00+03:00;{paths[0]}|{paths[1]}\r\n"
        f"{second.uuid};2026-03-30-702-1;tc_electric;person;household15;refused;"
        "Петрова Анна Сергеевна;Томская обл., СНТ «Рассвет», уч. 15;;"
        "2026-03-30T10:15:00+03:00;\r\n"
    )


def test_payments_csv_has_a_line_per_account(export, payments):
    (payment,), a1, a2 = payments
    batch = export("payments")
    assert content(batch).decode() == (
        "payment_id;provider;provider_payment_id;method;paid_at;account;purpose;amount;"
        "payment_total\r\n"
        f"{payment.uuid};test;p-0;card;2026-03-21T10:15:00+03:00;{a1.number};energy;"
        "1500.00;1525.50\r\n"
        f"{payment.uuid};test;p-0;card;2026-03-21T10:15:00+03:00;{a2.number};penalty;"
        "25.50;1525.50\r\n"
    )
    assert batch.rows == 1
    assert list(ExportedRow.objects.values_list("kind", "object_id")) == [("payments", payment.pk)]


# --- every kind in every format ----------------------------------------------------


def _first_column(kind, data):
    if kind == "readings":
        return [str(r.pk) for r in data]
    if kind == "payments":
        payment = data[0][0]
        return [str(payment.uuid)] * 2
    return [str(obj.uuid) for obj in data]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("kind", ["readings", "reports", "applications", "payments"])
def test_every_kind_in_every_format(request, export, kind, fmt):
    data = request.getfixturevalue(kind)
    batch = export(kind, fmt)
    header, rows = rows_of(batch)
    keys = [c.key for c in exports.COLUMNS[kind]]
    assert header == keys
    first = keys[0]
    assert [str(row[first]) for row in rows] == _first_column(kind, data)


def test_xlsx_cells_are_typed(export, readings, payments):
    r1, _ = readings
    _, rows = rows_of(export("readings", "xlsx"))
    assert rows[0]["reading_id"] == r1.pk
    assert rows[0]["value"] == 1234.5
    assert rows[0]["submitted_at"] == datetime(2026, 3, 20, 10, 15)
    assert rows[0]["period"] == datetime(2026, 3, 1)
    _, rows = rows_of(export("payments", "xlsx"))
    assert [row["amount"] for row in rows] == [1500.0, 25.5]


def test_xlsx_text_is_never_a_formula(export, applications):
    Application.objects.filter(pk=applications[0].pk).update(applicant_name='=HYPERLINK("x")')
    data = table(export("applications", "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cell = sheet.cell(row=2, column=exports_column("applications", "applicant_name"))
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")


def exports_column(kind, key) -> int:
    return [c.key for c in exports.COLUMNS[kind]].index(key) + 1


def test_json_keeps_decimals_exact_and_documents_as_objects(export, readings, applications):
    r1, _ = readings
    _, rows = rows_of(export("readings", "json"))
    assert rows[0] == {
        "reading_id": r1.pk,
        "account": r1.meter.account.number,
        "meter": r1.meter.number,
        "zone": "total",
        "period": "2026-03",
        "value": "1234.5",
        "submitted_at": "2026-03-20T10:15:00+03:00",
        "status": "submitted",
    }
    _, rows = rows_of(export("applications", "json"))
    names = [d["name"] for d in rows[0]["documents"]]
    assert names == ["паспорт.pdf", "план/участка.pdf"]
    assert rows[0]["documents"][0]["path"].startswith("documents/2026-03-20-702-1/")
    assert rows[1]["documents"] == []


# --- marks -------------------------------------------------------------------------


def test_only_new_marks_once_and_skips_what_went_out(export, readings):
    first = export("readings")
    assert first.rows == 2
    again = export("readings")
    assert (again.status, again.rows, again.marked) == ("ready", 0, 0)
    assert rows_of(again)[1] == []
    meter = readings[0].meter
    fresh = reading(meter, date(2026, 1, 1), "1100", when=at(3, 25))
    third = export("readings")
    assert [row["reading_id"] for row in rows_of(third)[1]] == [str(fresh.pk)]
    assert ExportedRow.objects.get(kind="readings", object_id=fresh.pk).batch == third


def test_re_export_carries_all_and_keeps_the_first_marks(export, readings):
    r1, r2 = readings
    first = export("readings", period={"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 20)})
    assert first.rows == 1
    again = export("readings", only_new=False)
    assert (again.rows, again.marked) == (2, 1)
    assert [row["reading_id"] for row in rows_of(again)[1]] == [str(r1.pk), str(r2.pk)]
    marks = dict(ExportedRow.objects.values_list("object_id", "batch"))
    assert marks == {r1.pk: first.pk, r2.pk: again.pk}
    third = export("readings", only_new=False)
    assert (third.rows, third.marked) == (2, 0)
    assert dict(ExportedRow.objects.values_list("object_id", "batch")) == marks


def test_marks_are_per_kind(export, readings, payments):
    export("readings")
    (payment,), _, _ = payments
    # A payment whose id equals a reading's is still new for payments.
    assert export("payments").rows == 1


def test_period_bounds_are_local_days(export, readings):
    r1, r2 = readings
    one_day = {"date_from": date(2026, 3, 31), "date_to": date(2026, 3, 31)}
    batch = export("readings", period=one_day)
    assert [row["reading_id"] for row in rows_of(batch)[1]] == [str(r2.pk)]


def test_a_missing_document_fails_the_export_and_marks_nothing(export, applications):
    doc = applications[0].files.first()
    doc.file.delete(save=False)
    batch = export("applications")
    assert batch.status == "failed"
    assert "не найден" in batch.error and "2026-03-20-702-1" in batch.error
    assert not batch.file
    assert not ExportedRow.objects.exists()


def test_the_service_refuses_a_bad_period(staff):
    from kabinet.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        exports.export_create(
            staff=staff,
            kind="readings",
            fmt="csv",
            date_from=date(2026, 3, 2),
            date_to=date(2026, 3, 1),
        )
    assert caught.value.field == "date_to"
    with pytest.raises(DomainError) as caught:  # the day after 31.12.9999 was an OverflowError
        exports.export_create(
            staff=staff,
            kind="readings",
            fmt="csv",
            date_from=date(9999, 12, 1),
            date_to=date(9999, 12, 31),
        )
    assert caught.value.field == "date_from"
    assert caught.value.message == "Укажите дату с 01.01.2000 по 31.12.2099."
    with pytest.raises(DomainError):
        exports.export_create(
            staff=staff,
            kind="nope",
            fmt="csv",
            date_from=date(2026, 3, 1),
            date_to=date(2026, 3, 1),
        )
    assert not ExportBatch.objects.exists()


def test_the_export_is_in_the_audit_trail(export, staff, readings):
    batch = export("readings")
    entry = AuditEntry.objects.get(action="export_create")
    assert entry.actor == staff
    assert entry.target_id == str(batch.pk)


# --- the pages ---------------------------------------------------------------------


@pytest.fixture
def billing(db):
    return make_user(login="billing-1", staff=True, role="billing")


def test_staff_exports_through_the_form_and_downloads_the_file(
    client, billing, readings, django_capture_on_commit_callbacks
):
    client.force_login(billing)
    url = reverse("integration_exports:list")
    page = client.get(url).content.decode()
    assert "Выгрузки в биллинг" in page and "Выгрузок ещё не было." in page
    form = {
        "kind": "readings",
        "date_from": "01.03.2026",
        "date_to": "2026-03-31",
        "fmt": "json",
        "mode": "new",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302
    batch = ExportBatch.objects.get()
    assert (batch.status, batch.format, batch.only_new, batch.created_by) == (
        "ready",
        "json",
        True,
        billing,
    )
    page = client.get(url).content.decode()
    assert batch.filename in page and "готова" in page
    download = client.get(reverse("integration_exports:download", args=[batch.uuid]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert f'filename="{batch.filename}"' in download["Content-Disposition"]
    body = json.loads(b"".join(download.streaming_content))
    assert [row["reading_id"] for row in body["rows"]] == [r.pk for r in readings]


def test_form_errors_are_russian_next_to_fields_and_keep_the_input(client, billing):
    client.force_login(billing)
    url = reverse("integration_exports:list")
    page = client.post(url, {}).content.decode()
    assert "Выберите, что выгружать." in page
    assert page.count("Укажите дату.") == 2
    assert "Выберите формат." in page
    form = {
        "kind": "payments",
        "date_from": "2026-03-31",
        "date_to": "2026-03-01",
        "fmt": "xlsx",
        "mode": "all",
    }
    page = client.post(url, form).content.decode()
    assert "Конец периода раньше его начала." in page
    assert 'id="id_date_to_error"' in page
    assert 'value="2026-03-31"' in page and 'value="2026-03-01"' in page
    assert 'value="payments" required id="id_kind_3" checked' in page
    assert 'value="all" required id="id_mode_1" checked' in page
    page = client.post(url, dict(form, date_from="31.02.2026")).content.decode()
    assert "Введите дату в формате ДД.ММ.ГГГГ." in page
    assert not ExportBatch.objects.exists()


def test_access_to_the_export_pages(client, alice, export, readings):
    batch = export("readings")
    urls = [
        reverse("integration_exports:list"),
        reverse("integration_exports:download", args=[batch.uuid]),
        reverse("integration_exports:refresh"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    operator = make_user(login="op-1", staff=True, role="operator")
    client.force_login(operator)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("integration_exports:list"), {}).status_code == 403
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(make_user(login="billing-2", staff=True, role="billing"))
    for url in urls:
        assert client.get(url).status_code == 200
    assert ExportBatch.objects.count() == 1


def test_a_failed_or_queued_export_has_no_download(client, billing, export, readings):
    batch = export("readings")
    ExportBatch.objects.filter(pk=batch.pk).update(status="queued")
    client.force_login(billing)
    assert client.get(reverse("integration_exports:download", args=[batch.uuid])).status_code == 404
    page = client.get(reverse("integration_exports:list")).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
