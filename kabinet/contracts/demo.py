"""Demo contracts: ООО «Тепло Плюс» (the staff-issued cabinet, login 0001234) holds a
dozen heat contracts with objects, КУУТЭ and their archive, metering points, curators,
payment terms and a year of settlements; АО «Городские бани» (login 000456) holds one;
two concluded contracts wait in no cabinet — one to sign up with, one for Тепло Плюс to
add by request — and one request waits for staff."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.appeals.demo import DEMO_PDF
from kabinet.billing.models import Charge, IssuedDocument, Payment
from kabinet.contracts.models import (
    Contract,
    ContractLoad,
    Curator,
    MeteringPoint,
    MeteringUnit,
    PaymentTerm,
    SupplyObject,
    UnitReading,
)
from kabinet.core.money import add_months, period_of
from kabinet.customer_accounts.models import PersonalAccount

DEMO_PASSWORD = "Kabinet-2026"  # the same as every demo sign-in (core demo_data)

# A concluded contract in no cabinet, to try «Регистрация по договору» (000 §3.2).
SIGNUP_CONTRACT = {"number": "0009876", "signed_on": date(2018, 3, 1), "inn": "7812000014"}
# Тепло Плюс's contract not yet in its cabinet, to try «Добавить договор» (004).
REQUEST_CONTRACT = "0007777"

STREETS = [
    "ул. Садовая",
    "Невский пр.",
    "ул. Марата",
    "Лиговский пр.",
    "ул. Рубинштейна",
    "ул. Некрасова",
]
OBJECTS = [
    ("Административное здание", "административное", False, "отопление, вентиляция, ГВС"),
    ("Склад", "складское", False, "отопление"),
    ("Жилой дом", "многоквартирный дом", True, "отопление, ГВС"),
    ("Магазин", "торговое", False, "отопление, ГВС"),
]
CURATORS = [
    ("Инженер, сектор по договорной работе", "Хлынова Ирина Владимировна", "+7 (812) 567-77-93"),
    (
        "Расчётчица, отдел реализации тепловой энергии",
        "Гурьянова Елена Ивановна",
        "+7 (812) 567-77-94",
    ),
    (
        "Инженер, группа по режимам и потреблению",
        "Антонов Андрей Анатольевич",
        "+7 (812) 567-77-74",
    ),
]


def _contract(*, number, party, customer, inn, kpp, n, signed_on, state=Contract.State.CONCLUDED):
    account = PersonalAccount.objects.create(number=f"70{n:07d}")
    return Contract.objects.create(
        number=number,
        signed_on=signed_on,
        state=state,
        kind=Contract.Kind.HEAT_HOT_WATER if n % 3 else Contract.Kind.HEAT,
        product=Contract.Product.HEAT,
        starts_on=signed_on,
        ends_on=date(2019, 12, 31) if state == Contract.State.TERMINATED else None,
        heat_carrier=Contract.Carrier.WATER,
        load_character="постоянная" if n % 2 else "сезонная",
        customer_name=customer,
        customer_inn=inn,
        customer_kpp=kpp,
        legal_address="191025, г. Санкт-Петербург, ул. Марата, д. 10, лит. А",
        bank_name="ПАО Сбербанк",
        bank_bik="044030653",
        bank_account=f"4070281055000{n:07d}",
        bank_corr_account="30101810500000000653",
        party=party,
        account=account,
    )


def _furnish(contract: Contract, n: int, today: date) -> None:
    """Objects, units with a year of archive, points, loads, curators, terms, ledger."""
    name, building, residential, loads = OBJECTS[n % len(OBJECTS)]
    street = STREETS[n % len(STREETS)]
    obj = SupplyObject.objects.create(
        contract=contract,
        name=name,
        address=f"г. Санкт-Петербург, {street}, д. {n + 3}",
        floors=3 + n % 7,
        building_type=building,
        residential=residential,
        load_types=loads,
    )
    unit = MeteringUnit.objects.create(
        contract=contract,
        supply_object=obj,
        number=f"КУУТЭ-{contract.number}",
        devices=f"ВКТ-7 № {40100 + n}; ПРЭМ-50 № {52000 + n}",
        commissioned_on=date(2016, 9, 15),
        verification_due=date(2027, 9, 15),
    )
    MeteringPoint.objects.create(
        contract=contract,
        supply_object=obj,
        unit=unit,
        number=f"{contract.number}-1",
        meter_type="ВКТ-7",
        meter_number=str(40100 + n),
        resource=MeteringPoint.Resource.HEAT,
    )
    if n % 2 == 0:
        MeteringPoint.objects.create(
            contract=contract,
            supply_object=obj,
            number=f"{contract.number}-2",
            meter_type="ВСТ-25",
            meter_number=str(71000 + n),
            resource=MeteringPoint.Resource.HOT_WATER,
            unit_of_measure="м³",
        )
    ContractLoad.objects.create(
        contract=contract, supply_object=obj, load_type="отопление", value=Decimal("0.1850")
    )
    ContractLoad.objects.create(
        contract=contract, supply_object=obj, load_type="ГВС (средняя)", value=Decimal("0.0420")
    )
    for order, (position, full_name, phone) in enumerate(CURATORS):
        Curator.objects.create(
            contract=contract, position=position, full_name=full_name, phone=phone, order=order
        )
    PaymentTerm.objects.create(
        contract=contract, day=18, percent=Decimal("35"), kind=PaymentTerm.Kind.ADVANCE
    )
    PaymentTerm.objects.create(
        contract=contract, day=27, percent=Decimal("50"), kind=PaymentTerm.Kind.ADVANCE
    )
    PaymentTerm.objects.create(
        contract=contract, day=10, kind=PaymentTerm.Kind.FINAL, month_offset=1
    )
    current = period_of(today)
    for back in range(12, 0, -1):
        period = add_months(current, -back)
        heating = period.month in (1, 2, 3, 4, 5, 10, 11, 12)
        gcal = Decimal("38.4120") * (1 + Decimal(n % 4) / 10) if heating else Decimal("6.1040")
        UnitReading.objects.create(
            unit=unit,
            period=period,
            heat_gcal=gcal.quantize(Decimal("0.0001")),
            carrier_t=(gcal * 21).quantize(Decimal("0.001")),
            hours_in_service=720 if back != 4 else 706,
            hours_out=0 if back != 4 else 14,
        )
        # 3 120,45 ₽ per Гкал with VAT: the month's charge is what billing would load.
        amount = int((gcal * Decimal("312045")).quantize(Decimal("1")))
        document = IssuedDocument.objects.create(
            account=contract.account,
            kind=IssuedDocument.Kind.INVOICE_FACTURA,
            number=f"{702200000 + n * 100 + back}/70",
            period=period,
            issued_on=add_months(period, 1) - timedelta(days=1),
            charged_kopecks=amount,
            amount_kopecks=amount,
            snapshot={"contract": contract.number, "period": period.isoformat()},
        )
        Charge.objects.create(
            account=contract.account,
            period=period,
            service="Тепловая энергия",
            volume=gcal,
            unit="Гкал",
            tariff_kopecks=312045,
            amount_kopecks=amount,
        )
        if back > 1 or n % 3:
            # Advances on the 18th and 27th, the rest on the 10th of the next month.
            first, second = amount * 35 // 100, amount * 50 // 100
            for day, part, doc in ((18, first, 300 + back), (27, second, 400 + back)):
                Payment.objects.create(
                    account=contract.account,
                    credited_on=period.replace(day=day),
                    amount_kopecks=part,
                    channel=Payment.Channel.BANK,
                    document=f"п/п № {doc}",
                    paid_document=document,
                )
            if back > 2 or n % 2:
                Payment.objects.create(
                    account=contract.account,
                    credited_on=add_months(period, 1).replace(day=10),
                    amount_kopecks=amount - first - second,
                    channel=Payment.Channel.BANK,
                    document=f"п/п № {500 + back}",
                    paid_document=document,
                )
    if n % 4 == 1:
        Charge.objects.create(
            account=contract.account,
            period=add_months(current, -2),
            service="Пени",
            kind=Charge.Kind.PENALTY,
            amount_kopecks=1751,
            reason="Просрочка окончательного расчёта",
        )


def _demo_reports(contract: Contract, *, user, today: date) -> None:
    """Three months of consumption reports accepted in settlements (one corrected by
    billing), and, while the month's window is open, this month's report waiting."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from kabinet.contracts.models import ConsumptionReport

    current = period_of(today)
    months = [add_months(current, -back) for back in (3, 2, 1)]
    if today.day <= 25:
        months.append(current)
    for point in contract.points.all():
        for period in months:
            reading = UnitReading.objects.filter(unit=point.unit, period=period).first()
            sent = (reading.heat_gcal if reading else Decimal("4.20")).quantize(Decimal("0.01"))
            read_on = period.replace(day=min(24, today.day) if period == current else 24)
            report = ConsumptionReport(
                point=point,
                period=period,
                consumption=sent,
                read_on=read_on,
                scan_name=f"отчёт-{period:%Y-%m}.pdf",
                scan_type="application/pdf",
                scan_size=len(DEMO_PDF),
                submitted_by=user,
                submitted_at=timezone.make_aware(
                    timezone.datetime.combine(read_on, timezone.datetime.min.time())
                ),
            )
            if period != current:
                report.status = ConsumptionReport.Status.ACCEPTED
                corrected = period == months[1]
                report.accepted_consumption = sent - Decimal("0.40") if corrected else sent
                report.note = "по акту совместного снятия показаний" if corrected else ""
            report.scan.save(report.uuid.hex, ContentFile(DEMO_PDF), save=False)
            report.save()


def build_demo_contracts(*, org, baths, today: date | None = None) -> None:
    from django.utils import timezone

    from kabinet.contracts.services.cabinet import contract_request_create

    today = today or timezone.localdate()
    org_party = org.parties.get()
    numbers = ["0001234"] + [f"00012{n:02d}" for n in range(35, 46)]
    for n, number in enumerate(numbers):
        contract = _contract(
            number=number,
            party=org_party,
            customer=org_party.org_name,
            inn=org_party.inn,
            kpp=org_party.kpp,
            n=n,
            signed_on=date(2012 + n % 8, 1 + n % 12, 1),
            state=Contract.State.TERMINATED if n == 11 else Contract.State.CONCLUDED,
        )
        _furnish(contract, n, today)
    baths_party = baths.parties.get()
    contract = _contract(
        number="000456",
        party=baths_party,
        customer=baths_party.org_name,
        inn=baths_party.inn,
        kpp=baths_party.kpp,
        n=50,
        signed_on=date(2010, 10, 1),
    )
    _furnish(contract, 50, today)
    free = _contract(
        number=SIGNUP_CONTRACT["number"],
        party=None,
        customer="ООО «Северный ветер»",
        inn=SIGNUP_CONTRACT["inn"],
        kpp="781201001",
        n=60,
        signed_on=SIGNUP_CONTRACT["signed_on"],
    )
    _furnish(free, 60, today)
    extra = _contract(
        number=REQUEST_CONTRACT,
        party=None,
        customer=org_party.org_name,
        inn=org_party.inn,
        kpp=org_party.kpp,
        n=61,
        signed_on=date(2021, 5, 1),
    )
    _furnish(extra, 61, today)
    _demo_reports(Contract.objects.get(number="0001234"), user=org, today=today)
    # A colleague with read-only rights (PartyMember): sees the contracts, cannot pay.
    from kabinet.identity.models import PartyMember, User

    colleague = User(
        email="ivanova@teplo-plus.example.ru",
        email_verified=True,
        display_name="Иванова Ольга (бухгалтерия)",
        signup_mode=User.SignupMode.ISSUED,
        status=User.Status.ACTIVE,
    )
    colleague.set_password(DEMO_PASSWORD)
    colleague.save()
    PartyMember.objects.create(
        party=org_party, user=colleague, rights=PartyMember.Rights.READ, added_by=org
    )
    # A request staff can decide on: the contract-number cabinet asks for Тепло Плюс's
    # contract with the wrong ИНН — the back office shows it cannot be approved. Only
    # where the utility takes such requests (not Горсети nor Ташкент).
    from kabinet.core.utility import get_utility

    profile = get_utility()
    if profile.contracts and profile.contract_requests:
        contract_request_create(
            user=baths,
            inn=baths_party.inn,
            number=REQUEST_CONTRACT,
            statement=SimpleUploadedFile("заявление-на-доступ.pdf", DEMO_PDF),
        )
