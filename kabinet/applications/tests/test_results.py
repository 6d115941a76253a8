"""The connection contract (000 §4.5–4.6): staff attach it and it is signed with the
utility's key, its stages get their due dates, the applicant signs it back (a PDF
signed on top, a detached or an attached signature) and anything else is refused with
nothing kept; the customer's pages of the result are the owner's (and staff's) only."""

import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfWriter

from kabinet.applications.kinds.base import months_after, working_days_after
from kabinet.applications.models import Application, ApplicationEvent, ConnectionContract
from kabinet.applications.services import results
from kabinet.applications.services.workflow import application_transition
from kabinet.applications.tests import signatures
from kabinet.applications.tests.factories import filed
from kabinet.core import signing
from kabinet.core.errors import DomainError
from kabinet.notifications.models import Notice

Status = Application.Status


@pytest.fixture(autouse=True)
def _connection_utility(settings, tmp_path_factory):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    # One demo signing key per test worker, outside the repository's var/.
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    settings.KABINET_SIGNING_KEY_PASSPHRASE = None


def contract_pdf(title: str = "Договор 12-ТП") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str = "договор.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def accepted(user, staff):
    app = filed(user)
    application_transition(application=app, to=Status.ACCEPTED, by=staff)
    return app


def attach(app, staff, *, number="12-ТП", day=None):
    return results.contract_attach(
        staff=staff,
        application=app,
        number=number,
        date=day or timezone.localdate(),
        pdf_upload=upload(contract_pdf()),
    )


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def files_in(path):
    return sorted(p.name for p in path.rglob("*") if p.is_file()) if path.exists() else []


# --- attaching ------------------------------------------------------------------------


def test_attach_signs_the_contract_sets_stages_finishes_and_tells_the_applicant(
    alice, staff, django_capture_on_commit_callbacks
):
    app = accepted(alice, staff)
    day = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        contract = attach(app, staff, day=day)
    app.refresh_from_db()
    assert app.status == Status.DONE and app.done_at is not None and app.due_date is None
    # Accepted → in work → done, through the one transition, and the contract between.
    moves = list(
        app.events.filter(kind=ApplicationEvent.Kind.STATUS).values_list("from_status", "to_status")
    )
    assert moves[-2:] == [(Status.ACCEPTED, Status.IN_WORK), (Status.IN_WORK, Status.DONE)]
    assert app.events.filter(kind=ApplicationEvent.Kind.CONTRACT, by=staff).count() == 1

    pdf = stored(contract.utility_pdf)
    check = signing.verify_pdf(pdf)
    assert check.ok, check.error
    assert contract.utility_signer == signing.signer_name()

    stages = {s.code: s for s in contract.stages.all()}
    assert list(stages) == [
        "utility_signed",
        "customer_signed",
        "customer_conditions",
        "utility_works",
        "inspection",
        "connected",
    ]
    assert stages["utility_signed"].done_on == day
    assert stages["utility_signed"].title == "Договор подписан организацией"
    assert stages["customer_signed"].due_date == working_days_after(day, 10)
    assert stages["customer_conditions"].due_date is None
    assert stages["inspection"].due_date is None
    # household15 (≤ 15 кВт): 6 months from the contract (ПП 861 п. 16).
    assert stages["utility_works"].due_date == months_after(day, 6)
    assert stages["connected"].due_date == months_after(day, 6)
    assert all(s.done_on is None for code, s in stages.items() if code != "utility_signed")

    notice = Notice.objects.get(user=alice, title__contains="договор готов к подписанию")
    assert app.number in notice.title
    assert notice.url == reverse("applications:detail", kwargs={"uuid": app.uuid})


def test_a_temporary_connection_is_due_in_working_days(alice, staff):
    app = accepted(alice, staff)
    day = timezone.localdate() - timedelta(days=3)
    Application.objects.filter(pk=app.pk).update(
        category="temporary", filed_at=timezone.now() - timedelta(days=5)
    )
    app.refresh_from_db()
    contract = attach(app, staff, day=day)
    due = contract.stages.get(code="utility_works").due_date
    assert due == working_days_after(day, 15)


def test_a_second_contract_is_refused(alice, staff, uploads_dir):
    app = accepted(alice, staff)
    attach(app, staff)
    before = files_in(uploads_dir)
    with pytest.raises(DomainError, match="договор уже приложен"):
        attach(app, staff, number="13-ТП")
    assert ConnectionContract.objects.filter(application=app).count() == 1
    assert files_in(uploads_dir) == before


def test_attach_needs_an_accepted_application_and_a_real_pdf(alice, staff, uploads_dir):
    app = filed(alice)  # registered, not accepted yet
    with pytest.raises(DomainError, match="принятой заявке"):
        attach(app, staff)
    application_transition(application=app, to=Status.ACCEPTED, by=staff)
    before = files_in(uploads_dir)
    for bad, field in (
        (upload(b"not a pdf at all"), "pdf"),
        (upload(b"\x89PNG\r\n\x1a\n" + b"0" * 20, "скан.png", "image/png"), "pdf"),
        (upload(b"%PDF-1.4\n garbage that no reader takes\n"), "pdf"),
    ):
        with pytest.raises(DomainError) as caught:
            results.contract_attach(
                staff=staff, application=app, number="1", date=timezone.localdate(), pdf_upload=bad
            )
        assert caught.value.field == field
    with pytest.raises(DomainError) as caught:
        results.contract_attach(
            staff=staff,
            application=app,
            number="1",
            date=timezone.localdate() + timedelta(days=1),
            pdf_upload=upload(contract_pdf()),
        )
    assert caught.value.field == "date"
    with pytest.raises(DomainError) as caught:
        results.contract_attach(
            staff=staff,
            application=app,
            number=" ",
            date=timezone.localdate(),
            pdf_upload=upload(contract_pdf()),
        )
    assert caught.value.field == "number"
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    assert not ConnectionContract.objects.exists()
    assert files_in(uploads_dir) == before


def test_only_staff_attach(alice, staff):
    app = accepted(alice, staff)
    with pytest.raises(DomainError):
        attach(app, alice)
    assert not ConnectionContract.objects.exists()


# --- signing back -----------------------------------------------------------------------


@pytest.fixture
def contract(alice, staff):
    return attach(accepted(alice, staff), staff)


def sign_back(contract, data, name):
    return results.contract_sign_back(
        user=contract.application.user, application=contract.application, upload=upload(data, name)
    )


def test_a_pdf_signed_on_top_of_ours_is_accepted(contract, alice):
    ours = stored(contract.utility_pdf)
    signed = signatures.sign_pdf_on_top(ours)
    row = sign_back(contract, signed, "договор подписан.pdf")
    assert row.is_signed_back and row.customer_file_kind == "pdf"
    assert row.customer_signer == signatures.APPLICANT
    assert row.customer_file_name == "договор подписан.pdf"
    assert stored(row.customer_file) == signed
    assert stored(row.utility_pdf) == ours  # ours is kept as it was
    stage = row.stages.get(code="customer_signed")
    assert stage.done_on == timezone.localdate() and stage.done_by == alice
    assert row.application.events.filter(kind=ApplicationEvent.Kind.SIGNED, by=alice).exists()
    with pytest.raises(DomainError, match="уже подписали"):
        sign_back(contract, signed, "ещё раз.pdf")


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda pdf: signatures.sign_detached(pdf), "договор.pdf.sig", "detached"),
        (lambda pdf: signatures.sign_detached(pdf, pem=True), "договор.p7s", "detached"),
        (lambda pdf: signatures.sign_attached(pdf), "договор.p7m", "attached"),
    ],
)
def test_a_signature_file_of_our_pdf_is_accepted(contract, make, name, kind):
    sig = make(stored(contract.utility_pdf))
    row = sign_back(contract, sig, name)
    assert row.customer_file_kind == kind
    assert row.customer_signer == signatures.APPLICANT
    assert stored(row.customer_file) == sig
    assert row.stages.get(code="customer_signed").done_on is not None


def _tampered(signed: bytes, after: int) -> bytes:
    """One byte changed inside the applicant's signed revision (its field name)."""
    at = signed.index(b"(Applicant)", after) + 3
    return signed[:at] + b"X" + signed[at + 1 :]


def _changed_then_signed(ours: bytes) -> bytes:
    """The page's content replaced in a new revision, then signed by the applicant."""
    writer = IncrementalPdfFileWriter(io.BytesIO(ours), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 12 Tf 10 10 Td (other terms) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return signatures.sign_pdf_on_top(out.getvalue())


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (
            lambda ours: _tampered(signatures.sign_pdf_on_top(ours), len(ours)),
            "договор.pdf",
            "Подпись повреждена",
        ),
        (
            lambda ours: signatures.sign_pdf_on_top(contract_pdf("Другой договор")),
            "договор.pdf",
            "не является подписанным договором № 12-ТП",
        ),
        (
            lambda ours: signatures.sign_pdf_on_top(signing.sign_pdf(contract_pdf(), reason="x")),
            "договор.pdf",
            "не является подписанным договором",
        ),
        (lambda ours: ours, "договор.pdf", "нет вашей подписи"),
        (_changed_then_signed, "договор.pdf", "внесены изменения"),
        (lambda ours: b"just some text, not a contract", "договор.pdf", "не является PDF"),
        (lambda ours: b"just some text, not a contract", "договор.sig", "не является файлом"),
        (lambda ours: b"\x30\x03\x02\x01\x01", "договор.p7s", "не является файлом"),
        (
            lambda ours: signatures.sign_detached(contract_pdf("Другой договор")),
            "договор.sig",
            "не является подписанным договором",
        ),
        (
            lambda ours: signatures.sign_attached(contract_pdf("Другой договор")),
            "договор.p7m",
            "не является подписанным договором",
        ),
        (lambda ours: signatures.sign_detached(ours), "договор.docx", "файл подписи"),
    ],
    ids=[
        "tampered-pdf",
        "pdf-of-another-contract",
        "pdf-signed-by-us-but-another",
        "pdf-without-applicant-signature",
        "pdf-changed-before-signing",
        "random-file-as-pdf",
        "random-file-as-sig",
        "asn1-that-is-not-cms",
        "detached-over-other-bytes",
        "attached-of-other-bytes",
        "wrong-extension",
    ],
)
def test_anything_else_is_refused_and_nothing_is_kept(contract, uploads_dir, make, name, message):
    before = files_in(uploads_dir)
    data = make(stored(contract.utility_pdf))
    with pytest.raises(DomainError, match=message) as caught:
        sign_back(contract, data, name)
    assert caught.value.field == "signed"
    contract.refresh_from_db()
    assert not contract.is_signed_back and not contract.customer_file
    assert contract.stages.get(code="customer_signed").done_on is None
    assert not contract.application.events.filter(kind=ApplicationEvent.Kind.SIGNED).exists()
    assert files_in(uploads_dir) == before


def test_a_broken_detached_signature_is_refused(contract):
    sig = bytearray(signatures.sign_detached(stored(contract.utility_pdf)))
    # The RSA signature value is the last 256 bytes of this DER: flip one of them.
    sig[-10] ^= 0xFF
    with pytest.raises(DomainError, match="Подпись повреждена"):
        sign_back(contract, bytes(sig), "договор.sig")


def test_only_the_owner_signs_back(contract, charlie, staff):
    app = contract.application
    for who in (charlie, staff):
        with pytest.raises(DomainError, match="не ваша"):
            results.contract_sign_back(
                user=who,
                application=app,
                upload=upload(signatures.sign_detached(stored(contract.utility_pdf)), "a.sig"),
            )
    contract.refresh_from_db()
    assert not contract.is_signed_back


def test_signing_back_works_inside_a_running_event_loop(contract):
    """Browser tests drive Chromium from an asyncio loop in the test thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    ours = stored(contract.utility_pdf)
    signed = signatures.sign_pdf_on_top(ours)

    async def inside():
        return results._examine(signed, ours, "pdf")

    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(asyncio.run, inside()).result()
    assert found.problem == "" and found.signers == (signatures.APPLICANT,)


# --- stages -----------------------------------------------------------------------------


def test_stage_marked_done_and_undone_tells_the_applicant(
    contract, staff, alice, django_capture_on_commit_callbacks
):
    stage = contract.stages.get(code="customer_conditions")
    day = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        results.stage_mark(staff=staff, stage=stage, done_on=day, note="Акт от заявителя")
    stage.refresh_from_db()
    assert stage.done_on == day and stage.done_by == staff and stage.note == "Акт от заявителя"
    event = contract.application.events.filter(kind=ApplicationEvent.Kind.STAGE).last()
    assert "Выполнение технических условий заявителем" in event.comment
    assert Notice.objects.filter(user=alice, title__contains="этап договора выполнен").exists()
    with django_capture_on_commit_callbacks(execute=True):
        results.stage_mark(staff=staff, stage=stage, done_on=None)
    stage.refresh_from_db()
    assert stage.done_on is None and stage.done_by is None
    assert Notice.objects.filter(user=alice, title__contains="отметка").exists()


def test_stage_dates_are_checked(contract, staff):
    stage = contract.stages.get(code="utility_works")
    for day in (timezone.localdate() + timedelta(days=1), contract.date - timedelta(days=1)):
        with pytest.raises(DomainError) as caught:
            results.stage_mark(staff=staff, stage=stage, done_on=day)
        assert caught.value.field == "done_on"
    stage.refresh_from_db()
    assert stage.done_on is None
    with pytest.raises(DomainError):
        results.stage_mark(staff=staff, stage=stage, done_on=None)  # not marked: nothing to undo
    with pytest.raises(DomainError):
        results.stage_mark(
            staff=staff, stage=contract.stages.get(code="utility_signed"), done_on=None
        )


def test_the_applicant_s_signature_cannot_be_unmarked(contract, staff):
    sign_back(contract, signatures.sign_detached(stored(contract.utility_pdf)), "a.sig")
    stage = contract.stages.get(code="customer_signed")
    with pytest.raises(DomainError, match="в кабинете"):
        results.stage_mark(staff=staff, stage=stage, done_on=None)


def test_a_customer_cannot_mark_stages(contract, alice):
    with pytest.raises(DomainError):
        results.stage_mark(
            staff=alice, stage=contract.stages.get(code="inspection"), done_on=timezone.localdate()
        )


# --- the applicant's pages --------------------------------------------------------------


def page(name, contract):
    return reverse(f"applications:{name}", kwargs={"uuid": contract.application.uuid})


def test_the_contract_downloads_to_its_owner_and_staff_only(
    client, contract, alice, charlie, staff
):
    ours = stored(contract.utility_pdf)
    for who, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(who)
        response = client.get(page("contract_pdf", contract))
        assert response.status_code == code, who
        if code == 200:
            assert b"".join(response.streaming_content) == ours
            assert response["Content-Type"] == "application/pdf"
            assert "attachment" in response["Content-Disposition"]
            # Nothing signed back yet: nothing to download.
            assert client.get(page("contract_signed", contract)).status_code == 404
    client.logout()
    response = client.get(page("contract_pdf", contract))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_signing_back_through_the_page(client, contract, alice, charlie, staff):
    ours = stored(contract.utility_pdf)
    sig = signatures.sign_detached(ours)
    detail = page("detail", contract) + "#contract"
    # A stranger and staff: no such page.
    for who in (charlie, staff):
        client.force_login(who)
        response = client.post(page("contract_sign", contract), {"signed": upload(sig, "a.sig")})
        assert response.status_code == 404
    client.force_login(alice)
    assert client.get(page("contract_sign", contract)).status_code == 405
    # A wrong file: back to the card with the reason, nothing kept.
    response = client.post(
        page("contract_sign", contract), {"signed": upload(b"hello", "a.sig")}, follow=False
    )
    assert response.status_code == 302 and response["Location"] == detail
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [results._problem_message("not_signature", contract)]
    contract.refresh_from_db()
    assert not contract.is_signed_back
    response = client.post(page("contract_sign", contract), {})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert not contract.is_signed_back
    # The right one.
    response = client.post(page("contract_sign", contract), {"signed": upload(sig, "подпись.sig")})
    assert response.status_code == 302 and response["Location"] == detail
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown and signatures.APPLICANT in shown[-1]  # (earlier ones were never shown)
    contract.refresh_from_db()
    assert contract.is_signed_back
    # Downloads: the owner and staff, not a stranger.
    for who, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(who)
        response = client.get(page("contract_signed", contract))
        assert response.status_code == code, who
        if code == 200:
            assert b"".join(response.streaming_content) == sig
            assert response["Content-Type"] == "application/pkcs7-signature"
            assert "attachment" in response["Content-Disposition"]


def test_the_contract_include_renders_on_its_own(contract, alice, rf):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = alice
    context = {"application": contract.application, "contract": contract, "user": alice}
    html = render_to_string("applications/_contract.html", context, request=request)
    assert f"Договор № {contract.number}" in html
    assert page("contract_pdf", contract) in html
    assert page("contract_sign", contract) in html and 'name="signed"' in html
    assert "Этапы исполнения договора" in html
    assert "Фактическое присоединение, акт о подключении" in html
    assert html.count("просрочен") == 0
    # Overdue stages are marked; once signed back the form gives way to the signature.
    stage = contract.stages.get(code="customer_signed")
    stage.due_date = timezone.localdate() - timedelta(days=1)
    stage.save()
    html = render_to_string("applications/_contract.html", context, request=request)
    assert "просрочен" in html
    sign_back(contract, signatures.sign_detached(stored(contract.utility_pdf)), "подпись.sig")
    contract.refresh_from_db()
    html = render_to_string("applications/_contract.html", context, request=request)
    assert 'name="signed"' not in html
    assert signatures.APPLICANT in html and page("contract_signed", contract) in html
