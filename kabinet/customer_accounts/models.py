"""Лицевые счета (personal accounts) and linking them to a cabinet.

One account belongs to at most one cabinet (000 §2.2.1); one cabinet holds many.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.core.access import OwnedQuerySet
from kabinet.premises.models import Premises


class PersonalAccountQuerySet(OwnedQuerySet):
    owner_lookup = "owner"


class PersonalAccount(models.Model):
    """Лицевой счёт: the utility's account for one premises, with its holder."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("номер лицевого счёта"), max_length=20, unique=True)
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="accounts")
    holder_last_name = models.CharField(_("фамилия владельца"), max_length=100)
    holder_first_name = models.CharField(_("имя владельца"), max_length=100)
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
