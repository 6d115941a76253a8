"""The cabinet's start page."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_new_resident_is_shown_where_to_start(client, alice):
    from conftest import PASSWORD

    client.post("/login/", {"identifier": alice.email, "password": PASSWORD})
    page = client.get("/").content.decode()
    assert "С чего начать" in page
    assert "/accounts/add/" in page and "/houses/add/" in page
