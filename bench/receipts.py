"""Receipts (квитанции) issued per second, with the demo at scale.

    .venv/bin/python bench/receipts.py [--accounts 100000] [--n 1000] [--pdf 100]

Uses the database bench/account_page.py builds in var/bench/. For ``--n`` random
accounts it issues the receipt of the last closed month through ``receipt_issue`` (the
snapshot from the ledger, the document row, the e-mailing when paperless), then issues
them again (nothing changed: the idempotent path), then renders ``--pdf`` of them as PDF
(what a download or an e-mailed receipt costs). Prints the rates and what a whole month
of ``--accounts`` receipts would take in one process. One process, no worker pool.
"""

import argparse
import random
import time

from scale_db import open_scale_db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--pdf", type=int, default=100)
    args = parser.parse_args()
    open_scale_db(args.accounts)
    from django.core.management import call_command
    from django.utils import timezone

    from kabinet.billing.models import IssuedDocument
    from kabinet.billing.receipts import render_receipt_pdf
    from kabinet.billing.services import receipt_issue
    from kabinet.core.money import add_months, period_of
    from kabinet.customer_accounts.models import PersonalAccount

    call_command("migrate", verbosity=0)
    total = PersonalAccount.objects.count()
    period = add_months(period_of(timezone.localdate()), -1)
    ids = list(PersonalAccount.objects.values_list("pk", flat=True))
    sample = random.Random(3).sample(ids, min(args.n, len(ids)))
    IssuedDocument.objects.filter(account_id__in=sample, period=period).delete()
    accounts = list(
        PersonalAccount.objects.filter(pk__in=sample).select_related(
            "premises__house__street__settlement"
        )
    )

    def rate(label: str, work) -> float:
        start = time.perf_counter()
        count = work()
        seconds = time.perf_counter() - start
        print(f"{label:<44} {count:6d} in {seconds:6.2f} s = {count / seconds:7.1f} per second")
        return count / seconds

    def issue() -> int:
        made = sum(receipt_issue(account=a, period=period)[1] for a in accounts)
        assert made == len(accounts), made
        return made

    def again() -> int:
        changed = sum(receipt_issue(account=a, period=period)[1] for a in accounts)
        assert changed == 0, changed
        return len(accounts)

    print(f"accounts in the database: {total}, period {period:%m.%Y}")
    issued = rate("receipt_issue (new receipts)", issue)
    rate("receipt_issue again (unchanged, no writes)", again)
    snapshots = list(
        IssuedDocument.objects.filter(account_id__in=sample, period=period).values_list(
            "snapshot", flat=True
        )[: args.pdf]
    )
    rendered = rate(
        "render_receipt_pdf", lambda: sum(bool(render_receipt_pdf(s)) for s in snapshots)
    )
    print(
        f"a month of {total} receipts: issue {total / issued / 60:.1f} min, "
        f"their PDFs {total / rendered / 60:.1f} min (one process)"
    )


if __name__ == "__main__":
    main()
