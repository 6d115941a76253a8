"""The submission and history pages: access, POST paths, what the page says."""

from datetime import date

import pytest
from django.urls import reverse

from kabinet.metering import views
from kabinet.metering.models import Meter, Reading
from kabinet.metering.services import reading_field

from . import factories as f
from .factories import IN_WINDOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_window(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: IN_WINDOW)


@pytest.fixture
def acc(alice):
    return f.account(owner=alice)


@pytest.fixture
def m(acc):
    meter = f.meter(acc, digits=5, verified_until=date(2030, 1, 1))
    f.history(meter, [1000, 1100, 1200, 1300])
    return meter


def urls(acc):
    return [
        reverse("metering:submit", args=[acc.uuid]),
        reverse("metering:history", args=[acc.uuid]),
        reverse("metering:history", args=[acc.uuid]) + "?period_from=2025-01&period_to=2026-03",
    ]


@pytest.mark.usefixtures("in_window")
def test_owner_and_staff_see_every_page_stranger_gets_404(client, alice, charlie, staff, acc, m):
    for user, code in ((alice, 200), (staff, 200), (charlie, 404)):
        client.force_login(user)
        for url in urls(acc):
            assert client.get(url).status_code == code, (user, url)


def test_anonymous_is_sent_to_sign_in(client, acc):
    for url in urls(acc):
        assert client.get(url).status_code == 302


@pytest.mark.usefixtures("in_window")
def test_stranger_cannot_post(client, charlie, acc, m):
    client.force_login(charlie)
    url = reverse("metering:submit", args=[acc.uuid])
    assert client.post(url, {reading_field(m, "total"): "1400"}).status_code == 404
    assert not Reading.objects.filter(source="customer").exists()


@pytest.mark.usefixtures("in_window")
def test_submit_page_shows_previous_value_and_overdue_verification(client, alice, acc, m):
    f.meter(acc, number="555", verified_until=date(2025, 1, 1))
    f.meter(acc, number="777", state=Meter.State.REMOVED)
    client.force_login(alice)
    page = client.get(reverse("metering:submit", args=[acc.uuid])).content.decode()
    assert "Предыдущее показание: 1\u00a0300 за февраль 2026" in page
    assert "срок поверки истёк" in page
    assert "внесение данных невозможно" in page
    assert "Передать показания" in page


def test_outside_the_window_the_page_says_when_it_opens(client, alice, acc, m, monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: date(2026, 3, 27))
    client.force_login(alice)
    url = reverse("metering:submit", args=[acc.uuid])
    page = client.get(url).content.decode()
    assert "Приём откроется 15 апреля 2026." in page
    assert "Передать показания</button>" not in page
    response = client.post(url, {reading_field(m, "total"): "1400"})
    assert response.status_code == 200
    assert "Приём откроется 15 апреля 2026." in response.content.decode()
    assert not Reading.objects.filter(source="customer").exists()


@pytest.mark.usefixtures("in_window")
def test_good_post_saves_and_goes_to_history(client, alice, acc, m):
    client.force_login(alice)
    response = client.post(
        reverse("metering:submit", args=[acc.uuid]), {reading_field(m, "total"): "1 400"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("metering:history", args=[acc.uuid])
    assert Reading.objects.get(source="customer").value == 1400


@pytest.mark.usefixtures("in_window")
def test_bad_post_keeps_what_was_typed_and_saves_nothing(client, alice, acc, m):
    other = f.meter(acc, number="999")
    client.force_login(alice)
    response = client.post(
        reverse("metering:submit", args=[acc.uuid]),
        {reading_field(m, "total"): "1250", reading_field(other, "total"): "042"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="1250"' in page and 'value="042"' in page
    assert "меньше последнего принятого" in page
    assert "без первых нулей: 42" in page
    assert not Reading.objects.filter(source="customer").exists()


@pytest.mark.usefixtures("in_window")
def test_jump_shows_consumption_and_asks_to_confirm(client, alice, acc, m):
    client.force_login(alice)
    url = reverse("metering:submit", args=[acc.uuid])
    field = reading_field(m, "total")
    page = client.post(url, {field: "1900"}).content.decode()
    assert "намного больше обычного" in page
    assert "Расход: <strong>600 кВт·ч</strong>" in page
    assert 'name="confirm_jump"' in page
    assert not Reading.objects.filter(source="customer").exists()
    response = client.post(url, {field: "1900", "confirm_jump": "on"})
    assert response.status_code == 302
    assert Reading.objects.get(source="customer").value == 1900


@pytest.mark.usefixtures("in_window")
def test_nothing_typed_says_so(client, alice, acc, m):
    client.force_login(alice)
    page = client.post(reverse("metering:submit", args=[acc.uuid]), {}).content.decode()
    assert "Введите показания хотя бы одного счётчика." in page


@pytest.mark.usefixtures("in_window")
def test_history_shows_both_sides_and_filters(client, alice, acc, m):
    f.accepted(m, date(2026, 3, 1), 1400, source="customer")
    second = f.meter(acc, number="888")
    f.history(second, [5, 6])
    Reading.objects.create(
        meter=m, zone="total", period=date(2026, 3, 1), value=1401, status="rejected",
        source="customer", reject_reason="Не совпадает с фото",
    )  # fmt: skip
    client.force_login(alice)
    url = reverse("metering:history", args=[acc.uuid])
    page = client.get(url).content.decode()
    assert "Не совпадает с фото" in page and "отклонён" in page
    assert "<svg" in page and "readings-chart__bar" in page
    assert "Источник: биллинг" in page
    page = client.get(url, {"meter": str(second.uuid)}).content.decode()
    assert "№ 888" in page and "Не совпадает с фото" not in page
    page = client.get(url, {"period_from": "2026-03", "period_to": "2026-03"}).content.decode()
    assert "Март 2026" in page and "Январь 2026" not in page


@pytest.mark.usefixtures("in_window")
def test_history_bad_filter_says_so(client, alice, acc, m):
    client.force_login(alice)
    url = reverse("metering:history", args=[acc.uuid])
    response = client.get(url, {"period_from": "2026-03", "period_to": "2026-01"})
    assert response.status_code == 200
    assert "Конец периода раньше начала." in response.content.decode()
    for query in ({"period_from": "0001-01"}, {"period_from": "9998-01", "period_to": "9999-12"}):
        response = client.get(url, query)
        assert response.status_code == 200, query
        assert "Укажите месяц с 1900 по 2099 год." in response.content.decode()


@pytest.mark.usefixtures("in_window")
def test_meter_of_another_account_in_filter_is_ignored(client, alice, acc, m):
    foreign = f.meter(f.account())
    client.force_login(alice)
    url = reverse("metering:history", args=[acc.uuid])
    response = client.get(url, {"meter": str(foreign.uuid)})
    assert response.status_code == 200
    assert foreign.number not in response.content.decode()


# --- Мои приборы учёта -------------------------------------------------------------------


def test_meter_list_shows_own_meters_only(client, alice, charlie, staff, acc, m):
    removed = f.meter(acc, number="СНЯТ-1", state=Meter.State.REMOVED, removed_on=date(2026, 5, 1))
    url = reverse("metering:list")
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert f"№ {m.number}" in page and "№ СНЯТ-1" in page
    assert "1\xa0300" in page or "1300" in page  # the last accepted reading
    assert "внесение данных невозможно" in page
    assert page.count(reverse("metering:submit", args=[acc.uuid])) == 1  # not for the removed
    assert str(removed.uuid) in page  # its history stays reachable
    for other in (charlie, staff):
        client.force_login(other)
        page = client.get(url).content.decode()
        assert m.number not in page and "В кабинете пока нет приборов учёта." in page


def test_meter_list_search(client, alice, acc, m):
    f.meter(acc, number="ЭЛ-555")
    client.force_login(alice)
    page = client.get(reverse("metering:list"), {"q": "эл-5"}).content.decode()
    assert "№ ЭЛ-555" in page and f"№ {m.number}" not in page
    page = client.get(reverse("metering:list"), {"q": "нет-такого"}).content.decode()
    assert "По запросу «нет-такого» приборов учёта не найдено." in page


def test_meter_list_queries_do_not_grow_with_meters(
    client, alice, acc, m, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("metering:list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(4):
        other = f.account(owner=alice)
        f.history(f.meter(other), [10, 20, 30])
        f.history(f.meter(other, zones=Meter.Zones.TWO), [10, 20], zone="day")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
