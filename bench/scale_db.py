"""The bench database at scale, shared by the bench scripts: var/bench/accounts-N.sqlite3
(built by bench/account_page.py), opened with the demo's settings."""

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"


def open_scale_db(accounts: int, *, build: bool = False) -> Path:
    """Point Django at the bench database for ``accounts`` and set it up. Without
    ``build`` the database must exist already (bench/account_page.py makes it)."""
    db = VAR / f"accounts-{accounts}.sqlite3"
    if not build and not db.exists():
        sys.exit(f"{db} is missing: run bench/account_page.py --accounts {accounts} first")
    VAR.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "KABINET_DEBUG": "1",
            "KABINET_TESTING": "1",  # fast password hashing: pages are measured, not sign-in
            "KABINET_VAR_DIR": str(VAR),
            "KABINET_DATABASE_URL": f"sqlite:///{db}",
            "KABINET_ALLOWED_HOSTS": "testserver",
            "KABINET_SMS_OUTBOX_DIR": "",
            "DJANGO_SETTINGS_MODULE": "kabinet.settings",
        }
    )
    import django

    django.setup()
    return db


def report(label: str, times: list[float]) -> None:
    """Median and 95th percentile of timings in milliseconds."""
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label:<42} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms")
