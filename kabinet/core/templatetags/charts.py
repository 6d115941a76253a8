"""``{% chart c %}``: a kabinet.core.charts.Chart as a figure (SVG, axes, legend) with
its figures as a table under it. Load the styles with ``{% chart_assets %}`` in the
page's ``head`` block."""

from django import template

register = template.Library()


@register.inclusion_tag("core/_chart.html")
def chart(c, table_open=None):
    """``table_open``: show the table unfolded (by default when it has ≤ 31 rows)."""
    rows = c.rows
    return {"c": c, "rows": rows, "open": len(rows) <= 31 if table_open is None else table_open}


@register.inclusion_tag("core/_chart_assets.html")
def chart_assets():
    return {}
