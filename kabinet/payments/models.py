"""Онлайн-оплата: a payment made in the cabinet through a payment provider, split over
accounts and over what it pays (электроэнергия/тепло, пени, госпошлина); saved cards
and autopay. Every status change goes through ``services`` and writes a
``PaymentEvent``; every provider notification is kept as a ``ProviderEvent``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.core.access import OwnedQuerySet
from kabinet.customer_accounts.models import PersonalAccount


class OnlinePaymentQuerySet(OwnedQuerySet):
    owner_lookup = "user"


class OnlinePayment(models.Model):
    """Оплата в личном кабинете: one provider payment, for one or more accounts."""

    class Status(models.TextChoices):
        CREATED = "created", _("создан")
        PENDING = "pending", _("ожидает оплаты")
        SUCCEEDED = "succeeded", _("оплачен")
        CANCELED = "canceled", _("отменён")
        FAILED = "failed", _("не создан")

    # The only moves a payment may make (STYLE: one table, one transition function).
    TRANSITIONS = {
        Status.CREATED: {Status.PENDING, Status.SUCCEEDED, Status.CANCELED, Status.FAILED},
        Status.PENDING: {Status.SUCCEEDED, Status.CANCELED},
        Status.FAILED: {Status.PENDING, Status.SUCCEEDED, Status.CANCELED},
        Status.SUCCEEDED: set(),
        Status.CANCELED: set(),
    }
    FINAL = {Status.SUCCEEDED, Status.CANCELED}

    class Method(models.TextChoices):
        CARD = "card", _("банковская карта")
        SBP = "sbp", _("СБП")
        SAVED_CARD = "saved_card", _("сохранённая карта")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="online_payments"
    )
    provider = models.CharField(_("платёжная система"), max_length=20)
    provider_payment_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    method = models.CharField(_("способ"), max_length=12, choices=Method.choices)
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.CREATED
    )
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    receipt_email = models.EmailField(_("e-mail для чека"))
    save_card = models.BooleanField(_("сохранить карту"), default=False)
    confirmation_url = models.URLField(max_length=1000, blank=True)
    confirmation_data = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=300, blank=True)
    autopay = models.ForeignKey(
        "Autopay", on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    # Set in the same transaction as the ledger's rows: the ledger is credited once.
    credited_at = models.DateTimeField(null=True, blank=True)

    objects = OnlinePaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("онлайн-оплата")
        verbose_name_plural = _("онлайн-оплаты")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="online_payment_unique_provider_id",
            ),
            models.CheckConstraint(condition=Q(amount_kopecks__gt=0), name="online_payment_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount_kopecks / 100:.2f} ₽ ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class PaymentPart(models.Model):
    """What a payment pays on one account: energy (heat), penalties or the state fee."""

    class Purpose(models.TextChoices):
        ENERGY = "energy", _("за услуги")
        PENALTY = "penalty", _("пени")
        FEE = "fee", _("госпошлина")

    payment = models.ForeignKey(OnlinePayment, on_delete=models.CASCADE, related_name="parts")
    account = models.ForeignKey(PersonalAccount, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    amount_kopecks = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_kopecks__gt=0), name="payment_part_gt_0"),
            models.UniqueConstraint(
                fields=["payment", "account", "purpose"], name="payment_part_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.purpose} {self.amount_kopecks}"


class PaymentEvent(models.Model):
    """A payment's status change: from, to, when, why."""

    payment = models.ForeignKey(OnlinePayment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ProviderEvent(models.Model):
    """A notification as it came from the provider, kept whatever became of it."""

    provider = models.CharField(max_length=20)
    event = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    payment = models.ForeignKey(
        OnlinePayment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["provider", "object_id"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.event} {self.object_id}"


class SavedCard(models.Model):
    """Моя карта (000 §2.2.6.5): the provider's token and the masked number; never the
    card number itself."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_cards"
    )
    provider = models.CharField(max_length=20)
    method_id = models.CharField(max_length=64)
    title = models.CharField(_("карта"), max_length=60)
    expiry = models.CharField(_("действует до"), max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider", "method_id"], name="saved_card_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Autopay(models.Model):
    """Автоплатёж (000 §2.2.6.5): each month on a day, what is left to pay on the
    account, up to a ceiling, from a saved card; for one year, cancellable any time."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("действует")
        CANCELLED = "cancelled", _("отменён")
        STOPPED = "stopped", _("остановлен: карта не прошла")
        EXPIRED = "expired", _("истёк срок")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    account = models.ForeignKey(PersonalAccount, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(SavedCard, on_delete=models.PROTECT, related_name="autopays")
    day = models.PositiveSmallIntegerField(_("число месяца"))
    ceiling_kopecks = models.BigIntegerField(_("не больше, коп."))
    valid_until = models.DateField(_("действует до"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_period = models.DateField(null=True, blank=True)  # the month it last ran for
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="active"),
                name="autopay_one_active_per_account",
            ),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=28), name="autopay_day"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.day}"


class TestProviderPayment(models.Model):
    """The demo's test provider's own record of a payment (as a real provider keeps it
    on its side). Used only with ``KABINET_PAYMENT_PROVIDER=test``."""

    id = models.CharField(primary_key=True, max_length=40)
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount_kopecks = models.BigIntegerField()
    method = models.CharField(max_length=12)
    status = models.CharField(max_length=20, default="pending")
    return_url = models.CharField(max_length=1000, blank=True)
    save_method = models.BooleanField(default=False)
    method_id = models.CharField(max_length=64, blank=True)
    card_title = models.CharField(max_length=60, blank=True)
    card_expiry = models.CharField(max_length=10, blank=True)
    cancellation_reason = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict)
    receipt = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("платёж тестовой платёжной системы")
        verbose_name_plural = _("платежи тестовой платёжной системы")

    def __str__(self) -> str:
        return self.id
