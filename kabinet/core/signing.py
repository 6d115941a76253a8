"""Электронная подпись организации на PDF-документах (акты сверки, счета-фактуры).

The signing provider (ARCHITECTURE rule 5): two calls and nothing else.

- ``sign_pdf(pdf, reason=..., location=...)`` signs a PDF with the utility's key as a
  PAdES baseline B-B signature (ETSI.CAdES.detached, SHA-256, invisible, the signer's
  certificate embedded). No time-stamp server and no revocation data are fetched: the
  signing time in the signature is the server's clock, as the signer states it.
- ``verify_pdf(pdf)`` checks the signature of such a PDF: are the signed bytes intact,
  is the cryptographic signature valid, was nothing appended after signing, and does
  the signer's certificate match the configured one, which is the only trust root.
  Nothing is fetched from the network and revocation (CRL, OCSP) is not checked; the
  certificate is judged as of the moment of the check, so after it expires the
  signature no longer counts as trusted (a B-T time stamp would fix that).

The key and certificate (PEM, the certificate file may carry its chain after it) are
named by ``KABINET_SIGNING_KEY_FILE``, ``KABINET_SIGNING_CERT_FILE`` and
``KABINET_SIGNING_KEY_PASSPHRASE``. Without them, outside production, a self-signed
«ТЕСТОВАЯ ПОДПИСЬ — <организация>» key is made once under ``<VAR_DIR>/signing/`` and
reused; production refuses to sign without a configured key. The loaded key is cached
per process: a replaced key file takes effect after a restart. See docs/signing.md.

This signature shows that a document came from the portal unchanged. It is not a
qualified signature under 63-ФЗ (those use ГОСТ Р 34.10-2012 keys from an accredited
CA): legally binding exchange goes through the customer's ЭДО operator.
"""

import asyncio
import datetime as dt
import io
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "UtilitySignature"
DEMO_PREFIX = "ТЕСТОВАЯ ПОДПИСЬ — "
DEMO_YEARS = 10
# A document-signing certificate may carry either bit; real CAs differ in which.
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


@dataclass(frozen=True)
class SignatureCheck:
    """What the check of a PDF's signature found.

    ``intact``: the signed bytes hash to what was signed. ``valid``: intact, the
    signature itself verifies, and nothing was appended to the file after signing.
    ``trusted``: the signer's certificate is the configured one (no revocation check).
    ``signer`` is the certificate's common name (with the organisation when it adds
    something), ``signed_at`` the signing time the signature states. ``error`` says
    what failed, for logs and staff (Russian, not translated: not for customers' pages).
    """

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        """Подпись действительна: valid and made with the utility's key."""
        return self.signed and self.valid and self.trusted


@dataclass(frozen=True)
class _Identity:
    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate  # the signer's own: the one trust root


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    """The PDF with the utility's PAdES signature appended (an incremental update, so
    the original bytes stay as they were, followed by the signature)."""
    identity = _identity()
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = _outside_event_loop(signers.sign_pdf, writer, meta, signer=identity.signer)
    return out.getvalue()


def verify_pdf(pdf: bytes) -> SignatureCheck:
    """Check the PDF's signature against the configured certificate (see the module)."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception as exc:  # not a PDF, or one pyHanko cannot read: nothing verifies
        return SignatureCheck(signed=False, error=f"PDF не читается: {exc}")
    if not signatures:
        return SignatureCheck(signed=False, error="Документ не подписан.")
    certificate = _identity().certificate
    # The portal signs once; anything signed or written after that first signature is
    # a change to the document and makes it not "as signed" (valid is False below).
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=[certificate], allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = _outside_event_loop(
            validate_pdf_signature, embedded, context, key_usage_settings=KEY_USAGE
        )
    except Exception as exc:  # a damaged signature container: signed, but nothing holds
        return SignatureCheck(signed=True, error=f"Подпись не проверяется: {exc}")
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    valid = bool(status.intact and status.valid and whole_file)
    trusted = bool(status.trusted)
    if not status.intact:
        error = "Документ изменён после подписания."
    elif not status.valid:
        error = "Подпись неверна."
    elif not whole_file:
        error = "После подписи в документ что-то добавлено."
    elif not trusted:
        indication = status.trust_problem_indic
        error = "Сертификат подписи не принадлежит организации" + (
            f" ({indication.name})." if indication else "."
        )
    else:
        error = ""
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact),
        valid=valid,
        trusted=trusted,
        signer=_subject_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        error=error,
    )


def signer_name() -> str:
    """Who signs: the configured certificate's name, printed on the documents."""
    return _subject_name(_identity().certificate)


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions. They call asyncio.run(), which a
    loop already running in this thread refuses (an async view, or a browser driven
    from the same thread in tests): then the call runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _subject_name(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    common = str(subject.get("common_name") or "")
    organisation = str(subject.get("organization_name") or "")
    if common and organisation and organisation not in common:
        return f"{common} ({organisation})"
    return common or organisation or cert.subject.human_friendly


# --- the key ----------------------------------------------------------------------


def _identity() -> _Identity:
    key_file = getattr(settings, "KABINET_SIGNING_KEY_FILE", None)
    cert_file = getattr(settings, "KABINET_SIGNING_CERT_FILE", None)
    passphrase = getattr(settings, "KABINET_SIGNING_KEY_PASSPHRASE", None)
    if key_file or cert_file:
        if not (key_file and cert_file):
            raise ImproperlyConfigured(
                "KABINET_SIGNING_KEY_FILE and KABINET_SIGNING_CERT_FILE go together: "
                "set both or neither."
            )
        return _load(str(key_file), str(cert_file), passphrase or None)
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured(
            "Signed documents need the utility's key: set KABINET_SIGNING_KEY_FILE and "
            "KABINET_SIGNING_CERT_FILE (PEM) and, if the key is encrypted, "
            "KABINET_SIGNING_KEY_PASSPHRASE. See docs/signing.md."
        )
    from kabinet.core.utility import get_utility

    profile = get_utility()
    var_dir = getattr(settings, "VAR_DIR", None) or Path(settings.BASE_DIR) / "var"
    folder = _demo_folder(Path(var_dir) / "signing", profile.code, profile.short_name)
    return _load(str(folder / "key.pem"), str(folder / "cert.pem"), None)


@lru_cache(maxsize=8)
def _load(key_file: str, cert_file: str, passphrase: str | None) -> _Identity:
    """Read the key and the certificate (and its chain) once per process."""
    try:
        key = load_private_key_from_pemder(
            key_file, passphrase=passphrase.encode() if passphrase else None
        )
        certs = list(load_certs_from_pemder([cert_file]))
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"The signing key {key_file} or certificate {cert_file} cannot be read "
            f"(wrong file, format or KABINET_SIGNING_KEY_PASSPHRASE): {exc}"
        ) from exc
    if not certs:
        raise ImproperlyConfigured(f"{cert_file} holds no certificate.")
    certificate = certs[0]
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    own = serialization.load_der_private_key(key.dump(), None).public_key().public_bytes(*spki)
    if own != certificate.public_key.dump():
        raise ImproperlyConfigured(
            f"The signing key {key_file} does not belong to the first certificate in {cert_file}."
        )
    registry = SimpleCertificateStore()
    registry.register_multiple(certs)
    signer = signers.SimpleSigner(signing_cert=certificate, signing_key=key, cert_registry=registry)
    return _Identity(signer=signer, certificate=certificate)


def _demo_folder(base: Path, code: str, short_name: str) -> Path:
    """``base/demo-<code>/`` with key.pem and cert.pem, made on first use.

    Processes that start together (test workers, web and worker) may race to make it:
    each writes its own pair into a private temporary folder and renames that folder
    into place, which only one can do; the others throw theirs away and use the winner.
    """
    folder = base / f"demo-{code}"
    if (folder / "cert.pem").is_file():
        return folder
    base.mkdir(parents=True, exist_ok=True)
    key_pem, cert_pem = demo_certificate(short_name)
    scratch = Path(tempfile.mkdtemp(prefix=".demo-", dir=base))  # mode 0700
    try:
        (scratch / "key.pem").write_bytes(key_pem)
        os.chmod(scratch / "key.pem", 0o600)
        (scratch / "cert.pem").write_bytes(cert_pem)
        try:
            os.rename(scratch, folder)
        except OSError:
            if not (folder / "cert.pem").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


def _fit(text: str, limit: int = 64) -> str:
    """A name attribute holds at most 64 bytes of UTF-8: Cyrillic letters take two."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def demo_certificate(organisation: str, *, passphrase: str | None = None) -> tuple[bytes, bytes]:
    """A new self-signed RSA key and certificate (PEM) named «ТЕСТОВАЯ ПОДПИСЬ —
    <organisation>», good for ten years: the demo's key, and the tests' other keys.
    With a passphrase the key is encrypted, as a real one should be."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation)),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME, "Демонстрационный ключ, не для ЭДО"
            ),
            x509.NameAttribute(NameOID.COMMON_NAME, _fit(DEMO_PREFIX + organisation)),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * DEMO_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
