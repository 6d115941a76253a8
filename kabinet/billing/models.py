"""Лицевой счёт в деньгах: тарифы, начисления, перерасчёты, пени, госпошлины, оплаты,
выставленные платёжные документы (квитанции) и их доставка. Every amount is integer
kopecks; a period is the first of its month. Every write goes through ``services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.customer_accounts.models import PersonalAccount

ZONE_CHOICES = [
    ("", _("без зон")),
    ("total", _("сутки")),
    ("day", _("день")),
    ("night", _("ночь")),
    ("peak", _("пик")),
    ("half_peak", _("полупик")),
]


class TariffQuerySet(models.QuerySet):
    def valid_on(self, day):
        """The tariffs in force on a day."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class Tariff(models.Model):
    """Тариф: the price of a unit of a service (in a zone of the day) from a date, with
    the норматив потребления used when there is no meter or no reading (001 Тарифы)."""

    class NormBasis(models.TextChoices):
        AREA = "m2", _("на 1 м² площади")
        PERSON = "person", _("на 1 зарегистрированного")

    service = models.CharField(_("услуга"), max_length=100)
    zone = models.CharField(_("зона суток"), max_length=10, choices=ZONE_CHOICES, blank=True)
    unit = models.CharField(_("единица"), max_length=16)
    price_kopecks = models.BigIntegerField(_("цена за единицу, коп."))
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True)
    norm = models.DecimalField(
        _("норматив в месяц"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    norm_basis = models.CharField(
        _("норматив считается"), max_length=8, choices=NormBasis.choices, blank=True
    )
    # 1..12 of the months the service is charged in ("" = every month): heating is seasonal.
    months = models.CharField(_("месяцы начисления"), max_length=40, blank=True)
    basis_document = models.CharField(_("основание"), max_length=200, blank=True)

    objects = TariffQuerySet.as_manager()

    class Meta:
        ordering = ["service", "zone", "-valid_from"]
        verbose_name = _("тариф")
        verbose_name_plural = _("тарифы")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "zone", "valid_from"], name="tariff_unique_start"
            ),
            models.CheckConstraint(condition=Q(price_kopecks__gte=0), name="tariff_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.zone} с {self.valid_from:%d.%m.%Y}"

    def charged_in(self, period) -> bool:
        return not self.months or str(period.month) in self.months.split(",")


class Charge(models.Model):
    """Начисление: a service's amount for a period, with its volume and tariff. A
    перерасчёт is its own row with a reason; пени carry their base and daily rate."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("начисление")
        RECALCULATION = "recalc", _("перерасчёт")
        PENALTY = "penalty", _("пени")
        FEE = "fee", _("госпошлина")

    account = models.ForeignKey(PersonalAccount, on_delete=models.CASCADE, related_name="charges")
    period = models.DateField(_("период"))
    service = models.CharField(_("услуга"), max_length=100)
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.CHARGE)
    volume = models.DecimalField(_("объём"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("единица"), max_length=16, blank=True)
    tariff_kopecks = models.BigIntegerField(_("тариф, коп. за единицу"), null=True, blank=True)
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    reason = models.CharField(_("основание"), max_length=300, blank=True)
    zone = models.CharField(_("зона суток"), max_length=10, choices=ZONE_CHOICES, blank=True)
    base_kopecks = models.BigIntegerField(_("база для пени, коп."), null=True, blank=True)
    rate = models.DecimalField(
        _("ставка пени в день"), max_digits=10, decimal_places=8, null=True, blank=True
    )
    # Made by the portal's own accrual run (not loaded from billing): a re-run replaces it.
    accrued = models.BooleanField(_("начислено порталом"), default=False)

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
    # What the money pays (004: energy, penalties, state fee), and the source's own id
    # (an online payment's): the same source never enters the ledger twice.
    purpose = models.CharField(
        _("назначение"),
        max_length=8,
        choices=[("energy", _("за услуги")), ("penalty", _("пени")), ("fee", _("госпошлина"))],
        default="energy",
    )
    external_id = models.CharField(_("идентификатор источника"), max_length=80, blank=True)
    # Who paid it in the cabinet (online payments): on an organisation's contract,
    # colleagues see which of them paid.
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("оплатил в кабинете"),
    )
    paid_document = models.ForeignKey(
        "IssuedDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("оплаченный документ"),
    )

    class Meta:
        ordering = ["-credited_on", "-id"]
        verbose_name = _("оплата")
        verbose_name_plural = _("оплаты")
        indexes = [models.Index(fields=["account", "credited_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id", "purpose"],
                condition=~Q(external_id=""),
                name="payment_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.credited_on:%d.%m.%Y}"


class IssuedDocument(models.Model):
    """Выставленный платёжный документ: a monthly квитанция (or, for contracts, a счёт
    or счёт-фактура). Its ``snapshot`` freezes what it said when issued, so the PDF
    reads the same whatever is corrected later; a re-issue replaces the snapshot."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("квитанция")
        INVOICE = "invoice", _("счёт на оплату")
        INVOICE_FACTURA = "factura", _("счёт-фактура")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        "customer_accounts.PersonalAccount", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices, default=Kind.RECEIPT)
    number = models.CharField(_("номер"), max_length=40)
    period = models.DateField(_("период"))
    issued_on = models.DateField(_("дата"))
    charged_kopecks = models.BigIntegerField(_("начислено, коп."))
    amount_kopecks = models.BigIntegerField(_("к оплате, коп."))
    snapshot = models.JSONField(_("содержание"))

    class Meta:
        ordering = ["-period", "kind"]
        verbose_name = _("платёжный документ")
        verbose_name_plural = _("платёжные документы")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "period"], name="document_unique_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number}"


class ReceiptDelivery(models.Model):
    """Настройка получения квитанций (004): paper, or the PDF by e-mail, per account."""

    account = models.OneToOneField(
        "customer_accounts.PersonalAccount", on_delete=models.CASCADE, related_name="delivery"
    )
    paperless = models.BooleanField(_("квитанции в электронном виде"), default=False)
    email = models.EmailField(_("e-mail для квитанций"), blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("доставка квитанций")
        verbose_name_plural = _("доставка квитанций")

    def __str__(self) -> str:
        return f"{self.account}: {self.email if self.paperless else 'бумага'}"


class ReceiptMailing(models.Model):
    """One e-mailing of an issued document to one address: sent once (unique), retried
    on failure, and every failure kept for staff to see."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("ошибка отправки")

    document = models.ForeignKey(IssuedDocument, on_delete=models.CASCADE, related_name="mailings")
    email = models.EmailField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("отправка квитанции")
        verbose_name_plural = _("отправки квитанций")
        constraints = [
            models.UniqueConstraint(fields=["document", "email"], name="mailing_once_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.email}"


class BillingRun(models.Model):
    """A staff-started batch job over every account: the month's accrual
    (начисление) or the issue of its receipts, with its progress."""

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", _("начисление за период")
        RECEIPTS = "receipts", _("выпуск квитанций")

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("выполняется")
        DONE = "done", _("завершено")
        FAILED = "failed", _("ошибка")

    kind = models.CharField(_("задание"), max_length=10, choices=Kind.choices)
    period = models.DateField(_("период"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # progress: a stale run lost its worker

    ACTIVE = ("queued", "running")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("расчётное задание")
        verbose_name_plural = _("расчётные задания")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"],
                condition=Q(status__in=["queued", "running"]),
                name="billingrun_one_active_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period:%m.%Y}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
