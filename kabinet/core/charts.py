"""Графики: server-rendered SVG bar and line charts (issue 10, design §3 «Charts»).

No chart library and no JavaScript needed: every slot is a ``<g>`` with a ``<title>``
(the browser's tooltip), a slot without data is drawn hatched as «нет данных» (never as
a zero bar), estimated values are lighter (class ``chart__bar--est``). The plot is one SVG
stretched to the box (``viewBox`` of N slots × 100, ``preserveAspectRatio="none"``), so it
fills any width; the axis labels are HTML under it, which keeps their text readable at
360 px, where the minor ticks are hidden by CSS. ``Chart.rows`` gives the same figures as
a table; ``{% chart c %}`` (core/templatetags/charts.py) renders all of it.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kabinet.core.money import format_quantity

STEP_FORMATS = {"hour": "%d.%m.%Y %H:00", "day": "%d.%m.%Y", "month": "%m.%Y"}
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One line or the bars: a value per slot (None = no data) and its «оценка» flags."""

    name: str
    values: list
    estimated: list | None = None

    def is_estimated(self, i: int) -> bool:
        return bool(self.estimated and self.estimated[i])


@dataclass(frozen=True)
class Tick:
    left: float  # per cent of the width
    label: str
    minor: bool  # hidden on a phone

    @property
    def pos(self) -> str:
        """For a style attribute: never localised into "12,5%"."""
        return f"{self.left:.3f}%"


def _nice(value: float) -> float:
    """The round number at or above ``value`` the axis ends at: 1, 2, 2.5, 5 × 10^n."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * power:
            return m * power
    return 10 * power


@dataclass
class Chart:
    caption: str
    unit: str
    step: str  # "hour" | "day" | "month"
    starts: list  # the first moment of each slot: datetime (hour) or date
    series: list[Series]
    kind: str = "bar"  # "bar" | "line" (temperatures)

    def __post_init__(self) -> None:
        self.id = f"chart{next(_ids)}"
        n = len(self.starts)
        assert all(len(s.values) == n for s in self.series), "every series needs a value per slot"
        present = [float(v) for s in self.series for v in s.values if v is not None]
        if self.kind == "bar":
            self.low, self.high = 0.0, _nice(max(present, default=0))
        else:
            lo, hi = min(present, default=0), max(present, default=1)
            step = _nice(max(hi - lo, 1) / 3)
            self.low = math.floor(lo / step) * step - (step if lo % step == 0 else 0)
            self.high = math.ceil(hi / step) * step + (step if hi % step == 0 else 0)

    # --- text ----------------------------------------------------------------------------
    def slot_label(self, i: int) -> str:
        return self.starts[i].strftime(STEP_FORMATS[self.step])

    def value_text(self, value, estimated: bool = False) -> str:
        if value is None:
            return _("нет данных")
        text = f"{format_quantity(Decimal(value))} {self.unit}"
        return text + (" (" + _("оценка") + ")" if estimated else "")

    @property
    def slot_heading(self) -> str:
        return {"hour": _("Дата и час"), "day": _("Дата"), "month": _("Месяц")}[self.step]

    @property
    def empty(self) -> bool:
        return all(v is None for s in self.series for v in s.values)

    @property
    def has_gaps(self) -> bool:
        return any(v is None for v in self._gap_values())

    @property
    def has_estimated(self) -> bool:
        return any(s.is_estimated(i) for s in self.series for i in range(len(s.values)))

    def _gap_values(self) -> list:
        """A slot is a gap when no series has a value in it."""
        return [
            None if all(s.values[i] is None for s in self.series) else 0
            for i in range(len(self.starts))
        ]

    @property
    def rows(self) -> list[dict]:
        """The table under the chart: a label and a text per series for every slot."""
        return [
            {
                "label": self.slot_label(i),
                "cells": [
                    (
                        "" if s.values[i] is None else format_quantity(Decimal(s.values[i])),
                        s.is_estimated(i),
                    )
                    for s in self.series
                ],
            }
            for i in range(len(self.starts))
        ]

    # --- axes ----------------------------------------------------------------------------
    @property
    def ticks(self) -> list[Tick]:
        """Ticks on day (or month) boundaries, or on hours within one day: about 12 on a
        wide screen, every other one (the minor ones hidden) on a phone."""
        n = len(self.starts)
        if self.step == "hour" and n > 24:
            marks = [i for i, t in enumerate(self.starts) if t.hour == 0]
            fmt = "%d.%m"
        elif self.step == "hour":
            marks, fmt = list(range(0, n, 3)), "%H:00"
        elif self.step == "day" and n > 62:
            marks, fmt = [i for i, t in enumerate(self.starts) if t.day == 1], "%d.%m"
        else:
            marks, fmt = list(range(n)), "%d.%m" if self.step == "day" else "%m.%y"
        every = max(1, -(-len(marks) // 12))
        marks = marks[::every]
        return [
            Tick(
                100 * (i + (0 if self.step == "hour" else 0.5)) / n,
                self.starts[i].strftime(fmt),
                k % 2 == 1,
            )
            for k, i in enumerate(marks)
        ]

    @property
    def y_ticks(self) -> list[Tick]:
        span = self.high - self.low
        values = [Decimal(str(round(self.low + span * k / 2, 3))) for k in (2, 1, 0)]
        return [Tick(50 * k, format_quantity(v), False) for k, v in enumerate(values)]

    def gap_runs(self) -> list[tuple[int, int]]:
        """(first, last) slot of each run without data."""
        runs, start = [], None
        for i, v in enumerate([*self._gap_values(), 0]):
            if v is None and start is None:
                start = i
            elif v is not None and start is not None:
                runs.append((start, i - 1))
                start = None
        return runs

    def gap_labels(self) -> list[Tick]:
        """«нет данных» written over the runs wide enough to hold it."""
        n = len(self.starts)
        return [
            Tick(100 * (a + b + 1) / 2 / n, _("нет данных"), (b - a + 1) / n < 0.15)
            for a, b in self.gap_runs()
            if (b - a + 1) / n >= 0.08
        ]

    # --- the SVG --------------------------------------------------------------------------
    def _y(self, value) -> float:
        return 100 - 100 * (float(value) - self.low) / ((self.high - self.low) or 1)

    @property
    def svg(self) -> SafeString:
        n = max(len(self.starts), 1)
        out = [
            f'<svg class="chart__svg" viewBox="0 0 {n} 100" preserveAspectRatio="none" '
            f'aria-hidden="true" focusable="false"><defs><pattern id="{self.id}-hatch" '
            f'patternUnits="userSpaceOnUse" width="{n / 90:.4f}" height="6">'
            f'<path d="M0 6L{n / 90:.4f} 0" class="chart__hatch"/></pattern></defs>',
            *(f'<line class="chart__grid" x1="0" x2="{n}" y1="{t.left}" y2="{t.left}"/>'
              for t in self.y_ticks),
        ]  # fmt: skip
        for a, b in self.gap_runs():
            title = self.slot_label(a) + ("" if a == b else " — " + self.slot_label(b))
            out.append(
                f'<g class="chart__gap"><title>{escape(title)}: {escape(_("нет данных"))}</title>'
                f'<rect x="{a}" y="0" width="{b - a + 1}" height="100" '
                f'fill="url(#{self.id}-hatch)"/></g>'
            )
        if self.kind == "bar":
            out += self._bars(self.series[0])
        else:
            out += self._lines()
        out.append("</svg>")
        return mark_safe("".join(out))  # noqa: S308 - every text above is escaped

    def _bars(self, s: Series) -> list[str]:
        out, base = [], self._y(0)
        # Dense bars fill their slot: thin gaps between 700 bars only make them pale.
        pad, width = (0.12, 0.76) if len(s.values) <= 120 else (0, 1)
        for i, v in enumerate(s.values):
            if v is None:
                continue  # drawn as a gap above, never as a zero bar
            est = s.is_estimated(i)
            y = self._y(v)
            out.append(
                f'<g class="chart__slot" data-i="{i}"><title>{escape(self.slot_label(i))}: '
                f"{escape(self.value_text(v, est))}</title>"
                f'<rect class="chart__hit" x="{i}" y="0" width="1" height="100"/>'
                f'<rect class="chart__bar{" chart__bar--est" if est else ""}" x="{i + pad:.2f}" '
                f'y="{y:.2f}" width="{width}" height="{max(base - y, 0.4):.2f}"/></g>'
            )
        return out

    def _lines(self) -> list[str]:
        n, out = len(self.starts), []
        x = [i + 0.5 for i in range(n)]
        for k, s in enumerate(self.series, start=1):
            runs, cur = [], []
            for i, v in enumerate(s.values):
                if v is None:
                    runs, cur = runs + [cur] if cur else runs, []
                else:
                    cur.append(f"{x[i]:.2f},{self._y(v):.2f}")
            runs += [cur] if cur else []
            out += [
                f'<polyline class="chart__line chart__line--{k}" points="{" ".join(r)}" '
                f'vector-effect="non-scaling-stroke"/>'
                for r in runs
            ]
        for i in range(n):
            if all(s.values[i] is None for s in self.series):
                continue
            text = "; ".join(
                f"{s.name} {self.value_text(s.values[i], s.is_estimated(i))}" for s in self.series
            )
            out.append(
                f'<g class="chart__slot" data-i="{i}"><title>{escape(self.slot_label(i))}: '
                f'{escape(text)}</title><rect class="chart__hit" x="{i}" '
                f'y="0" width="1" height="100"/></g>'
            )
        return out


def hours(first: datetime, n: int) -> list[datetime]:
    return [first + timedelta(hours=h) for h in range(n)]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=d) for d in range((last - first).days + 1)]
