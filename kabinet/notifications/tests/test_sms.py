"""SMS senders: the test outbox on disk, and SMS.ru against its recorded answers."""

import json
import pickle
from pathlib import Path

import pytest
import requests
from celery.exceptions import Retry

from kabinet.notifications import sms, tasks
from kabinet.notifications.sms import (
    OutboxSmsSender,
    SmsError,
    SmsResult,
    SmsRuSender,
    get_sms_sender,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sms_ru"
PHONE = "+79001234567"
TEXT = "Код подтверждения: 123456"


# --- the test outbox -------------------------------------------------------------------


def test_outbox_keeps_the_message_and_writes_a_file(settings, tmp_path, sms_outbox):
    folder = tmp_path / "sms"
    settings.KABINET_SMS_OUTBOX_DIR = str(folder)
    result = OutboxSmsSender().send(phone=PHONE, text=TEXT, idempotency_key="signup-1")
    assert result == SmsResult(message_id="outbox-signup-1")
    assert [(m["phone"], m["text"], m["idempotency_key"]) for m in sms_outbox] == [
        (PHONE, TEXT, "signup-1")
    ]
    files = list(folder.iterdir())
    assert len(files) == 1
    assert files[0].name.endswith("-79001234567.txt")
    assert files[0].read_text(encoding="utf-8") == (f"Кому: {PHONE}\nКлюч: signup-1\n\n{TEXT}\n")


def test_outbox_repeated_key_sends_once(settings, tmp_path, sms_outbox):
    settings.KABINET_SMS_OUTBOX_DIR = str(tmp_path)
    sender = OutboxSmsSender()
    first = sender.send(phone=PHONE, text=TEXT, idempotency_key="k-1")
    again = sender.send(phone=PHONE, text=TEXT, idempotency_key="k-1")
    assert first == again
    assert len(sms_outbox) == 1
    assert len(list(tmp_path.iterdir())) == 1
    sender.send(phone=PHONE, text="Другой код", idempotency_key="k-2")
    assert len(sms_outbox) == 2
    assert len(list(tmp_path.iterdir())) == 2


def test_outbox_without_a_folder_writes_nothing(settings, tmp_path, sms_outbox):
    settings.KABINET_SMS_OUTBOX_DIR = ""
    OutboxSmsSender().send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert len(sms_outbox) == 1
    assert not list(tmp_path.iterdir())


def test_the_sender_is_chosen_by_the_settings(settings):
    assert isinstance(get_sms_sender(), OutboxSmsSender)
    settings.KABINET_SMS_BACKEND = "kabinet.notifications.sms.SmsRuSender"
    settings.KABINET_SMS_RU_API_ID = "api-from-settings"
    settings.KABINET_SMS_SENDER_NAME = "TEKSPB"
    sender = get_sms_sender()
    assert isinstance(sender, SmsRuSender)
    assert (sender.api_id, sender.sender) == ("api-from-settings", "TEKSPB")


# --- SMS.ru against recorded answers ---------------------------------------------------


def recorded(name: str, *, status: int = 200) -> requests.Response:
    return answer((FIXTURES / name).read_bytes(), status=status)


def answer(body: bytes, *, status: int = 200, content_type="application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.encoding = "utf-8"
    response.headers["Content-Type"] = content_type
    response.url = SmsRuSender.url
    return response


class FakeSession:
    """Stands in for requests.Session: records each POST, answers from a script."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.posts: list[dict] = []

    def post(self, url, *, data=None, timeout=None, **kw):
        self.posts.append({"url": url, "data": dict(data), "timeout": timeout, **kw})
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, Exception):
            raise item
        return item


def sender_with(*answers, sender="") -> tuple[SmsRuSender, FakeSession]:
    session = FakeSession(*answers)
    return SmsRuSender(api_id="TEST-API-ID", sender=sender, session=session), session


def test_recorded_bodies_are_json():
    for path in FIXTURES.glob("*.json"):
        assert "status_code" in json.loads(path.read_text(encoding="utf-8")), path.name


def test_success_returns_the_sms_id_and_posts_the_form():
    sender, session = sender_with(recorded("ok.json"))
    result = sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert result == SmsResult(message_id="000000-10000000")
    assert session.posts == [
        {
            "url": "https://sms.ru/sms/send",
            "data": {"api_id": "TEST-API-ID", "to": "79001234567", "msg": TEXT, "json": 1},
            "timeout": 15,
        }
    ]


def test_the_sender_name_goes_as_from():
    sender, session = sender_with(recorded("ok.json"), sender="TEKSPB")
    sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert session.posts[0]["data"]["from"] == "TEKSPB"


@pytest.mark.parametrize(
    ("fixture", "code", "words"),
    [
        ("wrong_api_id.json", 200, "Неправильный api_id"),
        ("low_balance.json", 201, "Не хватает средств"),
    ],
)
def test_request_level_refusals_are_final(fixture, code, words):
    sender, _ = sender_with(recorded(fixture))
    with pytest.raises(SmsError) as exc:
        sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert exc.value.code == code
    assert exc.value.retryable is False
    assert words in str(exc.value)


def test_a_bad_number_is_final():
    sender, _ = sender_with(recorded("bad_number.json"))
    with pytest.raises(SmsError) as exc:
        sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert (exc.value.code, exc.value.retryable) == (202, False)
    assert "79001234567" in str(exc.value)


@pytest.mark.parametrize("fixture", ["busy.json", "busy_number.json"])
def test_busy_is_retryable(fixture):
    sender, _ = sender_with(recorded(fixture))
    with pytest.raises(SmsError) as exc:
        sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert (exc.value.code, exc.value.retryable) == (220, True)


def test_http_503_is_retryable():
    sender, _ = sender_with(
        answer(b"<html>503 Service Unavailable</html>", status=503, content_type="text/html")
    )
    with pytest.raises(SmsError) as exc:
        sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert exc.value.retryable is True
    assert "503" in str(exc.value)


def test_an_answer_that_is_not_json_is_retryable():
    sender, _ = sender_with(answer(b"<html>maintenance</html>", content_type="text/html"))
    with pytest.raises(SmsError) as exc:
        sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert exc.value.retryable is True


@pytest.mark.parametrize(
    "error", [requests.ConnectionError("connection refused"), requests.Timeout("timed out")]
)
def test_connection_errors_are_retryable(error):
    sender, _ = sender_with(error)
    with pytest.raises(SmsError) as exc:
        sender.send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert exc.value.retryable is True
    assert isinstance(exc.value.__cause__, requests.RequestException)


def test_no_api_id_is_refused_before_any_request(settings):
    settings.KABINET_SMS_RU_API_ID = ""
    session = FakeSession(recorded("ok.json"))
    with pytest.raises(SmsError) as exc:
        SmsRuSender(session=session).send(phone=PHONE, text=TEXT, idempotency_key="k")
    assert exc.value.retryable is False
    assert not session.posts


# --- the Celery task -------------------------------------------------------------------


@pytest.fixture
def gateway(monkeypatch):
    """Route the task's sender to SMS.ru with a scripted session."""
    holder = {}

    def use(*answers):
        sender, session = sender_with(*answers)
        monkeypatch.setattr(tasks, "get_sms_sender", lambda: sender)
        holder["session"] = session
        return session

    return use


KW = {"phone": PHONE, "text": TEXT, "idempotency_key": "k"}


def test_send_sms_task_asks_celery_to_retry_a_retryable_error(gateway, settings):
    # Eager with propagation (the tests' settings): the retry surfaces as celery's Retry.
    assert settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_TASK_EAGER_PROPAGATES
    session = gateway(recorded("busy.json"))
    with pytest.raises(Retry) as exc:
        tasks.send_sms.delay(**KW)
    assert exc.value.when == 30
    assert isinstance(exc.value.exc, SmsError) and exc.value.exc.code == 220
    assert len(session.posts) == 1


def test_sms_error_survives_pickling():
    error = pickle.loads(pickle.dumps(SmsError("busy", retryable=True, code=220)))
    assert (str(error), error.retryable, error.code) == ("busy", True, 220)


@pytest.fixture
def like_a_worker(settings):
    """Eager, but without propagation: retries run in-process as a worker would run them."""
    settings.CELERY_TASK_EAGER_PROPAGATES = False


def test_send_sms_task_retries_until_the_gateway_answers(gateway, like_a_worker):
    session = gateway(
        answer(b"", status=503),
        requests.ConnectionError("reset"),
        recorded("busy.json"),
        recorded("ok.json"),
    )
    result = tasks.send_sms.delay(**KW)
    assert result.successful(), result.result
    assert result.get() == "000000-10000000"
    assert len(session.posts) == 4
    assert all(p["data"]["to"] == "79001234567" for p in session.posts)


def test_send_sms_task_gives_up_after_max_retries(gateway, like_a_worker):
    session = gateway(answer(b"", status=503))
    result = tasks.send_sms.delay(**KW)
    assert result.failed()
    assert isinstance(result.result, SmsError) and result.result.retryable
    assert len(session.posts) == 1 + tasks.send_sms.max_retries


def test_send_sms_task_does_not_retry_a_final_refusal(gateway):
    session = gateway(recorded("wrong_api_id.json"))
    with pytest.raises(SmsError) as exc:
        tasks.send_sms.delay(**KW)
    assert exc.value.code == 200
    assert len(session.posts) == 1
    result = tasks.send_sms.apply(kwargs=KW, throw=False)
    assert result.failed() and result.result.code == 200 and not result.result.retryable
    assert len(session.posts) == 2


def test_send_sms_task_through_the_outbox(sms_outbox):
    assert tasks.send_sms.delay(phone=PHONE, text=TEXT, idempotency_key="t-1").get() == (
        "outbox-t-1"
    )
    assert sms.outbox[-1]["text"] == TEXT
