"""QR-код для оплаты по ГОСТ Р 56042-2014: the text is right, and a real decoder reads
it back, Cyrillic included, from the code as it is printed on a page."""

import dataclasses
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabinet.billing.payment_qr import (
    MAX_LENGTH,
    PaymentDetails,
    clean,
    details_for,
    payment_string,
    qr_svg,
)
from kabinet.core.pdf import render_png
from kabinet.core.utility import get_utility
from kabinet.core.utility_profiles import PROFILES

EXAMPLE = PaymentDetails(
    name="ГУП «ТЭК СПб»",
    personal_acc="40702810755000012345",
    bank_name="Северо-Западный банк ПАО Сбербанк",
    bic="044030653",
    corresp_acc="30101810500000000653",
    payee_inn="7830001028",
    kpp="783801001",
    amount=Decimal("1234.56"),
    purpose="Оплата за тепловую энергию, ноябрь 2026",
    pers_acc="000123456",
    period=date(2026, 11, 1),
    tech_code="02",
)


def parse(text: str) -> dict[str, str]:
    """Read a payment string the way a banking app does; keys must be unique."""
    header, *items = text.split("|")
    assert header == "ST00012"
    pairs = [item.split("=", 1) for item in items]
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def test_payment_string_of_a_receipt():
    assert payment_string(EXAMPLE) == (
        "ST00012|Name=ГУП «ТЭК СПб»|PersonalAcc=40702810755000012345"
        "|BankName=Северо-Западный банк ПАО Сбербанк|BIC=044030653"
        "|CorrespAcc=30101810500000000653|PayeeINN=7830001028|KPP=783801001|Sum=123456"
        "|Purpose=Оплата за тепловую энергию, ноябрь 2026|PersAcc=000123456"
        "|PaymPeriod=112026|TechCode=02"
    )


def test_only_required_fields_when_nothing_else_is_known():
    details = PaymentDetails(
        name=" ООО «Горсети» ",
        personal_acc="40702810955000012345",
        bank_name="Томское отделение № 8616 ПАО Сбербанк",
        bic="046902606",
        corresp_acc="0",
    )
    assert list(parse(payment_string(details))) == [
        "Name",
        "PersonalAcc",
        "BankName",
        "BIC",
        "CorrespAcc",
    ]
    assert parse(payment_string(details))["Name"] == "ООО «Горсети»"


def test_sum_is_kopecks_rounded_half_up_and_left_out_when_zero():
    def sum_of(amount):
        return parse(payment_string(dataclasses.replace(EXAMPLE, amount=amount))).get("Sum")

    assert sum_of(Decimal("0.005")) == "1"
    assert sum_of(Decimal("100")) == "10000"
    assert sum_of(Decimal("0")) is None
    assert sum_of(None) is None


def test_text_is_sanitised_as_documented():
    details = dataclasses.replace(
        EXAMPLE,
        purpose="  Отопление |ГВС\nза\u00a0ноябрь\x00  " + "я" * 300,
        payer_address="г. Томск,\tул. Ленина | д. 1",
        last_name="Иванов",
    )
    fields = parse(payment_string(details))
    assert fields["Purpose"].startswith("Отопление /ГВС за ноябрь яяя")
    assert len(fields["Purpose"]) == MAX_LENGTH["Purpose"]
    assert fields["PayerAddress"] == "г. Томск, ул. Ленина / д. 1"
    assert fields["LastName"] == "Иванов"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bic": "04403065"}, "BIC"),
        ({"personal_acc": "4070281075500001234X"}, "PersonalAcc"),
        ({"corresp_acc": "301018105"}, "CorrespAcc"),
        ({"payee_inn": "78300010"}, "PayeeINN"),
        ({"kpp": "78380100"}, "KPP"),
        ({"amount": Decimal("-1")}, "Sum"),
        ({"period": date(2026, 11, 15)}, "PaymPeriod"),
        ({"tech_code": "16"}, "TechCode"),
        ({"name": " \n\t "}, "Name"),
        ({"bank_name": ""}, "BankName"),
    ],
)
def test_wrong_requisites_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        payment_string(dataclasses.replace(EXAMPLE, **change))


def test_amount_must_be_roubles_as_decimal():
    with pytest.raises(TypeError):
        payment_string(dataclasses.replace(EXAMPLE, amount=123456))


@pytest.mark.parametrize("code", sorted(PROFILES))
def test_every_utility_profile_makes_a_valid_code(code):
    profile = PROFILES[code]
    details = details_for(
        profile, amount=Decimal("10"), purpose="Оплата", pers_acc="1", period=date(2026, 1, 1)
    )
    fields = parse(payment_string(details))
    assert fields["Name"] == profile.short_name
    assert fields["PayeeINN"] == profile.requisites.inn
    assert len(fields["BankName"]) <= MAX_LENGTH["BankName"]
    assert profile.requisites.bank_name.startswith(fields["BankName"])


# Any text, control characters aside, gives a code whose fields read back as the
# documented clean() of what went in.
text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=250)
name = text.filter(lambda value: clean(value))


@given(
    name=name,
    bank_name=name,
    purpose=text,
    pers_acc=text,
    last_name=text,
    first_name=text,
    middle_name=text,
    payer_address=text,
    category=text,
)
def test_any_text_reads_back_after_sanitising(**values):
    details = dataclasses.replace(EXAMPLE, **values)
    fields = parse(payment_string(details))
    keys = {
        "name": "Name",
        "bank_name": "BankName",
        "purpose": "Purpose",
        "pers_acc": "PersAcc",
        "last_name": "LastName",
        "first_name": "FirstName",
        "middle_name": "MiddleName",
        "payer_address": "PayerAddress",
        "category": "Category",
    }
    for attr, key in keys.items():
        expected = clean(values[attr], MAX_LENGTH.get(key))
        assert fields.get(key, "") == expected
        assert "|" not in expected
        assert expected == " ".join(expected.split())
    assert fields["Sum"] == "123456"
    assert fields["PaymPeriod"] == "112026"


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=100))
def test_text_already_clean_is_kept_as_it_is(value):
    value = " ".join(value.replace("|", "").split())
    assert clean(value) == value


def zbarimg(png: bytes, tmp_path) -> str:
    if shutil.which("zbarimg") is None:
        why = "zbarimg not found: apt-get install zbar-tools (bash .ci/run installs it)"
        print(why)
        pytest.skip(why)
    path = tmp_path / "code.png"
    path.write_bytes(png)
    # -Sbinary: the bytes as stored, so the test sees UTF-8 and not zbar's guess.
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sbinary", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8")


def test_a_real_decoder_reads_the_code_printed_on_a_page(tmp_path):
    details = dataclasses.replace(
        details_for(
            get_utility(),
            amount=Decimal("4321.09"),
            purpose="Оплата за тепловую энергию и горячую воду, ноябрь 2026",
            pers_acc="000123456",
            period=date(2026, 11, 1),
        ),
        last_name="Щукина",
        first_name="Ёлка",
        middle_name="Юрьевна",
    )
    png = render_png("core/_smoke", {"title": "Квитанция", "qr": qr_svg(details)}, ppi=200)
    decoded = zbarimg(png, tmp_path)
    # The stored bytes are the string's UTF-8: byte mode, as ST00012 says (segno left
    # alone stores Cyrillic-only text in Kanji mode, which zbar would show as SJIS).
    assert decoded == payment_string(details)
    fields = parse(decoded)
    r = get_utility().requisites
    assert fields["Name"] == get_utility().short_name
    assert fields["PersonalAcc"] == r.settlement_account
    assert fields["BIC"] == r.bik
    assert fields["CorrespAcc"] == r.correspondent_account
    assert fields["PayeeINN"] == r.inn
    assert fields["KPP"] == r.kpp
    assert fields["Sum"] == "432109"
    assert fields["PersAcc"] == "000123456"
    assert fields["PaymPeriod"] == "112026"
    assert fields["Purpose"] == "Оплата за тепловую энергию и горячую воду, ноябрь 2026"
    assert (fields["LastName"], fields["FirstName"], fields["MiddleName"]) == (
        "Щукина",
        "Ёлка",
        "Юрьевна",
    )
