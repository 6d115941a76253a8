"""Интервальные данные ИСУ: a wide file, one row per device, channel and day —
``номер ПУ;канал;дата;ч00;…;ч23;оценка`` — stored through
``kabinet.metering.services.intervals`` like the head-end's API calls.

An empty hour is «нет данных» (never 0); «оценка» lists the estimated hours. A row is
applied whole or rejected whole with its reasons (each bad hour named). Loading the same
file again changes nothing; a different value for a stored hour replaces it and the old
one is kept as a revision. A КУУТЭ or ОДПУ is named by «номер КУУТЭ» / «номер ОДПУ»
instead of «номер ПУ»; a daily archive gives «сутки» and leaves the hours empty.
"""

import re
from collections import Counter
from datetime import datetime, time

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.core.errors import DomainError
from kabinet.integration.devices import DeviceCache
from kabinet.integration.importers import Column
from kabinet.integration.importers.fields import day, number, text, word
from kabinet.metering.interval_models import Channel, IntervalDay, IntervalSeries
from kabinet.metering.services.intervals import (
    DayRow,
    IngestResult,
    interval_days_ingest,
    interval_series_get_or_create,
    points_to_rows,
)

KIND = "intervals"
LABEL = gettext_lazy("интервальные данные приборов учёта")
CHUNK_SIZE = 1000
SOURCE = "import"
HOURS = range(24)
ALL = {"все", "all", "*"}  # every hour an estimate
YES = ALL | {"да", "1", "yes"}  # a daily value is an estimate

COLUMNS = [
    Column("meter", "номер ПУ", False, "заводской номер счётчика ИСУ", ("счётчик",)),
    Column("account", "лицевой счёт", False, "если номер ПУ есть на нескольких счетах"),
    Column("unit", "номер КУУТЭ", False, "вместо номера ПУ: узел учёта тепла"),
    Column("contract", "договор", False, "если номер КУУТЭ есть в нескольких договорах"),
    Column("building_meter", "номер ОДПУ", False, "вместо номера ПУ: общедомовой прибор"),
    Column("channel", "канал", True, "a_imp, a_exp, r_imp, r_exp; тепло: q_gcal, m1_t, t1_c…"),
    Column("date", "дата", True, "сутки (местное время), ДД.ММ.ГГГГ"),
    *(
        Column(
            f"h{h:02d}", f"ч{h:02d}", False, f"за час {h:02d}:00–{h + 1:02d}:00; пусто — нет данных"
        )
        for h in HOURS
    ),
    Column("day_total", "сутки", False, "суточный архив: значение за сутки, часы пусты"),
    Column("estimated", "оценка", False, "часы-оценки: 3,4,5 или 0-5; «все»"),
]

CHANNELS = {code: label for code, label in Channel.choices}


def _estimated(raw: str, daily: bool) -> int:
    """The estimated hours as a bit mask (bit h = hour h); a daily row: bit 0."""
    raw = raw.strip().casefold()
    if not raw:
        return 0
    if daily:
        if raw in YES:
            return 1
        raise DomainError(_("Оценка: для суточного значения укажите «да» или оставьте пусто."))
    if raw in ALL:
        return (1 << 24) - 1
    mask = 0
    for part in re.split(r"[,\s]+", raw):
        if not part:
            continue
        match = re.fullmatch(r"ч?(\d{1,2})(?:\s*-\s*ч?(\d{1,2}))?", part)
        if not match:
            raise DomainError(_("Оценка: «%(v)s» — не номер часа (0–23).") % {"v": part})
        first, last = int(match[1]), int(match[2] or match[1])
        if not 0 <= first <= last <= 23:
            raise DomainError(_("Оценка: «%(v)s» — часы от 0 до 23.") % {"v": part})
        for h in range(first, last + 1):
            mask |= 1 << h
    return mask


def parse(data: dict) -> dict:
    names = {
        "meter_number": text(data, "meter"),
        "account": text(data, "account"),
        "unit_number": text(data, "unit"),
        "contract": text(data, "contract"),
        "building_meter": text(data, "building_meter"),
    }
    if sum(bool(names[k]) for k in ("meter_number", "unit_number", "building_meter")) != 1:
        raise DomainError(_("Укажите один прибор: номер ПУ, номер КУУТЭ или номер ОДПУ."))
    channel = word(text(data, "channel"), CHANNELS, _("Канал"))
    the_day = day(text(data, "date"), _("Дата"))
    hours = {}
    for h in HOURS:
        raw = text(data, f"h{h:02d}")
        if raw:
            hours[h] = number(raw, f"ч{h:02d}", negative=True)
    raw_total = text(data, "day_total")
    daily = bool(raw_total)
    if daily and hours:
        raise DomainError(_("Заполнены и часы, и «сутки»: суточное значение — без часов."))
    mask = _estimated(text(data, "estimated"), daily)
    if not daily and text(data, "estimated").casefold() in ALL:
        mask = sum(1 << h for h in hours)  # «все»: every hour given
    if daily:
        points = [(the_day, number(raw_total, _("Сутки"), negative=True), bool(mask & 1))]
    else:
        points = [
            (datetime.combine(the_day, time(h)), value, bool(mask >> h & 1))
            for h, value in sorted(hours.items())
        ]
        unknown = [h for h in HOURS if mask >> h & 1 and h not in hours]
        if unknown:
            raise DomainError(
                _("Оценка: в часах %(h)s нет значений.")
                % {"h": ", ".join(f"{h:02d}" for h in unknown)}
            )
    return {
        "names": names,
        "channel": channel,
        "step": IntervalSeries.Step.DAY if daily else IntervalSeries.Step.HOUR,
        "points": points,
    }


def _check(values: dict, devices: DeviceCache) -> list[DayRow]:
    """The row as the stored form's day rows, or ``DomainError`` naming each bad hour."""
    device = devices.find(**values["names"])
    series = interval_series_get_or_create(
        channel=values["channel"], step_minutes=values["step"], source=SOURCE, **device
    )
    checked = IngestResult()
    rows = points_to_rows(series=series, points=values["points"], result=checked)
    if checked.rejections:
        reasons = "; ".join(f"{_slot_label(r.ts, series)}: {r.reason}" for r in checked.rejections)
        raise DomainError(reasons)
    return rows


def _slot_label(ts, series) -> str:
    if isinstance(ts, datetime) and series.step_minutes == IntervalSeries.Step.HOUR:
        return f"ч{ts.hour:02d}"
    return _("сутки")


def _merge(state: list, mask: int, row: DayRow) -> tuple[str, list, int]:
    """What a row does to a stored day, by the ingest service's rules (a new hour is
    inserted; a different value replaces; an estimate never replaces a measurement):
    the row's outcome and the day after it."""
    state = list(state)
    inserted = replaced = 0
    for slot, new in enumerate(row.values):
        if new is None:
            continue
        new_est = bool(row.estimated_mask >> slot & 1)
        old, old_est = state[slot], bool(mask >> slot & 1)
        if old is None:
            inserted += 1
        elif (old, old_est) == (new, new_est) or (new_est and not old_est):
            continue
        else:
            replaced += 1
        state[slot] = new
        mask = (mask | 1 << slot) if new_est else (mask & ~(1 << slot))
    outcome = "updated" if replaced else "created" if inserted else "unchanged"
    return outcome, state, mask


def apply(rows) -> tuple[Counter, list]:
    """Check every row first (a bad one is rejected whole and costs no other), then store
    the chunk's changes with one call of the ingest service. A row's outcome is what it
    changes, in file order: a day named twice is merged as if loaded one after another."""
    devices = DeviceCache()
    counts: Counter = Counter()
    rejected = []
    checked: list[tuple[object, list[DayRow]]] = []
    for row in rows:
        try:
            with transaction.atomic():
                checked.append((row, _check(row.values, devices)))
        except DomainError as exc:
            rejected.append((row, str(exc.message)))
    keys = {(d.series_id, d.day) for _row, days in checked for d in days}
    stored = {}
    if keys:
        found = IntervalDay.objects.filter(
            series_id__in={k[0] for k in keys}, day__in={k[1] for k in keys}
        ).values_list("series_id", "day", "values", "estimated_mask")
        stored = {(sid, d): (list(v), m) for sid, d, v, m in found if (sid, d) in keys}
    state = dict(stored)
    for _row, days in checked:
        outcome = "unchanged"  # a day with no data at all
        for day_row in days:
            key = (day_row.series_id, day_row.day)
            values, mask = state.get(key, ([None] * 24, 0))
            result, values, mask = _merge(values, mask, day_row)
            state[key] = (values, mask)
            if result == "updated" or outcome == "unchanged":
                outcome = result
        counts[outcome] += 1
    changes = []
    for key, (values, mask) in state.items():
        before, before_mask = stored.get(key, ([None] * 24, 0))
        changed = [
            h for h in range(24) if (values[h], mask >> h & 1) != (before[h], before_mask >> h & 1)
        ]
        if changed:
            changes.append(
                DayRow(
                    key[0],
                    key[1],
                    [values[h] if h in changed else None for h in range(24)],
                    sum(1 << h for h in changed if mask >> h & 1),
                )
            )
    if changes:
        interval_days_ingest(rows=changes, source=SOURCE)
    return counts, rejected
