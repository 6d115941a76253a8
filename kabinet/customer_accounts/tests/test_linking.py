"""Linking a personal account to a cabinet: proof, tries, one account one cabinet."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kabinet.core.errors import DomainError
from kabinet.customer_accounts import services
from kabinet.customer_accounts.models import AccountLinkEvent
from kabinet.customer_accounts.services import ActivationCodeProof, LastPaymentProof
from kabinet.customer_accounts.tests.factories import account, payment

pytestmark = pytest.mark.django_db

PROOF = LastPaymentProof(amount=Decimal("2345.60"), paid_on=date(2026, 10, 14))


@pytest.fixture
def acc():
    a = account()
    payment(a, date(2026, 9, 10), 100000)
    payment(a, date(2026, 10, 14), 234560)
    return a


def test_link_by_the_last_payment(alice, acc):
    linked = services.account_link(user=alice, number="100000001", proof=PROOF)
    assert linked.owner == alice
    assert AccountLinkEvent.objects.get(account=acc).proof == "last_payment"


@pytest.mark.parametrize(
    "proof",
    [
        LastPaymentProof(amount=Decimal("2345.61"), paid_on=date(2026, 10, 14)),
        LastPaymentProof(amount=Decimal("2345.60"), paid_on=date(2026, 10, 13)),
        LastPaymentProof(amount=Decimal("1000.00"), paid_on=date(2026, 9, 10)),  # not the last
    ],
)
def test_wrong_proof_says_not_found_and_counts_tries(alice, acc, proof):
    with pytest.raises(DomainError) as exc:
        services.account_link(user=alice, number="100000001", proof=proof)
    assert "не найден" in exc.value.message and "Осталось 4 попытки." in exc.value.message
    acc.refresh_from_db()
    assert acc.owner is None


def test_unknown_number_reads_the_same_as_wrong_proof(alice, acc):
    with pytest.raises(DomainError) as exc:
        services.account_link(user=alice, number="999999999", proof=PROOF)
    assert exc.value.code == "not_found"


def test_tries_run_out_then_even_the_right_proof_waits(alice, acc):
    wrong = LastPaymentProof(amount=Decimal("1"), paid_on=date(2026, 10, 14))
    messages = []
    for _ in range(5):
        with pytest.raises(DomainError) as exc:
            services.account_link(user=alice, number="100000001", proof=wrong)
        messages.append(exc.value.message)
    assert "Осталась 1 попытка." in messages[3]
    assert "Попытки исчерпаны" in messages[4]
    with pytest.raises(DomainError) as exc:
        services.account_link(user=alice, number="100000001", proof=PROOF)
    assert exc.value.code == "locked"


def test_an_account_of_another_cabinet_is_refused_without_revealing_it(alice, charlie, acc):
    services.account_link(user=charlie, number="100000001", proof=PROOF)
    with pytest.raises(DomainError) as exc:
        services.account_link(user=alice, number="100000001", proof=PROOF)
    assert exc.value.code == "taken"
    assert "поддержку" in exc.value.message
    assert "charlie" not in exc.value.message.lower() and "Чарли" not in exc.value.message
    acc.refresh_from_db()
    assert acc.owner == charlie


def test_linking_twice_says_it_is_already_there(alice, acc):
    services.account_link(user=alice, number="100000001", proof=PROOF)
    with pytest.raises(DomainError) as exc:
        services.account_link(user=alice, number="100000001", proof=PROOF)
    assert exc.value.code == "already"


def test_activation_code_valid_three_months(alice, acc):
    today = date(2026, 11, 23)
    code = services.activation_code_issue(account=acc, today=today)
    with pytest.raises(DomainError):
        services.account_link(
            user=alice,
            number="100000001",
            proof=ActivationCodeProof(code=code),
            today=today + timedelta(days=93),
        )
    linked = services.account_link(
        user=alice, number="100000001", proof=ActivationCodeProof(code=code.lower()), today=today
    )
    assert linked.owner == alice


def test_unlink(alice, charlie, acc):
    services.account_link(user=alice, number="100000001", proof=PROOF)
    with pytest.raises(DomainError):
        services.account_unlink(user=charlie, account=acc)
    services.account_unlink(user=alice, account=acc)
    acc.refresh_from_db()
    assert acc.owner is None
    assert list(AccountLinkEvent.objects.values_list("action", flat=True)) == ["unlinked", "linked"]


# --- 002 §4.7.2: by the contract number and one of its meters ------------------------


@pytest.fixture
def contract(acc):
    from kabinet.metering.tests.factories import meter

    meter(acc, number="720021")
    meter(acc, number="РИМ-614 00017")
    return acc


@pytest.mark.parametrize("typed", ["720021", " 720 021 ", "рим-61400017"])
def test_link_by_any_meter_of_the_contract(alice, contract, typed):
    linked = services.account_link(
        user=alice, number="100000001", proof=services.MeterNumberProof(meter_number=typed)
    )
    assert linked.owner == alice
    assert set(linked.meters.values_list("number", flat=True)) == {"720021", "РИМ-614 00017"}
    assert AccountLinkEvent.objects.get(account=contract).proof == "meter_number"


def test_meter_of_another_contract_is_not_found(alice, charlie, contract):
    from kabinet.customer_accounts.tests.factories import account as make_account
    from kabinet.metering.tests.factories import meter

    other = make_account(number="100000002", flat="2")
    meter(other, number="999111")
    with pytest.raises(DomainError) as exc:
        services.account_link(
            user=alice, number="100000001", proof=services.MeterNumberProof(meter_number="999111")
        )
    assert exc.value.code == "not_found"
    assert "Договор с таким счётчиком не найден" in exc.value.message
    contract.refresh_from_db()
    assert contract.owner is None


def test_contract_taken_by_another_cabinet_points_to_support(alice, charlie, contract):
    proof = services.MeterNumberProof(meter_number="720021")
    services.account_link(user=charlie, number="100000001", proof=proof)
    with pytest.raises(DomainError) as exc:
        services.account_link(user=alice, number="100000001", proof=proof)
    assert exc.value.code == "taken"
    assert "уже добавлены в другой личный кабинет" in exc.value.message
    assert charlie.email not in exc.value.message
