"""The cabinet's start page."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_new_resident_is_shown_where_to_start(client, alice):
    from conftest import PASSWORD

    client.post("/login/", {"identifier": alice.email, "password": PASSWORD})
    page = client.get("/").content.decode()
    assert "С чего начать" in page
    assert "/accounts/add/" in page and "/houses/add/" in page


def test_the_start_page_shows_what_is_left_to_pay_on_each_account(
    client, alice, django_assert_max_num_queries
):
    from django.utils import timezone

    from conftest import PASSWORD
    from kabinet.core.money import add_months, period_of
    from kabinet.customer_accounts.tests.factories import account, charge, payment

    last = add_months(period_of(timezone.localdate()), -1)
    owing = account(owner=alice, number="100000001", flat="1")
    charge(owing, last, 412345)
    ahead = account(owner=alice, number="100000002", flat="2")
    charge(ahead, last, 100000)
    payment(ahead, last, 150000)
    client.post("/login/", {"identifier": alice.email, "password": PASSWORD})
    page = client.get("/").content.decode()
    assert "К оплате: <strong>4\u00a0123,45\u00a0₽</strong>" in page
    assert "Переплата: <strong>500,00\u00a0₽</strong>" in page
    with django_assert_max_num_queries(20) as few:
        client.get("/")
    for n in range(3, 8):
        charge(account(owner=alice, number=f"10000000{n}", flat=str(n)), last, 1000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
