"""The account page (лицевой счёт) with the demo at scale.

    .venv/bin/python bench/account_page.py [--accounts 100000] [--n 200]

Builds (once) a SQLite database in var/bench/ with the demo plus ``--accounts``
personal accounts, each with two years of charges and payments, then opens the account
page of random accounts as their owner would (signed in, through the whole Django stack)
and prints the median and 95th percentile. A load test it is not: one client, one process.
"""

import argparse
import io
import random
import statistics
import time

from scale_db import open_scale_db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    db = open_scale_db(args.accounts, build=True)
    from django.core.management import call_command
    from django.test import Client

    from kabinet.customer_accounts.models import PersonalAccount
    from kabinet.identity.models import User

    fresh = not db.exists()
    call_command("migrate", verbosity=0)
    if fresh:
        start = time.perf_counter()
        call_command("demo_data", quiet=True)
        call_command("demo_homes", accounts=args.accounts, stdout=io.StringIO())
        print(f"built {db.name} in {time.perf_counter() - start:.0f} s")
    total = PersonalAccount.objects.count()
    staff = User.objects.get(login="operator")
    client = Client()
    client.force_login(staff)
    rng = random.Random(1)
    ids = list(PersonalAccount.objects.values_list("uuid", flat=True)[:20_000])
    times = []
    for _ in range(args.n):
        uuid = rng.choice(ids)
        t = time.perf_counter()
        response = client.get(f"/accounts/{uuid}/")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    print(f"accounts in the database: {total}, requests: {args.n}")
    print(
        f"GET /accounts/<uuid>/   median {statistics.median(times):6.2f} ms   "
        f"p95 {times[int(len(times) * 0.95) - 1]:6.2f} ms"
    )


if __name__ == "__main__":
    main()
