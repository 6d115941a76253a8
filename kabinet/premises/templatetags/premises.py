"""Numbers of the house page shown the Russian way, whatever the interface language."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def decimal_ru(value, places: int = 3) -> str:
    """Decimal("12.500") → "12,500"; with places=0 whole numbers drop their ",0"."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    places = int(places)
    if places == 0:
        text = f"{number.normalize():f}" if number != number.to_integral() else f"{number:.0f}"
    else:
        text = f"{number:.{places}f}"
    whole, _dot, frac = text.partition(".")
    sign = "−" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}".replace(",", "\u00a0")
    return f"{sign}{whole},{frac}" if frac else f"{sign}{whole}"
