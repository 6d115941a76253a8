"""Reading one cell of a row: dates, months, numbers, money and words, each with a
Russian reason when the cell cannot be read."""

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.integration.parsing import fold

_DATE = (
    (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", (1, 2, 3)),
    (r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", (3, 2, 1)),
)


def text(values: dict, name: str) -> str:
    return " ".join((values.get(name) or "").split())


def day(value: str, label: str) -> date:
    """``20.03.2026`` or ``2026-03-20`` (an XLSX date cell reads as the latter)."""
    for pattern, (y, m, d) in _DATE:
        match = re.match(pattern, value.strip())
        if match:
            try:
                return date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:
                break
    raise DomainError(
        _("%(f)s: дата «%(v)s» не распознана, нужна ДД.ММ.ГГГГ.") % {"f": label, "v": value}
    )


def optional_day(values: dict, name: str, label: str) -> date | None:
    raw = text(values, name)
    return day(raw, label) if raw else None


_MOMENT = (
    (r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$", (1, 2, 3)),
    (r"^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$", (3, 2, 1)),
)


def moment(value: str, message: str) -> datetime:
    """A date with an optional time, in the portal's time zone."""
    when = _moment(value, timezone.get_default_timezone_name())
    if when is None:
        raise DomainError(message % {"d": value})
    return when


@lru_cache(maxsize=4096)  # a file repeats its dates many times
def _moment(value: str, zone: str) -> datetime | None:
    for pattern, (y, m, d) in _MOMENT:
        match = re.match(pattern, value)
        if match:
            try:
                when = datetime.combine(
                    date(int(match[y]), int(match[m]), int(match[d])),
                    time(int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)),
                )
            except ValueError:
                break
            return timezone.make_aware(when, ZoneInfo(zone))
    return None


def month(value: str, label: str) -> date:
    """The first day of a month: ``2026-03``, ``03.2026`` or any day of it."""
    raw = value.strip()
    for pattern, build in (
        (r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$", lambda m: (int(m[1]), int(m[2]), m[3])),
        (r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$", lambda m: (int(m[3]), int(m[2]), m[1])),
    ):
        match = re.match(pattern, raw)
        if match:
            year, mon, d = build(match)
            try:
                date(year, mon, int(d or 1))
                return date(year, mon, 1)
            except ValueError:
                break
    raise DomainError(
        _("%(f)s: месяц «%(v)s» не распознан, нужен ММ.ГГГГ.") % {"f": label, "v": value}
    )


def number(value: str, label: str, *, places: int | None = None, negative=False) -> Decimal:
    """``1234.5``, ``1234,5`` or ``1 234,5``."""
    raw = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        result = Decimal(raw)
    except (ArithmeticError, InvalidOperation):
        result = None
    if result is None or not result.is_finite():
        raise DomainError(_("%(f)s: «%(v)s» не число.") % {"f": label, "v": value})
    if result < 0 and not negative:
        raise DomainError(_("%(f)s: число не может быть отрицательным.") % {"f": label})
    if places is not None and result != result.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(
            _("%(f)s: не больше %(n)s знаков после запятой.") % {"f": label, "n": places}
        )
    return result


def optional_number(values: dict, name: str, label: str, **kw) -> Decimal | None:
    raw = text(values, name)
    return number(raw, label, **kw) if raw else None


def kopecks(value: str, label: str, *, negative=False) -> int:
    """Rubles with kopecks (``1234,56``) as integer kopecks."""
    return int(number(value, label, places=2, negative=negative) * 100)


def integer(value: str, label: str) -> int:
    result = number(value, label, places=0)
    return int(result)


def word(value: str, words: dict[str, str], label: str) -> str:
    """A choice given by its code or its Russian name."""
    key = fold(value)
    for code, name in words.items():
        if key in (fold(code), fold(str(name))):
            return code
    raise DomainError(
        _("%(f)s: «%(v)s» — нет такого значения; можно: %(all)s.")
        % {"f": label, "v": value, "all": ", ".join(words)}
    )
