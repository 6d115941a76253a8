"""An applicant's electronic signature for tests: a throwaway self-signed RSA key and
certificate (made once per name and process), and the three ways an applicant returns
the utility's contract signed — the PDF signed on top of the utility's signature, a
detached signature of the PDF, and an attached one (the PDF inside the signature).

Every pyHanko call goes through ``signing._outside_event_loop``: browser tests hold an
asyncio loop in the test thread.

    from kabinet.applications.tests import signatures
    signed_pdf = signatures.sign_pdf_on_top(contract_pdf_bytes)
    sig = signatures.sign_detached(contract_pdf_bytes)            # DER (.sig/.p7s)
    sig_pem = signatures.sign_detached(contract_pdf_bytes, pem=True)
    p7m = signatures.sign_attached(contract_pdf_bytes)
    signatures.APPLICANT  # the certificate's common name: what the portal records
"""

import asyncio
import datetime as dt
import io
from functools import lru_cache

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from kabinet.core.signing import _outside_event_loop

APPLICANT = "Петрова Анна Сергеевна"


@lru_cache(maxsize=8)
def applicant_signer(name: str = APPLICANT) -> signers.SimpleSigner:
    """A signer with a new self-signed certificate whose common name is ``name``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=load_private_key_from_pemder_data(key_pem, None),
        cert_registry=None,
    )


def sign_pdf_on_top(pdf: bytes, *, name: str = APPLICANT, field: str = "Applicant") -> bytes:
    """The PDF with one more signature appended (an incremental update): how an
    applicant signs the utility's signed contract in Acrobat or КриптоАРМ."""
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = _outside_event_loop(signers.sign_pdf, writer, meta, signer=applicant_signer(name))
    return out.getvalue()


def _cms(data: bytes, *, name: str, detached: bool, pem: bool) -> bytes:
    signer = applicant_signer(name)
    info = _outside_event_loop(
        asyncio.run, signer.async_sign_general_data(data, "sha256", detached=detached)
    )
    der = info.dump()
    return asn1_pem.armor("PKCS7", der) if pem else der


def sign_detached(data: bytes, *, name: str = APPLICANT, pem: bool = False) -> bytes:
    """A detached CMS signature of ``data`` (DER, or PEM with ``pem=True``)."""
    return _cms(data, name=name, detached=True, pem=pem)


def sign_attached(data: bytes, *, name: str = APPLICANT) -> bytes:
    """A CMS signature carrying ``data`` inside it (DER)."""
    return _cms(data, name=name, detached=False, pem=False)
