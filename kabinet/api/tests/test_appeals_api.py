"""Обращения through the API: the owner sees what the page shows, a stranger gets 404 on
every object, staff read per ``visible_to``, refused input changes nothing."""

import pytest

from conftest import make_user
from kabinet.appeals import services
from kabinet.appeals.models import Appeal, Attachment, Message, ReadMarker
from kabinet.appeals.tests import samples
from kabinet.appeals.tests.factories import appeal as make_appeal
from kabinet.core.utility_profiles import APPEAL_TOPIC_OTHER
from kabinet.customer_accounts.tests.factories import account

pytestmark = pytest.mark.django_db

BASE = "/api/v1/appeals/"


@pytest.fixture(autouse=True)
def uploads_dir(settings, tmp_path):
    path = tmp_path / "uploads"
    settings.KABINET_APPEAL_UPLOADS_DIR = str(path)
    return path


def stored(path) -> list:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


@pytest.fixture
def answered(alice, staff):
    appeal = make_appeal(alice, files=[samples.upload("акт.pdf", samples.PDF)])
    services.appeal_answer(
        staff=staff, appeal=appeal, text="Ответ", files=[samples.upload("ответ.png", samples.PNG)]
    )
    return appeal


def _object_urls(appeal):
    files = Attachment.objects.filter(message__conversation=appeal.conversation)
    return [f"{BASE}{appeal.uuid}", *[f"{BASE}files/{a.uuid}" for a in files]]


def test_topics(client, alice):
    client.force_login(alice)
    response = client.get(BASE + "topics")
    assert response.status_code == 200
    values = [t["value"] for t in response.json()]
    assert values == list(services.appeal_topics())


def test_owner_list_and_detail(client, alice, answered):
    client.force_login(alice)
    rows = client.get(BASE).json()["items"]
    assert [r["uuid"] for r in rows] == [str(answered.uuid)]
    assert rows[0]["unread"] is True
    assert rows[0]["status"] == "answered"
    assert rows[0]["subject"] == "Личный кабинет"
    body = client.get(f"{BASE}{answered.uuid}").json()
    assert body["number"] == answered.number
    assert [m["text"] for m in body["messages"]] == ["Вопрос по начислениям", "Ответ"]
    staff_message = body["messages"][1]
    assert staff_message["from_staff"] and not staff_message["mine"]
    assert staff_message["author"] != "Оператор"  # signed by the utility, not the employee
    assert [a["name"] for a in body["messages"][0]["attachments"]] == ["акт.pdf"]
    # Reading is explicit, as opening the page.
    assert client.post(f"{BASE}{answered.uuid}/read").status_code == 204
    assert client.get(BASE).json()["items"][0]["unread"] is False


def test_attachment_download(client, alice, answered):
    client.force_login(alice)
    attachment = Attachment.objects.get(name="ответ.png")
    response = client.get(f"{BASE}files/{attachment.uuid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == samples.PNG


def test_stranger_gets_404_everywhere(client, charlie, answered):
    client.force_login(charlie)
    assert client.get(BASE).json() == {"items": [], "count": 0}
    for url in _object_urls(answered):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    for action in ("messages", "read"):
        response = client.post(f"{BASE}{answered.uuid}/{action}", {"text": "чужое"})
        assert response.status_code == 404
    assert not Message.objects.filter(author=charlie).exists()
    assert not ReadMarker.objects.filter(user=charlie).exists()


def test_staff_reads_per_visible_to_but_does_not_write(client, staff, answered):
    client.force_login(staff)
    for url in _object_urls(answered):
        assert client.get(url).status_code == 200, url
    response = client.post(f"{BASE}{answered.uuid}/messages", {"text": "от сотрудника"})
    assert response.status_code == 400
    assert not Message.objects.filter(text="от сотрудника").exists()
    # Staff without a role that opens customers' data see nothing.
    nobody = make_user(login="norole", staff=True)
    nobody.groups.clear()
    nobody.__dict__.pop("_staff_roles", None)
    client.force_login(nobody)
    for url in _object_urls(answered):
        assert client.get(url).status_code == 404, url


def test_anonymous_401(client, answered):
    for url in [BASE, *_object_urls(answered)]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthorized"


def test_create_with_account_and_files(client, alice, uploads_dir):
    acc = account(owner=alice)
    client.force_login(alice)
    response = client.post(
        BASE,
        {
            "topic": APPEAL_TOPIC_OTHER,
            "text": "Прошу пересчитать",
            "account": str(acc.uuid),
            "files": [
                samples.upload("акт.pdf", samples.PDF),
                samples.upload("фото.jpg", samples.JPEG),
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    appeal = Appeal.objects.get(uuid=body["uuid"])
    assert appeal.user == alice and appeal.account == acc and appeal.status == "new"
    assert body["account"] == str(acc.uuid)
    assert body["register_due"] == appeal.register_due.isoformat()
    assert [a["name"] for a in body["messages"][0]["attachments"]] == ["акт.pdf", "фото.jpg"]
    assert len(stored(uploads_dir)) == 2


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"topic": APPEAL_TOPIC_OTHER, "text": "  ", "about": "Кабинет"}, 400, "text"),
        ({"topic": "Придуманная тема", "text": "Вопрос", "about": "Кабинет"}, 400, "topic"),
        ({"topic": APPEAL_TOPIC_OTHER, "text": "Вопрос"}, 400, "about"),
        ({"text": "Вопрос", "about": "Кабинет"}, 422, "topic"),
        (
            {
                "topic": APPEAL_TOPIC_OTHER,
                "text": "Вопрос",
                "about": "Кабинет",
                "answer_by_email": "true",
                "email": "не почта",
            },
            400,
            "email",
        ),
        (
            {
                "topic": APPEAL_TOPIC_OTHER,
                "text": "Вопрос",
                "account": "00000000-0000-0000-0000-000000000000",
            },
            400,
            "account",
        ),
    ],
)
def test_create_refused(client, alice, data, status, field):
    client.force_login(alice)
    response = client.post(BASE, data)
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body["fields"]
    assert any("а" <= ch <= "я" for ch in body["message"].lower())  # Russian
    assert not Appeal.objects.exists()


def test_create_on_strangers_account_refused(client, alice, charlie):
    acc = account(owner=charlie)
    client.force_login(alice)
    response = client.post(
        BASE, {"topic": APPEAL_TOPIC_OTHER, "text": "Вопрос", "account": str(acc.uuid)}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"account": ["Этого лицевого счёта нет в вашем кабинете."]}
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("вирус.exe", b"MZ" + b"\x00" * 10, "тип не принимается"),
        ("поддельный.pdf", samples.PNG, "по содержимому не PDF"),
        ("пустой.pdf", b"", "пуст"),
    ],
)
def test_bad_file_refuses_everything(client, alice, uploads_dir, name, content, words):
    client.force_login(alice)
    response = client.post(
        BASE,
        {
            "topic": APPEAL_TOPIC_OTHER,
            "text": "Вопрос",
            "about": "Кабинет",
            "files": [samples.upload("хороший.pdf", samples.PDF), samples.upload(name, content)],
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert words in body["message"] and "files" in body["fields"]
    assert not Appeal.objects.exists() and not Message.objects.exists()
    assert stored(uploads_dir) == []


def test_too_big_file(client, alice, settings, uploads_dir):
    settings.KABINET_APPEAL_MAX_BYTES = 20
    client.force_login(alice)
    response = client.post(
        BASE,
        {
            "topic": APPEAL_TOPIC_OTHER,
            "text": "Вопрос",
            "about": "Кабинет",
            "files": [samples.upload("большой.pdf", samples.PDF)],
        },
    )
    assert response.status_code == 400
    assert "больше" in response.json()["message"]
    assert not Appeal.objects.exists() and stored(uploads_dir) == []


def test_write_reopens_answered(client, alice, answered, uploads_dir):
    client.force_login(alice)
    before = len(stored(uploads_dir))
    response = client.post(
        f"{BASE}{answered.uuid}/messages",
        {"text": "Не понял ответа", "files": [samples.upload("ещё.pdf", samples.PDF)]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_work"
    assert body["messages"][-1]["text"] == "Не понял ответа"
    assert body["messages"][-1]["mine"] is True
    assert len(stored(uploads_dir)) == before + 1


def test_write_refused(client, alice, answered, staff):
    client.force_login(alice)
    response = client.post(f"{BASE}{answered.uuid}/messages", {"text": ""})
    assert response.status_code == 400
    assert response.json()["fields"] == {"text": ["Напишите сообщение."]}
    services.appeal_transition(appeal=answered, to="closed", by=staff)
    response = client.post(f"{BASE}{answered.uuid}/messages", {"text": "Ещё вопрос"})
    assert response.status_code == 400
    assert "закрыто" in response.json()["message"]
    assert not Message.objects.filter(text="Ещё вопрос").exists()


def test_bad_uuid_is_404_or_422(client, alice):
    client.force_login(alice)
    response = client.get(BASE + "not-a-uuid")
    assert response.status_code in (404, 422)
    assert "code" in response.json()


@pytest.fixture
def read_only_token(client, alice):
    """A real read-only token of alice's on every request (tried before the session)."""
    from kabinet.identity.services import api_token_issue

    _token, secret = api_token_issue(user=alice, name="только чтение", scope="read")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"


def test_read_only_token_reads_but_never_writes(client, alice, answered, read_only_token):
    client.force_login(alice)
    assert client.get(f"{BASE}{answered.uuid}").status_code == 200
    before = Message.objects.count()
    for url, data in [
        (BASE, {"topic": APPEAL_TOPIC_OTHER, "text": "Вопрос", "about": "Кабинет"}),
        (f"{BASE}{answered.uuid}/messages", {"text": "Ещё"}),
        (f"{BASE}{answered.uuid}/read", {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert response.json()["code"] == "forbidden"
    assert Message.objects.count() == before and Appeal.objects.count() == 1
    answered.conversation.refresh_from_db()
    marker = ReadMarker.objects.get(conversation=answered.conversation, user=alice)
    assert marker.last_read_message_id < answered.conversation.last_staff_message_id


def test_list_queries_do_not_grow_with_appeals(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    acc = account(owner=alice)
    make_appeal(alice, account=acc)
    client.force_login(alice)
    client.get(BASE)  # the first request after signing in also saves the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(BASE).status_code == 200
    for _ in range(4):
        make_appeal(alice, account=acc)
    with CaptureQueriesContext(connection) as five:
        assert client.get(BASE).json()["count"] == 5
    assert len(five) == len(one)


def test_nul_in_text_is_refused_not_a_server_error(client, alice, answered):
    client.force_login(alice)
    response = client.post(
        BASE, {"topic": APPEAL_TOPIC_OTHER, "text": "Во\x00прос", "about": "Кабинет"}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"text": ["Неверное значение."]}
    response = client.post(f"{BASE}{answered.uuid}/messages", {"text": "a\x00"})
    assert response.status_code == 422
    assert Appeal.objects.count() == 1 and not Message.objects.filter(text__startswith="a").exists()
