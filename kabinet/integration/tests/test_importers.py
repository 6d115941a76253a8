"""Every kind of file from the billing system: the documented example of each into a
database with demo-like data (rows arrive, a second run changes nothing), and each
kind of bad row with its Russian reason and line."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.billing.models import Charge, Payment, Tariff
from kabinet.contracts.models import Contract
from kabinet.core.management.commands.demo_homes import (
    build_accounts,
    build_meters,
    build_registry,
)
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.integration import services
from kabinet.integration.importers import KINDS
from kabinet.integration.models import ImportBatch
from kabinet.metering.models import Meter, MeterEvent, Reading
from kabinet.outages.models import Outage
from kabinet.premises.models import House, Premises

pytestmark = pytest.mark.django_db

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "integration"
TODAY = date(2026, 1, 15)


@pytest.fixture
def demo():
    """The demo's registry (63 houses), three accounts with two months of charges and
    payments, and their meters (hot water each; the first a two-zone electricity one)."""
    houses = build_registry()
    accounts = build_accounts(
        houses, count=3, start_number=100000001, today=TODAY, months=2, seed=7
    )
    build_meters(accounts, today=TODAY, months=2)
    return accounts


def run(kind: str, content: bytes, name: str = "") -> ImportBatch:
    upload = SimpleUploadedFile(name or f"{kind}.csv", content)
    batch = services.import_upload(staff=None, kind=kind, upload=upload)
    batch = services.import_preview(batch=batch)
    assert batch.status == "previewed", batch.error
    return services.import_apply(batch=batch)


def _lines(batch: ImportBatch) -> list[tuple[int, str]]:
    return list(batch.rejections.values_list("line", "reason"))


def _sadovaya(number, building="", letter=""):
    return House.objects.get(
        street__settlement__name="Санкт-Петербург",
        street__name="Садовая улица",
        number=number,
        building=building,
        letter=letter,
    )


def check_houses():
    assert _sadovaya("15").management_company.name == "ООО «Жилкомсервис № 1»"
    assert _sadovaya("5", "2", "А").management_company.name == "ООО «УК Невский»"
    house = House.objects.get(street__settlement__name="Павловск", number="20")
    assert house.street.name == "Садовая улица" and house.management_company is None
    assert House.objects.filter(street__name="улица Труда", number="21", building="1").exists()


def check_accounts():
    new = PersonalAccount.objects.get(number="100000041")
    assert new.premises.house == _sadovaya("1") and new.premises.flat == "41"
    assert (new.premises.area_m2, new.holder_last_name) == (Decimal("54.3"), "Орлова")
    assert PersonalAccount.objects.get(number="100000042").premises.beneficiaries == 1
    mine = PersonalAccount.objects.get(number="100000001")
    assert (mine.premises.area_m2, mine.premises.registered_people) == (Decimal("61.5"), 3)
    assert mine.holder_last_name  # an empty cell leaves the name as it was


def check_contracts():
    org = Contract.objects.get(number="ТС-2026/101")
    assert (org.customer_inn, org.customer_name) == ("7707083893", "ПАО «Пример»")
    assert org.kind == "heat_hw"
    assert org.account.number == "700000101" and org.account.premises is None
    assert org.bank_bik == "044525225" and org.party is None
    ip = Contract.objects.get(number="ТС-2026/102")
    assert (ip.customer_inn, ip.ends_on) == ("500100732259", date(2026, 12, 31))


def check_meters():
    new = Meter.objects.get(account__number="100000003", number="ЭЛ-0099001")
    assert (new.zones, new.verified_until) == ("two", date(2042, 2, 1))
    assert new.events.get().action == MeterEvent.Action.REGISTERED
    changed = Meter.objects.get(number="ГВС-000002")
    assert changed.verified_until == date(2031, 3, 1)


def check_readings():
    march = Reading.objects.filter(period=date(2026, 3, 1), status="accepted")
    assert march.count() == 4
    assert march.get(meter__number="ГВС-000001").value == Decimal("1234.5")
    assert march.get(zone="night").value == 2410


def check_charges():
    loaded = Charge.objects.filter(period=date(2026, 3, 1), accrued=False)
    assert loaded.count() == 4
    heat = loaded.get(service="Отопление", kind="charge")
    assert (heat.amount_kopecks, heat.tariff_kopecks, heat.volume) == (
        234567,
        312045,
        Decimal("0.7517"),
    )
    assert loaded.get(kind="recalc").amount_kopecks == -12000


def check_payments():
    paid = Payment.objects.get(external_id="PAY-2026-000123")
    assert (paid.account.number, paid.amount_kopecks, paid.credited_on) == (
        "100000001",
        234567,
        date(2026, 3, 14),
    )
    assert Payment.objects.get(external_id="PAY-2026-000125").purpose == "penalty"


def check_tariffs():
    heat = Tariff.objects.get(service="Отопление", valid_from=date(2026, 7, 1))
    assert (heat.price_kopecks, heat.norm, heat.norm_basis) == (324527, Decimal("0.019"), "m2")
    assert heat.months == "1,2,3,4,5,10,11,12"
    assert Tariff.objects.filter(service="Электроэнергия").count() == 2


def check_outages():
    planned = Outage.objects.get(external_id="ОТК-2026-0042")
    assert (planned.house, planned.service, planned.starts_on) == (
        _sadovaya("1"),
        "hot_water",
        date(2026, 6, 1),
    )
    assert Outage.objects.get(external_id="ОТК-2026-0043").kind == "emergency"


def check_intervals():
    from kabinet.metering.interval_models import IntervalDay

    day = IntervalDay.objects.get(
        series__meter__number="ЭЛ-0457812", series__channel="a_imp", day=date(2026, 3, 21)
    )
    assert day.values[13] is None and day.present == 23  # a gap stays a gap
    assert day.is_estimated(3) and day.is_estimated(4) and not day.is_estimated(5)


CHECKS = {kind: globals()[f"check_{kind}"] for kind in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_the_documented_example_loads_and_a_second_run_changes_nothing(demo, kind):
    content = (EXAMPLES / f"{kind}.csv").read_bytes()
    rows = len([line for line in content.decode().splitlines()[1:] if line.strip()])
    batch = run(kind, content)
    assert _lines(batch) == []
    assert (batch.status, batch.total, batch.rejected) == ("applied", rows, 0)
    assert batch.created + batch.updated + batch.unchanged == rows
    assert batch.created + batch.updated > 0
    CHECKS[kind]()
    counts = {
        model: model.objects.count()
        for model in (House, Premises, PersonalAccount, Contract, Meter, Reading, Charge,
                      Payment, Tariff, Outage, MeterEvent)
    }  # fmt: skip
    again = run(kind, content)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, rows, 0)
    assert {model: model.objects.count() for model in counts} == counts
    CHECKS[kind]()


def test_the_examples_load_in_order_into_an_empty_database():
    # A new utility: houses, then accounts, meters, readings… each on the ones before.
    for kind in ("houses", "tariffs"):
        assert run(kind, (EXAMPLES / f"{kind}.csv").read_bytes()).rejected == 0
    content = (
        "account;settlement;street;house;flat;area\n"
        "100000001;Санкт-Петербург;Садовая улица;15;1;40\n"
    ).encode()
    assert run("accounts", content).created == 1
    content = "account;meter;zones\n100000001;ГВС-000001;single\n".encode()
    assert run("meters", content).created == 1


BAD = {
    "houses": (
        "settlement;street;house;building\n"
        "Санкт-Петербург;;3;\n"
        "Санкт-Петербург;Садовая улица;12345678901234567;\n",
        [
            (2, "Не заполнено: street."),
            (3, "Номер дома — не длиннее 16 символов."),
        ],
    ),
    "accounts": (
        "account;settlement;street;house;flat;area;registered\n"
        "100000050;Санкт-Петербург;Садовая улица;99;1;40;1\n"
        "100000051;Санкт-Петербург;Садовая улица;1;51;сорок;1\n"
        "100000052;Санкт-Петербург;Садовая улица;1;52;;1\n"
        "100000053;Санкт-Петербург;Садовая улица;1;53;40;1,5\n",
        [
            (2, "Дома «Санкт-Петербург, Садовая улица, 99» нет в реестре зоны теплоснабжения."),
            (3, "Площадь: «сорок» не число."),
            (4, "Для нового помещения укажите площадь."),
            (5, "Зарегистрировано: не больше 0 знаков после запятой."),
        ],
    ),
    "contracts": (
        "contract;account;inn;customer;signed_on;kind;product;starts_on;ends_on\n"
        "Д-1;700000001;7707083894;ООО А;01.01.2026;heat;heat;01.01.2026;\n"
        "Д-2;700000002;7707083893;ООО Б;01.01.2026;газ;heat;01.01.2026;\n"
        "Д-3;700000003;7707083893;;01.01.2026;heat;heat;01.01.2026;\n"
        "Д-4;700000004;7707083893;ООО Г;01.01.2026;heat;heat;01.02.2026;31.01.2026\n"
        "Д-5;100000001;7707083893;ООО Д;01.01.2026;heat;heat;01.01.2026;\n",
        [
            (2, "ИНН введён с ошибкой: не сходится контрольная цифра."),
            (
                3,
                "Тип договора: «газ» — нет такого значения; можно: heat, hot_water, "
                "heat_hw, electricity, pnr.",
            ),
            (4, "Для нового договора укажите: customer_name."),
            (5, "Дата окончания договора раньше даты начала."),
            (6, "Лицевой счёт 100000001 — счёт помещения, а не договора."),
        ],
    ),
    "meters": (
        "account;meter;zones;digits;installed_on\n"
        "999999999;М-1;single;6;\n"
        "100000001;М-2;four;6;\n"
        "100000001;М-3;single;20;\n"
        "100000001;М-4;single;6;31.02.2026\n",
        [
            (2, "Лицевой счёт 999999999 не найден."),
            (3, "Тарифные зоны: «four» — нет такого значения; можно: single, two, three."),
            (4, "Разрядность счётчика — от 1 до 12 знаков до запятой."),
            (5, "Дата установки: дата «31.02.2026» не распознана, нужна ДД.ММ.ГГГГ."),
        ],
    ),
    "readings": (
        "account;meter;period;value\n"
        "100000001;ГВС-000001;2026-03;-5\n"
        "100000001;ГВС-000001;2026-13;5\n"
        "100000001;ГВС-000001;2026-03;1,23456\n"
        "100000001;ЭЛ-0457812;2026-03;5\n",
        [
            (2, "Показание не может быть отрицательным."),
            (3, "Период «2026-13» не распознан."),
            (4, "В показании больше 4 знаков после запятой."),
            (5, "У счётчика нет зоны «total»."),
        ],
    ),
    "charges": (
        "account;period;service;amount;kind\n"
        "100000001;13.2026;Отопление;10;\n"
        "100000001;03.2026;Отопление;12,345;\n"
        "999999999;03.2026;Отопление;10;\n"
        "100000001;03.2026;Отопление;10;скидка\n",
        [
            (2, "Период: месяц «13.2026» не распознан, нужен ММ.ГГГГ."),
            (3, "Сумма: не больше 2 знаков после запятой."),
            (4, "Лицевой счёт 999999999 не найден."),
            (5, "Вид: «скидка» — нет такого значения; можно: charge, recalc, penalty, fee."),
        ],
    ),
    "payments": (
        "account;id;credited_on;amount\n"
        "100000001;P-1;14.03.2026;0\n"
        "100000001;P-2;31.02.2026;10\n"
        "100000001;P-3;14.03.2026;-10\n",
        [
            (2, "Сумма оплаты должна быть больше нуля."),
            (3, "Дата поступления: дата «31.02.2026» не распознана, нужна ДД.ММ.ГГГГ."),
            (4, "Сумма: число не может быть отрицательным."),
        ],
    ),
    "tariffs": (
        "service;unit;price;valid_from;valid_to;norm;norm_basis\n"
        "Отопление;Гкал;3000;01.07.2026;;0,019;\n"
        "Отопление;Гкал;3000;01.07.2026;30.06.2026;;\n"
        "Отопление;Гкал;три;01.07.2026;;;\n",
        [
            (2, "Укажите и норматив, и как он считается."),
            (3, "Тариф кончается раньше, чем начинается."),
            (4, "Цена: «три» не число."),
        ],
    ),
    "outages": (
        "id;settlement;street;house;kind;service;start;end;reason\n"
        "О-1;Санкт-Петербург;Садовая улица;99;плановое;ГВС;01.06.2026;14.06.2026;Ремонт\n"
        "О-2;Санкт-Петербург;Садовая улица;1;ремонт;ГВС;01.06.2026;14.06.2026;Ремонт\n"
        "О-3;Санкт-Петербург;Садовая улица;1;плановое;ГВС;14.06.2026;01.06.2026;Ремонт\n",
        [
            (2, "Дома «Санкт-Петербург, Садовая улица, 99» нет в реестре зоны теплоснабжения."),
            (3, "Вид «ремонт» не известен: плановое или аварийное."),
            (4, "Дата окончания не может быть раньше даты начала (14.06.2026)."),
        ],
    ),
    "intervals": (
        "номер ПУ;канал;дата;ч00;ч01;оценка\n"
        "НЕТ;a_imp;20.03.2026;1;1;\n"
        "ЭЛ-0457812;a_imp;20.03.2026;-1;1;\n"
        "ЭЛ-0457812;a_imp;20.03.2026;1;;1\n",
        [
            (2, "Прибор учёта № НЕТ не найден."),
            (3, "ч00: Отрицательное значение."),
            (4, "Оценка: в часах 01 нет значений."),
        ],
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_bad_rows_are_rejected_with_their_line_and_reason(demo, kind):
    text, expected = BAD[kind]
    good = {
        "houses": "Пушкин;Оранжерейная улица;101;\n",
        "accounts": "100000060;Санкт-Петербург;Садовая улица;1;60;40;1\n",
        "contracts": "Д-6;700000006;7707083893;ООО Е;01.01.2026;heat;heat;01.01.2026;\n",
        "meters": "100000001;М-5;single;6;\n",
        "readings": "100000001;ГВС-000001;2026-03;5\n",
        "charges": "100000001;03.2026;Отопление;10;\n",
        "payments": "100000001;P-4;14.03.2026;10\n",
        "tariffs": "Отопление;Гкал;3000;01.07.2026;;;\n",
        "outages": "О-4;Санкт-Петербург;Садовая улица;1;плановое;ГВС;01.06.2026;14.06.2026;Р\n",
        "intervals": "ЭЛ-0457812;a_imp;21.03.2026;1;1;0-1\n",
    }[kind]
    batch = run(kind, (text + good).encode())
    assert _lines(batch) == expected
    # The good row after the bad ones is kept.
    assert (batch.created, batch.rejected, batch.total) == (1, len(expected), len(expected) + 1)


def test_a_missing_required_column_names_it_in_russian(demo):
    batch = services.import_preview(
        batch=services.import_upload(
            staff=None,
            kind="payments",
            upload=SimpleUploadedFile("p.csv", b"account;credited_on;amount\n1;01.01.2026;1\n"),
        )
    )
    assert batch.status == "failed"
    assert "нет обязательных столбцов: id (идентификатор платежа)" in batch.error


def test_updates_are_counted_and_written(demo):
    content = "account;id;credited_on;amount\n100000001;P-9;14.03.2026;10\n"
    assert run("payments", content.encode()).created == 1
    batch = run("payments", content.replace(";10\n", ";12,50\n").encode())
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 0)
    assert Payment.objects.get(external_id="P-9").amount_kopecks == 1250


def test_readings_count_a_replaced_value_as_updated(demo):
    content = "account;meter;period;value\n100000001;ГВС-000001;2026-03;5\n"
    run("readings", content.encode())
    batch = run("readings", content.replace(";5\n", ";6\n").encode())
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 0)
    march = Reading.objects.filter(meter__number="ГВС-000001", period=date(2026, 3, 1))
    assert sorted(march.values_list("status", "value")) == [
        ("accepted", Decimal(6)),
        ("replaced", Decimal(5)),
    ]


def test_the_same_reading_twice_in_one_file_is_applied_in_file_order(demo):
    content = (
        "account;meter;period;value\n"
        "100000001;ГВС-000001;2026-03;5\n"
        "100000001;ГВС-000001;2026-03;7\n"
    )
    batch = run("readings", content.encode())
    assert (batch.created, batch.updated) == (1, 1)
    accepted = Reading.objects.get(meter__number="ГВС-000001", period=date(2026, 3, 1),
                                   status="accepted")  # fmt: skip
    assert accepted.value == 7


def test_russian_header_names_are_read(demo):
    content = (
        "Лицевой счёт;Идентификатор платежа;Дата поступления;СУММА\n100000001;P-7;01.03.2026;5\n"
    )
    assert run("payments", content.encode()).created == 1
