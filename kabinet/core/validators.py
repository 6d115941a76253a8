"""Registry numbers and phones: checked with python-stdnum and phonenumbers, messages in Russian.

Each validator takes what the user typed (spaces and dashes allowed), raises
``ValidationError`` with a message to show next to the field, and returns the number
in its stored form.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn


def _digits(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "")


def _only_digits(value: str, label: str) -> str:
    compact = _digits(value)
    if not compact.isdigit():
        raise ValidationError(_("%(label)s состоит только из цифр.") % {"label": label})
    return compact


def validate_inn_legal(value: str) -> str:
    """ИНН организации: 10 digits, the last one a check digit."""
    compact = _only_digits(value, _("ИНН"))
    if len(compact) != 10:
        raise ValidationError(_("ИНН организации состоит из 10 цифр."))
    if not ru_inn.is_valid(compact):
        raise ValidationError(_("ИНН введён с ошибкой: не сходится контрольная цифра."))
    return compact


def validate_inn_person(value: str) -> str:
    """ИНН физического лица или ИП: 12 digits, the last two check digits."""
    compact = _only_digits(value, _("ИНН"))
    if len(compact) != 12:
        raise ValidationError(_("ИНН физического лица и ИП состоит из 12 цифр."))
    if not ru_inn.is_valid(compact):
        raise ValidationError(_("ИНН введён с ошибкой: не сходятся контрольные цифры."))
    return compact


def validate_inn_uz(value: str) -> str:
    """ИНН (СТИР) in Uzbekistan: 9 digits, as the first password of seed 003."""
    compact = _only_digits(value, _("ИНН"))
    if len(compact) != 9:
        raise ValidationError(_("ИНН состоит из 9 цифр."))
    return compact


def validate_inn(value: str) -> str:
    """Any ИНН the utility's country uses: 10 or 12 digits in Russia, 9 in Uzbekistan."""
    from kabinet.core.utility import get_utility

    if get_utility().tax_id_country == "uz":
        return validate_inn_uz(value)
    compact = _only_digits(value, _("ИНН"))
    if len(compact) == 10:
        return validate_inn_legal(compact)
    if len(compact) == 12:
        return validate_inn_person(compact)
    raise ValidationError(
        _("ИНН состоит из 10 цифр (организация) или 12 цифр (физическое лицо, ИП).")
    )


def validate_ogrn(value: str) -> str:
    """ОГРН: 13 digits, the last one a check digit."""
    compact = _only_digits(value, _("ОГРН"))
    if len(compact) != 13:
        raise ValidationError(_("ОГРН состоит из 13 цифр."))
    try:
        ru_ogrn.validate(compact)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(_("ОГРН введён с ошибкой: не сходится контрольная цифра.")) from exc
    return compact


def validate_ogrnip(value: str) -> str:
    """ОГРНИП: 15 digits, the last one a check digit."""
    compact = _only_digits(value, _("ОГРНИП"))
    if len(compact) != 15:
        raise ValidationError(_("ОГРНИП состоит из 15 цифр."))
    try:
        ru_ogrn.validate(compact)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(_("ОГРНИП введён с ошибкой: не сходится контрольная цифра.")) from exc
    return compact


KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def validate_kpp(value: str) -> str:
    """КПП: 9 characters — tax office (4 digits), reason (2 digits or Latin capitals),
    serial number (3 digits). КПП has no check digit, so its structure is what is checked."""
    compact = _digits(value).upper()
    if len(compact) != 9:
        raise ValidationError(_("КПП состоит из 9 знаков."))
    if not KPP_RE.match(compact):
        raise ValidationError(
            _(
                "КПП введён с ошибкой: 4 цифры кода налогового органа, "
                "2 цифры или латинские буквы, 3 цифры."
            )
        )
    if compact[:4] == "0000":
        raise ValidationError(_("КПП введён с ошибкой: нет такого кода налогового органа."))
    return compact


def validate_ru_phone(value: str) -> str:
    """A Russian phone (+7 or 8 at the start), returned as +7XXXXXXXXXX."""
    raw = (value or "").strip()
    compact = re.sub(r"[\s\-()]", "", raw)
    if compact.startswith("8") and len(compact) == 11:
        compact = "+7" + compact[1:]
    elif compact.startswith("7") and len(compact) == 11:
        compact = "+" + compact
    elif compact.isdigit() and len(compact) == 10:
        compact = "+7" + compact
    message = _("Введите номер телефона в формате +7 900 000-00-00.")
    if not re.fullmatch(r"\+7\d{10}", compact):
        raise ValidationError(message)
    try:
        number = phonenumbers.parse(compact, "RU")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(message) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Такого номера телефона не существует. Проверьте код оператора."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_ru_phone(value: str) -> str:
    """+79001234567 → +7 900 123-45-67, as phones are shown on pages."""
    if not value or not re.fullmatch(r"\+7\d{10}", value):
        return value or ""
    return f"+7 {value[2:5]} {value[5:8]}-{value[8:10]}-{value[10:12]}"


NUL = "\x00"


def validate_no_nul(value: str) -> str:
    """Text with no NUL character (``\\x00``): no database column takes it (PostgreSQL refuses
    it in text and in JSON alike). Django's form CharField refuses it too, but only when the
    form is checked: a service that keeps input as typed, before any check (an application
    draft), calls this first."""
    if NUL in (value or ""):
        raise ValidationError(
            _("Уберите из текста недопустимый символ (NUL): такой текст сохранить нельзя."),
            code="null_characters_not_allowed",
        )
    return value
