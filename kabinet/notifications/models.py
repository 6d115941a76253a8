"""Уведомления: what the cabinet tells a customer (a notice inside the cabinet) and,
by the customer's choice per kind, by e-mail and SMS."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notice is about; the customer chooses the channels per kind."""

    OUTAGE = "outage", _("Отключения горячей воды и отопления")
    RECEIPT = "receipt", _("Новая квитанция")
    APPEAL = "appeal", _("Ответы на обращения")
    APPLICATION = "application", _("Статус заявок")
    READINGS = "readings", _("Приём показаний: начало и конец")
    PAYMENT = "payment", _("Результат оплаты и автоплатежа")
    NEWS = "news", _("Новости")
    CONTRACT = "contract", _("Договоры: добавление в кабинет и ответы куратора")
    CONSUMPTION = "consumption", _("Расход по данным ИСУ: прогноз, ночное потребление, нет данных")


# Where nothing was chosen yet: e-mail for what matters, SMS only for outages.
DEFAULTS = {
    Kind.OUTAGE: (True, True),
    Kind.RECEIPT: (True, False),
    Kind.APPEAL: (True, False),
    Kind.APPLICATION: (True, False),
    Kind.READINGS: (True, False),
    Kind.PAYMENT: (True, False),
    Kind.NEWS: (False, False),
    Kind.CONTRACT: (True, False),
    # Sent only for the alerts the customer switched on for a meter, so e-mail from the
    # start; SMS, as for every kind but outages, only when chosen.
    Kind.CONSUMPTION: (True, False),
}


class Notice(models.Model):
    """An уведомление inside the cabinet (the bell), kept whether or not it was also
    sent by e-mail or SMS."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # The same event never notifies twice (a retried task, a repeated import).
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    texted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notice_once"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A customer's choice of channels for one kind of notice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"
