"""Every write of meters and readings: submission rules, acceptance, the billing loader.

Rules of a customer's submission (docs/decisions.md, «Показания: правила приёма»):
the window of the month, an active meter, the meter's format and number of digits,
not lower than the last accepted value (unless the counter rolled over), and a jump
far above the usual monthly consumption only when confirmed. A refused submission
saves nothing and says, next to the field, what to fix.

The package by sub-domain: ``readings`` (the value, the window, the checks, the
submission, staff decisions), ``loader`` (readings the billing system accepted),
``meters`` (приборы учёта and their events). Import from the package: every name
below is its public API.
"""

from kabinet.metering.services.loader import LoadReport, readings_load_accepted
from kabinet.metering.services.meters import (
    METER_DESCRIPTIVE_FIELDS,
    METER_FORMAT_FIELDS,
    meter_check_changes,
    meter_check_new,
    meter_register,
    meter_remove,
    meter_restore,
    meter_update,
    meter_verify,
)
from kabinet.metering.services.readings import (
    JUMP_FACTOR,
    JUMP_FLOOR,
    JUMP_HISTORY_MONTHS,
    JUMP_MIN_HISTORY,
    TRANSITIONS,
    Baseline,
    Checked,
    ReadingsRejected,
    Window,
    format_value,
    reading_accept,
    reading_field,
    reading_parse,
    reading_reject,
    reading_submit,
    readings_baselines,
    readings_check,
    readings_submit_for_account,
    readings_window,
)
from kabinet.metering.services.reminders import readings_window_remind

__all__ = [
    # readings
    "JUMP_FACTOR",
    "JUMP_FLOOR",
    "JUMP_HISTORY_MONTHS",
    "JUMP_MIN_HISTORY",
    "TRANSITIONS",
    "Baseline",
    "Checked",
    "ReadingsRejected",
    "Window",
    "format_value",
    "reading_accept",
    "reading_field",
    "reading_parse",
    "reading_reject",
    "reading_submit",
    "readings_baselines",
    "readings_check",
    "readings_submit_for_account",
    "readings_window",
    # loader
    "LoadReport",
    "readings_load_accepted",
    # meters
    "METER_DESCRIPTIVE_FIELDS",
    "METER_FORMAT_FIELDS",
    "meter_check_changes",
    "meter_check_new",
    "meter_register",
    "meter_remove",
    "meter_restore",
    "meter_update",
    "meter_verify",
    # reminders
    "readings_window_remind",
]
