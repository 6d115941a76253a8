"""Builders of contracts and what hangs on them, for tests."""

import itertools
from datetime import date
from decimal import Decimal

from kabinet.contracts.models import (
    Contract,
    Curator,
    MeteringPoint,
    MeteringUnit,
    PaymentTerm,
    SupplyObject,
)
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.identity.models import Party

_seq = itertools.count(1)

INN = "7804000010"  # a valid legal-entity ИНН (check digit included)
OTHER_INN = "7707083893"


def organisation(user, *, inn=INN, name="ООО «Ромашка»") -> Party:
    return Party.objects.create(
        user=user, kind=Party.Kind.LEGAL, org_name=name, inn=inn, kpp="780401001"
    )


def contract(
    *,
    party=None,
    number=None,
    inn=INN,
    name="ООО «Ромашка»",
    state=Contract.State.CONCLUDED,
    signed_on=date(2015, 10, 1),
    with_object=True,
) -> Contract:
    n = next(_seq)
    number = number or f"{n:05d}"
    acc = PersonalAccount.objects.create(number=f"9{n:08d}")
    c = Contract.objects.create(
        number=number,
        signed_on=signed_on,
        state=state,
        kind=Contract.Kind.HEAT,
        product=Contract.Product.HEAT,
        starts_on=signed_on,
        heat_carrier=Contract.Carrier.WATER,
        load_character="постоянная",
        customer_name=name,
        customer_inn=inn,
        customer_kpp="780401001",
        legal_address="190000, Санкт-Петербург, ул. Садовая, д. 1",
        bank_name="ПАО Сбербанк",
        bank_bik="044030653",
        bank_account="40702810955000000001",
        bank_corr_account="30101810500000000653",
        party=party,
        account=acc,
    )
    if with_object:
        obj = SupplyObject.objects.create(
            contract=c,
            name="Административное здание",
            address="Санкт-Петербург, ул. Садовая, д. 1",
            floors=5,
            building_type="административное",
            residential=False,
            load_types="отопление, ГВС",
        )
        unit = MeteringUnit.objects.create(
            contract=c, supply_object=obj, number=f"У-{number}", devices="ВКТ-7 № 12345"
        )
        MeteringPoint.objects.create(
            contract=c,
            supply_object=obj,
            unit=unit,
            number=f"ТУ-{number}-1",
            meter_type="ВКТ-7",
            meter_number="12345",
            resource=MeteringPoint.Resource.HEAT,
        )
        Curator.objects.create(
            contract=c,
            position="Инженер",
            full_name="Хлынова Ирина Владимировна",
            phone="567-77-94",
        )
        PaymentTerm.objects.create(
            contract=c, day=18, percent=Decimal("35"), kind=PaymentTerm.Kind.ADVANCE
        )
    return c
