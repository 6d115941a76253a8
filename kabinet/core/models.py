"""Журнал действий: the audit trail of every staff action and every change to a
customer's data (issue 9). Written only by ``kabinet.core.audit.audit_record``."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only")

    def delete(self):
        raise TypeError("The audit trail is append-only")


class AuditEntry(models.Model):
    """One line of the journal: who did what to which object, when, with the old and new
    value of every field changed. Rows are never changed or deleted: the model refuses,
    and a database trigger refuses an UPDATE (and on PostgreSQL a DELETE) from anywhere.

    People are referenced without a database constraint, so that a person's later
    removal keeps their lines; ``actor_label`` keeps the name they had then."""

    at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    # «Система» for imports and scheduled jobs (actor is empty then).
    actor_label = models.CharField(_("кто"), max_length=200)
    action = models.CharField(_("действие"), max_length=64, db_index=True)
    # Whose data it is: the customer's cabinet the action touched, when there is one.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("абонент"),
    )
    target_type = models.CharField(_("объект"), max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("объект"), max_length=300, blank=True)
    # {field: [old, new]}; a created object has old None, a deleted one new None.
    changes = models.JSONField(_("изменения"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("комментарий"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("запись журнала")
        verbose_name_plural = _("журнал действий")
        indexes = [
            models.Index(fields=["subject", "-at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.actor_label}: {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only")

    @property
    def label(self) -> str:
        from kabinet.core.audit import action_label

        return action_label(self.action)
