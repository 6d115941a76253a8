"""Staff screens of imports: access, and upload → preview → apply through the client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kabinet.integration import services
from kabinet.integration.models import ImportBatch
from kabinet.metering.models import Reading
from kabinet.metering.tests import factories as f

pytestmark = pytest.mark.django_db


def _content(meter) -> bytes:
    n, m = meter.account.number, meter.number
    return (f"account;meter;period;value\n{n};{m};2026-03;15,5\n{n};НЕТ;2026-03;1\n").encode()


@pytest.fixture
def batch(staff):
    meter = f.meter(f.account())
    upload = SimpleUploadedFile("r.csv", _content(meter))
    return services.import_upload(staff=staff, kind="readings", upload=upload)


def test_customer_gets_404_and_anonymous_is_sent_to_sign_in(client, alice, batch):
    urls = [
        reverse("integration:list"),
        reverse("integration:upload"),
        reverse("integration:batch", args=[batch.uuid]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(reverse("integration:apply", args=[batch.uuid])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == "uploaded"


def test_staff_uploads_previews_and_applies(client, staff, django_capture_on_commit_callbacks):
    meter = f.meter(f.account())
    client.force_login(staff)
    upload = SimpleUploadedFile("показания.csv", _content(meter))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integration:upload"), {"kind": "readings", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("integration:batch", args=[batch.uuid])

    page = client.get(response.url)
    text = page.content.decode()
    assert batch.original_name == "показания.csv"
    assert "Применить" in text and "Счётчик НЕТ лицевого счёта" in text
    assert 'http-equiv="refresh"' not in text
    assert not Reading.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integration:apply", args=[batch.uuid]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.rejected) == ("applied", 1, 1)
    assert Reading.objects.get().status == "accepted"
    text = client.get(response.url).content.decode()
    assert "Итог" in text and "Счётчик НЕТ" in text and "Применить" not in text

    listing = client.get(reverse("integration:list")).content.decode()
    assert "показания.csv" in listing


def test_applying_page_shows_progress_and_refreshes(client, staff, batch):
    services.import_preview(batch=batch)
    ImportBatch.objects.filter(pk=batch.pk).update(status="applying", progress=1)
    client.force_login(staff)
    text = client.get(reverse("integration:batch", args=[batch.uuid])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert '<progress id="progress" max="2" value="1">' in text


def test_upload_refuses_other_formats(client, staff):
    client.force_login(staff)
    upload = SimpleUploadedFile("r.txt", b"x")
    response = client.post(reverse("integration:upload"), {"kind": "readings", "file": upload})
    assert response.status_code == 200
    assert "Загрузите файл CSV или XLSX." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_rejections_are_paginated_by_100(client, staff):
    lines = "".join(f"1;M{i};2026-03;1\n" for i in range(150))
    upload = SimpleUploadedFile("r.csv", ("account;meter;period;value\n" + lines).encode())
    batch = services.import_preview(
        batch=services.import_upload(staff=staff, kind="readings", upload=upload)
    )
    assert batch.rejected == 150
    client.force_login(staff)
    url = reverse("integration:batch", args=[batch.uuid])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    row = 'data-label="Строка"'
    assert first.count(row) == 100 and second.count(row) == 50
    assert "Страница 1 из 2" in first


def test_every_kind_is_offered_with_its_columns(client, staff):
    client.force_login(staff)
    text = client.get(reverse("integration:upload")).content.decode()
    for kind, label in ImportBatch.Kind.choices:
        assert f'<option value="{kind}"' in text
        assert f"<summary>{str(label).capitalize()}</summary>" in text
    assert "идентификатор платежа" in text and "код отключения" in text


def test_the_batch_page_shows_the_kinds_columns(client, staff):
    upload = SimpleUploadedFile("p.csv", b"account;id;credited_on;amount\n1;P;01.03.2026;5\n")
    batch = services.import_upload(staff=staff, kind="payments", upload=upload)
    client.force_login(staff)
    text = client.get(reverse("integration:batch", args=[batch.uuid])).content.decode()
    assert "<code>credited_on</code>" in text and "дата поступления" in text
    assert "<code>taken_at</code>" not in text  # a readings column
