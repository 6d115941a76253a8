"""Лицевой счёт в деньгах: начисления, оплаты, пени. The ledger this issue starts and the
money issue extends. Every amount is integer kopecks; a period is the first of its month.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.customer_accounts.models import PersonalAccount


class Charge(models.Model):
    """Начисление: a service's amount for a period, with its volume and tariff."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("начисление")
        RECALCULATION = "recalc", _("перерасчёт")
        PENALTY = "penalty", _("пени")

    account = models.ForeignKey(PersonalAccount, on_delete=models.CASCADE, related_name="charges")
    period = models.DateField(_("период"))
    service = models.CharField(_("услуга"), max_length=100)
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.CHARGE)
    volume = models.DecimalField(_("объём"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("единица"), max_length=16, blank=True)
    tariff_kopecks = models.BigIntegerField(_("тариф, коп. за единицу"), null=True, blank=True)
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    reason = models.CharField(_("основание"), max_length=300, blank=True)

    class Meta:
        ordering = ["-period", "service"]
        verbose_name = _("начисление")
        verbose_name_plural = _("начисления")
        indexes = [models.Index(fields=["account", "period"])]

    def __str__(self) -> str:
        return f"{self.account} {self.period:%m.%Y} {self.service}"


class Payment(models.Model):
    """Оплата: money that reached the utility, on the date it was credited."""

    class Channel(models.TextChoices):
        BANK = "bank", _("банк")
        ONLINE = "online", _("онлайн в личном кабинете")
        POST = "post", _("почта")
        CASH = "cash", _("касса")

    account = models.ForeignKey(PersonalAccount, on_delete=models.CASCADE, related_name="payments")
    credited_on = models.DateField(_("дата поступления"))
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    channel = models.CharField(_("способ"), max_length=16, choices=Channel.choices)
    document = models.CharField(_("документ плательщика"), max_length=64, blank=True)

    class Meta:
        ordering = ["-credited_on", "-id"]
        verbose_name = _("оплата")
        verbose_name_plural = _("оплаты")
        indexes = [models.Index(fields=["account", "credited_on"])]

    def __str__(self) -> str:
        return f"{self.account} {self.credited_on:%d.%m.%Y}"
