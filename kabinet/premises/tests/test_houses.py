"""«Мой дом»: following houses, the house page, who may see it, and its query count."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kabinet.core.errors import DomainError
from kabinet.metering.interval_models import Channel
from kabinet.metering.services.intervals import interval_series_get_or_create
from kabinet.premises import services
from kabinet.premises.models import HouseFollow
from kabinet.premises.selectors import my_houses
from kabinet.premises.tests import factories as f
from kabinet.premises.tests.conftest import login

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


@pytest.fixture
def home(alice):
    h = f.house("5")
    f.meter(h, "УУТЭ-1001", months=12, last=date(2026, 11, 1))
    f.debt(h, date(2026, 10, 1), 12345678)
    f.debt(h, date(2026, 11, 1), 50)
    f.follow(alice, h)
    return h


# --- services ------------------------------------------------------------------------


def test_follow_is_idempotent_and_unfollow_removes(alice):
    h = f.house("5")
    follow, created = services.house_follow(user=alice, house=h)
    assert created and follow.house == h
    again, created = services.house_follow(user=alice, house=h)
    assert not created and again.pk == follow.pk
    assert list(my_houses(alice)) == [h]
    assert services.house_unfollow(user=alice, house=h) is True
    assert services.house_unfollow(user=alice, house=h) is False
    assert list(my_houses(alice)) == []


def test_follow_limit(alice, settings):
    for i in range(services.MAX_FOLLOWED_HOUSES):
        services.house_follow(user=alice, house=f.house(str(i + 1)))
    with pytest.raises(DomainError) as exc:
        services.house_follow(user=alice, house=f.house("999"))
    assert "не больше 20" in exc.value.message
    assert HouseFollow.objects.filter(user=alice).count() == services.MAX_FOLLOWED_HOUSES


def test_my_houses_are_the_users_own(alice, charlie):
    a, c = f.house("1"), f.house("2")
    f.follow(alice, a)
    f.follow(charlie, c)
    assert list(my_houses(alice)) == [a]


# --- pages ---------------------------------------------------------------------------


def test_my_houses_page_lists_followed_houses(client, alice, home):
    login(client, alice)
    page = text(client.get(reverse("premises:mine")))
    assert "Мой дом" in page
    assert "Садовая улица, д. 5" in page
    assert "ООО «Жилкомсервис № 1»" in page
    assert reverse("premises:detail", args=[home.pk]) in page
    assert reverse("premises:unfollow", args=[home.pk]) in page
    assert reverse("premises:add") in page


def test_my_houses_page_empty(client, charlie, home):
    login(client, charlie)
    page = text(client.get(reverse("premises:mine")))
    assert "Садовая улица" not in page
    assert "ещё не добавили ни одного дома" in page


def test_house_page_shows_company_meters_archive_and_debt(client, alice, home):
    login(client, alice)
    r = client.get(reverse("premises:detail", args=[home.pk]))
    page = text(r)
    assert "Санкт-Петербург, Садовая улица, д. 5" in page
    # ИКУ
    assert "ООО «Жилкомсервис № 1»" in page and "ул. Садовая, д. 12" in page
    assert "+7 (812) 310-10-10" in page
    # ОДПУ / УУТЭ and its archive
    assert "УУТЭ № УУТЭ-1001" in page and "Д-7788" in page
    assert "Ноябрь 2026" in page and "Декабрь 2025" in page and "Ноябрь 2025" not in page
    assert "100,250" in page  # Гкал with a comma, the last month first
    assert "111,250" in page
    assert ">1,5<" in page and ">0<" in page  # hours out of service
    # debt, for information
    assert "Информация о задолженности" in page and "справочный характер" in page
    assert "123\u00a0456,78\u00a0₽" in page and "0,50\u00a0₽" in page
    assert page.index("Ноябрь 2026") < page.index("Октябрь 2026")
    # stacking tables: every td has its label
    html = r.content.decode()
    assert html.count('class="table table--stack') == 2
    assert html.count("<td") == html.count("<td data-label=")
    assert "Не следить за домом" in page


def test_house_page_english_keeps_russian_numbers(client, alice, home):
    login(client, alice)
    client.cookies["django_language"] = "en"
    page = text(client.get(reverse("premises:detail", args=[home.pk])))
    assert "100,250" in page


def test_unfollow_from_the_page(client, alice, home):
    login(client, alice)
    r = client.post(reverse("premises:unfollow", args=[home.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("premises:mine")
    assert not HouseFollow.objects.filter(user=alice).exists()
    # and then it is a stranger's house
    assert client.get(reverse("premises:detail", args=[home.pk])).status_code == 404


def test_unfollow_needs_post(client, alice, home):
    login(client, alice)
    assert client.get(reverse("premises:unfollow", args=[home.pk])).status_code == 405
    assert HouseFollow.objects.filter(user=alice).exists()


# --- access --------------------------------------------------------------------------


def test_owner_200_stranger_404_staff_200_anonymous_to_login(client, alice, charlie, staff, home):
    url = reverse("premises:detail", args=[home.pk])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("identity:login"))
    login(client, alice)
    assert client.get(url).status_code == 200
    client.logout()
    login(client, charlie)
    assert client.get(url).status_code == 404
    assert client.post(reverse("premises:unfollow", args=[home.pk])).status_code == 404
    assert HouseFollow.objects.filter(user=alice, house=home).exists()
    client.logout()
    login(client, staff)
    page = text(client.get(url))
    assert "УУТЭ-1001" in page and "Не следить за домом" not in page


def test_anonymous_to_login_everywhere(client, home):
    for url in (reverse("premises:mine"), reverse("premises:add")):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("identity:login"))


def test_missing_house_is_404_for_staff_too(client, staff):
    login(client, staff)
    assert client.get(reverse("premises:detail", args=[987654])).status_code == 404


# --- query count ---------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_house_page_queries_do_not_grow_with_meters_and_months(client, alice):
    small, big = f.house("1"), f.house("2")
    f.meter(small, "M-1", months=12)
    f.debt(small)
    for i in range(3):
        bm = f.meter(big, f"M-B{i}", months=24)
        for channel in (Channel.Q_GCAL, Channel.T1_C):  # an ИСУ archive to link to
            interval_series_get_or_create(building_meter=bm, channel=channel)
    for m in range(1, 13):
        f.debt(big, date(2025, m, 1))
    f.follow(alice, small)
    f.follow(alice, big)
    login(client, alice)
    small_url = reverse("premises:detail", args=[small.pk])
    big_url = reverse("premises:detail", args=[big.pk])
    _queries(client, small_url)  # warm the session
    n_small = _queries(client, small_url)
    n_big = _queries(client, big_url)
    assert n_small == n_big, (n_small, n_big)
    # session and user, house, meters, months, debts, follow; the header's unread counts
    assert n_big <= 13
    page = text(client.get(big_url))
    assert page.count("<tr>") >= 3 * 24 + 12
    assert page.count("Почасовой и суточный архив узла учёта") == 3


def test_house_page_links_a_meter_with_series_to_its_archive(client, alice):
    h = f.house("3")
    with_series, without = f.meter(h, "M-ISU"), f.meter(h, "M-OLD")
    interval_series_get_or_create(building_meter=with_series, channel=Channel.Q_GCAL)
    f.follow(alice, h)
    login(client, alice)
    page = text(client.get(reverse("premises:detail", args=[h.pk])))
    assert reverse("metering:building_meter_archive", args=[with_series.pk]) in page
    assert reverse("metering:building_meter_archive", args=[without.pk]) not in page
