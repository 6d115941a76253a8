"""Номер заявки (002 §4.6.2: 2020-01-10-702-5): the day, the kind's code and the day's
sequence number for the kind, from 1; given once, never shared, even when several
applications are filed at the same moment."""

import re
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.utils import timezone as django_timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kabinet.applications.models import Application, ApplicationEvent, NumberCounter
from kabinet.applications.services import workflow
from kabinet.applications.services.workflow import application_file_number, number_next

NUMBER_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(\d{3})-([1-9]\d*)$")
DAY = date(2020, 1, 10)
TIMEOUT = 30  # seconds: a lock never released fails the test, never hangs it


class Clock:
    """Stands in for ``django.utils.timezone`` inside the workflow module: «now» is a
    fixed moment of the utility's local day."""

    def __init__(self, day: date, hour: int = 12):
        self.moment = django_timezone.make_aware(datetime(day.year, day.month, day.day, hour))

    def now(self):
        return self.moment

    def localdate(self, value=None):
        return django_timezone.localdate(value or self.moment)


@pytest.fixture
def clock(monkeypatch):
    """Set the day the workflow files on: ``clock(date(...))``."""

    def set_day(day: date) -> Clock:
        c = Clock(day)
        monkeypatch.setattr(workflow, "timezone", c)
        return c

    return set_day


def draft_row(user, kind="tc_electric") -> Application:
    """A draft as a row (filing does not look at the steps; the drafts tests do)."""
    return Application.objects.create(
        user=user, kind=kind, applicant_kind="person", category="household15"
    )


def file_one(user, kind="tc_electric") -> Application:
    app = application_file_number(application=draft_row(user, kind), by=user)
    app.refresh_from_db()
    return app


# --- the number's form and its sequences ---------------------------------------------


def test_numbers_count_per_day_from_one_like_2020_01_10_702_5(alice, clock):
    clock(DAY)
    apps = [file_one(alice) for _ in range(5)]
    assert [a.number for a in apps] == [f"2020-01-10-702-{n}" for n in range(1, 6)]
    # the fifth is the one of 002's example
    assert apps[-1].number == "2020-01-10-702-5"
    for a in apps:
        assert a.status == Application.Status.REGISTERED
        assert NUMBER_RE.match(a.number)
    assert NumberCounter.objects.get(day=DAY, code="702").last == 5


def test_another_kind_has_its_own_sequence(alice, clock):
    clock(DAY)
    electric = [file_one(alice, "tc_electric") for _ in range(3)]
    heat = [file_one(alice, "tc_heat") for _ in range(2)]
    contract = file_one(alice, "contract")
    service = file_one(alice, "service")
    assert [a.number for a in electric] == [f"2020-01-10-702-{n}" for n in (1, 2, 3)]
    assert [a.number for a in heat] == ["2020-01-10-701-1", "2020-01-10-701-2"]
    assert contract.number == "2020-01-10-601-1"
    assert service.number == "2020-01-10-501-1"
    # and the first kind goes on where it was
    assert file_one(alice, "tc_electric").number == "2020-01-10-702-4"


def test_a_new_day_starts_again_at_one(alice, clock):
    clock(DAY)
    assert [file_one(alice).number for _ in range(3)][-1] == "2020-01-10-702-3"
    clock(DAY + timedelta(days=1))
    assert file_one(alice).number == "2020-01-11-702-1"
    assert file_one(alice).number == "2020-01-11-702-2"
    # back on the first day (a late filing in the same night is still that day's)
    clock(DAY)
    assert file_one(alice).number == "2020-01-10-702-4"
    assert dict(NumberCounter.objects.values_list("day", "last")) == {
        DAY: 4,
        DAY + timedelta(days=1): 2,
    }


def test_the_day_is_the_utilitys_local_day_not_utc(alice, monkeypatch):
    """01:00 on 11 January in Moscow is still the 10th in UTC (22:00): the number
    carries the utility's day, the 11th."""
    monkeypatch.setattr(workflow, "timezone", Clock(date(2020, 1, 11), hour=1))
    app = file_one(alice)
    assert app.filed_at.astimezone(UTC).date() == date(2020, 1, 10)
    assert app.number == "2020-01-11-702-1"


def test_number_next_directly(db):
    with transaction.atomic():
        assert number_next(kind_code="702", day=DAY) == "2020-01-10-702-1"
        assert number_next(kind_code="702", day=DAY) == "2020-01-10-702-2"
        assert number_next(kind_code="701", day=DAY) == "2020-01-10-701-1"
        assert number_next(kind_code="702", day=date(2026, 11, 24)) == "2026-11-24-702-1"


def test_a_number_given_in_a_transaction_that_rolls_back_is_given_again(db):
    with transaction.atomic():
        assert number_next(kind_code="702", day=DAY) == "2020-01-10-702-1"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert number_next(kind_code="702", day=DAY) == "2020-01-10-702-2"
        raise RuntimeError("the filing failed after the number was taken")
    with transaction.atomic():
        assert number_next(kind_code="702", day=DAY) == "2020-01-10-702-2"


def test_filing_twice_is_refused_and_keeps_the_number(alice, clock):
    from kabinet.core.errors import DomainError

    clock(DAY)
    app = file_one(alice)
    with pytest.raises(DomainError) as err:
        application_file_number(application=app, by=alice)
    assert str(err.value.message) == "Эта заявка уже подана."
    app.refresh_from_db()
    assert app.number == "2020-01-10-702-1"
    assert NumberCounter.objects.get(day=DAY, code="702").last == 1
    assert ApplicationEvent.objects.filter(application=app).count() == 1


# --- at the same moment ------------------------------------------------------------


def queued(work, i):
    """``work(i)``, waiting for SQLite's write lock when the test database cannot.

    On PostgreSQL (CI's second run) this is ``work(i)`` alone: the threads meet at the
    counter's row lock, which is what is tested. The SQLite test database is in memory
    with a shared cache, where a second writer gets «database table is locked» at once
    instead of waiting the ``timeout`` a file database waits (IMMEDIATE, WAL): here the
    thread waits and starts its unit again on a fresh connection, as SQLite's busy
    handler would. A unit that failed was rolled back whole, so nothing of it stays.
    """
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            return work(i)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            connections.close_all()
            time.sleep(0.002)


def together(n: int, work) -> list:
    """``work(i)`` in ``n`` threads that start at once, each on its own connection; the
    results, or the first error raised in a thread."""
    start = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait(TIMEOUT)
            results[i] = queued(work, i)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connections, not the test's

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", [2, 8])
def test_numbers_taken_at_once_are_distinct_and_consecutive(n):
    def take(_i):
        with transaction.atomic():
            return number_next(kind_code="702", day=DAY)

    numbers = together(n, take)
    assert sorted(numbers, key=lambda s: int(s.rsplit("-", 1)[1])) == [
        f"2020-01-10-702-{k}" for k in range(1, n + 1)
    ]
    assert NumberCounter.objects.get(day=DAY, code="702").last == n
    assert NumberCounter.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_applications_filed_at_once_never_share_a_number(alice, clock):
    clock(DAY)
    n = 8
    drafts = [draft_row(alice) for _ in range(n)]

    def file(i):
        app = Application.objects.get(pk=drafts[i].pk)
        if not app.is_draft:
            # SQLite only: filed and committed by an earlier attempt whose notice (sent
            # after the commit) met the lock; ``queued`` never retries on PostgreSQL.
            return app.number
        return application_file_number(application=app, by=alice).number

    numbers = together(n, file)
    assert len(set(numbers)) == n
    assert sorted(int(x.rsplit("-", 1)[1]) for x in numbers) == list(range(1, n + 1))
    rows = Application.objects.filter(pk__in=[d.pk for d in drafts])
    assert sorted(rows.values_list("number", flat=True)) == sorted(numbers)
    assert set(rows.values_list("status", flat=True)) == {Application.Status.REGISTERED}
    assert ApplicationEvent.objects.filter(application__in=rows).count() == n


# --- the constraint under it ---------------------------------------------------------

FILED = [s for s in Application.Status.values if s != Application.Status.DRAFT]


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    code=st.sampled_from(["501", "601", "701", "702"]),
    n=st.integers(min_value=1, max_value=100_000),
    statuses=st.tuples(st.sampled_from(FILED), st.sampled_from(FILED)),
    kinds=st.tuples(
        st.sampled_from(["tc_electric", "tc_heat", "contract", "service"]),
        st.sampled_from(["tc_electric", "tc_heat", "contract", "service"]),
    ),
)
def test_a_number_is_unique_in_the_table(alice, charlie, day, code, n, statuses, kinds):
    Application.objects.all().delete()  # the examples share one test transaction
    number = f"{day:%Y-%m-%d}-{code}-{n}"
    first = Application.objects.create(user=alice, kind=kinds[0], status=statuses[0], number=number)
    # whoever files it, whatever its kind or status
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(user=charlie, kind=kinds[1], status=statuses[1], number=number)
    assert list(Application.objects.values_list("pk", "number")) == [(first.pk, number)]


def test_drafts_have_no_number_and_many_coexist(alice):
    for _ in range(3):
        draft_row(alice)
    assert Application.objects.filter(number__isnull=True).count() == 3


def test_a_filed_application_without_a_number_is_refused_by_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            user=alice, kind="tc_electric", status=Application.Status.REGISTERED, number=None
        )
    assert not Application.objects.exists()
