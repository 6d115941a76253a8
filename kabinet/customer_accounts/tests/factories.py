"""Small builders of the address registry, accounts and their ledger, for tests."""

from datetime import date
from decimal import Decimal

from kabinet.billing.models import Charge, Payment
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.premises.models import House, ManagementCompany, Premises, Settlement, Street


def house(*, street="Садовая улица", number="5", settlement="Санкт-Петербург") -> House:
    town, _ = Settlement.objects.get_or_create(name=settlement)
    st, _ = Street.objects.get_or_create(settlement=town, name=street)
    mc, _ = ManagementCompany.objects.get_or_create(
        name="ООО «УК Садовая»", defaults={"phone": "+7 812 555-00-11", "address": "Садовая, 1"}
    )
    return House.objects.get_or_create(
        street=st, number=number, defaults={"management_company": mc}
    )[0]


def account(*, number="100000001", flat="12", owner=None, house_=None) -> PersonalAccount:
    premises = Premises.objects.create(
        house=house_ or house(), flat=flat, area_m2=Decimal("54.30"), registered_people=3
    )
    return PersonalAccount.objects.create(
        number=number,
        premises=premises,
        holder_last_name="Иванов",
        holder_first_name="Иван",
        holder_middle_name="Иванович",
        services="Отопление, горячее водоснабжение",
        owner=owner,
    )


def charge(acc, period: date, amount_kopecks: int, *, service="Отопление", kind="charge"):
    return Charge.objects.create(
        account=acc,
        period=period,
        service=service,
        kind=kind,
        amount_kopecks=amount_kopecks,
        volume=Decimal("1.234"),
        unit="Гкал",
        tariff_kopecks=312045,
    )


def payment(acc, credited_on: date, amount_kopecks: int, channel="bank"):
    return Payment.objects.create(
        account=acc, credited_on=credited_on, amount_kopecks=amount_kopecks, channel=channel
    )
