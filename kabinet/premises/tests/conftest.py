import pytest

from conftest import PASSWORD
from kabinet.premises.tests import factories as f


@pytest.fixture
def registry(db):
    """SPb: Садовая 5; Садовая 7 корп. 1 and 2; улица Марата 10 лит. А and Б. Колпино too."""
    return {
        "sadovaya5": f.house("5"),
        "sadovaya7k1": f.house("7", building="1"),
        "sadovaya7k2": f.house("7", building="2"),
        "marata10a": f.house("10", street_name="улица Марата", letter="А"),
        "marata10b": f.house("10", street_name="улица Марата", letter="Б"),
        "nevsky": f.house("88", street_name="Невский проспект"),
        "kolpino": f.house("3", street_name="улица Труда", town="Колпино"),
    }


def login(client, user):
    identifier = user.email or user.login
    response = client.post("/login/", {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302
    return client
