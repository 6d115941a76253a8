"""SMS senders behind one narrow interface: ``send(phone, text, idempotency_key)``.

- ``OutboxSmsSender``: the demo and the tests. Keeps messages in memory and, when
  ``KABINET_SMS_OUTBOX_DIR`` is set, writes each as a file there. Clearly a test
  outbox: nothing leaves the machine.
- ``SmsRuSender``: the SMS.ru gateway, its HTTP API ``POST https://sms.ru/sms/send``
  with ``json=1``; tested with recorded responses
  (``kabinet/notifications/tests/fixtures/sms_ru/``).
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsResult:
    message_id: str


class SmsError(Exception):
    """The gateway refused or could not be reached. ``retryable`` says whether to try again."""

    def __init__(self, message: str, *, retryable: bool, code: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.code = code

    def __reduce__(self):
        # Keyword-only arguments: without this, pickling (Celery's retries and results)
        # loses the error and Celery stores an UnpickleableExceptionWrapper instead.
        return _sms_error, (str(self), self.retryable, self.code)


def _sms_error(message: str, retryable: bool, code: int | None) -> "SmsError":
    return SmsError(message, retryable=retryable, code=code)


class SmsSender:
    def send(self, *, phone: str, text: str, idempotency_key: str) -> SmsResult:
        raise NotImplementedError


# The demo/test outbox, readable by tests and by `dev.py demo` users in var/sms/.
outbox: list[dict] = []


class OutboxSmsSender(SmsSender):
    """ТЕСТОВАЯ отправка SMS: messages stay on this machine."""

    def send(self, *, phone: str, text: str, idempotency_key: str) -> SmsResult:
        if any(m["idempotency_key"] == idempotency_key for m in outbox):
            return SmsResult(message_id=f"outbox-{idempotency_key}")
        at = datetime.now(UTC)
        message = {"phone": phone, "text": text, "idempotency_key": idempotency_key, "at": at}
        outbox.append(message)
        folder = settings.KABINET_SMS_OUTBOX_DIR
        if folder:
            path = Path(folder)
            path.mkdir(parents=True, exist_ok=True)
            name = f"{at:%Y%m%d-%H%M%S-%f}-{phone.lstrip('+')}.txt"
            (path / name).write_text(
                f"Кому: {phone}\nКлюч: {idempotency_key}\n\n{text}\n", encoding="utf-8"
            )
        log.info("SMS to %s written to the test outbox", phone)
        return SmsResult(message_id=f"outbox-{idempotency_key}")


class SmsRuSender(SmsSender):
    """SMS.ru (https://sms.ru/api/send). The answer is JSON with ``status`` and
    ``status_code`` for the request and for each number under ``sms``."""

    url = "https://sms.ru/sms/send"
    # Codes worth another try later: the service is busy or failed on its side.
    RETRYABLE = {220, 500, 501, 502, 503}

    def __init__(self, *, api_id: str | None = None, sender: str | None = None, session=None):
        self.api_id = api_id if api_id is not None else settings.KABINET_SMS_RU_API_ID
        self.sender = sender if sender is not None else settings.KABINET_SMS_SENDER_NAME
        self.session = session or requests.Session()

    def send(self, *, phone: str, text: str, idempotency_key: str) -> SmsResult:
        if not self.api_id:
            raise SmsError("KABINET_SMS_RU_API_ID is not set", retryable=False)
        to = phone.lstrip("+")
        data = {"api_id": self.api_id, "to": to, "msg": text, "json": 1}
        if self.sender:
            data["from"] = self.sender
        try:
            response = self.session.post(self.url, data=data, timeout=15)
        except requests.RequestException as exc:
            raise SmsError(f"SMS.ru unreachable: {exc}", retryable=True) from exc
        if response.status_code >= 500:
            raise SmsError(f"SMS.ru HTTP {response.status_code}", retryable=True)
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise SmsError(
                "SMS.ru answered with something other than JSON", retryable=True
            ) from exc
        if body.get("status") != "OK":
            code = int(body.get("status_code") or 0)
            raise SmsError(
                f"SMS.ru refused the request: {code} {body.get('status_text', '')}",
                retryable=code in self.RETRYABLE,
                code=code,
            )
        item = (body.get("sms") or {}).get(to) or {}
        if item.get("status") != "OK":
            code = int(item.get("status_code") or 0)
            raise SmsError(
                f"SMS.ru refused the message to {to}: {code} {item.get('status_text', '')}",
                retryable=code in self.RETRYABLE,
                code=code,
            )
        log.info(
            "SMS to %s sent through SMS.ru as %s (key %s)", phone, item["sms_id"], idempotency_key
        )
        return SmsResult(message_id=str(item["sms_id"]))


def get_sms_sender() -> SmsSender:
    return import_string(settings.KABINET_SMS_BACKEND)()
