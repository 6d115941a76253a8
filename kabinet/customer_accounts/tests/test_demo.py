"""The demo leaves one request in the operator's queue (000 §2.3.1)."""

import pytest
from django.core.management import call_command

from kabinet.customer_accounts.demo import REQUEST_ACCOUNT
from kabinet.customer_accounts.models import AccountLinkRequest
from kabinet.identity.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_resident_waits_for_an_operator(client, uploads_dir):
    call_command("demo_data", quiet=True)
    row = AccountLinkRequest.objects.get()
    assert (row.user.email, row.number, row.status) == (
        "resident@example.ru",
        REQUEST_ACCOUNT,
        "pending",
    )
    assert row.account.number == REQUEST_ACCOUNT and row.account.owner is None
    client.force_login(User.objects.get(login="operator"))
    assert REQUEST_ACCOUNT in client.get("/staff/accounts/requests/").content.decode()
