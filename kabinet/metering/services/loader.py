"""The billing loader: readings the billing system accepted, loaded as accepted
readings of the cabinet; a repeated load changes nothing.

Rows are loaded in bulk: one query for the meters of all rows, one for the readings
already there, then one UPDATE per kind of status change and one ``bulk_create`` for
the new readings, so a chunk of thousands of rows costs a handful of queries. The
caller (``kabinet.integration``) wraps a chunk in a transaction.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.core.money import period_of
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.metering.models import ZONES_OF, Meter, Reading, ReadingEvent

# --- the billing loader -----------------------------------------------------------------

# Reading.value is DECIMAL(17, 4): 13 digits before the point, 4 after.
VALUE_LIMIT = Decimal(10) ** 13
_SOURCES = frozenset(Reading.Source.values)


@dataclass
class LoadReport:
    created: int = 0  # new accepted readings where there was none
    updated: int = 0  # another accepted value replaced, or a pending one confirmed
    confirmed: int = 0  # of ``updated``: the customer's pending reading, accepted as it was
    unchanged: int = 0  # already there: a repeated load
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)


def _row_period(value) -> date:
    if isinstance(value, datetime):
        return period_of(value.date())
    if isinstance(value, date):
        return period_of(value)
    return _text_period(str(value).strip())


@lru_cache(maxsize=1024)  # a file names few months, many times
def _text_period(text: str) -> date:
    for pattern, build in (
        (r"^(\d{4})-(\d{2})(?:-\d{2})?$", lambda m: date(int(m[1]), int(m[2]), 1)),
        (r"^(?:\d{2}\.)?(\d{2})\.(\d{4})$", lambda m: date(int(m[2]), int(m[1]), 1)),
    ):
        match = re.match(pattern, text)
        if match:
            try:
                return build(match)
            except ValueError:
                break
    raise DomainError(_("Период «%(p)s» не распознан.") % {"p": text}, field="period")


def _row_value(raw) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).replace(",", "."))
    except (ArithmeticError, InvalidOperation) as exc:
        raise DomainError(_("Показание не число."), field="value") from exc
    if not value.is_finite():
        raise DomainError(_("Показание не число."), field="value")
    if value < 0:
        raise DomainError(_("Показание не может быть отрицательным."), field="value")
    if value >= VALUE_LIMIT:
        raise DomainError(_("Показание слишком большое."), field="value")
    if value != value.quantize(Decimal("0.0001"), rounding="ROUND_DOWN"):
        raise DomainError(_("В показании больше 4 знаков после запятой."), field="value")
    return value


class _MeterRef(NamedTuple):
    pk: int
    zone_codes: list[str]


class _Current(NamedTuple):
    """An accepted or pending reading already there: what the loader needs of it."""

    pk: int
    meter_id: int
    zone: str
    period: date
    value: Decimal
    status: str


@dataclass
class _Good:
    number: int
    meter: _MeterRef
    zone: str
    period: date
    value: Decimal
    source: str
    taken_at: datetime

    key: tuple = ()

    def __post_init__(self):
        self.key = (self.meter.pk, self.zone, self.period)


def _check_row(row: Mapping[str, Any], meters: dict[tuple[str, str], _MeterRef]) -> dict:
    meter = meters.get((str(row["account"]), str(row["meter"])))
    if meter is None:
        raise DomainError(
            _("Счётчик %(m)s лицевого счёта %(a)s не найден.")
            % {"m": row["meter"], "a": row["account"]},
            field="meter",
        )
    zone = row.get("zone") or Reading.Zone.TOTAL
    if zone not in meter.zone_codes:
        raise DomainError(_("У счётчика нет зоны «%(z)s».") % {"z": zone}, field="zone")
    period = _row_period(row["period"])
    value = _row_value(row["value"])
    source = row.get("source") or Reading.Source.BILLING
    if source not in _SOURCES:
        raise DomainError(_("Источник «%(s)s» не известен.") % {"s": source}, field="source")
    taken_at = row.get("taken_at") or timezone.now()
    if isinstance(taken_at, date) and not isinstance(taken_at, datetime):
        taken_at = timezone.make_aware(datetime(taken_at.year, taken_at.month, taken_at.day))
    return dict(
        meter=meter, zone=zone, period=period, value=value, source=source, taken_at=taken_at
    )


def _meters_of(rows: list[Mapping[str, Any]]) -> dict[tuple[str, str], _MeterRef]:
    """The meters the rows name, by (account number, meter number): one query (on
    PostgreSQL with array parameters, not thousands of placeholders)."""
    accounts = list({str(row.get("account")) for row in rows if row.get("account") is not None})
    numbers = list({str(row.get("meter")) for row in rows if row.get("meter") is not None})
    if connection.vendor == "postgresql":
        meter, account = Meter._meta, PersonalAccount._meta
        sql = (
            f"SELECT m.id, a.number, m.number, m.zones FROM {meter.db_table} m"  # noqa: S608
            f" JOIN {account.db_table} a ON a.id = m.account_id"
            " WHERE a.number = ANY(%s) AND m.number = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [accounts, numbers])
            found = cursor.fetchall()
    else:
        found = Meter.objects.filter(account__number__in=accounts, number__in=numbers).values_list(
            "pk", "account__number", "number", "zones"
        )
    return {(a, n): _MeterRef(pk, ZONES_OF[zones]) for pk, a, n, zones in found}


def _current(keys: set[tuple]) -> Iterable[_Current]:
    """The accepted and pending readings of the meters and periods of ``keys``, locked."""
    meter_ids = list({k[0] for k in keys})
    periods = list({k[2] for k in keys})
    statuses = [Reading.Status.ACCEPTED.value, Reading.Status.SUBMITTED.value]
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT id, meter_id, zone, period, value, status FROM {Reading._meta.db_table}"  # noqa: S608
            " WHERE meter_id = ANY(%s) AND period = ANY(%s) AND status = ANY(%s) FOR UPDATE"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [meter_ids, periods, statuses])
            rows = cursor.fetchall()
    else:
        rows = (
            Reading.objects.select_for_update()
            .filter(meter_id__in=meter_ids, period__in=periods, status__in=statuses)
            .values_list("id", "meter_id", "zone", "period", "value", "status")
        )
    return (_Current(*row) for row in rows)


_COPY_COLUMNS = (
    "meter",
    "zone",
    "period",
    "value",
    "submitted_at",
    "source",
    "status",
    "reject_reason",
    "decided_at",
)


def _insert_accepted(goods: list[_Good], now: datetime) -> None:
    """Insert new accepted readings: PostgreSQL's COPY where there is one (every value
    here is a checked code, number or date: nothing to escape), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        Reading.objects.bulk_create(
            Reading(
                meter_id=g.meter.pk,
                zone=g.zone,
                period=g.period,
                value=g.value,
                submitted_at=g.taken_at,
                source=g.source,
                status=Reading.Status.ACCEPTED,
                decided_at=now,
            )
            for g in goods
        )
        return
    meta = Reading._meta
    columns = ", ".join(meta.get_field(name).column for name in _COPY_COLUMNS)
    decided = now.isoformat()
    lines = [
        f"{g.meter.pk}\t{g.zone}\t{g.period.isoformat()}\t{g.value}\t{g.taken_at.isoformat()}"
        f"\t{g.source}\taccepted\t\t{decided}\n"
        for g in goods
    ]
    with connection.cursor() as cursor:
        sql = f"COPY {meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - names from the model
        with cursor.cursor.copy(sql) as copy:
            copy.write("".join(lines))


def _load_round(goods: list[_Good], report: LoadReport) -> None:
    """Load rows whose (meter, zone, period) are all different, in bulk."""
    comment = _("загружено из биллинга")
    keys = {g.key for g in goods}
    accepted: dict[tuple, _Current] = {}
    pending: dict[tuple, _Current] = {}
    for reading in _current(keys):
        key = (reading.meter_id, reading.zone, reading.period)
        if key in keys:
            (accepted if reading.status == Reading.Status.ACCEPTED else pending)[key] = reading
    now = timezone.now()
    replaced: list[_Current] = []
    confirmed: list[_Current] = []
    new: list[_Good] = []
    for g in goods:
        old = accepted.get(g.key)
        if old is not None and old.value == g.value:
            report.unchanged += 1
            continue
        mine = pending.get(g.key)
        if old is not None:
            replaced.append(old)
        if mine is not None and mine.value == g.value:
            confirmed.append(mine)
            report.updated += 1
            report.confirmed += 1
            continue
        if mine is not None:
            replaced.append(mine)
        new.append(g)
        if old is not None:
            report.updated += 1
        else:
            report.created += 1
    events = [
        ReadingEvent(
            reading_id=r.pk,
            from_status=r.status,
            to_status=Reading.Status.REPLACED,
            at=now,
            comment=comment,
        )
        for r in replaced
    ] + [
        ReadingEvent(
            reading_id=r.pk,
            from_status=r.status,
            to_status=Reading.Status.ACCEPTED,
            at=now,
            comment=comment,
        )
        for r in confirmed
    ]
    # The order keeps one accepted and one pending reading per meter, zone and period.
    if replaced:
        Reading.objects.filter(pk__in=[r.pk for r in replaced]).update(
            status=Reading.Status.REPLACED
        )
    if confirmed:
        Reading.objects.filter(pk__in=[r.pk for r in confirmed]).update(
            status=Reading.Status.ACCEPTED, decided_at=now
        )
    if new:
        _insert_accepted(new, now)
    if events:
        ReadingEvent.objects.bulk_create(events)


def readings_load_accepted(*, rows: Iterable[Mapping[str, Any]]) -> LoadReport:
    """Load readings the billing system accepted; a repeated load changes nothing.

    A row has ``account`` and ``meter`` (numbers), ``zone`` (default "total"),
    ``period`` (a date, "2026-03" or "03.2026"), ``value``, and optionally ``source``
    and ``taken_at``. A bad row is reported with its number and the good ones are kept.
    A customer's pending reading of the same value becomes the accepted one; another
    accepted or pending value of the period becomes "заменён".

    Every row is checked first and the good ones are written in bulk, so a bad row
    costs nothing; a (meter, zone, period) named twice is applied in file order.
    """
    rows = list(rows)
    report = LoadReport()
    meters = _meters_of(rows)
    rounds: list[list[_Good]] = []
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            good = _Good(number=number, **_check_row(row, meters))
        except DomainError as exc:
            report.rejected.append((number, str(exc.message)))
            continue
        except (KeyError, TypeError) as exc:
            report.rejected.append((number, _("Нет поля %(f)s.") % {"f": exc}))
            continue
        index = seen.get(good.key, 0)
        seen[good.key] = index + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(good)
    with transaction.atomic():
        for goods in rounds:
            _load_round(goods, report)
    return report
