"""The month's receipts and accrual run as Celery jobs on a real worker, with progress.

Staff start a ``BillingRun`` (``billing_run_start``); the task goes through Redis to
``celery -A kabinet worker``, which issues a receipt for every account, mails the
paperless account's PDF, and counts ``total/done/failed`` as it goes. Run by CI as
``KABINET_CELERY_BROKER_URL=redis://127.0.0.1:6379/15 pytest -p no:xdist -m
celery_worker``; ordinary runs deselect it (see the root conftest.py).

One database for the test and the worker. The worker is another process, so the
pytest-django test database (in memory on SQLite, rolled back per test, possibly
PostgreSQL) is out of its reach. The test therefore makes a SQLite file under tmp_path
(whatever KABINET_DATABASE_URL says: CI runs this test once, on SQLite), migrates it with
``manage.py migrate``, and every Django side of the scenario runs in a subprocess on that
file: the worker, and the "staff" side, which is the ``step_*`` functions below run by
``Site.django`` (seed the ledger, start a run, report what is in the database). The staff
side thus runs the way a staff request does, with the real settings (a broker, nothing
eager) rather than the root conftest's eager tasks, and the pytest process never opens a
Django connection: it only watches the run's progress row with the standard library's
sqlite3 (SQLite's WAL lets it read while the worker writes) and asserts on what the steps
report as JSON.

One queue of the test's own. ``billing_run_start`` queues ``execute_billing_run`` with
``.delay()``, and the worker queues ``mail_receipt`` the same way: both go to Celery's
default queue, which settings.py does not make configurable. Both processes therefore
run on a settings module written into tmp_path: ``from kabinet.settings import *`` plus
``CELERY_TASK_DEFAULT_QUEUE = <the test's queue>`` (DJANGO_SETTINGS_MODULE, which
kabinet/celery.py and manage.py only set by default).
"""

import email
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from email.header import decode_header, make_header
from pathlib import Path
from typing import NamedTuple

import pytest

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("KABINET_CELERY_BROKER_URL", "")

SETTINGS = "kabinet_billing_worker_settings"
PAPERLESS_EMAIL = "anna@example.ru"
STALE = "Устаревшее начисление портала"  # a charge the accrual run must replace
FINISHED = {"done", "failed"}


class Site(NamedTuple):
    """The shared database and the environment every process of the scenario runs in."""

    db: Path
    env: dict[str, str]

    def django(self, step: str, **kwargs) -> dict:
        """Run ``step_<step>(**kwargs)`` in a Django process on the shared database."""
        boot = (
            "import json, sys, django; django.setup(); "
            "from tests.celery import test_billing_worker as t; "
            "print(json.dumps(getattr(t, 'step_' + sys.argv[1])(**json.loads(sys.argv[2]))))"
        )
        done = subprocess.run(
            [sys.executable, "-c", boot, step, json.dumps(kwargs)],
            cwd=ROOT,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode:
            pytest.fail(f"step {step} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def run(self, run_id: int) -> dict:
        """The run's progress as staff see it, read straight from the database file."""
        with closing(sqlite3.connect(self.db, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "SELECT status, total, done, failed, error FROM billing_billingrun WHERE id = ?",
                (run_id,),
            ).fetchone()
        return dict(row)


@pytest.fixture
def site(queue, tmp_path) -> Site:
    """A migrated SQLite file and a settings module routing tasks to ``queue``."""
    (tmp_path / f"{SETTINGS}.py").write_text(
        f"from kabinet.settings import *  # noqa: F403\n\nCELERY_TASK_DEFAULT_QUEUE = {queue!r}\n"
    )
    db = tmp_path / "db.sqlite3"
    env = {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(tmp_path), str(ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
        "KABINET_DATABASE_URL": f"sqlite:///{db}",
        "KABINET_DEBUG": "1",
        "KABINET_TESTING": "0",
        "KABINET_VAR_DIR": str(tmp_path / "var"),
        "KABINET_CELERY_BROKER_URL": BROKER,
        "KABINET_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if migrated.returncode:
        pytest.fail(f"migrate failed:\n{migrated.stdout}\n{migrated.stderr}")
    return Site(db, env)


@pytest.fixture
def worker_env(site) -> dict[str, str]:
    """The worker runs on the site's database and settings (see conftest.worker)."""
    return site.env


# --- the steps: run by Site.django in a Django process, each returns JSON -------------


def step_seed() -> dict:
    """Three accounts with the demo's ledger for the last two months and its tariffs;
    the first gets its receipts by e-mail; the third's charges for the last closed
    month are the portal's own (accrued), one of them stale, for the accrual to redo."""
    from django.db import transaction
    from django.utils import timezone

    from kabinet.billing.models import Charge, ReceiptDelivery
    from kabinet.core.management.commands.demo_homes import (
        build_accounts,
        build_registry,
        build_tariffs,
    )
    from kabinet.core.money import add_months, period_of
    from kabinet.identity.models import User

    today = timezone.localdate()
    period = add_months(period_of(today), -1)  # the last closed month
    from kabinet.backoffice.roles import BILLING_SPECIALIST, role_grant

    with transaction.atomic():
        specialist = User.objects.create_user(
            login="billing",
            is_staff=True,
            status=User.Status.ACTIVE,
            signup_mode=User.SignupMode.STAFF,
            display_name="Расчётчик",
        )
        role_grant(user=specialist, role=BILLING_SPECIALIST)
        build_tariffs(today)
        accounts = build_accounts(
            build_registry(), count=3, start_number=100000001, today=today, months=2, seed=7
        )
        ReceiptDelivery.objects.create(account=accounts[0], paperless=True, email=PAPERLESS_EMAIL)
        Charge.objects.filter(account=accounts[2], period=period).update(accrued=True)
        Charge.objects.create(
            account=accounts[2], period=period, service=STALE, amount_kopecks=100, accrued=True
        )
    return {"period": period.isoformat(), "accounts": [a.number for a in accounts]}


def step_start(*, kind: str, period: str) -> dict:
    """What staff do: ``billing_run_start``; reports the run and the task it queued."""
    from datetime import date
    from unittest import mock

    from kabinet.billing import services, tasks
    from kabinet.celery import app
    from kabinet.identity.models import User

    queued = []
    delay = tasks.execute_billing_run.delay

    def spy(**kwargs):
        queued.append(delay(**kwargs))
        return queued[-1]

    with mock.patch.object(tasks.execute_billing_run, "delay", spy):
        run = services.billing_run_start(
            by=User.objects.get(login="billing"), kind=kind, period=date.fromisoformat(period)
        )
    (result,) = queued
    return {
        "run": run.pk,
        "task": result.id,
        "result": type(result).__name__,
        "eager": app.conf.task_always_eager,
        "queue": app.conf.task_default_queue,
    }


def step_report(*, period: str) -> dict:
    """The accounts, runs, documents, mailings and charges of the period."""
    from kabinet.billing.models import BillingRun, Charge, IssuedDocument, ReceiptMailing
    from kabinet.customer_accounts.models import PersonalAccount

    return {
        "accounts": list(
            PersonalAccount.objects.order_by("number").values_list("number", flat=True)
        ),
        "runs": list(
            BillingRun.objects.order_by("pk").values("kind", "status", "total", "done", "failed")
        ),
        "documents": {
            d.account.number: {"kind": d.kind, "number": d.number, "amount": d.amount_kopecks}
            for d in IssuedDocument.objects.filter(period=period).select_related("account")
        },
        "mailings": [
            {
                "account": m.document.account.number,
                "email": m.email,
                "status": m.status,
                "error": m.last_error,
            }
            for m in ReceiptMailing.objects.select_related("document__account")
        ],
        "charges": {
            number: sorted(
                [c.service, c.accrued, c.amount_kopecks]
                for c in Charge.objects.filter(account__number=number, period=period)
            )
            for number in PersonalAccount.objects.values_list("number", flat=True)
        },
    }


# --- the test -------------------------------------------------------------------------


def run_to_the_end(site: Site, worker, started: dict) -> dict:
    """Watch the run's progress row until it is finished; its progress only grows."""
    seen = []

    def finished():
        row = site.run(started["run"])
        seen.append(row)
        return row if row["status"] in FINISHED else None

    row = worker.wait_for(finished, f"end of billing run {started['run']}")
    assert all(r["status"] in {"queued", "running", "done"} for r in seen), seen
    assert [r["done"] for r in seen] == sorted(r["done"] for r in seen), seen
    # The worker says it ran the very task that went through Redis.
    worker.wait_for(
        lambda: f"execute_billing_run[{started['task']}] succeeded" in worker.log.read_text(),
        "the worker's word that the task succeeded",
        timeout=10,
    )
    return row


def test_receipts_and_accrual_run_on_a_real_worker(site, worker, queue):
    seeded = site.django("seed")
    period, accounts = seeded["period"], seeded["accounts"]
    before = site.django("report", period=period)
    assert before["accounts"] == accounts and before["documents"] == {}

    # Выпуск квитанций за последний закрытый месяц: queued to Redis, not run eagerly.
    started = site.django("start", kind="receipts", period=period)
    assert started["task"] and not started["result"].startswith("Eager"), started
    assert started["eager"] is False and started["queue"] == queue
    run = run_to_the_end(site, worker, started)
    assert run == {"status": "done", "total": 3, "done": 3, "failed": 0, "error": ""}

    # The paperless account's receipt arrives by e-mail, its PDF attached; it is sent by
    # mail_receipt, which the worker queued (to the same queue) as it issued the receipt.
    files = worker.wait_for(
        lambda: sorted(worker.mail.glob("*.log")) if worker.mail.exists() else [],
        "receipt e-mail",
    )
    after = site.django("report", period=period)
    assert sorted(after["documents"]) == accounts
    assert {d["kind"] for d in after["documents"].values()} == {"receipt"}
    assert after["mailings"] == [
        {"account": accounts[0], "email": PAPERLESS_EMAIL, "status": "sent", "error": ""}
    ]
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes().split(b"\n" + b"-" * 79)[0])
    assert message["To"] == PAPERLESS_EMAIL
    assert accounts[0] in str(make_header(decode_header(message["Subject"])))
    (pdf,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"kvitanciya-{after['documents'][accounts[0]]['number']}.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")

    # Начисление за тот же период: the billing system's charges stay as they are, the
    # portal's own are recomputed from the tariffs (the stale one is gone).
    started = site.django("start", kind="accrual", period=period)
    assert started["task"] and not started["result"].startswith("Eager"), started
    run = run_to_the_end(site, worker, started)
    assert run == {"status": "done", "total": 3, "done": 3, "failed": 0, "error": ""}
    final = site.django("report", period=period)
    assert [r["status"] for r in final["runs"]] == ["done", "done"]
    for number in accounts[:2]:
        assert final["charges"][number] == after["charges"][number]
    assert STALE in {c[0] for c in after["charges"][accounts[2]]}
    assert STALE not in {c[0] for c in final["charges"][accounts[2]]}
    assert all(accrued for _service, accrued, _amount in final["charges"][accounts[2]])
