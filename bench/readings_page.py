"""The readings pages (передача показаний, история) with the demo at scale.

    .venv/bin/python bench/readings_page.py [--accounts 100000] [--n 200]

Uses the database bench/account_page.py builds in var/bench/ and gives every account a
meter with two years of readings (once). Then, as the account's owner would, it opens
the submission page, submits a reading, and opens the history, for random accounts, and
prints the median and 95th percentile of each. One client, one process.
"""

import argparse
import time

from scale_db import open_scale_db, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    open_scale_db(args.accounts)
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from kabinet.core.management.commands.demo_homes import build_meters
    from kabinet.customer_accounts.models import PersonalAccount
    from kabinet.identity.models import User
    from kabinet.metering import views as metering_views
    from kabinet.metering.models import Meter
    from kabinet.metering.services import reading_field

    call_command("migrate", verbosity=0)
    missing = PersonalAccount.objects.filter(meters__isnull=True)
    if missing.exists():
        start = time.perf_counter()
        ids = list(missing.values_list("pk", flat=True))
        for i in range(0, len(ids), 5000):
            with transaction.atomic():
                build_meters(
                    list(PersonalAccount.objects.filter(pk__in=ids[i : i + 5000])),
                    today=timezone.localdate(),
                )
        print(f"meters and readings added in {time.perf_counter() - start:.0f} s")
    # Measure inside the readings window, whatever today is.
    today = timezone.localdate().replace(day=20)
    metering_views._today = lambda: today
    owner = User.objects.get(email="resident@example.ru")
    sample = list(
        PersonalAccount.objects.filter(meters__zones="single")
        .order_by("?")
        .values_list("pk", flat=True)[: args.n]
    )
    client = Client()
    client.force_login(owner)
    submit, post, history = [], [], []
    for pk in sample:
        PersonalAccount.objects.filter(pk=pk).update(owner=owner)
        account = PersonalAccount.objects.get(pk=pk)
        url = f"/meters/account/{account.uuid}/"
        t = time.perf_counter()
        page = client.get(url + "submit/")
        submit.append((time.perf_counter() - t) * 1000)
        assert page.status_code == 200
        meter = Meter.objects.filter(account=account).first()
        last = meter.readings.filter(status="accepted").order_by("-period").first()
        value = str((last.value + 3).quantize(1)) if last else "10"
        field = reading_field(meter, "total")
        t = time.perf_counter()
        answer = client.post(url + "submit/", {field: value})
        post.append((time.perf_counter() - t) * 1000)
        assert answer.status_code == 302, "the submission was not accepted"
        t = time.perf_counter()
        assert client.get(url + "history/").status_code == 200
        history.append((time.perf_counter() - t) * 1000)
        PersonalAccount.objects.filter(pk=pk).update(owner=None)
    print(
        f"accounts: {PersonalAccount.objects.count()}, meters: {Meter.objects.count()}, "
        f"n={len(sample)}"
    )
    report("GET  /meters/account/<uuid>/submit/", submit)
    report("POST /meters/account/<uuid>/submit/", post)
    report("GET  /meters/account/<uuid>/history/", history)


if __name__ == "__main__":
    main()
