"""Small builders for the ledger tests: accounts with a fresh number each, tariffs,
meters and their accepted readings."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kabinet.billing import services
from kabinet.billing.models import Charge, Payment, Tariff
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.customer_accounts.tests.factories import house
from kabinet.metering.models import Meter, Reading
from kabinet.premises.models import Premises

_numbers = itertools.count(1)


def account(
    *,
    owner=None,
    services: str = "",
    area_m2: str = "50.00",
    people: int = 2,
    linked_at=None,
) -> PersonalAccount:
    n = next(_numbers)
    premises = Premises.objects.create(
        house=house(), flat=str(n), area_m2=Decimal(area_m2), registered_people=people
    )
    return PersonalAccount.objects.create(
        number=f"3{n:08d}",
        premises=premises,
        holder_last_name="Смирнова",
        holder_first_name="Анна",
        holder_middle_name="Сергеевна",
        services=services,
        owner=owner,
        linked_at=linked_at or (timezone.now() if owner else None),
    )


def tariff(service: str, price_kopecks: int, *, valid_from=date(2025, 1, 1), **extra) -> Tariff:
    extra.setdefault("unit", "кВт·ч")
    return services.tariff_add(
        service=service, price_kopecks=price_kopecks, valid_from=valid_from, **extra
    )


def charge(acc, period: date, amount_kopecks: int, *, kind="charge", service="Отопление"):
    return Charge.objects.create(
        account=acc, period=period, service=service, kind=kind, amount_kopecks=amount_kopecks
    )


def payment(acc, credited_on: date, amount_kopecks: int, *, channel="bank") -> Payment:
    return Payment.objects.create(
        account=acc, credited_on=credited_on, amount_kopecks=amount_kopecks, channel=channel
    )


def meter(acc, *, service="Электроэнергия", zones=Meter.Zones.SINGLE, **extra) -> Meter:
    extra.setdefault("number", f"0088{next(_numbers):06d}")
    return Meter.objects.create(account=acc, service=service, zones=zones, **extra)


def accepted(m, period: date, value, *, zone=Reading.Zone.TOTAL) -> Reading:
    return Reading.objects.create(
        meter=m,
        zone=zone,
        period=period,
        value=Decimal(str(value)),
        source=Reading.Source.BILLING,
        status=Reading.Status.ACCEPTED,
        submitted_at=timezone.now(),
    )


def account_with_receipts(owner):
    """The pages' account: linked 400 days ago; 3 000 ₽ charged the month before last,
    paid by its receipt; 4 123,45 ₽ charged last month, its receipt unpaid."""
    from datetime import timedelta

    from kabinet.billing.models import IssuedDocument
    from kabinet.core.money import add_months, period_of
    from kabinet.customer_accounts.tests.factories import account as plain_account
    from kabinet.customer_accounts.tests.factories import charge as plain_charge
    from kabinet.customer_accounts.tests.factories import payment as plain_payment

    last = add_months(period_of(timezone.localdate()), -1)
    before = add_months(last, -1)
    a = plain_account(owner=owner)
    a.linked_at = timezone.now() - timedelta(days=400)
    a.save()
    plain_charge(a, before, 300000)
    plain_charge(a, last, 412345)
    services.receipt_issue(account=a, period=before, today=last)
    p = plain_payment(a, last + timedelta(days=9), 300000)
    p.paid_document = IssuedDocument.objects.get(account=a, period=before)
    p.save()
    services.receipt_issue(account=a, period=last, today=add_months(last, 1))
    return a
