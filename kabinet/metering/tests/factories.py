"""Small builders of accounts, meters and readings for the metering tests."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kabinet.core.money import add_months
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering.models import Meter, Reading
from kabinet.premises.models import House, Premises, Settlement, Street

_numbers = itertools.count(1)

# Inside the default readings window (15th to 25th): the period is March 2026.
IN_WINDOW = date(2026, 3, 20)
PERIOD = date(2026, 3, 1)


def house() -> House:
    town, _ = Settlement.objects.get_or_create(name="Санкт-Петербург")
    street, _ = Street.objects.get_or_create(settlement=town, name="Садовая улица")
    return House.objects.get_or_create(street=street, number="7")[0]


def account(*, owner=None) -> PersonalAccount:
    n = next(_numbers)
    premises = Premises.objects.create(
        house=house(), flat=str(n), area_m2=Decimal("48.00"), registered_people=2
    )
    return PersonalAccount.objects.create(
        number=f"2{n:08d}",
        premises=premises,
        holder_last_name="Петров",
        holder_first_name="Пётр",
        owner=owner,
    )


def meter(acc, *, zones=Meter.Zones.SINGLE, digits=6, decimals=0, **extra) -> Meter:
    extra.setdefault("number", f"0077{next(_numbers):06d}")
    extra.setdefault("model_name", "СЕ 101 R5")
    return Meter.objects.create(account=acc, zones=zones, digits=digits, decimals=decimals, **extra)


def accepted(m, period: date, value, *, zone=Reading.Zone.TOTAL, source="billing") -> Reading:
    return Reading.objects.create(
        meter=m,
        zone=zone,
        period=period,
        value=Decimal(str(value)),
        source=source,
        status=Reading.Status.ACCEPTED,
        submitted_at=timezone.now(),
    )


def history(m, values, *, end=PERIOD, zone=Reading.Zone.TOTAL) -> list[Reading]:
    """Accepted readings for the months before ``end``, the last value nearest to it."""
    n = len(values)
    return [accepted(m, add_months(end, i - n), v, zone=zone) for i, v in enumerate(values)]
