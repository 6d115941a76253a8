"""The signing provider: a signed PDF verifies, a changed or foreign one does not, the
demo key is made once and reused, production refuses to run without a key."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfWriter

from kabinet.core import signing

MARKER = b"KabinetMarker0001"


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path_factory):
    # One demo key per test worker, outside the repository's var/.
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    settings.KABINET_SIGNING_KEY_PASSPHRASE = None


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": MARKER.decode()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_signed_pdf_verifies_with_the_utility_as_signer():
    signed = signing.sign_pdf(tiny_pdf(), reason="Акт сверки", location="Санкт-Петербург")
    check = signing.verify_pdf(signed)
    assert check.signed and check.intact and check.valid and check.trusted and check.ok
    assert check.signer == "ТЕСТОВАЯ ПОДПИСЬ — ГУП «ТЭК СПб»"
    assert check.signer == signing.signer_name()
    assert check.signed_at is not None and check.signed_at.tzinfo is not None
    assert check.error == ""


def test_signing_and_checking_work_inside_a_running_event_loop():
    """An async view, or a test thread driving the browser, has a loop running: pyHanko
    (which calls asyncio.run) is then run in a thread of its own."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside():
        signed = signing.sign_pdf(tiny_pdf(), reason="Акт сверки")
        return signing.verify_pdf(signed)

    # A thread of its own for the loop: this one may already run the browser tests' loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside()).result().ok


def test_a_typst_document_signs_too():
    from kabinet.core.pdf import render_pdf

    pdf = render_pdf("core/_smoke", {"title": "Проверка", "rows": [["Отопление", "1,00 ₽"]]})
    assert signing.verify_pdf(signing.sign_pdf(pdf, reason="Проверка")).ok


def test_one_changed_byte_of_the_signed_content_breaks_the_signature():
    signed = signing.sign_pdf(tiny_pdf(), reason="Проверка")
    at = signed.index(MARKER)  # in the first revision, inside the signed byte range
    changed = signed[: at + len(MARKER) - 1] + b"2" + signed[at + len(MARKER) :]
    assert len(changed) == len(signed)
    check = signing.verify_pdf(changed)
    assert check.signed
    assert not check.intact and not check.valid and not check.ok
    assert check.error


def test_anything_appended_after_signing_makes_it_not_valid():
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = signing.sign_pdf(tiny_pdf(), reason="Проверка")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = pdf_string("en")  # an innocent-looking later change
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = signing.verify_pdf(out.getvalue())
    assert check.signed and check.intact
    assert not check.valid and not check.ok


def test_a_pdf_signed_with_another_key_is_not_trusted(settings, tmp_path):
    key_pem, cert_pem = signing.demo_certificate("ООО «Чужая»", passphrase="секрет 1")
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    settings.KABINET_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    settings.KABINET_SIGNING_CERT_FILE = str(tmp_path / "cert.pem")
    settings.KABINET_SIGNING_KEY_PASSPHRASE = "секрет 1"
    foreign = signing.sign_pdf(tiny_pdf(), reason="Проверка")
    assert signing.verify_pdf(foreign).ok  # its own key trusts it

    settings.KABINET_SIGNING_KEY_FILE = None
    settings.KABINET_SIGNING_CERT_FILE = None
    check = signing.verify_pdf(foreign)  # the utility's (demo) key does not
    assert check.signed and check.intact and check.valid
    assert not check.trusted and not check.ok
    assert check.signer == "ТЕСТОВАЯ ПОДПИСЬ — ООО «Чужая»"


def test_an_unsigned_or_broken_pdf_is_not_signed():
    assert signing.verify_pdf(tiny_pdf()).signed is False
    check = signing.verify_pdf(b"not a pdf at all")
    assert check.signed is False and check.error


def test_the_demo_key_is_made_once_and_reused(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = signing.sign_pdf(tiny_pdf(), reason="Проверка")
    folder = tmp_path / "signing" / "demo-tek_spb"
    cert = (folder / "cert.pem").read_bytes()
    assert (folder / "key.pem").stat().st_mode & 0o077 == 0
    signing._load.cache_clear()  # as a new process would
    assert signing.verify_pdf(first).ok
    assert (folder / "cert.pem").read_bytes() == cert


def test_wrong_passphrase_or_half_a_configuration_is_refused(settings, tmp_path):
    key_pem, cert_pem = signing.demo_certificate("ООО «Ромашка»", passphrase="верный")
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    settings.KABINET_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    settings.KABINET_SIGNING_CERT_FILE = str(tmp_path / "cert.pem")
    settings.KABINET_SIGNING_KEY_PASSPHRASE = "неверный"
    with pytest.raises(ImproperlyConfigured):
        signing.sign_pdf(tiny_pdf(), reason="Проверка")
    settings.KABINET_SIGNING_CERT_FILE = None
    with pytest.raises(ImproperlyConfigured):
        signing.sign_pdf(tiny_pdf(), reason="Проверка")


def test_a_key_of_another_certificate_is_refused(settings, tmp_path):
    key_pem, _cert = signing.demo_certificate("ООО «Один»")
    _key, cert_pem = signing.demo_certificate("ООО «Другой»")
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    settings.KABINET_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    settings.KABINET_SIGNING_CERT_FILE = str(tmp_path / "cert.pem")
    with pytest.raises(ImproperlyConfigured, match="does not belong"):
        signing.sign_pdf(tiny_pdf(), reason="Проверка")


def test_production_without_a_key_refuses_to_sign(settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="KABINET_SIGNING_KEY_FILE"):
        signing.sign_pdf(tiny_pdf(), reason="Проверка")
