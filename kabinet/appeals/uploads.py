"""Checking a file a customer attaches: its name, its size and, by its content, its type.

A file is accepted only when its first bytes (and, for DOCX/XLSX, its ZIP directory)
show it is what its extension says: PDF, JPEG, PNG, DOC, XLS, DOCX or XLSX. A name is
refused, not repaired, when it could mislead or break something: control or
direction characters (U+202E turns «счёт‮fdp.exe» into «счётexe.pdf»), path separators,
«..», a leading dot, more than ``MAX_NAME`` characters. The file is kept on disk under a
random name; the customer's name is only sent back in Content-Disposition.

Through the web form, Django's upload parser has already cut any path off the name and
dropped non-printable characters (U+202E included); these checks refuse whatever is
left, and everything that comes by another route.
"""

import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError

MAX_NAME = 120
MAX_FILES = 10

TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KINDS = "PDF, JPEG, PNG, DOC, DOCX, XLS, XLSX"

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an OLE file of each kind must hold (its name in the CFB directory).
OLE_STREAMS = {
    "doc": ("WordDocument".encode("utf-16-le"),),
    "xls": ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le")),
}
# The part an Office Open XML package of each kind must hold.
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: the name to show, its type, its size and the upload itself."""

    name: str
    content_type: str
    size: int
    upload: object


def _refuse(message: str):
    raise DomainError(message, field="files")


def check_name(raw: str) -> str:
    """The customer's file name, or a refusal that says what is wrong with it."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    shown = "".join(c if unicodedata.category(c)[0] != "C" else "�" for c in name)[:60]
    if not name:
        _refuse(_("У файла нет имени."))
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name):
        _refuse(
            _(
                "Имя файла «%(name)s» содержит управляющие или невидимые символы. "
                "Переименуйте файл и приложите его снова."
            )
            % {"name": shown}
        )
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        _refuse(
            _("Имя файла «%(name)s» недопустимо: уберите из него «/», «\\» и «..».")
            % {"name": shown}
        )
    if len(name) > MAX_NAME:
        _refuse(
            _("Имя файла «%(name)s…» длиннее %(max)d символов. Сократите его.")
            % {"name": shown[:40], "max": MAX_NAME}
        )
    return name


def _sniff(upload, ext: str) -> bool:
    """Whether the content is what the extension says."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head == b"\x89PNG\r\n\x1a\n"
    if ext in OLE_STREAMS:
        if head != OLE:
            return False
        content = upload.read()
        upload.seek(0)
        return any(stream in content for stream in OLE_STREAMS[ext])
    if ext in OOXML_PARTS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and OOXML_PARTS[ext] in names
    return False


def check_file(upload) -> CheckedFile:
    """Check one uploaded file (a Django ``UploadedFile``)."""
    name = check_name(upload.name)
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    limit = settings.KABINET_APPEAL_MAX_BYTES
    if ext not in TYPES:
        _refuse(
            _("Файл «%(name)s»: такой тип не принимается. Можно приложить %(kinds)s.")
            % {"name": name, "kinds": KINDS}
        )
    if upload.size == 0:
        _refuse(_("Файл «%(name)s» пуст.") % {"name": name})
    if upload.size > limit:
        _refuse(
            _("Файл «%(name)s» больше %(size)s. Уменьшите его или разделите на части.")
            % {"name": name, "size": filesizeformat(limit)}
        )
    if not _sniff(upload, ext):
        _refuse(
            _("Файл «%(name)s» по содержимому не %(kind)s. Приложите настоящий файл %(kinds)s.")
            % {"name": name, "kind": ext.upper(), "kinds": KINDS}
        )
    return CheckedFile(name=name, content_type=TYPES[ext], size=upload.size, upload=upload)


def check_files(uploads) -> list[CheckedFile]:
    """Check every file before anything is kept: one bad file refuses them all."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        _refuse(_("К одному сообщению можно приложить не больше %(n)d файлов.") % {"n": MAX_FILES})
    return [check_file(u) for u in uploads]
