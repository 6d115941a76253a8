import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from kabinet.appeals import services
from kabinet.appeals.models import Appeal, Attachment, Message
from kabinet.appeals.tests import samples
from kabinet.appeals.tests.conftest import stored_files
from kabinet.appeals.tests.factories import appeal as make_appeal
from kabinet.core.utility_profiles import APPEAL_TOPIC_OTHER, APPEAL_TOPIC_PERSONAL_DATA
from kabinet.customer_accounts.tests.factories import account

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(alice, staff):
    appeal = make_appeal(alice, files=[samples.upload("акт.pdf", samples.PDF)])
    services.appeal_answer(
        staff=staff, appeal=appeal, text="Ответ", files=[samples.upload("ответ.png", samples.PNG)]
    )
    return appeal


def _urls(appeal):
    files = Attachment.objects.filter(message__conversation=appeal.conversation)
    return [
        reverse("appeals:detail", args=[appeal.uuid]),
        *[reverse("appeals:attachment", args=[a.uuid]) for a in files],
    ]


def test_owner_sees_everything_stranger_gets_404(client, alice, charlie, answered):
    client.force_login(alice)
    for url in _urls(answered):
        assert client.get(url).status_code == 200, url
    client.force_login(charlie)
    for url in _urls(answered):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"text": "чужое"}).status_code == 404, url
    assert Message.objects.filter(author=charlie).count() == 0
    assert str(answered.uuid) not in client.get(reverse("appeals:list")).content.decode()


def test_anonymous_sent_to_sign_in(client, answered):
    for url in _urls(answered) + [reverse("appeals:list"), reverse("appeals_staff:queue")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_staff_pages_404_for_customers(client, alice, answered):
    client.force_login(alice)
    for url in [
        reverse("appeals_staff:queue"),
        reverse("appeals_staff:detail", args=[answered.uuid]),
    ]:
        assert client.get(url).status_code == 404
    response = client.post(reverse("appeals_staff:status", args=[answered.uuid]), {"to": "closed"})
    assert response.status_code == 404
    answered.refresh_from_db()
    assert answered.status == "answered"


def test_staff_reads_all_and_files(client, staff, answered):
    client.force_login(staff)
    for url in [
        reverse("appeals_staff:queue"),
        reverse("appeals_staff:queue") + "?status=answered",
        reverse("appeals_staff:detail", args=[answered.uuid]),
        *_urls(answered)[1:],
    ]:
        assert client.get(url).status_code == 200, url
    # The customer's page is the customer's.
    assert client.get(reverse("appeals:detail", args=[answered.uuid])).status_code == 404


def test_attachment_download_headers(client, alice, answered):
    client.force_login(alice)
    attachment = Attachment.objects.get(name="акт.pdf")
    response = client.get(reverse("appeals:attachment", args=[attachment.uuid]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "utf-8''%D0%B0%D0%BA%D1%82.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == samples.PDF


def test_list_unread_mark_and_query_count(client, alice, staff, answered):
    for n in range(5):
        make_appeal(alice, topic=APPEAL_TOPIC_PERSONAL_DATA if n % 2 else APPEAL_TOPIC_OTHER)
    client.force_login(alice)
    url = reverse("appeals:list")
    client.get(url)  # session, messages warmed up
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "новый ответ" in page
    assert page.count("appeals__item--unread") == 1
    for _n in range(10):
        make_appeal(alice, account=account(owner=alice, number=f"2000000{_n:02d}", flat=str(_n)))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    # session, user, the menu's counts (notices, appeals, accounts, organisations…),
    # the appeals.
    assert len(few) <= 9, [q["sql"] for q in few.captured_queries]
    # Reading the appeal takes the mark away, in the list and in the menu count.
    client.get(reverse("appeals:detail", args=[answered.uuid]))
    assert "appeals__item--unread" not in client.get(url).content.decode()


def test_new_appeal_page_and_refused_upload_keeps_text(client, alice, uploads_dir):
    acc = account(owner=alice)
    client.force_login(alice)
    url = reverse("appeals:new")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "account": acc.pk,
            "topic": APPEAL_TOPIC_OTHER,
            "text": "Мой длинный текст обращения",
            "files": [samples.upload("скан.pdf", samples.PNG)],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "по содержимому не PDF" in page
    assert "Мой длинный текст обращения" in page
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    assert stored_files(uploads_dir) == []
    response = client.post(
        url,
        {
            "account": acc.pk,
            "topic": APPEAL_TOPIC_OTHER,
            "text": "Мой длинный текст обращения",
            "files": [
                samples.upload("скан.pdf", samples.PDF),
                samples.upload("фото.jpg", samples.JPEG),
            ],
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.uuid}/"
    assert appeal.account == acc
    assert len(stored_files(uploads_dir)) == 2


def test_profile_shortcut_topic(client, alice):
    client.force_login(alice)
    page = client.get(reverse("appeals:new") + "?topic=personal_data").content.decode()
    assert 'value="Изменение персональных данных" selected' in page


def test_staff_answer_and_status_pages(client, staff, alice):
    appeal = make_appeal(alice)
    client.force_login(staff)
    url = reverse("appeals_staff:detail", args=[appeal.uuid])
    response = client.post(url, {"text": "Ответ сотрудника", "final": "on"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "answered"
    response = client.post(
        reverse("appeals_staff:status", args=[appeal.uuid]), {"to": "new", "comment": ""}
    )
    assert response.status_code == 200  # not an allowed move: the form says so
    response = client.post(
        reverse("appeals_staff:status", args=[appeal.uuid]), {"to": "closed", "comment": "Готово"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "closed"


def test_menu_count(client, alice, staff, answered):
    client.force_login(alice)
    response = client.get(reverse("appeals:list"))
    assert response.context["appeals_unread"] == 1
    other = make_user(email="bob@example.ru")
    client.force_login(other)
    assert client.get(reverse("appeals:list")).context["appeals_unread"] == 0
    client.force_login(staff)
    assert "appeals_unread" not in client.get(reverse("appeals_staff:queue")).context


def test_admin_read_only_pages(client, answered):
    admin_user = make_user(login="root", staff=True, is_superuser=True)
    client.force_login(admin_user)
    message = Message.objects.filter(attachments__isnull=False).first()
    for url in [
        reverse("admin:appeals_appeal_changelist"),
        reverse("admin:appeals_appeal_change", args=[answered.pk]),
        reverse("admin:appeals_message_changelist"),
        reverse("admin:appeals_message_change", args=[message.pk]),
    ]:
        assert client.get(url).status_code == 200, url
