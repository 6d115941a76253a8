"""The demo's third account can be added with what the README and the demo print."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from kabinet.customer_accounts import services
from kabinet.identity.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    call_command("demo_data", quiet=True)
    return User.objects.get(email="resident@example.ru")


@pytest.mark.parametrize(
    "proof",
    [
        services.LastPaymentProof(amount=Decimal("2345.60"), paid_on=date(2026, 10, 14)),
        services.ActivationCodeProof(code="TEST-2345"),
        services.MeterNumberProof(meter_number="ГВС-000003"),
    ],
)
def test_the_printed_proofs_add_the_free_account(resident, proof):
    account = services.account_link(user=resident, number="100000003", proof=proof)
    assert account.owner == resident
