"""Template filters for showing things the Russian way: phones, devices."""

import re
from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from kabinet.core.money import format_quantity
from kabinet.core.validators import format_ru_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+79001234567 → +7 900 123-45-67."""
    return format_ru_phone(value)


BROWSERS = [
    ("Edg/", "Edge"),
    ("YaBrowser/", _("Яндекс Браузер")),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


@register.filter
def device(user_agent: str) -> str:
    """A browser's User-Agent in a few words: "Chrome, Windows"."""
    if not user_agent:
        return "—"
    browser = str(next((name for mark, name in BROWSERS if mark in user_agent), ""))
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if "HeadlessChrome" in user_agent:
        browser = "Chrome"
    words = ", ".join(w for w in (browser, system) if w)
    return words or re.sub(r"\s+", " ", user_agent)[:40]


@register.filter
def qty(value) -> str:
    """A reading or a volume: 819.1000 → "819,1", 12345 → "12 345"."""
    if value is None or value == "":
        return ""
    return format_quantity(Decimal(value))


@register.filter
def rub(kopecks) -> str:
    """Kopecks → "1 234,56 ₽"."""
    from kabinet.core.money import format_rub

    return "" if kopecks is None else format_rub(int(kopecks))


@register.filter
def period(value) -> str:
    """date(2026, 11, 1) → "Ноябрь 2026"."""
    from kabinet.core.money import format_period

    return "" if value is None else format_period(value)
