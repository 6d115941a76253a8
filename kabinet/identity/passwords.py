"""Password policies a utility can choose (``UtilityProfile.password_policy``).

- ``nist``: NIST SP 800-63B and OWASP ASVS — at least 8 characters, up to 128, any
  characters, no composition rules, common passwords refused. The default.
- ``latin_complex``: seed 000 — only Latin letters, digits and symbols, at least 6,
  with an upper-case and a lower-case letter, a digit and a symbol.
- ``letters_digits``: seeds 001 and 004 — at least 8, Latin letters and digits.

Every policy also refuses the common passwords of Django's list and a password that
repeats the user's login, e-mail or phone.
"""

import re
import string

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_LENGTH = 128
SYMBOLS = set(string.punctuation)

POLICY_DESCRIPTIONS = {
    "nist": gettext_lazy(
        "Не короче 8 символов. Подойдёт фраза из нескольких слов; "
        "распространённые пароли не принимаются."
    ),
    "latin_complex": gettext_lazy(
        "Не короче 6 символов, только латинские буквы, цифры и знаки; "
        "обязательно заглавная и строчная буква, цифра и знак (например, ! или -)."
    ),
    "letters_digits": gettext_lazy(
        "Не короче 8 символов: латинские буквы и цифры, обязательно и те, и другие."
    ),
}

_common = CommonPasswordValidator()
_similar = UserAttributeSimilarityValidator(user_attributes=("login", "email", "phone"))


def _problems(password: str, policy: str) -> list[str]:
    problems: list[str] = []
    if len(password) > MAX_LENGTH:
        problems.append(_("Пароль длиннее %(n)d символов.") % {"n": MAX_LENGTH})
    if policy == "nist":
        if len(password) < 8:
            problems.append(_("Пароль короче 8 символов."))
    elif policy == "latin_complex":
        if len(password) < 6:
            problems.append(_("Пароль короче 6 символов."))
        allowed = set(string.ascii_letters) | set(string.digits) | SYMBOLS
        if any(ch not in allowed for ch in password):
            problems.append(_("Используйте только латинские буквы, цифры и знаки, без пробелов."))
        if not re.search(r"[A-Z]", password):
            problems.append(_("Добавьте заглавную латинскую букву."))
        if not re.search(r"[a-z]", password):
            problems.append(_("Добавьте строчную латинскую букву."))
        if not re.search(r"\d", password):
            problems.append(_("Добавьте цифру."))
        if not any(ch in SYMBOLS for ch in password):
            problems.append(_("Добавьте знак, например ! или -."))
    elif policy == "letters_digits":
        if len(password) < 8:
            problems.append(_("Пароль короче 8 символов."))
        if re.search(r"[^\x21-\x7e]", password):
            problems.append(_("Используйте латинские буквы и цифры, без пробелов и русских букв."))
        if not re.search(r"[A-Za-z]", password):
            problems.append(_("Добавьте латинскую букву."))
        if not re.search(r"\d", password):
            problems.append(_("Добавьте цифру."))
    else:
        raise ValueError(f"unknown password policy {policy!r}")
    return problems


def validate_password_for_policy(password: str, policy: str, *, user=None) -> None:
    """Raise ``ValidationError`` with every problem of the password under the policy."""
    problems = _problems(password, policy)
    if not problems:
        try:
            _common.validate(password)
        except ValidationError:
            problems.append(_("Этот пароль слишком распространён, его легко подобрать."))
    if not problems and user is not None:
        try:
            _similar.validate(password, user)
        except ValidationError:
            problems.append(_("Пароль слишком похож на ваш логин, e-mail или телефон."))
    if problems:
        raise ValidationError(problems)
