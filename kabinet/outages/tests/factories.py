"""Small builders for the outages tests."""

from datetime import date, timedelta

from kabinet.customer_accounts.tests import factories as acc_f
from kabinet.outages import services
from kabinet.premises.tests import factories as pf

TODAY = date(2026, 11, 10)


def outage(
    house, *, start=TODAY + timedelta(days=5), days=3, kind="planned", service="hot_water", **kw
):
    return services.outage_create(
        house=house,
        kind=kind,
        service=service,
        starts_on=start,
        ends_on=start + timedelta(days=days),
        reason=kw.pop("reason", "Гидравлические испытания тепловой сети"),
        **kw,
    )


def house(number="5", **kw):
    return pf.house(number, **kw)


def account(owner, house_, number="100000001", flat="12"):
    return acc_f.account(owner=owner, house_=house_, number=number, flat=flat)
