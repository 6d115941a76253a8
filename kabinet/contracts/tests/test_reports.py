"""Отчёт о потреблении (003 §3.4): the service's rules (each refusal, replacement, the
lock, staff decisions), the file check, and the pages (owner, read-only colleague,
stranger, staff)."""

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.db.models import QuerySet
from django.urls import reverse

from conftest import make_user
from kabinet.contracts.models import ConsumptionReport, Contract, MeteringPoint
from kabinet.contracts.services import reports as services
from kabinet.contracts.services.reports import (
    ReportLine,
    ReportRejected,
    report_accept,
    report_field,
    report_reject,
    report_submit,
)
from kabinet.contracts.tests.factories import OTHER_INN, contract, organisation
from kabinet.contracts.views import reports as views
from kabinet.core.errors import DomainError
from kabinet.identity.models import PartyMember

TODAY = date(2026, 3, 20)  # March 2026: reports are taken until the 25th
MARCH = date(2026, 3, 1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MB10 = 10 * 1024 * 1024


def stored_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def pdf(name="otchet.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def org(alice):
    return organisation(alice)


@pytest.fixture
def con(org) -> Contract:
    return contract(party=org, number="01234")


@pytest.fixture
def p1(con) -> MeteringPoint:
    return con.points.get()


@pytest.fixture
def p2(con, p1) -> MeteringPoint:
    return MeteringPoint.objects.create(
        contract=con,
        number="ТУ-01234-2",
        meter_type="ВКТ-5",
        meter_number="777",
        resource=MeteringPoint.Resource.HOT_WATER,
        unit_of_measure="м³",
    )


@pytest.fixture
def bob(db, org, alice):
    """A colleague with read-only rights on the organisation."""
    user = make_user(email="bob@example.ru", phone="+79110000022", display_name="Боб")
    PartyMember.objects.create(party=org, user=user, rights=PartyMember.Rights.READ, added_by=alice)
    return user


A_PDF = object()  # the default scan of ``submit``: a fresh, good PDF


def submit(user, con, lines, scan=A_PDF, today=TODAY):
    scan = pdf() if scan is A_PDF else scan
    return report_submit(user=user, contract=con, lines=lines, scan=scan, today=today)


def line(point, consumption="1234,50", read_on=date(2026, 3, 19)):
    return ReportLine(point=point, consumption=consumption, read_on=read_on)


def refusal(user, con, lines, scan=A_PDF, today=TODAY) -> DomainError:
    with pytest.raises(DomainError) as exc:
        submit(user, con, lines, scan=scan, today=today)
    return exc.value


def messages_by_field(exc: DomainError) -> dict:
    errors = exc.errors if isinstance(exc, ReportRejected) else [exc]
    return {e.field: str(e.message) for e in errors}


# --- submission -------------------------------------------------------------------------


def test_one_form_sends_every_point_with_one_shared_scan(alice, con, p1, p2, uploads_dir):
    created = submit(
        alice,
        con,
        [line(p1, "1234,5"), line(p2, "000012.05", date(2026, 3, 1))],
        scan=pdf("Отчёт март.pdf"),
    )
    assert [(r.point, r.period, r.consumption, r.read_on, r.status) for r in created] == [
        (p1, MARCH, Decimal("1234.50"), date(2026, 3, 19), "sent"),
        (p2, MARCH, Decimal("12.05"), date(2026, 3, 1), "sent"),
    ]
    assert {(r.submitted_by, r.scan_name, r.scan_type, r.scan_size) for r in created} == {
        (alice, "Отчёт март.pdf", "application/pdf", len(PDF))
    }
    # One file on disk, named by no customer text, shared by both rows.
    files = stored_files(uploads_dir)
    assert len(files) == 1 and files[0].read_bytes() == PDF
    assert created[0].scan.name == created[1].scan.name == files[0].name
    assert "Отчёт" not in files[0].name


def test_a_point_may_be_left_empty(alice, con, p1, p2):
    created = submit(alice, con, [line(p1), ReportLine(point=p2, consumption="", read_on=None)])
    assert [r.point for r in created] == [p1]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1234,5", "1234.50"),
        ("1234.50", "1234.50"),
        ("001234,50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("999999,99", "999999.99"),
        ("0", "0.00"),
        (Decimal("12.3"), "12.30"),
    ],
)
def test_consumption_format_accepted(typed, value):
    assert services.consumption_parse(raw=typed) == Decimal(value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234567", "Введите расход в формате XXXXXX,XX"),
        ("12,345", "Введите расход в формате XXXXXX,XX"),
        ("12,3,4", "Введите расход в формате XXXXXX,XX"),
        ("12e3", "Введите расход в формате XXXXXX,XX"),
        (",5", "Введите расход в формате XXXXXX,XX"),
        ("-5", "Расход не может быть отрицательным."),
        ("−5,00", "Расход не может быть отрицательным."),
    ],
)
def test_consumption_format_refused_next_to_its_field(alice, con, p1, typed, message, uploads_dir):
    exc = refusal(alice, con, [line(p1, typed)])
    assert messages_by_field(exc)[report_field(p1, "consumption")].startswith(message)
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


def test_late_report_refused_saying_till_when_and_what_to_do(alice, con, p1, uploads_dir):
    exc = refusal(alice, con, [line(p1, read_on=date(2026, 11, 20))], today=date(2026, 11, 26))
    assert exc.message == (
        "Отчёт за ноябрь 2026 принимался до 25 ноября. Передайте его куратору договора."
    )
    assert exc.code == "late"
    # The 25th itself is still in time.
    assert submit(alice, con, [line(p1, read_on=date(2026, 3, 25))], today=date(2026, 3, 25))
    assert len(stored_files(uploads_dir)) == 1


def test_reading_date_must_be_in_the_month_and_not_in_the_future(alice, con, p1, p2):
    exc = refusal(
        alice,
        con,
        [line(p1, read_on=date(2026, 3, 21)), line(p2, read_on=date(2026, 2, 28))],
    )
    assert messages_by_field(exc) == {
        report_field(p1, "read_on"): (
            "Дата снятия показаний не может быть позже сегодняшнего дня (20.03.2026)."
        ),
        report_field(p2, "read_on"): (
            "Отчёт за март 2026: показания должны быть сняты не раньше 01.03.2026."
        ),
    }
    exc = refusal(alice, con, [line(p1, read_on=None)])
    assert messages_by_field(exc) == {report_field(p1, "read_on"): "Укажите дату снятия показаний."}
    exc = refusal(alice, con, [line(p1, consumption="")])
    assert messages_by_field(exc) == {
        report_field(p1, "consumption"): "Введите расход или очистите дату снятия показаний."
    }
    assert not ConsumptionReport.objects.exists()


def test_nothing_typed_is_refused(alice, con, p1, p2):
    exc = refusal(alice, con, [ReportLine(p1, "", None), ReportLine(p2, " ", None)])
    assert messages_by_field(exc) == {None: "Введите расход хотя бы по одной точке учёта."}


def test_a_point_of_another_contract_is_refused(alice, org, con, p1, charlie):
    mine_too = contract(party=org).points.get()
    theirs = contract(party=organisation(charlie, inn=OTHER_INN)).points.get()
    for point in (mine_too, theirs):
        exc = refusal(alice, con, [line(p1), line(point)])
        assert messages_by_field(exc) == {
            report_field(point, "consumption"): (
                f"Точка учёта {point.number} не относится к договору № 01234."
            )
        }
    assert not ConsumptionReport.objects.exists()


def test_only_users_with_full_rights_may_send(alice, bob, charlie, staff, org, con, p1):
    for user in (bob, charlie, staff):
        exc = refusal(user, con, [line(p1)])
        assert exc.code == "forbidden", user
        assert "полным доступом" in exc.message
    full = make_user(email="dina@example.ru", phone="+79110000044")
    PartyMember.objects.create(party=org, user=full, rights=PartyMember.Rights.FULL, added_by=alice)
    [report] = submit(full, con, [line(p1)])
    assert report.submitted_by == full
    assert not ConsumptionReport.objects.exclude(pk=report.pk).exists()


def test_every_wrong_field_is_reported_at_once(alice, con, p1, p2, uploads_dir):
    exc = refusal(alice, con, [line(p1, "12,345"), line(p2, read_on=date(2026, 4, 1))], scan=None)
    assert isinstance(exc, ReportRejected)
    assert set(messages_by_field(exc)) == {
        report_field(p1, "consumption"),
        report_field(p2, "read_on"),
        "scan",
    }
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


# --- the file ---------------------------------------------------------------------------


def scan_refusal(alice, con, p1, upload) -> str:
    exc = refusal(alice, con, [line(p1)], scan=upload)
    return messages_by_field(exc)["scan"]


def test_a_pdf_that_is_really_text_is_refused(alice, con, p1, uploads_dir):
    fake = pdf("otchet.pdf", "Отчёт о потреблении: 1234,50 Гкал".encode())
    assert scan_refusal(alice, con, p1, fake) == (
        "Файл «otchet.pdf» по содержимому не PDF. Приложите настоящий файл PDF, JPEG или PNG."
    )
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


def test_a_file_over_10_mb_is_refused(alice, con, p1, uploads_dir):
    big = pdf("big.pdf")
    big.size = MB10 + 1  # what the upload handler reports; no need to hold 10 МБ
    assert scan_refusal(alice, con, p1, big) == (
        "Файл «big.pdf» больше 10,0\u00a0МБ. Отсканируйте отчёт с меньшим разрешением."
    )
    exactly = pdf("ten.pdf")
    exactly.size = MB10
    assert submit(alice, con, [line(p1)], scan=exactly)


def test_only_pdf_jpeg_png_and_never_an_empty_or_missing_file(alice, con, p1, uploads_dir):
    doc = SimpleUploadedFile("otchet.docx", b"PK\x03\x04")
    assert scan_refusal(alice, con, p1, doc) == (
        "Файл «otchet.docx»: приложите скан или фото отчёта в формате PDF, JPEG или PNG."
    )
    assert scan_refusal(alice, con, p1, pdf("empty.pdf", b"")) == "Файл «empty.pdf» пуст."
    assert scan_refusal(alice, con, p1, None) == (
        "Приложите скан или фото подписанного отчёта: PDF, JPEG или PNG до 10 МБ."
    )
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


def test_a_photo_is_accepted(alice, con, p1):
    [report] = submit(alice, con, [line(p1)], scan=SimpleUploadedFile("foto.png", PNG))
    assert (report.scan_name, report.scan_type) == ("foto.png", "image/png")
    [report] = submit(
        alice, con, [line(p1)], scan=SimpleUploadedFile("foto.JPG", b"\xff\xd8\xff\xe0" + PNG)
    )
    assert report.scan_type == "image/jpeg"


def test_a_failure_while_writing_leaves_neither_rows_nor_file(
    alice, con, p1, p2, uploads_dir, monkeypatch
):
    original = ConsumptionReport.save

    def fail_on_second(self, *args, **kwargs):
        if ConsumptionReport.objects.filter(status="sent").exists():
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ConsumptionReport, "save", fail_on_second)
    with pytest.raises(RuntimeError):
        submit(alice, con, [line(p1), line(p2)])
    assert not ConsumptionReport.objects.exists()
    assert not stored_files(uploads_dir)


# --- replacement and the lock -------------------------------------------------------------


def test_a_newer_report_replaces_the_earlier_one_of_the_month(alice, con, p1, p2, uploads_dir):
    [first, _other] = submit(alice, con, [line(p1, "100"), line(p2, "5")])
    [second] = submit(alice, con, [line(p1, "110")], scan=pdf("v2.pdf"))
    first.refresh_from_db()
    assert first.status == "replaced" and second.status == "sent"
    assert list(
        ConsumptionReport.objects.filter(point=p1)
        .order_by("id")
        .values_list("consumption", "status")
    ) == [(Decimal("100.00"), "replaced"), (Decimal("110.00"), "sent")]
    # p2 untouched; each submission kept its own file.
    assert ConsumptionReport.objects.get(point=p2).status == "sent"
    assert len(stored_files(uploads_dir)) == 2
    assert first.scan.name != second.scan.name


def test_a_report_already_accepted_is_not_replaced(alice, staff, con, p1, uploads_dir):
    [first] = submit(alice, con, [line(p1, "100")])
    report_accept(by=staff, report=first, accepted_consumption=Decimal("100"))
    exc = refusal(alice, con, [line(p1, "110")])
    assert exc.code == "settled"
    assert "уже учтён во взаиморасчётах" in messages_by_field(exc)[report_field(p1, "consumption")]
    assert list(ConsumptionReport.objects.values_list("status", flat=True)) == ["accepted"]
    assert len(stored_files(uploads_dir)) == 1


def test_after_a_rejection_the_month_is_sent_again(alice, staff, con, p1):
    [first] = submit(alice, con, [line(p1, "100")])
    report_reject(by=staff, report=first, note="Нет подписи руководителя")
    [second] = submit(alice, con, [line(p1, "100")])
    first.refresh_from_db()
    assert (first.status, second.status) == ("rejected", "sent")


def test_submission_locks_the_contract_row(alice, con, p1, monkeypatch):
    """Two submissions for one contract queue on its row (PostgreSQL; SQLite queues
    every writer anyway): see also the threaded test below."""
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    submit(alice, con, [line(p1)])
    assert locked[0] is Contract


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_end_with_exactly_one_current(alice, con, p1, monkeypatch):
    """Real threads on PostgreSQL: both pass the checks before the lock, then meet at it.
    Run with ``KABINET_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test``."""
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL's row locks; this run's database is {connection.vendor}")
    timeout = 20
    barrier = threading.Barrier(2)
    original = services.report_check_scan

    def held(upload):
        checked = original(upload)
        barrier.wait(timeout)
        return checked

    monkeypatch.setattr(services, "report_check_scan", held)
    errors = []

    def run(value):
        try:
            submit(alice, con, [line(p1, value)])
        except BaseException as exc:  # noqa: BLE001 — re-raised below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(v,)) for v in ("100", "200")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout * 2)
    assert not errors, errors
    statuses = sorted(ConsumptionReport.objects.values_list("status", flat=True))
    assert statuses == ["replaced", "sent"]


# --- staff decisions ------------------------------------------------------------------


def test_accept_and_reject_move_only_a_sent_report(alice, staff, con, p1, p2):
    [a, b] = submit(alice, con, [line(p1, "100"), line(p2, "5")])
    report_accept(by=staff, report=a, accepted_consumption=Decimal("98.40"), note="по акту")
    a.refresh_from_db()
    assert (a.status, a.accepted_consumption, a.note) == ("accepted", Decimal("98.40"), "по акту")
    assert a.decided_by == staff and a.decided_at is not None
    with pytest.raises(DomainError) as exc:
        report_reject(by=staff, report=a, note="поздно")
    assert exc.value.code == "transition"
    assert exc.value.message == (
        "Отчёт в состоянии «учтён во взаиморасчётах» нельзя перевести в «отклонён»."
    )
    with pytest.raises(DomainError):
        report_accept(by=staff, report=a, accepted_consumption=Decimal("1"))

    with pytest.raises(DomainError) as exc:
        report_reject(by=staff, report=b, note="  ")
    assert exc.value.field == "note"
    report_reject(by=staff, report=b, note="Нет печати")
    b.refresh_from_db()
    assert (b.status, b.note) == ("rejected", "Нет печати")
    with pytest.raises(DomainError):
        report_accept(by=staff, report=b, accepted_consumption=Decimal("5"))

    [c] = submit(alice, con, [line(p2, "6")])
    [d] = submit(alice, con, [line(p2, "7")])
    with pytest.raises(DomainError):  # c was replaced by d
        report_accept(by=staff, report=c, accepted_consumption=Decimal("6"))
    assert ConsumptionReport.objects.get(pk=d.pk).status == "sent"


def test_only_staff_decide_and_the_figure_is_checked(alice, staff, con, p1):
    [r] = submit(alice, con, [line(p1)])
    with pytest.raises(DomainError) as exc:
        report_accept(by=alice, report=r, accepted_consumption=Decimal("1"))
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError) as exc:
        report_reject(by=alice, report=r, note="нет")
    assert exc.value.code == "forbidden"
    for bad in (Decimal("-1"), Decimal("1.234")):
        with pytest.raises(DomainError) as exc:
            report_accept(by=staff, report=r, accepted_consumption=bad)
        assert exc.value.field == "accepted_consumption"
    r.refresh_from_db()
    assert r.status == "sent"


# --- pages ----------------------------------------------------------------------------


@pytest.fixture
def in_time(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


@pytest.fixture
def sent(alice, con, p1, in_time) -> ConsumptionReport:
    [report] = submit(alice, con, [line(p1)], scan=pdf("Отчёт «март».pdf"))
    return report


def page_urls(con, report):
    return [
        reverse("contracts:reports", args=[con.uuid]),
        reverse("contracts:report_new", args=[con.uuid]),
        reverse("contracts:report_scan", args=[report.uuid]),
    ]


def test_owner_and_staff_see_every_page_stranger_gets_404(client, alice, charlie, staff, con, sent):
    organisation(charlie, inn=OTHER_INN)  # a customer with an organisation of their own
    for user, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(user)
        for url in page_urls(con, sent):
            assert client.get(url).status_code == code, (user, url)


def test_anonymous_is_sent_to_sign_in(client, con, sent):
    for url in page_urls(con, sent):
        assert client.get(url).status_code == 302


def test_stranger_cannot_post(client, charlie, con, p1, in_time, uploads_dir):
    client.force_login(charlie)
    response = client.post(reverse("contracts:report_new", args=[con.uuid]), form_data(p1))
    assert response.status_code == 404
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


def test_the_scan_is_downloaded_under_its_name_never_inline(client, alice, con, sent):
    client.force_login(alice)
    response = client.get(reverse("contracts:report_scan", args=[sent.uuid]))
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition.lower() and "\n" not in disposition
    assert '"' not in disposition.split("filename*=")[1]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def form_data(point, consumption="1234,5", read_on="2026-03-19", scan=None):
    data = {
        report_field(point, "consumption"): consumption,
        report_field(point, "read_on"): read_on,
    }
    data["scan"] = scan if scan is not None else pdf()
    return data


def test_sending_from_the_form_shows_the_row_in_the_history(client, alice, con, p1, in_time):
    client.force_login(alice)
    url = reverse("contracts:report_new", args=[con.uuid])
    page = client.get(url).content.decode()
    assert "до 25 числа; формат XXXXXX,XX; PDF, JPEG или PNG до 10 МБ; оригинал отчёта — " in page
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in page
    assert f"Точка учёта {p1.number}" in page and "ВКТ-7 № 12345" in page

    response = client.post(url, form_data(p1), follow=True)
    assert response.redirect_chain == [(reverse("contracts:reports", args=[con.uuid]), 302)]
    report = ConsumptionReport.objects.get()
    assert (report.consumption, report.read_on, report.submitted_by) == (
        Decimal("1234.50"),
        date(2026, 3, 19),
        alice,
    )
    page = response.content.decode()
    assert "Отчёт отправлен (точек учёта: 1)." in page
    assert "1\u00a0234,5 Гкал" in page and "19.03.2026" in page
    assert "отправлен</span>" in page and "Алиса" in page
    assert reverse("contracts:report_scan", args=[report.uuid]) in page

    # The form's hint shows the last figure sent.
    assert "Последний отчёт: 1\u00a0234,5 Гкал за март 2026, показания от 19.03.2026." in (
        client.get(url).content.decode()
    )


def test_a_refused_form_keeps_what_was_typed_and_saves_nothing(
    client, alice, con, p1, p2, in_time, uploads_dir
):
    client.force_login(alice)
    url = reverse("contracts:report_new", args=[con.uuid])
    data = form_data(p1, consumption="12,345")
    data[report_field(p2, "consumption")] = "77,7"
    data[report_field(p2, "read_on")] = "2026-03-21"
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Проверьте поля, отмеченные ниже." in page
    assert f'id="id_{report_field(p1, "consumption")}_error"' in page
    assert f'id="id_{report_field(p2, "read_on")}_error"' in page
    assert "Введите расход в формате XXXXXX,XX" in page
    assert "не может быть позже сегодняшнего дня" in page
    assert 'value="12,345"' in page and 'value="77,7"' in page and 'value="2026-03-21"' in page
    assert "Файл нужно выбрать ещё раз" in page
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)

    # Through the web form, too: a fake PDF and a file over 10 МБ.
    for scan, message in (
        (pdf("fake.pdf", b"just text"), "по содержимому не PDF"),
        (pdf("big.pdf", b"%PDF-" + bytes(MB10)), "больше 10,0\u00a0МБ"),
    ):
        page = client.post(url, form_data(p1, scan=scan)).content.decode()
        assert 'id="id_scan_error"' in page and message in page, message
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


def test_read_only_colleague_sees_the_history_but_cannot_send(
    client, bob, con, p1, sent, uploads_dir
):
    client.force_login(bob)
    page = client.get(reverse("contracts:reports", args=[con.uuid])).content.decode()
    assert "1\u00a0234,5 Гкал" in page and "Алиса" in page
    assert "только для просмотра" in page
    assert reverse("contracts:report_new", args=[con.uuid]) not in page

    url = reverse("contracts:report_new", args=[con.uuid])
    page = client.get(url).content.decode()
    assert "отправить отчёт вы не можете" in page
    assert "Отправить отчёт</button>" not in page

    response = client.post(url, form_data(p1, consumption="999"))
    assert response.status_code == 200
    assert "могут только пользователи с полным доступом" in response.content.decode()
    assert list(ConsumptionReport.objects.values_list("consumption", "status")) == [
        (Decimal("1234.50"), "sent")
    ]
    assert len(stored_files(uploads_dir)) == 1


def test_after_the_25th_the_pages_say_so_and_post_is_refused(
    client, alice, con, p1, monkeypatch, uploads_dir
):
    monkeypatch.setattr(views, "_today", lambda: date(2026, 3, 26))
    client.force_login(alice)
    late = "Отчёт за март 2026 принимался до 25 марта. Передайте его куратору договора."
    page = client.get(reverse("contracts:reports", args=[con.uuid])).content.decode()
    assert late in page
    assert reverse("contracts:report_new", args=[con.uuid]) not in page.split("h-history")[0]
    url = reverse("contracts:report_new", args=[con.uuid])
    assert late in client.get(url).content.decode()
    page = client.post(url, form_data(p1)).content.decode()
    assert late in page
    assert not ConsumptionReport.objects.exists() and not stored_files(uploads_dir)


def test_history_by_year_replaced_under_current_accepted_beside_sent(
    client, alice, staff, con, p1, sent
):
    [newer] = submit(alice, con, [line(p1, "1300")], scan=pdf("v2.pdf"))
    report_accept(by=staff, report=newer, accepted_consumption=Decimal("1290"))
    old = submit(alice, con, [line(p1, "50", date(2025, 12, 20))], today=date(2025, 12, 24))[0]
    client.force_login(alice)
    url = reverse("contracts:reports", args=[con.uuid])

    page = client.get(url).content.decode()
    body = page.split('id="h-history"')[1]
    assert "Март 2026" in body and "Декабрь 2025" not in body  # this year by default
    # The current report first, the replaced one under it, muted.
    assert body.index("1\u00a0300") < body.index("1\u00a0234,5")
    assert 'class="muted small"' in body and "заменён новым" in body
    assert "учтён во взаиморасчётах" in body and "1\u00a0290 Гкал" in body

    body = client.get(url + "?year=2025").content.decode().split('id="h-history"')[1]
    assert "Декабрь 2025" in body and "Март 2026" not in body
    body = client.get(url + "?year=").content.decode().split('id="h-history"')[1]
    assert "Декабрь 2025" in body and "Март 2026" in body

    csv = client.get(url + "?year=2026&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Период;Точка учёта;Отправлено;Учтено во взаиморасчётах")
    assert "1300;1290" in csv and "заменён новым" in csv and "Декабрь" not in csv
    assert old.status == "sent"
