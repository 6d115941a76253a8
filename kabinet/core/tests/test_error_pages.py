"""Unknown addresses get the portal's own page, in Russian."""

import pytest

pytestmark = pytest.mark.django_db


def test_not_found_is_the_portals_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert "На главную" in page
