"""A real Celery worker (``celery -A kabinet worker``) against Redis delivers an e-mail.

Run by CI as ``KABINET_CELERY_BROKER_URL=redis://127.0.0.1:6379/15 pytest -p no:xdist
-m celery_worker``; ordinary runs deselect it (see the root conftest.py). The worker and
its queue are the fixtures of tests/celery/conftest.py.
"""

import email
import os
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from kabinet.celery import app
from kabinet.notifications import tasks

pytestmark = pytest.mark.celery_worker

BROKER = os.environ.get("KABINET_CELERY_BROKER_URL", "")


def wait_for_files(folder: Path, process, log: Path, timeout: float = 90) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        if files:
            return files
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"no e-mail from the worker in {timeout} s:\n{log.read_text()}")


def test_a_real_worker_sends_the_email(worker, queue, settings):
    folder, log, process = worker
    # The root conftest makes every task eager; here the task must go through Redis.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = BROKER
    with app.connection_for_write(BROKER) as conn:
        result = tasks.send_email.apply_async(
            kwargs={
                "to": "anna@example.ru",
                "subject": "Подтвердите регистрацию в личном кабинете",
                "text": "Ссылка: http://testserver/confirm/x/y/",
                "html": '<p><a href="http://testserver/confirm/x/y/">Подтвердить</a></p>',
            },
            queue=queue,
            connection=conn,
        )
    assert result.id and not result.__class__.__name__.startswith("Eager")

    files = wait_for_files(folder, process, log)
    assert len(files) == 1
    raw = files[0].read_bytes()
    message = email.message_from_bytes(raw.split(b"\n" + b"-" * 79)[0])
    assert message["To"] == "anna@example.ru"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Подтвердите регистрацию в личном кабинете"
    parts = {p.get_content_type(): p for p in message.walk()}
    assert {"text/plain", "text/html"} <= set(parts)
    assert "http://testserver/confirm/x/y/" in parts["text/plain"].get_payload(decode=True).decode()

    # The worker says it ran the task it received from Redis.
    deadline = time.monotonic() + 20
    while f"{result.id}] succeeded" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"send_email[{result.id}] succeeded" in log.read_text()
