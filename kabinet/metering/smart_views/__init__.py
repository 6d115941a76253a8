"""Интеллектуальная система учёта (004): a smart meter's page with the seed's tabs
(Справка, Показания, Энергия, Мощность, Журнал), and the hourly and daily archives of
a heat metering unit (КУУТЭ) or a building meter (ОДПУ) on the same chart component.

Everything is a GET page: a tab is ``?tab=``, the period ``?date_from=&date_to=`` or
``?preset=``; a bad period is a message next to its field and the page falls back to the
default period. ``?format=csv|xlsx`` downloads what the tab shows (kabinet.core.exports).

``_today`` and ``_alert_services`` are looked up on this package at call time, so tests
patch them here.
"""

from kabinet.metering.smart_views.heat import (
    HEAT_COLUMNS,
    HEAT_SHORT,
    HEAT_TABS,
    _heat_page,
    building_meter_archive_view,
    unit_archive_view,
)
from kabinet.metering.smart_views.meter import (
    ENERGY_CHANNELS,
    SHORT,
    TABS,
    AlertForm,
    _alert_block,
    _alert_services,
    _energy,
    _events,
    _meter,
    _power,
    _registers,
    _save_alerts,
    _series_of_meter,
    _value_table,
    power_extremes,
    smart_meter_view,
)
from kabinet.metering.smart_views.period import (
    EXPORT_FORMATS,
    HOURLY_DAYS,
    MAX_DAYS,
    PRESETS,
    Period,
    PeriodForm,
    _period_links,
    _query,
    _today,
    preset_period,
    resolve_period,
    series_slots,
    shifted,
)

__all__ = [
    "ENERGY_CHANNELS",
    "EXPORT_FORMATS",
    "HEAT_COLUMNS",
    "HEAT_SHORT",
    "HEAT_TABS",
    "HOURLY_DAYS",
    "MAX_DAYS",
    "PRESETS",
    "SHORT",
    "TABS",
    "AlertForm",
    "Period",
    "PeriodForm",
    "_alert_block",
    "_alert_services",
    "_energy",
    "_events",
    "_heat_page",
    "_meter",
    "_period_links",
    "_power",
    "_query",
    "_registers",
    "_save_alerts",
    "_series_of_meter",
    "_today",
    "_value_table",
    "building_meter_archive_view",
    "power_extremes",
    "preset_period",
    "resolve_period",
    "series_slots",
    "shifted",
    "smart_meter_view",
    "unit_archive_view",
]
