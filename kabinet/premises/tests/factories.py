"""Small builders of the address registry for the premises tests."""

from datetime import date
from decimal import Decimal

from kabinet.core.money import add_months
from kabinet.premises.models import (
    BuildingMeter,
    BuildingMeterMonth,
    House,
    HouseDebt,
    HouseFollow,
    ManagementCompany,
    Settlement,
    Street,
)


def settlement(name="Санкт-Петербург") -> Settlement:
    return Settlement.objects.get_or_create(name=name)[0]


def street(name="Садовая улица", *, town="Санкт-Петербург") -> Street:
    return Street.objects.get_or_create(settlement=settlement(town), name=name)[0]


def company(name="ООО «Жилкомсервис № 1»") -> ManagementCompany:
    return ManagementCompany.objects.get_or_create(
        name=name, defaults={"address": "ул. Садовая, д. 12", "phone": "+7 (812) 310-10-10"}
    )[0]


def house(
    number="5", *, street_name="Садовая улица", town="Санкт-Петербург", building="", letter=""
) -> House:
    return House.objects.get_or_create(
        street=street(street_name, town=town),
        number=number,
        building=building,
        letter=letter,
        defaults={"management_company": company()},
    )[0]


def meter(h: House, number="УУТЭ-1001", *, months=12, last=date(2026, 10, 1)) -> BuildingMeter:
    m = BuildingMeter.objects.create(
        house=h, number=number, contract_number="Д-7788", location=h.address
    )
    BuildingMeterMonth.objects.bulk_create(
        BuildingMeterMonth(
            meter=m,
            period=add_months(last, -i),
            heat_gcal=Decimal("100.250") + i,
            hours_out_of_service=Decimal("1.5") if i == 0 else Decimal("0"),
        )
        for i in range(months)
    )
    return m


def debt(h: House, period=date(2026, 10, 1), kopecks=12345678) -> HouseDebt:
    return HouseDebt.objects.create(house=h, period=period, debt_kopecks=kopecks)


def follow(user, h: House) -> HouseFollow:
    return HouseFollow.objects.get_or_create(user=user, house=h)[0]
