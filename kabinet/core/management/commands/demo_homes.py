"""Demo houses, accounts and their ledger for two years: deterministic for a given size.

Called by ``demo_data``; on its own: ``manage.py demo_homes --accounts 100000`` adds
that many accounts (for bench/) in bulk.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kabinet.billing.models import Charge, Payment
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.premises.models import (
    BuildingMeter,
    BuildingMeterMonth,
    House,
    HouseDebt,
    ManagementCompany,
    Premises,
    Settlement,
    Street,
)

STREETS = {
    "Санкт-Петербург": [
        "Садовая улица",
        "Невский проспект",
        "улица Марата",
        "Лиговский проспект",
        "Московский проспект",
        "улица Савушкина",
    ],
    "Колпино": ["улица Труда", "Павловская улица"],
    "Пушкин": ["Оранжерейная улица"],
}
COMPANIES = [
    ("ООО «Жилкомсервис № 1»", "ул. Садовая, д. 12", "+7 (812) 310-10-10"),
    ("ООО «УК Невский»", "Невский пр., д. 88", "+7 (812) 320-20-20"),
    ("ТСЖ «Колпинское»", "Колпино, ул. Труда, д. 3", "+7 (812) 461-30-30"),
]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов"]
NAMES = ["Александр", "Дмитрий", "Мария", "Сергей", "Анна", "Елена", "Ольга"]
PATRONYMICS = ["Иванович", "Петрович", "Сергеевна", "Андреевна", "Олегович", ""]
HEAT_TARIFF_KOPECKS = 312045  # 3 120,45 ₽ за Гкал
HEAT_NORM_GCAL_PER_M2 = Decimal("0.0190")  # норматив отопления в отопительный месяц
HEATING_MONTHS = {1, 2, 3, 4, 5, 10, 11, 12}
DEMO_LAST_PAYMENT = (date(2026, 10, 14), 234560)  # the resident's unlinked demo account
DEMO_ACTIVATION_CODE = "TEST-2345"  # printed on that account's receipt (004)


def _periods(today: date, months: int) -> list[date]:
    current = period_of(today)
    return [add_months(current, -m) for m in range(months, 0, -1)]


def build_registry() -> list[House]:
    companies = [
        ManagementCompany.objects.create(name=n, address=a, phone=p) for n, a, p in COMPANIES
    ]
    houses = []
    for s_index, (town, streets) in enumerate(STREETS.items()):
        settlement = Settlement.objects.create(name=town)
        for st_index, name in enumerate(streets):
            street = Street.objects.create(settlement=settlement, name=name)
            for number in range(1, 8):
                houses.append(
                    House(
                        street=street,
                        number=str(number * 2 - 1),
                        building="2" if number == 3 else "",
                        letter="А" if number in (3, 5) else "",
                        management_company=companies[(s_index + st_index + number) % 3],
                    )
                )
    return House.objects.bulk_create(houses)


def build_house_archives(houses: list[House], *, today: date, months: int = 24) -> None:
    rng = random.Random(11)  # noqa: S311 - demo data
    meters, archive, debts = [], [], []
    for house in houses[:12]:
        meters.append(
            BuildingMeter(
                house=house,
                kind=BuildingMeter.Kind.UUTE,
                number=f"ТВ7-{10000 + house.pk}",
                contract_number=f"{2000 + house.pk:06d}",
                location=f"{house.short_address}, ИТП в подвале",
            )
        )
    meters = BuildingMeter.objects.bulk_create(meters)
    for meter in meters:
        for period in _periods(today, months):
            heating = period.month in HEATING_MONTHS
            gcal = Decimal(rng.randint(900, 1600) if heating else rng.randint(80, 160)) / 10
            archive.append(
                BuildingMeterMonth(
                    meter=meter,
                    period=period,
                    heat_gcal=gcal,
                    hours_out_of_service=Decimal(rng.choice([0, 0, 0, 0, 3, 12, 26])),
                )
            )
    for house in houses[:12]:
        for period in _periods(today, 12):
            debts.append(
                HouseDebt(
                    house=house, period=period, debt_kopecks=rng.randint(50_000, 900_000) * 100
                )
            )
    BuildingMeterMonth.objects.bulk_create(archive)
    HouseDebt.objects.bulk_create(debts)


def _month_charges(acc, prem, period: date, rng) -> list[Charge]:
    """Heating by the norm for the area in the heating months, hot water every month."""
    charges = []
    if period.month in HEATING_MONTHS:
        volume = (prem.area_m2 * HEAT_NORM_GCAL_PER_M2).quantize(Decimal("0.0001"))
        charges.append(
            Charge(
                account=acc,
                period=period,
                service="Отопление",
                volume=volume,
                unit="Гкал",
                tariff_kopecks=HEAT_TARIFF_KOPECKS,
                amount_kopecks=int((volume * HEAT_TARIFF_KOPECKS).quantize(Decimal("1"))),
            )
        )
    water = Decimal(rng.randint(20, 60)) / 10
    charges.append(
        Charge(
            account=acc,
            period=period,
            service="Горячее водоснабжение (подогрев)",
            volume=water,
            unit="м³",
            tariff_kopecks=26840,
            amount_kopecks=int(water * 26840),
        )
    )
    return charges


def build_accounts(
    houses: list[House], *, count: int, start_number: int, today: date, months: int, seed: int
) -> list[PersonalAccount]:
    """``count`` accounts spread over the houses, each with charges and payments."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    premises = [
        Premises(
            house=houses[i % len(houses)],
            flat=str(start_number + i - 100000000),  # unique in every house
            area_m2=Decimal(rng.randint(280, 1200)) / 10,
            registered_people=rng.randint(1, 5),
            beneficiaries=rng.choice([0, 0, 0, 1]),
        )
        for i in range(count)
    ]
    premises = Premises.objects.bulk_create(premises, batch_size=2000)
    accounts = PersonalAccount.objects.bulk_create(
        [
            PersonalAccount(
                number=f"{start_number + i:09d}",
                premises=p,
                holder_last_name=rng.choice(SURNAMES),
                holder_first_name=rng.choice(NAMES),
                holder_middle_name=rng.choice(PATRONYMICS),
                services="Отопление, горячее водоснабжение (подогрев)",
            )
            for i, p in enumerate(premises)
        ],
        batch_size=2000,
    )
    charges, payments = [], []
    for acc, prem in zip(accounts, premises, strict=True):
        billed: dict[date, int] = {}
        for period in _periods(today, months):
            for charge in _month_charges(acc, prem, period, rng):
                charges.append(charge)
                billed[period] = billed.get(period, 0) + charge.amount_kopecks
        habit = rng.random()
        for period in _periods(today, months)[:-1]:
            # Most pay the month's bill in the middle of the next month; a few pay part
            # of it or skip a month, so some accounts owe and a few have paid ahead.
            roll = rng.random()
            if habit < 0.15 and roll < 0.3:
                continue
            share = Decimal("1") if roll < 0.85 else Decimal(rng.choice(["0.5", "1.2"]))
            payments.append(
                Payment(
                    account=acc,
                    credited_on=add_months(period, 1) + timedelta(days=rng.randint(5, 20)),
                    amount_kopecks=int(billed[period] * share),
                    channel=rng.choice(["bank", "bank", "online", "post"]),
                )
            )
    Charge.objects.bulk_create(charges, batch_size=5000)
    Payment.objects.bulk_create(payments, batch_size=5000)
    return accounts


def build_meters(accounts: list[PersonalAccount], *, today: date, months: int = 24) -> None:
    """Each account a hot-water meter (м³); the first also a two-zone electricity meter.
    Two years of accepted monthly readings, rising as real ones do."""
    from kabinet.metering.models import Meter, Reading

    rng = random.Random(5)  # noqa: S311 - demo data
    meters, readings = [], []
    for i, acc in enumerate(accounts):
        meters.append(
            Meter(
                account=acc,
                number=f"ГВС-{acc.number[-6:]}",
                model_name="СГВ-15",
                service="Горячее водоснабжение (подогрев)",
                unit="м³",
                zones=Meter.Zones.SINGLE,
                digits=5,
                decimals=3,
                installed_on=date(2021, 3, 1),
                verified_until=date(2027, 3, 1) if i % 5 else add_months(period_of(today), -2),
            )
        )
        if i == 0:
            meters.append(
                Meter(
                    account=acc,
                    number="ЭЛ-0457812",
                    model_name="Меркурий 201.8",
                    service="Электроэнергия",
                    unit="кВт·ч",
                    zones=Meter.Zones.TWO,
                    digits=6,
                    decimals=0,
                    installed_on=date(2020, 6, 1),
                    verified_until=date(2036, 6, 1),
                )
            )
    meters = Meter.objects.bulk_create(meters)
    for meter in meters:
        zones = ["day", "night"] if meter.zones == Meter.Zones.TWO else ["total"]
        values = {zone: Decimal(rng.randint(100, 900)) for zone in zones}
        for period in _periods(today, months):
            for zone in zones:
                if meter.unit == "м³":
                    step = Decimal(rng.randint(2000, 5000)) / 1000
                else:
                    step = Decimal(rng.randint(120, 220) if zone == "day" else rng.randint(50, 90))
                values[zone] += step
                readings.append(
                    Reading(
                        meter=meter,
                        zone=zone,
                        period=period,
                        value=values[zone],
                        source=rng.choice(
                            [Reading.Source.CUSTOMER] * 4
                            + [Reading.Source.IKU, Reading.Source.BILLING]
                        ),
                        status=Reading.Status.ACCEPTED,
                        submitted_at=timezone.make_aware(
                            datetime.combine(period + timedelta(days=rng.randint(14, 24)), time(12))
                        ),
                    )
                )
    Reading.objects.bulk_create(readings, batch_size=5000)
    build_readings_to_check(meters[4:16], today=today, values=values_by_meter(readings))


def values_by_meter(readings) -> dict:
    last = {}
    for r in readings:
        last[(r.meter_id, r.zone)] = r.value
    return last


def build_readings_to_check(meters, *, today: date, values: dict) -> None:
    """This month's readings that customers of other accounts sent and the billing
    system has not taken yet: the billing specialist's queue «Показания на проверке».
    The third is a jump ten times the usual, which the queue points out."""
    from kabinet.metering.models import Reading

    period = period_of(today)
    pending = []
    for i, meter in enumerate(meters):
        zones = ["day", "night"] if meter.zones == meter.Zones.TWO else ["total"]
        for zone in zones:
            step = Decimal("3.5") * (10 if i == 2 else 1)
            pending.append(
                Reading(
                    meter=meter,
                    zone=zone,
                    period=period,
                    value=values[(meter.pk, zone)] + step,
                    source=Reading.Source.CUSTOMER,
                    status=Reading.Status.SUBMITTED,
                    submitted_at=timezone.now() - timedelta(hours=3 * i + 1),
                )
            )
    Reading.objects.bulk_create(pending)


@transaction.atomic
def build_demo_homes(*, resident, today: date | None = None, accounts: int = 40) -> None:
    """The registry, archives, ``accounts`` accounts, and the resident's two accounts."""
    today = today or timezone.localdate()
    houses = build_registry()
    build_house_archives(houses, today=today)
    demo = build_accounts(
        houses, count=accounts, start_number=100000001, today=today, months=24, seed=7
    )
    mine = demo[:2]
    for acc in mine:
        acc.owner = resident
        acc.linked_at = timezone.now() - timedelta(days=730)  # theirs for two years
        acc.save(update_fields=["owner", "linked_at"])
    # The third account is left to link by its last payment (000): 2 345,60 ₽ on 14.10.2026.
    free = demo[2]
    Payment.objects.filter(account=free, credited_on__gte=DEMO_LAST_PAYMENT[0]).delete()
    Payment.objects.create(
        account=free,
        credited_on=DEMO_LAST_PAYMENT[0],
        amount_kopecks=DEMO_LAST_PAYMENT[1],
        channel=Payment.Channel.BANK,
    )
    resident.followed_houses.add(mine[0].premises.house)
    build_meters(demo, today=today)
    # The same account by its receipt's activation code (004) or one of its meters (002).
    from kabinet.customer_accounts.services import activation_code_issue

    activation_code_issue(account=free, today=today, code=DEMO_ACTIVATION_CODE)
    build_billing(demo, today=today)


def build_tariffs(today: date) -> None:
    """The demo's tariffs: current ones and an archive, with the norms the accrual uses."""
    from kabinet.billing.models import Tariff
    from kabinet.billing.services import tariff_add

    if Tariff.objects.exists():
        return
    year = today.year
    heating = "1,2,3,4,5,10,11,12"
    basis = "Распоряжение Комитета по тарифам № 241-р от 20.12.{y}"
    for y, heat, water, day, night in (
        (year - 2, 285630, 24510, 548, 271),
        (year - 1, 299910, 25740, 575, 285),
        (year, HEAT_TARIFF_KOPECKS, 26840, 612, 305),
    ):
        start = date(y, 1, 1)
        doc = basis.format(y=y - 1)
        tariff_add(
            service="Отопление", unit="Гкал", price_kopecks=heat, valid_from=start,
            norm=HEAT_NORM_GCAL_PER_M2, norm_basis="m2", months=heating, basis_document=doc,
        )  # fmt: skip
        tariff_add(
            service="Горячее водоснабжение (подогрев)", unit="м³", price_kopecks=water,
            valid_from=start, norm=Decimal("3.6"), norm_basis="person", basis_document=doc,
        )  # fmt: skip
        for zone, price in (("day", day), ("night", night)):
            tariff_add(
                service="Электроэнергия", zone=zone, unit="кВт·ч", price_kopecks=price,
                valid_from=start, norm=Decimal("50"), norm_basis="person", basis_document=doc,
            )  # fmt: skip


def build_billing(accounts: list[PersonalAccount], *, today: date, months: int = 3) -> None:
    """Tariffs, the last months' receipts of the demo accounts, and which receipt each
    payment paid (the one issued before it)."""
    from kabinet.billing.models import IssuedDocument
    from kabinet.billing.services import receipt_issue

    build_tariffs(today)
    last = add_months(period_of(today), -1)
    for account in accounts:
        for back in range(months - 1, -1, -1):
            period = add_months(last, -back)
            receipt_issue(account=account, period=period, today=add_months(period, 1))
    docs = {
        (d.account_id, d.period): d
        for d in IssuedDocument.objects.filter(account__in=accounts, kind="receipt")
    }
    for payment in Payment.objects.filter(
        account__in=accounts, credited_on__gte=add_months(last, -months)
    ):
        doc = docs.get((payment.account_id, add_months(period_of(payment.credited_on), -1)))
        if doc is not None:
            payment.paid_document = doc
            payment.save(update_fields=["paid_document"])


class Command(BaseCommand):
    help = "Добавляет демонстрационные лицевые счета с начислениями и оплатами за два года."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=1000)

    def handle(self, *args, accounts: int, **options):
        houses = list(House.objects.all()) or build_registry()
        start = 200000001 + PersonalAccount.objects.count()
        made = 0
        while made < accounts:
            batch = min(5000, accounts - made)
            with transaction.atomic():
                build_accounts(
                    houses,
                    count=batch,
                    start_number=start + made,
                    today=timezone.localdate(),
                    months=24,
                    seed=made,
                )
            made += batch
            self.stdout.write(f"{made} / {accounts}")
