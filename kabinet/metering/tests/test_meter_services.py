"""Meters are registered, changed, verified, removed and restored through the services,
each writing one MeterEvent; the admin goes through the same services."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from kabinet.core.errors import DomainError
from kabinet.metering import services
from kabinet.metering.models import Meter, MeterEvent, Reading

from . import factories as f
from .factories import IN_WINDOW, PERIOD

pytestmark = pytest.mark.django_db

COLUMNS = [field.attname for field in Meter._meta.concrete_fields]


@pytest.fixture
def acc(alice):
    return f.account(owner=alice)


@pytest.fixture
def meter(acc, staff):
    return services.meter_register(
        by=staff,
        account=acc,
        number="011-22",
        model_name="СЕ 101 R5",
        installed_on=date(2024, 5, 1),
        verified_until=date(2030, 5, 1),
    )


def refused(do, **kw) -> DomainError:
    """Run a service that must refuse; nothing is written."""
    meters, events = Meter.objects.count(), MeterEvent.objects.count()
    states = list(Meter.objects.order_by("pk").values_list(*COLUMNS))
    with pytest.raises(DomainError) as info:
        do(**kw)
    assert (Meter.objects.count(), MeterEvent.objects.count()) == (meters, events)
    assert list(Meter.objects.order_by("pk").values_list(*COLUMNS)) == states
    return info.value


# --- register -------------------------------------------------------------------------


def test_register_writes_the_meter_and_its_event(acc, staff):
    m = services.meter_register(
        by=staff,
        account=acc,
        number=" 0077-1 ",
        zones=Meter.Zones.TWO,
        digits=7,
        decimals=2,
        coefficient=Decimal("40"),
        installed_on=date(2025, 1, 15),
        verified_until=date(2031, 1, 15),
    )
    m.refresh_from_db()
    assert (m.number, m.zones, m.digits, m.decimals, m.coefficient, m.state) == (
        "0077-1",
        "two",
        7,
        2,
        Decimal(40),
        "active",
    )
    [event] = m.events.all()
    assert (event.action, event.by, event.comment) == ("registered", staff, "")
    assert event.changes == {
        "number": ["", "0077-1"],
        "unit": ["", "кВт·ч"],
        "zones": ["", "two"],
        "digits": ["", "7"],
        "decimals": ["", "2"],
        "coefficient": ["", "40"],
        "installed_on": ["", "2025-01-15"],
        "verified_until": ["", "2031-01-15"],
    }


def test_register_by_nobody_for_imports(acc):
    m = services.meter_register(by=None, account=acc, number="1")
    assert m.events.get().by is None


def test_same_number_on_another_account_is_fine(acc, meter, staff):
    other = f.account()
    m = services.meter_register(by=staff, account=other, number=meter.number)
    assert m.account == other


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        (
            {"number": "011-22"},
            "number",
            "На лицевом счёте {acc} уже есть прибор учёта с заводским номером 011-22.",
        ),
        ({"number": "  "}, "number", "Укажите заводской номер прибора учёта."),
        ({"digits": 0}, "digits", "Разрядность счётчика — от 1 до 12 знаков до запятой."),
        ({"digits": 13}, "digits", "Разрядность счётчика — от 1 до 12 знаков до запятой."),
        ({"decimals": 5}, "decimals", "Знаков после запятой у счётчика может быть от 0 до 4."),
        (
            {"coefficient": Decimal(0)},
            "coefficient",
            "Расчётный коэффициент должен быть больше нуля.",
        ),
        (
            {"coefficient": Decimal(-2)},
            "coefficient",
            "Расчётный коэффициент должен быть больше нуля.",
        ),
        (
            {"coefficient": Decimal("0.00001")},
            "coefficient",
            "Расчётный коэффициент — не больше шести цифр до запятой и четырёх после.",
        ),
        (
            {"zones": "four"},
            "zones",
            "Выберите тарифные зоны: сутки, день/ночь или пик/полупик/ночь.",
        ),
        ({"unit": ""}, "unit", "Укажите единицу измерения, например кВт·ч."),
        ({"model_name": "Х" * 101}, "model_name", "Не длиннее 100 знаков, а введено 101."),
        (
            {"installed_on": date(2025, 6, 1), "verified_until": date(2025, 5, 31)},
            "verified_until",
            "Дата следующей поверки (31.05.2025) не может быть раньше даты установки (01.06.2025).",
        ),
    ],
)
def test_register_refusals_save_nothing(acc, meter, staff, kw, field, message):
    kw = {"number": "NEW-1", **kw}
    exc = refused(services.meter_register, by=staff, account=acc, **kw)
    assert exc.field == field
    assert str(exc.message) == message.format(acc=acc.number)


def test_check_new_lists_every_objection(acc):
    _cleaned, errors = services.meter_check_new(
        account=acc, values={"number": "", "digits": 20, "coefficient": "0"}
    )
    assert {e.field for e in errors} == {"number", "digits", "coefficient"}


# --- update ---------------------------------------------------------------------------


def test_update_records_old_and_new(meter, staff):
    m = services.meter_update(
        by=staff,
        meter=meter,
        model_name="Меркурий 201",
        coefficient=Decimal("2.5"),
        verified_until=date(2032, 1, 1),
        service="электроснабжение",
    )
    m.refresh_from_db()
    assert (m.model_name, m.coefficient, m.verified_until) == (
        "Меркурий 201",
        Decimal("2.5"),
        date(2032, 1, 1),
    )
    event = m.events.latest("id")
    assert (event.action, event.by) == ("changed", staff)
    assert event.changes == {
        "model_name": ["СЕ 101 R5", "Меркурий 201"],
        "coefficient": ["1", "2.5"],
        "verified_until": ["2030-05-01", "2032-01-01"],
        "service": ["", "электроснабжение"],
    }


def test_update_with_no_real_change_writes_nothing(meter, staff):
    before = MeterEvent.objects.count()
    services.meter_update(by=staff, meter=meter)
    services.meter_update(
        by=staff,
        meter=meter,
        model_name=" СЕ 101 R5 ",
        coefficient=Decimal("1.0000"),
        zones="single",
        verified_until=date(2030, 5, 1),
    )
    assert MeterEvent.objects.count() == before


def test_update_only_the_changed_fields_are_recorded(meter, staff):
    services.meter_update(by=staff, meter=meter, model_name="СЕ 101 R5", unit="м³")
    assert meter.events.latest("id").changes == {"unit": ["кВт·ч", "м³"]}


def test_format_may_change_before_any_reading(meter, staff):
    m = services.meter_update(by=staff, meter=meter, zones=Meter.Zones.TWO, digits=8)
    assert (m.zones, m.digits) == ("two", 8)
    assert m.events.latest("id").changes == {"zones": ["single", "two"], "digits": ["6", "8"]}


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [("zones", "two", "тарифные зоны"), ("digits", 7, "разрядность (знаков до запятой)"),
     ("decimals", 1, "знаков после запятой")],
)  # fmt: skip
def test_format_is_fixed_once_readings_exist(meter, staff, field, value, label):
    f.accepted(meter, date(2026, 1, 1), 100)
    exc = refused(services.meter_update, by=staff, meter=meter, **{field: value})
    assert exc.field == field
    assert exc.code == "has_readings"
    assert str(exc.message).startswith(f"Поле «{label}» нельзя изменить: по счётчику уже есть")
    assert "прежние показания читались бы по-другому" in str(exc.message)
    # descriptive fields still change
    services.meter_update(
        by=staff, meter=meter, model_name="Новый тип", **{field: getattr(meter, field)}
    )
    meter.refresh_from_db()
    assert meter.model_name == "Новый тип"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"digits": 0}, "digits"),
        ({"decimals": 9}, "decimals"),
        ({"coefficient": Decimal(0)}, "coefficient"),
        ({"unit": " "}, "unit"),
        ({"verified_until": date(2024, 4, 30)}, "verified_until"),
        ({"installed_on": date(2030, 6, 1)}, "installed_on"),
    ],
)
def test_update_refusals_save_nothing(meter, staff, kw, field):
    exc = refused(services.meter_update, by=staff, meter=meter, **kw)
    assert exc.field == field


def test_update_cannot_touch_the_number_or_the_state(meter, staff):
    for kw in ({"number": "X"}, {"state": "removed"}, {"account": f.account()}):
        with pytest.raises(TypeError):
            services.meter_update(by=staff, meter=meter, **kw)


# --- verify ---------------------------------------------------------------------------


def test_verify_sets_the_next_date(meter, staff):
    m = services.meter_verify(
        by=staff, meter=meter, verified_until=date(2036, 5, 1), comment="Поверка ЦСМ"
    )
    assert m.verified_until == date(2036, 5, 1)
    event = m.events.latest("id")
    assert (event.action, event.comment, event.changes) == (
        "verified",
        "Поверка ЦСМ",
        {"verified_until": ["2030-05-01", "2036-05-01"]},
    )


def test_verify_of_a_meter_without_a_date(acc, staff):
    m = services.meter_register(by=staff, account=acc, number="N")
    services.meter_verify(by=staff, meter=m, verified_until=date(2030, 1, 1))
    assert m.events.latest("id").changes == {"verified_until": ["", "2030-01-01"]}


@pytest.mark.parametrize("when", [date(2030, 5, 1), date(2029, 1, 1)])
def test_verify_must_be_later_than_the_current_date(meter, staff, when):
    exc = refused(services.meter_verify, by=staff, meter=meter, verified_until=when)
    assert str(exc.message) == "Новая дата поверки должна быть позже текущей (01.05.2030)."
    assert exc.field == "verified_until"


def test_verify_of_a_removed_meter_refused(meter, staff):
    services.meter_remove(by=staff, meter=meter, removed_on=date(2026, 3, 1), today=IN_WINDOW)
    exc = refused(services.meter_verify, by=staff, meter=meter, verified_until=date(2040, 1, 1))
    assert exc.code == "removed"


# --- remove and restore -----------------------------------------------------------------


def test_remove_and_restore(meter, staff):
    f.accepted(meter, date(2026, 2, 1), 100)
    m = services.meter_remove(
        by=staff, meter=meter, removed_on=date(2026, 2, 1), comment="Замена", today=IN_WINDOW
    )
    m.refresh_from_db()
    assert (m.state, m.removed_on) == ("removed", date(2026, 2, 1))
    event = m.events.latest("id")
    assert (event.action, event.comment, event.changes) == (
        "removed",
        "Замена",
        {"state": ["active", "removed"], "removed_on": ["", "2026-02-01"]},
    )
    m = services.meter_restore(by=staff, meter=m, comment="Сняли по ошибке")
    m.refresh_from_db()
    assert (m.state, m.removed_on) == ("active", None)
    event = m.events.latest("id")
    assert (event.action, event.comment, event.changes) == (
        "restored",
        "Сняли по ошибке",
        {"state": ["removed", "active"], "removed_on": ["2026-02-01", ""]},
    )
    assert list(m.events.values_list("action", flat=True)) == ["registered", "removed", "restored"]


def test_remove_before_the_last_reading_refused(meter, staff):
    f.accepted(meter, date(2026, 2, 1), 100)
    Reading.objects.create(meter=meter, zone="total", period=PERIOD, value=120)  # pending
    Reading.objects.create(
        meter=meter, zone="total", period=date(2026, 4, 1), value=1, status="rejected"
    )
    exc = refused(
        services.meter_remove, by=staff, meter=meter, removed_on=date(2026, 2, 28), today=IN_WINDOW
    )
    assert exc.field == "removed_on"
    assert str(exc.message) == (
        "По счётчику есть показание за 03.2026: дата снятия с учёта не может быть раньше "
        "этого периода."
    )
    # the rejected April reading does not count
    services.meter_remove(by=staff, meter=meter, removed_on=date(2026, 3, 1), today=IN_WINDOW)


@pytest.mark.parametrize(
    ("removed_on", "message"),
    [
        (date(2026, 3, 21), "Дата снятия с учёта не может быть в будущем."),
        (
            date(2024, 4, 30),
            "Дата снятия с учёта не может быть раньше даты установки (01.05.2024).",
        ),
        (None, "Укажите дату снятия с учёта."),
    ],
)
def test_remove_date_refusals(meter, staff, removed_on, message):
    exc = refused(
        services.meter_remove, by=staff, meter=meter, removed_on=removed_on, today=IN_WINDOW
    )
    assert (str(exc.message), exc.field) == (message, "removed_on")


def test_remove_twice_and_restore_an_active_meter_refused(meter, staff):
    exc = refused(services.meter_restore, by=staff, meter=meter)
    assert str(exc.message) == "Счётчик и так в работе."
    services.meter_remove(by=staff, meter=meter, removed_on=date(2026, 3, 5), today=IN_WINDOW)
    exc = refused(
        services.meter_remove, by=staff, meter=meter, removed_on=date(2026, 3, 6), today=IN_WINDOW
    )
    assert str(exc.message) == "Счётчик уже снят с учёта (05.03.2026)."


def test_a_removed_meter_takes_no_readings(alice, acc, meter, staff):
    other = services.meter_register(by=staff, account=acc, number="2")
    services.meter_remove(by=staff, meter=meter, removed_on=date(2026, 3, 1), today=IN_WINDOW)
    with pytest.raises(DomainError) as info:
        services.reading_submit(user=alice, meter=meter, values={"total": "10"}, today=IN_WINDOW)
    assert info.value.code == "removed"
    with pytest.raises(DomainError) as info:
        services.readings_submit_for_account(
            user=alice,
            account=acc,
            values={meter.uuid: {"total": "10"}, other.uuid: {"total": "5"}},
            today=IN_WINDOW,
        )
    assert str(info.value.message) == "Счётчик снят с учёта, внесение показаний невозможно."
    assert not Reading.objects.exists()
    # back in work, it takes them again
    services.meter_restore(by=staff, meter=meter)
    meter.refresh_from_db()
    [reading] = services.reading_submit(
        user=alice, meter=meter, values={"total": "10"}, today=IN_WINDOW
    )
    assert reading.status == "submitted"


# --- the admin ------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff):
    """A staff member with the meter permissions (not a superuser)."""
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="metering",
            codename__in=["add_meter", "change_meter", "view_meter", "view_meterevent"],
        )
    )
    client.force_login(staff)
    return client


def form_data(acc, **kw):
    data = {
        "account": acc.pk,
        "number": "AD-1",
        "model_name": "Меркурий 201.5",
        "service": "",
        "unit": "кВт·ч",
        "zones": "two",
        "digits": "6",
        "decimals": "1",
        "coefficient": "1",
        "installed_on": "01.02.2025",
        "verified_until": "01.02.2041",
    }
    return {**data, **kw}


def test_admin_add_registers_through_the_service(staff_client, acc, staff):
    response = staff_client.post(reverse("admin:metering_meter_add"), form_data(acc))
    assert response.status_code == 302, response.content.decode()
    m = Meter.objects.get(number="AD-1")
    assert (m.zones, m.decimals, m.installed_on) == ("two", 1, date(2025, 2, 1))
    event = m.events.get()
    assert (event.action, event.by) == ("registered", staff)
    assert event.changes["number"] == ["", "AD-1"]
    page = staff_client.get(reverse("admin:metering_meter_change", args=[m.pk])).content.decode()
    assert "зарегистрирован" in page  # the history inline


def test_admin_add_with_a_duplicate_number_saves_nothing(staff_client, acc, meter):
    meters, events = Meter.objects.count(), MeterEvent.objects.count()
    response = staff_client.post(
        reverse("admin:metering_meter_add"), form_data(acc, number=meter.number)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"На лицевом счёте {acc.number} уже есть прибор учёта с заводским номером 011-22." in page
    )
    assert (Meter.objects.count(), MeterEvent.objects.count()) == (meters, events)


def test_admin_change_updates_through_the_service(staff_client, acc, meter, staff):
    url = reverse("admin:metering_meter_change", args=[meter.pk])
    data = form_data(acc, zones="single", digits="6", decimals="0", installed_on="01.05.2024")
    del data["account"], data["number"]  # read-only on change
    data["verified_until"] = "01.05.2030"
    data.update({"events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "1"})
    data.update({"events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "1000"})
    data["events-0-id"] = meter.events.get().pk
    data["events-0-meter"] = meter.pk
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    event = meter.events.latest("id")
    assert (event.action, event.changes) == (
        "changed",
        {"model_name": ["СЕ 101 R5", "Меркурий 201.5"]},
    )
    # the zones cannot change once there are readings: shown, nothing saved
    f.accepted(meter, date(2026, 1, 1), 100)
    events = MeterEvent.objects.count()
    data["zones"] = "two"
    data.update({"events-TOTAL_FORMS": "2", "events-INITIAL_FORMS": "2"})
    data["events-1-id"], data["events-1-meter"] = event.pk, meter.pk
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "прежние показания читались бы по-другому" in response.content.decode()
    meter.refresh_from_db()
    assert meter.zones == "single"
    assert MeterEvent.objects.count() == events


def test_admin_change_form_keeps_state_read_only(staff_client, meter):
    page = staff_client.get(reverse("admin:metering_meter_change", args=[meter.pk]))
    form = page.context["adminform"].form
    assert not {"state", "removed_on", "number", "account"} & set(form.fields)


def test_admin_remove_and_restore_actions(staff_client, meter, staff):
    url = reverse("admin:metering_meter_changelist")
    response = staff_client.post(
        url,
        {
            "action": "remove",
            "_selected_action": [meter.pk],
            "removed_on": "01.03.2026",
            "comment": "Замена счётчика",
        },
        follow=True,
    )
    assert "Снято с учёта приборов: 1." in response.content.decode()
    meter.refresh_from_db()
    assert (meter.state, meter.removed_on) == ("removed", date(2026, 3, 1))
    event = meter.events.latest("id")
    assert (event.action, event.by, event.comment) == ("removed", staff, "Замена счётчика")

    staff_client.post(url, {"action": "restore", "_selected_action": [meter.pk]})
    meter.refresh_from_db()
    assert (meter.state, meter.removed_on) == ("active", None)
    assert meter.events.latest("id").action == "restored"


def test_admin_remove_action_needs_a_date(staff_client, meter):
    url = reverse("admin:metering_meter_changelist")
    response = staff_client.post(
        url, {"action": "remove", "_selected_action": [meter.pk], "removed_on": ""}, follow=True
    )
    assert "Укажите дату снятия с учёта в виде ДД.ММ.ГГГГ." in response.content.decode()
    response = staff_client.post(
        url,
        {"action": "remove", "_selected_action": [meter.pk], "removed_on": "01.01.2099"},
        follow=True,
    )
    assert "Дата снятия с учёта не может быть в будущем." in response.content.decode()
    meter.refresh_from_db()
    assert meter.state == "active"
    assert meter.events.count() == 1


def test_admin_cannot_delete_meters(client, meter, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    url = reverse("admin:metering_meter_delete", args=[meter.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:metering_meter_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Meter.objects.filter(pk=meter.pk).exists()
