import pytest

from kabinet.appeals import uploads
from kabinet.appeals.tests import samples
from kabinet.core.errors import DomainError


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("скан.pdf", samples.PDF, "application/pdf"),
        ("фото.JPG", samples.JPEG, "image/jpeg"),
        ("фото.jpeg", samples.JPEG, "image/jpeg"),
        ("схема.png", samples.PNG, "image/png"),
        ("заявление.doc", samples.DOC, "application/msword"),
        ("таблица.xls", samples.XLS, "application/vnd.ms-excel"),
        ("заявление.docx", samples.DOCX, uploads.TYPES["docx"]),
        ("таблица.xlsx", samples.XLSX, uploads.TYPES["xlsx"]),
    ],
)
def test_accepted_by_content(name, content, content_type):
    checked = uploads.check_file(samples.upload(name, content))
    assert checked.content_type == content_type
    assert checked.name == name
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("скан.pdf", samples.PNG),  # a picture called PDF
        ("фото.jpg", b"<html><script>alert(1)</script></html>"),
        ("схема.png", samples.JPEG),
        ("заявление.docx", samples.XLSX),  # a workbook called a document
        ("таблица.xlsx", samples.ZIP),  # any ZIP
        ("таблица.xlsx", b"PK\x03\x04 broken"),
        ("заявление.doc", samples.XLS),  # an OLE workbook called a document
        ("таблица.xls", samples.OLE + b"\x00" * 64),
    ],
)
def test_content_that_lies_is_refused(name, content):
    with pytest.raises(DomainError) as exc:
        uploads.check_file(samples.upload(name, content))
    assert exc.value.field == "files"
    assert "по содержимому" in exc.value.message


@pytest.mark.parametrize(
    "name", ["virus.exe", "page.html", "script.svg", "архив.zip", "без_расширения"]
)
def test_other_kinds_refused(name):
    with pytest.raises(DomainError, match="тип не принимается"):
        uploads.check_file(samples.upload(name, samples.PDF))


@pytest.mark.parametrize(
    "name",
    [
        "счёт\u202efdp.exe.pdf",  # right-to-left override
        "скан\u200f.pdf",  # right-to-left mark
        "a\x00b.pdf",
        "line\nbreak.pdf",
        "tab\there.pdf",
        "../../etc/passwd.pdf",
        "..\\windows.pdf",
        "dir/file.pdf",
        ".hidden.pdf",
        "..pdf",
        "я" * 200 + ".pdf",
    ],
)
def test_hostile_names_refused(name):
    with pytest.raises(DomainError) as exc:
        uploads.check_name(name)
    assert exc.value.field == "files"
    # The message never carries the control characters it refuses.
    assert "\u202e" not in exc.value.message and "\x00" not in exc.value.message


def test_size_limit(settings):
    settings.KABINET_APPEAL_MAX_BYTES = 1024
    uploads.check_file(samples.upload("ok.pdf", samples.PDF + b"0" * (1024 - len(samples.PDF))))
    with pytest.raises(DomainError, match="больше 1,0\xa0КБ"):
        uploads.check_file(samples.upload("big.pdf", samples.PDF + b"0" * 1024))


def test_empty_and_too_many():
    with pytest.raises(DomainError, match="пуст"):
        uploads.check_file(samples.upload("empty.pdf", b""))
    with pytest.raises(DomainError, match="не больше 10 файлов"):
        uploads.check_files([samples.upload(f"{i}.pdf", samples.PDF) for i in range(11)])
