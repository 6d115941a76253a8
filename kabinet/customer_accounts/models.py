"""Лицевые счета (personal accounts) and linking them to a cabinet.

One account belongs to at most one cabinet (000 §2.2.1); one cabinet holds many.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.core.access import OwnedQuerySet
from kabinet.premises.models import Premises


class PersonalAccountQuerySet(OwnedQuerySet):
    owner_lookup = "owner"

    def visible_to(self, user):
        """A resident's own accounts, and the settlement accounts of the contracts the
        user may see (those have no owner: they belong to their contract)."""
        if not user.is_authenticated or user.is_staff:
            return super().visible_to(user)
        from kabinet.contracts.models import Contract

        contracts = Contract.objects.visible_to(user).values("account_id")
        return self.filter(Q(owner=user) | Q(pk__in=contracts))

    def payable_by(self, user):
        """Accounts the user may pay and act on: their own, and the accounts of the
        contracts they hold full rights on."""
        if not user.is_authenticated or user.is_staff:
            return self.none()
        from kabinet.contracts.models import Contract

        contracts = Contract.objects.writable_by(user).values("account_id")
        return self.filter(Q(owner=user) | Q(pk__in=contracts))

    def residential(self):
        return self.filter(contract__isnull=True)


class PersonalAccount(models.Model):
    """Лицевой счёт: the utility's account for one premises, with its holder."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("номер лицевого счёта"), max_length=20, unique=True)
    # Empty only for a contract's settlement account (``contracts.Contract.account``).
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="accounts", null=True, blank=True
    )
    holder_last_name = models.CharField(_("фамилия владельца"), max_length=100, blank=True)
    holder_first_name = models.CharField(_("имя владельца"), max_length=100, blank=True)
    holder_middle_name = models.CharField(_("отчество владельца"), max_length=100, blank=True)
    services = models.CharField(_("услуги"), max_length=300, blank=True)
    # 004: the activation code printed on the receipt, stored as a keyed hash.
    activation_code_hash = models.CharField(max_length=128, blank=True)
    activation_code_valid_until = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_accounts",
        verbose_name=_("личный кабинет"),
    )
    linked_at = models.DateTimeField(_("привязан"), null=True, blank=True)

    objects = PersonalAccountQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("лицевой счёт")
        verbose_name_plural = _("лицевые счета")

    def __str__(self) -> str:
        return self.number

    @property
    def label(self) -> str:
        """«Лицевой счёт 100000001», or «Договор № 05 Т» for a contract's account."""
        from django.utils.translation import gettext

        if self.premises_id is None and hasattr(self, "contract"):
            return gettext("Договор № %(n)s") % {"n": self.contract.number}
        return gettext("Лицевой счёт %(n)s") % {"n": self.number}

    @property
    def where(self) -> str:
        """What the account is for: the premises' address or the contract's customer."""
        if self.premises_id is None and hasattr(self, "contract"):
            return self.contract.customer_name
        return self.premises.address if self.premises_id else ""

    @property
    def holder_masked(self) -> str:
        """ "Иванов И. И." — the holder's name as shown to the cabinet."""
        initials = " ".join(
            f"{n[0]}." for n in (self.holder_first_name, self.holder_middle_name) if n
        )
        return f"{self.holder_last_name} {initials}".strip()


class AccountLinkEvent(models.Model):
    """A linking of an account to a cabinet or its unlinking, kept for support and audit."""

    class Action(models.TextChoices):
        LINKED = "linked", _("привязан")
        UNLINKED = "unlinked", _("отвязан")

    account = models.ForeignKey(
        PersonalAccount, on_delete=models.CASCADE, related_name="link_events"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    proof = models.CharField(_("подтверждение"), max_length=32, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.account} {self.get_action_display()} {self.user}"


# The customers' private file storage lives with the appeals, whose models import
# PersonalAccount above; imported here, after it, so either app may load first.
from kabinet.appeals.models import upload_path, upload_storage  # noqa: E402


class AccountLinkRequestQuerySet(OwnedQuerySet):
    owner_lookup = "user"


class AccountLinkRequest(models.Model):
    """Заявка на привязку лицевого счёта (000 §2.3.1): a resident without the receipt's
    proof gives the account's number and the premises' details; an operator checks them
    and links the account to the cabinet or refuses, saying why."""

    class Status(models.TextChoices):
        PENDING = "pending", _("на рассмотрении")
        APPROVED = "approved", _("счёт привязан")
        REFUSED = "refused", _("отказано")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REFUSED},
        Status.APPROVED: set(),
        Status.REFUSED: set(),
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_link_requests"
    )
    number = models.CharField(_("номер лицевого счёта"), max_length=20)
    # The account with that number when the request was filed (or approved); empty when
    # there is none — staff then refuse with a reason.
    account = models.ForeignKey(
        PersonalAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="link_requests",
    )
    address = models.CharField(_("адрес помещения"), max_length=300)
    details = models.TextField(_("сведения о помещении"), max_length=1000, blank=True)
    holder_name = models.CharField(_("владелец счёта"), max_length=200)
    phone = models.CharField(_("телефон для связи"), max_length=16)
    document = models.FileField(
        storage=upload_storage, upload_to=upload_path, max_length=100, blank=True
    )
    document_name = models.CharField(_("документ"), max_length=120, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("причина отказа"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("подана"), default=timezone.now)
    due = models.DateField(_("рассмотреть до"))
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AccountLinkRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("заявка на привязку лицевого счёта")
        verbose_name_plural = _("заявки на привязку лицевых счетов")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "number"],
                condition=Q(status="pending"),
                name="account_link_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"
