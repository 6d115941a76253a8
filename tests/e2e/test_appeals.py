"""A customer opens an appeal with a file, staff answer it, the customer sees the unread
answer and gets it by e-mail; uploads that lie, are too big or have a hostile name are
refused next to the field and nothing is kept."""

import pytest
from playwright.sync_api import expect

from conftest import make_user
from kabinet.appeals.models import Appeal, Attachment
from kabinet.appeals.tests import samples
from kabinet.customer_accounts.tests.factories import account
from tests.e2e.journeys import field_error, go, mail_to, main_text, messages, sign_in


@pytest.fixture
def uploads(settings, tmp_path):
    path = tmp_path / "uploads"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(path)
    return path


def stored(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def test_appeal_answered_read_and_mailed(page, new_page, alice, uploads):
    make_user(login="operator1", staff=True, display_name="Оператор")
    account(owner=alice)

    sign_in(page, "alice@example.ru")
    go(page, "/appeals/")
    page.get_by_role("link", name="Новое обращение").click()
    page.get_by_label("Лицевой счёт").select_option(label="Лицевой счёт 100000001")
    page.get_by_label("Тема обращения").select_option("Начисления и оплата")
    page.get_by_label("Сообщение").fill("Не пришла бумажная квитанция за октябрь.")
    page.get_by_label("Файлы").set_input_files(
        [{"name": "конверт.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}]
    )
    page.get_by_label("Прислать ответ также на e-mail").check()
    page.get_by_label("E-mail для ответа").fill("alice.home@example.ru")
    page.get_by_role("button", name="Отправить обращение").click()
    expect(messages(page)).to_contain_text("отправлено")
    appeal = Appeal.objects.get()
    assert appeal.status == "new" and appeal.account.number == "100000001"
    expect(page.get_by_role("link", name="конверт.pdf")).to_be_visible()
    assert len(stored(uploads)) == 1

    staff = new_page()
    sign_in(staff, "operator1")
    go(staff, "/staff/appeals/")
    expect(staff.get_by_text("осталось 10 дней")).to_be_visible()
    staff.get_by_role("link", name=f"№ {appeal.number}").click()
    with staff.expect_download() as download:
        staff.get_by_role("link", name="конверт.pdf").click()
    assert download.value.suggested_filename == "конверт.pdf"
    staff.get_by_label("Сообщение").fill("Квитанция отправлена повторно, придёт до 20-го.")
    staff.get_by_role("button", name="Отправить ответ").click()
    expect(messages(staff)).to_contain_text("Ответ отправлен")
    appeal.refresh_from_db()
    assert appeal.status == "answered"

    go(page, "/appeals/")
    expect(page.get_by_text("новый ответ")).to_be_visible()
    page.get_by_role("link", name=f"Обращение № {appeal.number}").click()
    expect(page.get_by_text("Новые сообщения")).to_be_visible()
    assert "Квитанция отправлена повторно" in main_text(page)
    go(page, "/appeals/")
    expect(page.get_by_text("новый ответ")).to_have_count(0)

    letter = mail_to("alice.home@example.ru")
    assert "Квитанция отправлена повторно" in letter.body
    assert f"/appeals/{appeal.uuid}/" in letter.body
    assert "Ответ на обращение № " in letter.subject


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("скан.pdf", samples.PNG, "по содержимому не PDF"),
        ("большой.pdf", samples.PDF + b"0" * 4096, "больше"),
        ("..скан.pdf", samples.PDF, "недопустимо"),
        ("а" * 130 + ".pdf", samples.PDF, "длиннее 120 символов"),
    ],
    ids=["lies-about-type", "over-limit", "dot-dot-name", "very-long-name"],
)
def test_bad_upload_refused_and_nothing_kept(page, alice, uploads, settings, name, content, says):
    settings.KABINET_APPEAL_MAX_BYTES = 4096
    sign_in(page, "alice@example.ru")
    go(page, "/appeals/new/")
    page.get_by_label("О чём обращение").fill("Договор 15-123")
    page.get_by_label("Тема обращения").select_option("Прочее")
    page.get_by_label("Сообщение").fill("Текст, который нельзя потерять")
    page.get_by_label("Файлы").set_input_files(
        [{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_role("button", name="Отправить обращение").click()
    expect(field_error(page, "files")).to_contain_text(says)
    expect(page.get_by_label("Сообщение")).to_have_value("Текст, который нельзя потерять")
    expect(page.get_by_label("О чём обращение")).to_have_value("Договор 15-123")
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    assert stored(uploads) == []


def test_control_characters_never_reach_the_name(page, alice, uploads):
    """Django's upload parser drops non-printable characters (U+202E that would show
    «счёт‮fdp.exe» as «счётexe.pdf») before the service sees the name; the service
    refuses any that come another way (kabinet/appeals/tests/test_uploads.py)."""
    sign_in(page, "alice@example.ru")
    go(page, "/appeals/new/")
    page.get_by_label("О чём обращение").fill("Договор 15-123")
    page.get_by_label("Тема обращения").select_option("Прочее")
    page.get_by_label("Сообщение").fill("Счёт во вложении")
    page.get_by_label("Файлы").set_input_files(
        [{"name": "счёт\u202efdp.exe.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}]
    )
    page.get_by_role("button", name="Отправить обращение").click()
    expect(messages(page)).to_contain_text("отправлено")
    assert Attachment.objects.get().name == "счётfdp.exe.pdf"


def test_stranger_and_customer_get_404(page, alice, charlie, uploads):
    from kabinet.appeals import services
    from kabinet.appeals.tests.factories import appeal as make_appeal

    mine = make_appeal(alice, files=[samples.upload("акт.pdf", samples.PDF)])
    staff_user = make_user(login="operator1", staff=True)
    services.appeal_answer(staff=staff_user, appeal=mine, text="Ответ")
    attachment = Attachment.objects.get()
    sign_in(page, "charlie@example.ru")
    for path in [
        f"/appeals/{mine.uuid}/",
        f"/appeals/files/{attachment.uuid}/",
        "/staff/appeals/",
        f"/staff/appeals/{mine.uuid}/",
    ]:
        response = go(page, path)
        assert response.status == 404, path
