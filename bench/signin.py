"""Sign-in speed: the login page and a password sign-in, through Django's full stack.

    .venv/bin/python bench/signin.py [--n 200]

Runs against a fresh SQLite database in a temporary folder (WAL, as the demo), with
the production password hasher (PBKDF2), and prints the median and 95th percentile
of each step. Not a load test: one client, one process.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kabinet-bench-")
    os.environ.update(
        {
            "KABINET_DEBUG": "1",
            "KABINET_TESTING": "0",
            "KABINET_VAR_DIR": tmp,
            "KABINET_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "KABINET_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "KABINET_SMS_OUTBOX_DIR": "",
            "KABINET_SIGNUP_MODES": "email,phone,issued,contract",
            "KABINET_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "kabinet.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("demo_data", quiet=True)

    def measure(label, fn):
        times = []
        for _ in range(args.n):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{label:<40} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms")

    client = Client()

    def login_page():
        assert client.get("/login/").status_code == 200

    def sign_in():
        c = Client()
        r = c.post("/login/", {"identifier": "resident@example.ru", "password": "Kabinet-2026"})
        assert r.status_code == 302, r.status_code

    counter = iter(range(10**9))

    def unknown_user():
        # A new identifier and address each time, so no lock-out cuts the work short.
        n = next(counter)
        c = Client(REMOTE_ADDR=f"10.{n // 250 % 250}.{n % 250}.1")
        r = c.post("/login/", {"identifier": f"nobody{n}@example.ru", "password": "x"})
        assert r.status_code == 200

    print(f"n = {args.n}, Python {sys.version.split()[0]}, SQLite in {tmp}")
    measure("GET /login/", login_page)
    measure("POST /login/ (PBKDF2, success)", sign_in)
    measure("POST /login/ (unknown user)", unknown_user)


if __name__ == "__main__":
    main()
