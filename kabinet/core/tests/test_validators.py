"""Registry numbers and phones: real numbers pass, a changed digit is refused in Russian."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kabinet.core.validators import (
    format_ru_phone,
    validate_inn,
    validate_inn_legal,
    validate_inn_person,
    validate_inn_uz,
    validate_kpp,
    validate_no_nul,
    validate_ogrn,
    validate_ogrnip,
    validate_ru_phone,
)


def refused(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return exc.value.messages[0]


# --- ИНН -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["7707083893", "7728168971", "7707 083 893", "7707-083-893"])
def test_inn_of_an_organisation_passes_and_is_compacted(value):
    assert validate_inn_legal(value) == value.replace(" ", "").replace("-", "")
    assert validate_inn(value) == value.replace(" ", "").replace("-", "")


@pytest.mark.parametrize("value", ["500100732259", "5001 0073 2259"])
def test_inn_of_a_person_passes(value):
    assert validate_inn_person(value) == "500100732259"
    assert validate_inn(value) == "500100732259"


@pytest.mark.parametrize("value", ["7707083894", "7728168972", "8707083893"])
def test_inn_of_an_organisation_with_a_changed_digit_is_refused(value):
    message = "ИНН введён с ошибкой: не сходится контрольная цифра."
    assert refused(validate_inn_legal, value) == message
    assert refused(validate_inn, value) == message


@pytest.mark.parametrize("value", ["500100732258", "500100732269", "600100732259"])
def test_inn_of_a_person_with_a_changed_digit_is_refused(value):
    message = "ИНН введён с ошибкой: не сходятся контрольные цифры."
    assert refused(validate_inn_person, value) == message
    assert refused(validate_inn, value) == message


def test_inn_lengths_and_letters():
    assert refused(validate_inn_legal, "500100732259") == "ИНН организации состоит из 10 цифр."
    assert refused(validate_inn_person, "7707083893") == (
        "ИНН физического лица и ИП состоит из 12 цифр."
    )
    assert refused(validate_inn, "77070838") == (
        "ИНН состоит из 10 цифр (организация) или 12 цифр (физическое лицо, ИП)."
    )
    assert refused(validate_inn, "77070838O3") == "ИНН состоит только из цифр."
    assert refused(validate_inn, "") == "ИНН состоит только из цифр."


def test_uzbek_inn_is_nine_digits_when_the_utility_is_in_tashkent(settings):
    settings.KABINET_UTILITY = "tashkent_heat"
    settings.KABINET_SIGNUP_MODES = []
    assert validate_inn("301 234 567") == "301234567"
    assert validate_inn_uz("301234567") == "301234567"
    # A Russian ИНН is not an Uzbek one.
    assert refused(validate_inn, "7707083893") == "ИНН состоит из 9 цифр."
    assert refused(validate_inn, "30123456") == "ИНН состоит из 9 цифр."
    assert refused(validate_inn, "30123456А") == "ИНН состоит только из цифр."


def test_nine_digits_are_not_a_russian_inn(settings):
    settings.KABINET_UTILITY = "tek_spb"
    assert refused(validate_inn, "301234567").startswith("ИНН состоит из 10 цифр")


def _inn10_check(nine: str) -> str:
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return str(sum(w * int(d) for w, d in zip(weights, nine, strict=True)) % 11 % 10)


@given(nine=st.text(alphabet="0123456789", min_size=9, max_size=9), wrong=st.integers(1, 9))
def test_every_inn_with_its_check_digit_passes_and_every_other_last_digit_fails(nine, wrong):
    good = nine + _inn10_check(nine)
    assert validate_inn_legal(good) == good
    bad = nine + str((int(good[-1]) + wrong) % 10)
    with pytest.raises(ValidationError):
        validate_inn_legal(bad)


# --- ОГРН, ОГРНИП, КПП -------------------------------------------------------------------


def test_ogrn():
    assert validate_ogrn("1027700132195") == "1027700132195"
    assert validate_ogrn("1 02 77 00 13219 5") == "1027700132195"
    assert refused(validate_ogrn, "1027700132196") == (
        "ОГРН введён с ошибкой: не сходится контрольная цифра."
    )
    assert refused(validate_ogrn, "102770013219") == "ОГРН состоит из 13 цифр."
    assert refused(validate_ogrn, "304500116000157") == "ОГРН состоит из 13 цифр."
    assert refused(validate_ogrn, "102770013219X") == "ОГРН состоит только из цифр."


def test_ogrnip():
    assert validate_ogrnip("304500116000157") == "304500116000157"
    assert refused(validate_ogrnip, "304500116000158") == (
        "ОГРНИП введён с ошибкой: не сходится контрольная цифра."
    )
    assert refused(validate_ogrnip, "1027700132195") == "ОГРНИП состоит из 15 цифр."
    assert refused(validate_ogrnip, "3045001160001S7") == "ОГРНИП состоит только из цифр."


def test_kpp():
    assert validate_kpp("773601001") == "773601001"
    assert validate_kpp("7736 01 001") == "773601001"
    # The reason code may be Latin capitals; lower case is taken as upper.
    assert validate_kpp("7736ab001") == "7736AB001"
    assert refused(validate_kpp, "77360100") == "КПП состоит из 9 знаков."
    assert refused(validate_kpp, "7736010011") == "КПП состоит из 9 знаков."
    structure = (
        "КПП введён с ошибкой: 4 цифры кода налогового органа, "
        "2 цифры или латинские буквы, 3 цифры."
    )
    assert refused(validate_kpp, "77A601001") == structure
    assert refused(validate_kpp, "7736АБ001") == structure  # Cyrillic letters
    assert refused(validate_kpp, "77360100Z") == structure
    assert refused(validate_kpp, "000001001") == (
        "КПП введён с ошибкой: нет такого кода налогового органа."
    )


# --- phones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "+7 900 123-45-67",
        "89001234567",
        "9001234567",
        "8 (900) 123-45-67",
        "7 900 1234567",
        " +79001234567 ",
    ],
)
def test_russian_phone_forms_are_stored_as_e164(value):
    assert validate_ru_phone(value) == "+79001234567"


@pytest.mark.parametrize(
    "value",
    [
        "+7 900 ABC-45-67",
        "+7 900 123-45-6",
        "+7 900 123-45-678",
        "+8 900 123-45-67",
        "+1 202 555-01-23",
        "",
        "телефон",
    ],
)
def test_malformed_phones_are_refused_with_the_format(value):
    assert refused(validate_ru_phone, value) == "Введите номер телефона в формате +7 900 000-00-00."


@pytest.mark.parametrize("value", ["+7 000 123-45-67", "80001234567", "+7 123 456-78-90"])
def test_phones_with_no_such_operator_are_refused(value):
    assert refused(validate_ru_phone, value) == (
        "Такого номера телефона не существует. Проверьте код оператора."
    )


def test_format_ru_phone():
    assert format_ru_phone("+79001234567") == "+7 900 123-45-67"
    assert format_ru_phone("") == ""
    assert format_ru_phone(None) == ""
    assert format_ru_phone("+998712345678") == "+998712345678"


@given(subscriber=st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_a_mobile_number_means_the_same_in_every_form(subscriber):
    number = "900" + subscriber
    expected = "+7" + number
    dashed = f"+7 ({number[:3]}) {number[3:6]}-{number[6:8]}-{number[8:]}"
    for form in (expected, "8" + number, number, dashed):
        assert validate_ru_phone(form) == expected
    shown = format_ru_phone(expected)
    assert shown == f"+7 {number[:3]} {number[3:6]}-{number[6:8]}-{number[8:]}"
    assert validate_ru_phone(shown) == expected


# --- NUL -------------------------------------------------------------------------------


@given(st.text().filter(lambda t: "\x00" not in t))
def test_text_with_a_nul_is_refused_any_other_passes(text):
    assert validate_no_nul(text) == text
    assert "NUL" in refused(validate_no_nul, text[:1] + "\x00" + text[1:])
