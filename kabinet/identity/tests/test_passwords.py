"""The three password policies a utility can choose, with their Russian messages."""

import pytest
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from kabinet.core.utility_profiles import PASSWORD_POLICIES
from kabinet.identity.models import User
from kabinet.identity.passwords import (
    MAX_LENGTH,
    POLICY_DESCRIPTIONS,
    validate_password_for_policy,
)

COMMON = "Этот пароль слишком распространён, его легко подобрать."
SIMILAR = "Пароль слишком похож на ваш логин, e-mail или телефон."


def problems(password, policy, **kw) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        validate_password_for_policy(password, policy, **kw)
    return exc.value.messages


def test_every_policy_is_described():
    assert set(POLICY_DESCRIPTIONS) == set(PASSWORD_POLICIES)


@pytest.mark.parametrize("policy", PASSWORD_POLICIES)
def test_the_test_password_passes_every_policy(policy):
    assert PASSWORD == "Kabinet-2026"
    validate_password_for_policy(PASSWORD, policy)


@pytest.mark.parametrize("policy", PASSWORD_POLICIES)
@pytest.mark.parametrize(
    "password", ["password", "Password1!", "P@ssw0rd", "qwerty123", "Passw0rd", "a1b2c3d4e5"]
)
def test_common_passwords_are_refused_once_the_rules_are_met(policy, password):
    try:
        validate_password_for_policy(password, policy)
    except ValidationError as exc:
        # Either a rule of the policy or the common list stops it, never nothing.
        assert exc.messages
    else:
        pytest.fail(f"{password!r} passed {policy}")


@pytest.mark.parametrize("policy", PASSWORD_POLICIES)
def test_a_password_of_the_common_list_that_meets_every_rule_is_refused(policy):
    assert problems("Password1!", policy) == [COMMON]
    assert problems("P@ssw0rd", policy) == [COMMON]


@pytest.mark.parametrize("policy", PASSWORD_POLICIES)
def test_too_long(policy):
    assert problems("Aa1-" * 33, policy) == [f"Пароль длиннее {MAX_LENGTH} символов."]
    validate_password_for_policy(("Aa1-" * 32)[:MAX_LENGTH], policy)


def test_unknown_policy_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown password policy"):
        validate_password_for_policy(PASSWORD, "none")


# --- nist ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["пароль-на-русском", "correct horse battery staple", "zxcvbnmq", "Теплосеть 2026"]
)
def test_nist_takes_any_characters_without_composition_rules(password):
    validate_password_for_policy(password, "nist")


def test_nist_refuses_short_and_common():
    assert problems("Ab1-xyz", "nist") == ["Пароль короче 8 символов."]
    assert problems("password", "nist") == [COMMON]
    assert problems("12345678", "nist") == [COMMON]
    assert problems("iloveyou1", "nist") == [COMMON]


# --- latin_complex (seed 000) ----------------------------------------------------------


@pytest.mark.parametrize("password", ["Ab1-cd", "Teplo#2026", "x!Y9zz"])
def test_latin_complex_passes(password):
    validate_password_for_policy(password, "latin_complex")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1-c", ["Пароль короче 6 символов."]),
        ("kabinet-2026", ["Добавьте заглавную латинскую букву."]),
        ("KABINET-2026", ["Добавьте строчную латинскую букву."]),
        ("Kabinet-teplo", ["Добавьте цифру."]),
        ("Kabinet2026", ["Добавьте знак, например ! или -."]),
        ("Kabinet 2026!", ["Используйте только латинские буквы, цифры и знаки, без пробелов."]),
        (
            "Кабинет-2026",
            [
                "Используйте только латинские буквы, цифры и знаки, без пробелов.",
                "Добавьте заглавную латинскую букву.",
                "Добавьте строчную латинскую букву.",
            ],
        ),
        (
            "12345678",
            [
                "Добавьте заглавную латинскую букву.",
                "Добавьте строчную латинскую букву.",
                "Добавьте знак, например ! или -.",
            ],
        ),
    ],
)
def test_latin_complex_lists_every_problem(password, expected):
    assert problems(password, "latin_complex") == expected


# --- letters_digits (seeds 001 and 004) ------------------------------------------------


@pytest.mark.parametrize("password", ["teplo2026", "Kazan2026x", "k7m3q9w2"])
def test_letters_digits_passes(password):
    validate_password_for_policy(password, "letters_digits")


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("teplo26", ["Пароль короче 8 символов."]),
        ("teploset", ["Добавьте цифру."]),
        ("20262027", ["Добавьте латинскую букву."]),
        ("teplo 2026", ["Используйте латинские буквы и цифры, без пробелов и русских букв."]),
        (
            "теплосеть2026",
            [
                "Используйте латинские буквы и цифры, без пробелов и русских букв.",
                "Добавьте латинскую букву.",
            ],
        ),
        ("password1", [COMMON]),
    ],
)
def test_letters_digits_refuses(password, expected):
    assert problems(password, "letters_digits") == expected


# --- similarity to the user's own identifiers ------------------------------------------


@pytest.mark.parametrize("policy", PASSWORD_POLICIES)
def test_a_password_like_the_users_login_or_email_is_refused(policy):
    user = User(login="Teplovik2026", email="sergey.ivanov77@example.ru", phone="+79001234567")
    assert problems("Teplovik2026!", policy, user=user) == [SIMILAR]
    assert problems("Sergey.Ivanov77", policy, user=user) == [SIMILAR]
    validate_password_for_policy(PASSWORD, policy, user=user)
