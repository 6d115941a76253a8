"""A real Celery worker (``celery -A kabinet worker``) against Redis delivers an e-mail.

Run by CI as ``KABINET_CELERY_BROKER_URL=redis://127.0.0.1:6379/15 pytest -p no:xdist
-m celery_worker``; ordinary runs deselect it (see the root conftest.py).
"""

import email
import os
import subprocess
import sys
import time
import uuid
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import redis

from kabinet.celery import app
from kabinet.notifications import tasks

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("KABINET_CELERY_BROKER_URL", "")


@pytest.fixture
def queue():
    """A queue of this test's own, so that nothing else on the broker interferes."""
    if not BROKER:
        pytest.skip("KABINET_CELERY_BROKER_URL is not set: no broker for a real worker")
    name = f"kabinet-test-{uuid.uuid4().hex}"
    yield name
    # The queue, its messages and kombu's bindings for it: every key naming the queue.
    broker = redis.Redis.from_url(BROKER)
    keys = list(broker.scan_iter(match=f"*{name}*"))
    if keys:
        broker.delete(*keys)
    broker.close()


@pytest.fixture
def worker(queue, tmp_path):
    """``celery -A kabinet worker`` in a subprocess, mailing into tmp_path/var/mail."""
    var = tmp_path / "var"
    env = {
        **os.environ,
        "KABINET_DEBUG": "1",
        "KABINET_TESTING": "0",
        "KABINET_VAR_DIR": str(var),
        "KABINET_CELERY_BROKER_URL": BROKER,
        "KABINET_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kabinet",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield var / "mail", tmp_path / "worker.log", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
