"""The one status table (000 §4.5) and the one function that moves an application
along it: any sequence of moves staff attempt either follows the table, dated, with
one history row and one notice, or is refused and changes nothing."""

import itertools
from collections import deque

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from conftest import make_user
from kabinet.applications.models import Application, ApplicationEvent
from kabinet.applications.services.workflow import application_transition
from kabinet.core.errors import DomainError
from kabinet.notifications.models import Notice

Status = Application.Status
STATUSES = list(Status.values)
FILED = [s for s in STATUSES if s != Status.DRAFT]
TRACKED = ["status", "refusal_reason", "due_date", "updated_at", *Application.DATED.values()]

_numbers = itertools.count(1)


# A contract request: its statuses follow the table alone (a connection application
# also needs its contract before «Завершена», tested below).
ROW_KINDS = {
    "contract": {"applicant_kind": "legal", "category": "other", "reason": "permanent"},
    "tc_electric": {"applicant_kind": "person", "category": "household15"},
    "service": {"applicant_kind": "legal", "reason": "no_debt"},
}


def filed_row(user, status=Status.REGISTERED, *, kind="contract") -> Application:
    """A filed application as one row: cheap enough for one per example."""
    now = timezone.now()
    return Application.objects.create(
        user=user,
        kind=kind,
        **ROW_KINDS[kind],
        status=status,
        number=f"2026-01-12-702-{next(_numbers)}",
        filed_at=now,
    )


def snapshot(app: Application) -> dict:
    app.refresh_from_db()
    state = {name: getattr(app, name) for name in TRACKED}
    state["events"] = app.events.count()
    state["notices"] = Notice.objects.filter(user=app.user).count()
    return state


def reachable(start: str, table=None) -> set[str]:
    table = table or Application.TRANSITIONS
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in table[Status(queue.popleft())]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_the_table_itself():
    assert set(Application.TRANSITIONS) == set(Status)
    assert Application.TRANSITIONS[Status.DONE] == set()
    assert Application.TRANSITIONS[Status.REFUSED] == set()
    # every status but the draft is dated, and every one can be reached from the draft
    assert set(Application.DATED) == set(FILED)
    assert reachable(Status.DRAFT) == set(STATUSES)
    # nothing leads back to the draft
    assert all(Status.DRAFT not in targets for targets in Application.TRANSITIONS.values())


@pytest.mark.parametrize("kind", ["contract", "service"])
@hsettings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # (a status, whether to aim at one the table allows from where it is, a reason):
    # random targets alone would almost never walk the table to its end.
    moves=st.lists(st.tuples(st.sampled_from(STATUSES), st.booleans(), st.booleans()), max_size=10),
)
def test_any_sequence_of_moves_follows_the_table(
    alice, staff, django_capture_on_commit_callbacks, moves, kind
):
    from kabinet.applications.kinds import get_kind

    table = get_kind(kind).transitions
    start = Status.REGISTERED  # as filed; every other status is reached by moves
    app = filed_row(alice, start, kind=kind)
    path = [start]
    for status, aim, with_reason in moves:
        before = snapshot(app)
        current = before["status"]
        targets = sorted(table[Status(current)])
        to = targets[STATUSES.index(status) % len(targets)] if aim and targets else status
        comment = "Нет технической возможности" if with_reason else ""
        allowed = to in table[Status(current)] and (to != Status.REFUSED or with_reason)
        moved_at = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            try:
                application_transition(application=app, to=to, by=staff, comment=comment)
            except DomainError:
                refused = True
            else:
                refused = False
        after = snapshot(app)
        if not allowed:
            assert refused, f"{current} → {to} should be refused"
            assert after == before, f"the refused move {current} → {to} changed something"
            continue
        assert not refused, f"{current} → {to} is in the table"
        path.append(to)
        assert after["status"] == to
        dated = Application.DATED[Status(to)]
        assert after[dated] is not None and after[dated] >= moved_at
        for other in set(Application.DATED.values()) - {dated}:
            assert after[other] == before[other]
        assert after["events"] == before["events"] + 1
        event = app.events.order_by("-id").first()
        assert (event.kind, event.from_status, event.to_status) == (
            ApplicationEvent.Kind.STATUS,
            current,
            to,
        )
        assert event.by == staff and event.by_staff
        assert event.comment == comment
        if to == Status.REFUSED:
            assert after["refusal_reason"] == comment
        if to in (Status.DONE, Status.REFUSED):
            assert after["due_date"] is None  # nothing more is owed
        # the applicant is told of every move staff make
        assert after["notices"] == before["notices"] + 1
        notice = Notice.objects.filter(user=alice).order_by("-id").first()
        assert notice.kind == "application"
        assert notice.title == f"Заявка № {app.number}: {Status(to).label.lower()}"
        assert str(app.uuid) in notice.url
    final = Application.objects.get(pk=app.pk).status
    assert final == path[-1]
    assert final in reachable(start, table)
    # the history is one unbroken chain from the start to where it is now
    chain = list(app.events.values_list("from_status", "to_status"))
    assert chain == list(itertools.pairwise(path))
    if final in (Status.DONE, Status.REFUSED):
        for to in STATUSES:
            with pytest.raises(DomainError):
                application_transition(application=app, to=to, by=staff, comment="ещё раз")
        assert Application.objects.get(pk=app.pk).status == final


@pytest.mark.parametrize("terminal", [Status.DONE, Status.REFUSED])
@pytest.mark.parametrize("to", STATUSES)
def test_done_and_refused_are_terminal(alice, staff, terminal, to):
    app = filed_row(alice, terminal)
    before = snapshot(app)
    with pytest.raises(DomainError) as err:
        application_transition(application=app, to=to, by=staff, comment="причина")
    if to != Status.REGISTERED:
        assert str(err.value.message) == (
            f"Заявку в статусе «{Status(terminal).label}» нельзя перевести в «{Status(to).label}»."
        )
    assert snapshot(app) == before


@pytest.mark.parametrize("comment", ["", "   \n "])
@pytest.mark.parametrize("start", [Status.REGISTERED, Status.ACCEPTED, Status.IN_WORK])
def test_refusing_needs_a_reason(alice, staff, start, comment):
    app = filed_row(alice, start)
    before = snapshot(app)
    with pytest.raises(DomainError) as err:
        application_transition(application=app, to=Status.REFUSED, by=staff, comment=comment)
    assert err.value.field == "comment"
    assert str(err.value.message) == "Укажите причину отказа: её увидит заявитель."
    assert snapshot(app) == before


def test_the_reason_of_a_refusal_is_kept_and_told(alice, staff, django_capture_on_commit_callbacks):
    app = filed_row(alice)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            application=app, to=Status.REFUSED, by=staff, comment="  Нет свободной мощности  "
        )
    app.refresh_from_db()
    assert app.status == Status.REFUSED
    assert app.refusal_reason == "Нет свободной мощности"
    assert app.refused_at is not None
    notice = Notice.objects.get(user=alice)
    assert notice.title == f"Заявка № {app.number}: отказ"
    assert notice.text == "Нет свободной мощности"


@pytest.mark.parametrize("to", [s for s in STATUSES if s != Status.REGISTERED])
@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_a_customer_cannot_move_an_application(request, alice, who, to):
    app = filed_row(alice)
    before = snapshot(app)
    with pytest.raises(DomainError) as err:
        application_transition(
            application=app, to=to, by=request.getfixturevalue(who), comment="сам"
        )
    assert str(err.value.message) == "Статус заявки меняют инженеры по подключению."
    assert snapshot(app) == before


def test_staff_of_another_role_cannot_move_an_application(alice):
    app = filed_row(alice)
    before = snapshot(app)
    operator = make_user(login="op-move", staff=True, role="operator")
    with pytest.raises(DomainError) as err:
        application_transition(application=app, to="accepted", by=operator)
    assert err.value.code == "forbidden"
    assert snapshot(app) == before


def test_nobody_moves_an_application_without_a_user(alice):
    app = filed_row(alice)
    before = snapshot(app)
    with pytest.raises(DomainError):
        application_transition(application=app, to=Status.ACCEPTED, by=None)
    assert snapshot(app) == before


def test_registering_without_a_number_is_refused(alice, staff):
    app = Application.objects.create(
        user=alice, kind="tc_electric", applicant_kind="person", category="household15"
    )
    before = snapshot(app)
    with pytest.raises(DomainError) as err:
        application_transition(application=app, to=Status.REGISTERED, by=staff)
    assert str(err.value.message) == "Заявка подаётся со страницы предпросмотра."
    after = snapshot(app)
    assert after == before
    assert after["status"] == Status.DRAFT
    app.refresh_from_db()
    assert app.number is None


def test_an_unknown_status_is_refused(alice, staff):
    app = filed_row(alice)
    before = snapshot(app)
    with pytest.raises(DomainError) as err:
        application_transition(application=app, to="archived", by=staff)
    assert str(err.value.message) == "Неизвестный статус заявки."
    assert snapshot(app) == before


def test_accepting_sets_the_answer_deadline_of_the_category(alice, staff):
    """≤ 15 кВт: ten working days from filing to the contract (ПП 861 п. 15)."""
    from kabinet.applications.kinds.base import working_days_after

    app = filed_row(alice, kind="tc_electric")
    application_transition(application=app, to=Status.ACCEPTED, by=staff)
    app.refresh_from_db()
    assert app.due_date == working_days_after(timezone.localdate(app.filed_at), 10)


def test_a_connection_application_ends_only_with_its_contract(alice, staff):
    """«Результатом работы по заявке является либо отказ, либо договор» (000 §4.5):
    «Завершена» without the contract is refused; a refusal is always possible."""
    app = filed_row(alice, Status.IN_WORK, kind="tc_electric")
    before = snapshot(app)
    with pytest.raises(DomainError) as err:
        application_transition(application=app, to=Status.DONE, by=staff)
    assert "договор" in str(err.value.message)
    assert snapshot(app) == before
    application_transition(application=app, to=Status.REFUSED, by=staff, comment="Нет мощности")
    assert app.status == Status.REFUSED


def test_a_service_request_skips_acceptance(alice, staff):
    """A kind's own moves: a service request goes from «Зарегистрирована» straight to
    «В работе»; «Принята» is not one of its statuses."""
    app = filed_row(alice, kind="service")
    with pytest.raises(DomainError):
        application_transition(application=app, to=Status.ACCEPTED, by=staff)
    application_transition(application=app, to=Status.IN_WORK, by=staff)
    application_transition(application=app, to=Status.DONE, by=staff)
    assert Application.objects.get(pk=app.pk).status == Status.DONE
