"""The real Celery worker the tests in this folder talk to through Redis.

``worker`` starts ``celery -A kabinet worker`` in a subprocess consuming only the test's
own ``queue``; a test module adds to (or overrides) its environment by overriding the
``worker_env`` fixture. Without ``KABINET_CELERY_BROKER_URL`` the tests skip, saying so.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("KABINET_CELERY_BROKER_URL", "")

T = TypeVar("T")


class Worker(NamedTuple):
    """A running worker: where it mails to, its log, its process."""

    mail: Path
    log: Path
    process: subprocess.Popen

    def wait_for(self, check: Callable[[], T], what: str, timeout: float = 40) -> T:
        """Poll ``check`` until it returns something true; fail, with the worker's log,
        if the worker exits or ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(
                    f"the worker exited with {self.process.returncode} while waiting for "
                    f"{what}:\n{self.log.read_text()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} in {timeout} s; the worker's log:\n{self.log.read_text()}")
            time.sleep(0.2)


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
def worker_env() -> dict[str, str]:
    """More environment for the worker (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def worker(queue, tmp_path, worker_env):
    """``celery -A kabinet worker`` in a subprocess, mailing into <KABINET_VAR_DIR>/mail
    (tmp_path/var unless ``worker_env`` says otherwise)."""
    env = {
        **os.environ,
        "KABINET_DEBUG": "1",
        "KABINET_TESTING": "0",
        "KABINET_VAR_DIR": str(tmp_path / "var"),
        "KABINET_CELERY_BROKER_URL": BROKER,
        "KABINET_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        **worker_env,
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
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
        yield Worker(Path(env["KABINET_VAR_DIR"]) / "mail", log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
