"""Money and periods: roubles with kopecks kept as integer kopecks, periods as months.

Money is never a float. Amounts are stored as integer kopecks (``BigIntegerField``),
handled in code as ``Decimal`` with two places, and shown the Russian way:
``1 234,56 ₽``. A period is the first day of its month and is shown as "Ноябрь 2026".
"""

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

KOPECK = Decimal("0.01")

MONTHS = [
    _("Январь"), _("Февраль"), _("Март"), _("Апрель"), _("Май"), _("Июнь"),
    _("Июль"), _("Август"), _("Сентябрь"), _("Октябрь"), _("Ноябрь"), _("Декабрь"),
]  # fmt: skip


def to_kopecks(amount: Decimal | int | str) -> int:
    """Roubles (Decimal or its string) → integer kopecks, rounded half up."""
    value = Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)
    return int(value * 100)


_RUB_RE = re.compile(r"^(\d{1,12})(?:[.,](\d{1,2}))?$")


def parse_rub(text: str) -> int:
    """What a person types as roubles ("1 234,5", "1234.56", "1234") → kopecks; a
    ValueError for anything else (a sign, letters, three decimals)."""
    compact = re.sub(r"[\s\u00a0\u202f₽]|руб\.?", "", text or "")
    match = _RUB_RE.match(compact)
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def from_kopecks(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(KOPECK)


def format_rub(kopecks: int, *, sign: bool = False) -> str:
    """12345678 → "123 456,78 ₽" (a no-break space between groups and before ₽)."""
    negative = kopecks < 0
    roubles, kop = divmod(abs(kopecks), 100)
    groups = f"{roubles:,}".replace(",", "\u00a0")
    prefix = "−" if negative else ("+" if sign and kopecks > 0 else "")
    return f"{prefix}{groups},{kop:02d}\u00a0₽"


def format_quantity(value: Decimal | None) -> str:
    """A reading, a volume or a consumption the Russian way, without trailing zeros:
    Decimal("12345.5000") → "12 345,5" (no-break space between thousands)."""
    if value is None:
        return ""
    sign = "−" if value < 0 else ""
    whole, _sep, frac = format(abs(value), "f").partition(".")
    frac = frac.rstrip("0")
    return sign + f"{int(whole):,}".replace(",", "\u00a0") + ("," + frac if frac else "")


def period_of(day: date) -> date:
    """The period (first day of the month) a date belongs to."""
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def format_period(period: date) -> str:
    """date(2026, 11, 1) → "Ноябрь 2026"."""
    return f"{MONTHS[period.month - 1]} {period.year}"


def working_days_after(day: date, n: int) -> date:
    """The date ``n`` working days (Monday to Friday) after ``day``. Public holidays are
    not known here: a deadline that falls after one is a day early, never late."""
    current = day
    left = n
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def working_days_overdue_before(today: date, n: int) -> date:
    """The first day whose items, due ``n`` working days later, are not overdue today:
    an item created before it is overdue (``working_days_after(created, n) < today``)."""
    day = today
    while working_days_after(day - timedelta(days=1), n) >= today:
        day -= timedelta(days=1)
    return day
