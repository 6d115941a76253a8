"""Заявки на услуги по договору (003 §3.5): one form, filed at once with its number, or
refused with the reason next to the field and nothing kept. Only a contract the user
may act on (full rights) can be chosen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from conftest import make_user
from kabinet.applications.kinds.requests import VISIT_HORIZON_DAYS
from kabinet.applications.models import Application, ApplicationEvent, NumberCounter
from kabinet.applications.services.drafts import service_request_file
from kabinet.contracts.tests.factories import OTHER_INN, contract, organisation
from kabinet.core.errors import DomainError
from kabinet.identity.models import Party, PartyMember
from kabinet.notifications.models import Notice

INVALID_CHOICE = "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."


@pytest.fixture(autouse=True)
def _tashkent(settings):
    settings.KABINET_UTILITY = "tashkent_heat"


def working_day(start, *, forward=True):
    """``start`` or the nearest weekday from it (forwards, or backwards)."""
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1 if forward else -1)
    return day


def today():
    return timezone.localdate()


def next_working_day():
    return working_day(today() + timedelta(days=1))


def next_saturday():
    t = today()
    return t + timedelta(days=(5 - t.weekday()) % 7 or 7)


@pytest.fixture
def org(alice):
    return organisation(alice)


@pytest.fixture
def con(org):
    return contract(party=org)


def form_data(con, **over):
    unit = con.units.first()
    data = {
        "reason": "meter_inspection",
        "contract": str(con.uuid),
        "unit": str(unit.uuid) if unit else "",
        "visit_date": next_working_day().isoformat(),
        "visit_time": "09-12",
        "contact_name": "Каримов Азиз",
        "contact_phone": "+998 71 000-00-00",
        "comment": "Вход со двора",
    }
    data.update(over)
    return data


def test_a_request_is_filed_at_once(alice, con, django_capture_on_commit_callbacks):
    data = form_data(con)
    with django_capture_on_commit_callbacks(execute=True):
        form, app = service_request_file(user=alice, data=data)
    assert app is not None, form.errors
    app.refresh_from_db()
    assert app.number == f"{today():%Y-%m-%d}-501-1"
    assert app.status == Application.Status.REGISTERED
    assert app.kind == "service" and app.reason == "meter_inspection"
    assert app.contract == con
    assert app.visit_date == next_working_day() and app.visit_time == "09-12"
    assert app.due_date == app.visit_date
    assert app.applicant_kind == "legal"
    assert app.applicant_name == "ООО «Ромашка»"
    assert app.check_key == "ромашка"
    assert app.object_address == f"Договор № {con.number}"
    assert app.user == alice
    assert app.data["request"]["contact_phone"] == "+998 71 000-00-00"
    assert app.data["request"]["comment"] == "Вход со двора"
    [event] = app.events.all()
    assert (event.from_status, event.to_status, event.by) == ("draft", "registered", alice)
    [notice] = Notice.objects.filter(user=alice, kind="application")
    assert notice.title == f"Заявка № {app.number} зарегистрирована"
    # the next one of the day
    _, second = service_request_file(user=alice, data=form_data(con, reason="no_debt", unit=""))
    assert second.number == f"{today():%Y-%m-%d}-501-2"


def test_a_sole_proprietors_contract_files_as_ip(alice):
    ip = Party.objects.create(
        user=alice, kind=Party.Kind.IP, last_name="Юсупов", first_name="Тимур", inn="500100732259"
    )
    con = contract(party=ip, name="ИП Юсупов Тимур")
    form, app = service_request_file(user=alice, data=form_data(con))
    assert app is not None, form.errors
    assert app.applicant_kind == "ip"
    assert app.applicant_name == "ИП Юсупов Тимур"


def refused(user, data, field, message):
    """File ``data``; it must be refused with ``message`` next to ``field``, and nothing
    may be kept."""
    before = (Application.objects.count(), ApplicationEvent.objects.count())
    form, app = service_request_file(user=user, data=data)
    assert app is None
    assert form.errors.get(field) == [message], form.errors
    assert (Application.objects.count(), ApplicationEvent.objects.count()) == before
    assert not NumberCounter.objects.exists()


def test_a_weekend_is_refused(alice, con):
    refused(
        alice,
        form_data(con, visit_date=next_saturday().isoformat()),
        "visit_date",
        "Сотрудники выезжают по рабочим дням: выберите будний день.",
    )
    refused(
        alice,
        form_data(con, visit_date=(next_saturday() + timedelta(days=1)).isoformat()),
        "visit_date",
        "Сотрудники выезжают по рабочим дням: выберите будний день.",
    )


@pytest.mark.parametrize("days", [0, -1, -30])
def test_today_and_the_past_are_refused(alice, con, days):
    refused(
        alice,
        form_data(con, visit_date=(today() + timedelta(days=days)).isoformat()),
        "visit_date",
        "Выберите дату не раньше завтрашней.",
    )


def test_a_date_beyond_60_days_is_refused(alice, con):
    beyond = working_day(today() + timedelta(days=VISIT_HORIZON_DAYS + 1))
    refused(
        alice,
        form_data(con, visit_date=beyond.isoformat()),
        "visit_date",
        "Заявки принимаются на 60 дней вперёд: выберите дату ближе.",
    )


def test_the_last_working_day_within_60_days_is_taken(alice, con):
    last = working_day(today() + timedelta(days=VISIT_HORIZON_DAYS), forward=False)
    form, app = service_request_file(user=alice, data=form_data(con, visit_date=last.isoformat()))
    assert app is not None, form.errors
    assert app.due_date == last


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(offset=st.integers(min_value=-7, max_value=VISIT_HORIZON_DAYS + 14))
def test_any_visit_date_is_taken_exactly_when_it_is_a_working_day_within_60_days(
    alice, con, offset
):
    day = today() + timedelta(days=offset)
    before = Application.objects.count()
    form, app = service_request_file(user=alice, data=form_data(con, visit_date=day.isoformat()))
    if offset <= 0:
        expected = "Выберите дату не раньше завтрашней."
    elif offset > VISIT_HORIZON_DAYS:
        expected = "Заявки принимаются на 60 дней вперёд: выберите дату ближе."
    elif day.weekday() >= 5:
        expected = "Сотрудники выезжают по рабочим дням: выберите будний день."
    else:
        expected = None
    if expected is None:
        assert app is not None, form.errors
        assert app.visit_date == app.due_date == day
        assert Application.objects.count() == before + 1
    else:
        assert app is None
        assert form.errors == {"visit_date": [expected]}
        assert Application.objects.count() == before


def test_a_contract_of_another_organisation_is_not_a_choice(alice, charlie, con):
    theirs = contract(party=organisation(charlie, inn=OTHER_INN, name="АО «Чужое»"))
    refused(alice, form_data(theirs), "contract", INVALID_CHOICE)
    # nor a contract no cabinet holds
    refused(alice, form_data(contract(party=None)), "contract", INVALID_CHOICE)


def test_a_metering_unit_of_another_contract_is_refused(alice, charlie, org, con):
    second = contract(party=org)
    refused(
        alice,
        form_data(con, unit=str(second.units.get().uuid)),
        "unit",
        "Этот узел учёта относится к другому договору.",
    )
    theirs = contract(party=organisation(charlie, inn=OTHER_INN, name="АО «Чужое»"))
    refused(alice, form_data(con, unit=str(theirs.units.get().uuid)), "unit", INVALID_CHOICE)


def test_a_read_only_colleague_cannot_choose_the_contract(alice, org, con):
    bob = make_user(email="bob@example.ru", phone="+79110000022", display_name="Боб")
    PartyMember.objects.create(party=org, user=bob, rights=PartyMember.Rights.READ, added_by=alice)
    # bob sees the organisation (read rights), but may not act for it
    assert org in Party.objects.acting_for(bob)
    assert org not in Party.objects.acting_for(bob, full=True)
    refused(bob, form_data(con), "contract", INVALID_CHOICE)


def test_a_colleague_with_full_rights_files_for_the_organisation(alice, org, con):
    bob = make_user(email="bob@example.ru", phone="+79110000022", display_name="Боб")
    PartyMember.objects.create(party=org, user=bob, rights=PartyMember.Rights.FULL, added_by=alice)
    form, app = service_request_file(user=bob, data=form_data(con))
    assert app is not None, form.errors
    assert app.user == bob and app.contract == con
    assert app.applicant_name == "ООО «Ромашка»"


def test_a_removed_colleague_cannot_choose_the_contract(alice, org, con):
    bob = make_user(email="bob@example.ru", phone="+79110000022", display_name="Боб")
    PartyMember.objects.create(
        party=org,
        user=bob,
        rights=PartyMember.Rights.FULL,
        added_by=alice,
        removed_at=timezone.now(),
        removed_by=alice,
    )
    refused(bob, form_data(con), "contract", INVALID_CHOICE)


def test_a_bad_phone_is_refused(alice, con):
    refused(
        alice,
        form_data(con, contact_phone="позвоните"),
        "contact_phone",
        "Введите телефон цифрами, например +998 71 000-00-00.",
    )


def test_staff_cannot_file_a_request(staff, con):
    refused(staff, form_data(con), "contract", INVALID_CHOICE)


def test_a_utility_that_does_not_take_them_refuses(settings, alice, con):
    settings.KABINET_UTILITY = "gorseti_tomsk"
    with pytest.raises(DomainError) as err:
        service_request_file(user=alice, data=form_data(con))
    assert str(err.value.message) == "Такие заявки организация не принимает."
    assert not Application.objects.exists()
