"""Online payment as a state machine (hypothesis): random sequences of creates, double
submits, retries, provider outages, the provider's own decisions, notifications that
come late, twice, out of order or forged, status pages and reconciliation, and after
every step every account is credited exactly what the provider says succeeded, once.

The machine keeps a model of what the portal must know: for each payment, which
provider payment it is linked to and the provider's state the portal last heard
(fetched when creating, on the status page, on a notification, in reconciliation).
The test provider's own table (``TestProviderPayment``) is the provider's truth; the
machine changes it directly, as the provider's card and SBP pages do, and queues the
notification the provider would send. Each example runs in its own savepoint inside
pytest-django's test transaction and is rolled back in ``teardown``.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kabinet.billing.models import Payment as LedgerPayment
from kabinet.core.errors import DomainError
from kabinet.customer_accounts.tests.factories import account
from kabinet.payments import services
from kabinet.payments.models import (
    OnlinePayment,
    PaymentEvent,
    ProviderEvent,
    TestProviderPayment,
)
from kabinet.payments.providers.base import NotificationRejected, ProviderError
from kabinet.payments.providers.test_provider import TestProvider

S = OnlinePayment.Status
PURPOSES = ["energy", "penalty", "fee"]
LOCAL, STRANGER = "127.0.0.1", "203.0.113.5"
EVENTS = ["payment.succeeded", "payment.canceled", "payment.waiting_for_capture"]
UNKNOWN_IDS = ["test_unknown", "test_" + "x" * 90]  # the second longer than any column
BAD_IDS = ["", 12345, None]  # not a payment id at all: refused

MACHINE_SETTINGS = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


class Outage:
    """The test provider's next call fails (retryable), as a real one does on a timeout:
    ``before`` the request reached it, or ``after`` it made the payment but its answer
    was lost; ``fetch``: asking about a payment fails."""

    create: str | None = None
    fetch: bool = False


def _flaky_create(original):
    def create_payment(self, **kwargs):
        mode, Outage.create = Outage.create, None
        if mode == "before":
            raise ProviderError("connect timeout", retryable=True, code="timeout")
        remote = original(self, **kwargs)
        if mode == "after":
            raise ProviderError("read timeout", retryable=True, code="timeout")
        return remote

    return create_payment


def _flaky_get(original):
    def get_payment(self, payment_id):
        fail, Outage.fetch = Outage.fetch, False
        if fail:
            raise ProviderError("read timeout", retryable=True, code="timeout")
        return original(self, payment_id)

    return get_payment


@dataclass
class Model:
    """What the portal must know about one payment (one idempotency key)."""

    key: str
    parts: list  # (account index, purpose, kopecks)
    provider_id: str = ""  # the provider payment the portal is linked to
    seen: str = ""  # the provider's status the portal last heard

    @property
    def status(self) -> str:
        if not self.provider_id:
            return S.FAILED  # every create that reached no answer is an outage here
        return services.PROVIDER_STATUS[self.seen]


parts_strategy = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(PURPOSES), st.integers(1, 500_000)),
    min_size=1,
    max_size=4,
    unique_by=lambda p: (p[0], p[1]),
)
outages = st.sampled_from([None, None, None, "before", "after"])
picks = st.integers(0, 1000)


class PaymentMachine(RuleBasedStateMachine):
    # Set by the test: the customer, her three accounts, and a stranger.
    world: dict = {}

    keys = Bundle("keys")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.user = self.world["alice"]
        self.stranger = self.world["charlie"]
        self.accounts = self.world["accounts"]
        self.model: dict[str, Model] = {}
        self.outbox: list[tuple[str, str]] = []  # notifications the provider has yet to send
        self.sent: list[tuple[str, str]] = []  # and those it has sent
        self.finals: dict[str, str] = {}  # key → the final status it reached
        self.n = 0

    def teardown(self):
        Outage.create, Outage.fetch = None, False
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the model --------------------------------------------------------------------

    def _remote(self, key: str) -> TestProviderPayment | None:
        return TestProviderPayment.objects.filter(idempotency_key=key).first()

    def _payment(self, key: str) -> OnlinePayment:
        return OnlinePayment.objects.get(idempotency_key=key)

    def _heard_create(self, m: Model, outage: str | None) -> None:
        """``payment_start`` ran: the provider was asked only if the payment has no
        provider payment yet; it answered unless it was down."""
        if m.provider_id or outage:
            return
        remote = self._remote(m.key)
        m.provider_id, m.seen = remote.id, remote.status

    def _heard_fetch(self, m: Model) -> None:
        """``payment_sync`` ran: it asks the provider unless the payment is unlinked or
        already succeeded."""
        if m.provider_id and m.status != S.SUCCEEDED:
            remote = self._remote(m.key)
            assert remote.id == m.provider_id
            m.seen = remote.status

    def _parts(self, parts) -> list[services.PartInput]:
        return [services.PartInput(self.accounts[i], p, k) for i, p, k in parts]

    # --- the customer -----------------------------------------------------------------

    @rule(
        target=keys, parts=parts_strategy, method=st.sampled_from(["card", "sbp"]), outage=outages
    )
    def create(self, parts, method, outage):
        key = f"k{self.n:03d}"
        self.n += 1
        Outage.create = outage
        payment = services.payment_create(
            user=self.user,
            parts=self._parts(parts),
            method=method,
            receipt_email="alice@example.ru",
            idempotency_key=key,
        )
        Outage.create = None
        m = self.model[key] = Model(key=key, parts=parts)
        self._heard_create(m, outage)
        assert payment.idempotency_key == key and payment.status == m.status
        assert payment.amount_kopecks == sum(k for _i, _p, k in parts)
        if outage == "after":
            assert self._remote(key) is not None  # the provider made it: an orphan
        return key

    @rule(key=keys, parts=parts_strategy, outage=outages)
    def double_submit(self, key, parts, outage):
        """The same form again (a double click, the back button): the same payment,
        whatever the amounts now say; a payment that failed is tried again."""
        m = self.model[key]
        count = OnlinePayment.objects.count()
        Outage.create = outage
        payment = services.payment_create(
            user=self.user,
            parts=self._parts(parts),
            method="card",
            receipt_email="alice@example.ru",
            idempotency_key=key,
        )
        Outage.create = None
        self._heard_create(m, outage)
        assert payment.idempotency_key == key and OnlinePayment.objects.count() == count
        stored = sorted(payment.parts.values_list("account_id", "purpose", "amount_kopecks"))
        assert stored == sorted((self.accounts[i].pk, p, k) for i, p, k in m.parts)

    @rule(key=keys)
    def stranger_reuses_a_key(self, key):
        with pytest.raises(DomainError):
            services.payment_create(
                user=self.stranger,
                parts=[],
                method="card",
                receipt_email="charlie@example.ru",
                idempotency_key=key,
            )

    @rule(key=keys, outage=outages)
    def retry(self, key, outage):
        """«Попробовать ещё раз» on the payment's page."""
        m = self.model[key]
        Outage.create = outage
        services.payment_start(payment=self._payment(key))
        Outage.create = None
        self._heard_create(m, outage)

    @rule(key=keys, down=st.booleans())
    def status_page(self, key, down):
        m = self.model[key]
        Outage.fetch = down
        services.payment_sync(payment=self._payment(key), note="status page")
        Outage.fetch = False
        if not down:
            self._heard_fetch(m)

    @precondition(lambda self: self.model)
    @rule(minutes=st.sampled_from([0, 1, 3, 60, 4 * 24 * 60]))
    def reconcile(self, minutes):
        now = timezone.now() + timedelta(minutes=minutes)
        changed = 0
        for m in self.model.values():
            if not m.provider_id or m.status not in (S.CREATED, S.PENDING):
                continue
            created = self._payment(m.key).created_at
            if now - services.RECONCILE_UNTIL <= created <= now - services.RECONCILE_AFTER:
                before = m.status
                self._heard_fetch(m)
                changed += m.status != before
        assert services.payments_reconcile(now=now) == changed

    # --- the provider -----------------------------------------------------------------

    @precondition(lambda self: self.model)
    @rule(pick=picks, paid=st.booleans())
    def provider_settles(self, pick, paid):
        """The payer pays or refuses at the provider (its card or SBP page), or the
        provider cancels an abandoned payment; the provider queues its notification.
        A payment whose answer was lost may be settled too (the provider took the money
        though the portal never heard back)."""
        pending = list(
            TestProviderPayment.objects.filter(status="pending").order_by("idempotency_key")
        )
        if not pending:
            return
        remote = pending[pick % len(pending)]
        if paid:
            remote.status = "succeeded"
            if remote.method == "card":
                remote.method_id = f"test_pm_{remote.id[5:17]}"
                remote.card_title = "Visa •••• 4242"
                remote.card_expiry = "12/2030"
        else:
            remote.status = "canceled"
            remote.cancellation_reason = "canceled_by_payer"
        remote.save()
        self.outbox.append((f"payment.{remote.status}", remote.id))

    def _notify(self, event, object_id, addr=LOCAL) -> None:
        before = ProviderEvent.objects.count()
        body = json.dumps({"type": "notification", "event": event, "object": {"id": object_id}})
        if addr != LOCAL or not isinstance(object_id, str) or not object_id:
            with pytest.raises(NotificationRejected):
                services.notification_receive(
                    provider_name="test", body=body.encode(), remote_addr=addr
                )
        else:
            outcome = services.notification_receive(
                provider_name="test", body=body.encode(), remote_addr=addr
            )
            linked = [m for m in self.model.values() if m.provider_id == object_id]
            orphans = [
                m
                for m in self.model.values()
                if not m.provider_id and getattr(self._remote(m.key), "id", None) == object_id
            ]
            if linked:
                self._heard_fetch(linked[0])
            elif orphans:  # the answer to its creation was lost: the notice links it
                remote = self._remote(orphans[0].key)
                orphans[0].provider_id, orphans[0].seen = remote.id, remote.status
            else:
                assert outcome == "unknown payment"
        assert ProviderEvent.objects.count() == before + 1  # every notification is kept

    @precondition(lambda self: self.outbox)
    @rule(pick=picks)
    def deliver(self, pick):
        """The provider sends one of its queued notifications: any of them, so they
        arrive out of order."""
        notice = self.outbox.pop(pick % len(self.outbox))
        self.sent.append(notice)
        self._notify(*notice)

    @precondition(lambda self: self.sent)
    @rule(pick=picks)
    def deliver_again(self, pick):
        """A notification sent before comes again (a repeat, or an old one after a
        newer)."""
        self._notify(*self.sent[pick % len(self.sent)])

    @precondition(lambda self: self.model)
    @rule(
        pick=picks,
        event=st.sampled_from(EVENTS),
        addr=st.sampled_from([LOCAL, LOCAL, LOCAL, STRANGER]),
    )
    def forged(self, pick, event, addr):
        """A notification that claims anything about any payment (or about none)."""
        ids = list(
            TestProviderPayment.objects.order_by("idempotency_key").values_list("id", flat=True)
        )
        choices = ids + UNKNOWN_IDS + BAD_IDS
        self._notify(event, choices[pick % len(choices)], addr)

    @precondition(lambda self: self.outbox)
    @rule()
    def settle(self):
        """Everything the provider has to say arrives, and then the job runs."""
        while self.outbox:
            notice = self.outbox.pop(0)
            self.sent.append(notice)
            self._notify(*notice)
        self.reconcile(minutes=5)

    # --- invariants (after every step, on one snapshot of the tables) ------------------

    @invariant()
    def the_portal_agrees_with_the_provider(self):
        payments = {p.idempotency_key: p for p in OnlinePayment.objects.prefetch_related("parts")}
        remotes = {r.idempotency_key: r for r in TestProviderPayment.objects.all()}
        assert payments.keys() == self.model.keys()
        self.check_each_payment_is_what_the_portal_heard(payments, remotes)
        self.check_the_ledger_holds_each_success_once(payments)
        self.check_once_all_is_said_every_success_is_credited(payments, remotes)
        self.check_the_history_is_a_chain_of_allowed_moves(payments)

    def check_each_payment_is_what_the_portal_heard(self, payments, remotes):
        for key, m in self.model.items():
            p = payments[key]
            assert (p.status, p.provider_payment_id) == (m.status, m.provider_id), key
            assert (p.credited_at is not None) == (p.status == S.SUCCEEDED), key
            assert (p.succeeded_at is not None) == (p.status == S.SUCCEEDED), key
            # A stale error never sits beside a payment that is going on fine.
            assert bool(p.error) == (p.status == S.FAILED), (key, p.status, p.error)
            if p.status == S.SUCCEEDED:  # nothing succeeds that the provider has not
                assert remotes[key].status == "succeeded", key
            if key in self.finals:  # a final state is never left
                assert p.status == self.finals[key], f"{key} left {self.finals[key]}"
            elif p.status in OnlinePayment.FINAL:
                self.finals[key] = p.status

    def check_the_ledger_holds_each_success_once(self, payments):
        expected = sorted(
            (part.account_id, f"online:{p.uuid}", part.purpose, part.amount_kopecks)
            for p in payments.values()
            if p.status == S.SUCCEEDED
            for part in p.parts.all()
        )
        rows = sorted(
            LedgerPayment.objects.filter(channel="online").values_list(
                "account_id", "external_id", "purpose", "amount_kopecks"
            )
        )
        assert rows == expected  # each part of each success once, nothing else
        # Per account: what the provider says succeeded and the portal has heard of.
        credited: dict[int, int] = {}
        for account_id, _source, _purpose, kopecks in rows:
            credited[account_id] = credited.get(account_id, 0) + kopecks
        for index, acc in enumerate(self.accounts):
            owed = sum(
                k
                for m in self.model.values()
                if m.provider_id and m.seen == "succeeded"
                for i, _p, k in m.parts
                if i == index
            )
            assert credited.get(acc.pk, 0) == owed, acc.number

    def check_once_all_is_said_every_success_is_credited(self, payments, remotes):
        """With no notification left to come, the portal agrees with the provider on
        every payment: what succeeded there is credited here, what was cancelled there
        is cancelled here."""
        if self.outbox:
            return
        for key, remote in remotes.items():
            if remote.status != "pending":
                p = payments[key]
                assert (p.status, p.provider_payment_id) == (
                    services.PROVIDER_STATUS[remote.status],
                    remote.id,
                ), key

    def check_the_history_is_a_chain_of_allowed_moves(self, payments):
        chains: dict[int, list[tuple[str, str]]] = {}
        for pk, a, b in PaymentEvent.objects.order_by("payment_id", "id").values_list(
            "payment_id", "from_status", "to_status"
        ):
            chains.setdefault(pk, []).append((a, b))
        for payment in payments.values():
            chain = chains[payment.pk]
            assert chain[0] == ("", S.CREATED), chain
            for (_a, to), (frm, nxt) in zip(chain, chain[1:], strict=False):
                assert frm == to and nxt in OnlinePayment.TRANSITIONS[frm], chain
            assert chain[-1][1] == payment.status, chain


@pytest.mark.django_db
def test_every_account_is_credited_what_succeeded_once(monkeypatch, settings, alice, charlie):
    settings.KABINET_PAYMENT_PROVIDER = "test"
    monkeypatch.setattr(TestProvider, "create_payment", _flaky_create(TestProvider.create_payment))
    monkeypatch.setattr(TestProvider, "get_payment", _flaky_get(TestProvider.get_payment))
    accounts = [account(owner=alice, number=f"30000000{i}", flat=str(i + 1)) for i in range(3)]
    monkeypatch.setattr(
        PaymentMachine, "world", {"alice": alice, "charlie": charlie, "accounts": accounts}
    )
    run_state_machine_as_test(PaymentMachine, settings=MACHINE_SETTINGS)


@pytest.mark.django_db
def test_an_autopay_whose_answer_was_lost_is_linked_and_never_charged_again(
    monkeypatch, settings, alice
):
    """The machine's lost answer, for the charge nobody watches: the provider took the
    money but the answer timed out. Its notification links and credits the payment;
    the next day's run must not charge the card again (a real provider's idempotency
    key has expired by then)."""
    from datetime import date

    from kabinet.customer_accounts.tests.factories import charge
    from kabinet.payments.models import SavedCard

    settings.KABINET_PAYMENT_PROVIDER = "test"
    today = date(2026, 11, 20)
    acc = account(owner=alice)
    charge(acc, date(2026, 10, 1), 412345)
    TestProviderPayment.objects.create(
        id="test_src",
        idempotency_key="src",
        amount_kopecks=100,
        method="card",
        status="succeeded",
        save_method=True,
        method_id="test_pm_src",
        card_title="Visa •••• 4242",
    )
    card = SavedCard.objects.create(
        user=alice, provider="test", method_id="test_pm_src", title="Visa •••• 4242"
    )
    services.autopay_set(
        user=alice, account=acc, card=card, day=20, ceiling_kopecks=300000,
        today=today - timedelta(days=5),
    )  # fmt: skip
    original, calls = TestProvider.charge_saved_method, []

    def answer_lost(self, **kwargs):
        calls.append(kwargs["idempotency_key"])
        remote = original(self, **kwargs)
        if len(calls) == 1:
            raise ProviderError("read timeout", retryable=True, code="timeout")
        return remote

    monkeypatch.setattr(TestProvider, "charge_saved_method", answer_lost)
    assert services.autopays_run(today=today) == 0
    payment = OnlinePayment.objects.get()
    assert (payment.status, payment.provider_payment_id) == (S.CREATED, "")
    remote = TestProviderPayment.objects.get(idempotency_key=payment.idempotency_key)
    assert remote.status == "succeeded"  # the card was charged

    body = json.dumps({"type": "notification", "event": "x.y", "object": {"id": remote.id}})
    services.notification_receive(provider_name="test", body=body.encode(), remote_addr=LOCAL)
    payment.refresh_from_db()
    assert (payment.status, payment.provider_payment_id, payment.error) == (
        S.SUCCEEDED,
        remote.id,
        "",
    )
    services.autopays_run(today=today + timedelta(days=1))
    assert len(calls) == 1  # not charged again
    assert list(LedgerPayment.objects.values_list("amount_kopecks", flat=True)) == [300000]
