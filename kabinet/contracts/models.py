"""Договоры (supply contracts) of subscribers — organisations, ИП and people who buy
heat or electricity under a contract (000 §3, 001, 003) — with what hangs on them:
объекты теплоснабжения, коммерческие узлы учёта (КУУТЭ) and their archive, точки учёта,
кураторы, условия оплаты, monthly consumption reports, normative-calculation data,
requests to add a contract to a cabinet, and the signed documents (акт сверки,
счёт-фактура).

Who may see a contract: the organisation (``identity.Party``) that holds it, that is
its cabinet holder and the colleagues they added (``identity.PartyMember``); staff see
all. Its money is kept on its own settlement account (``customer_accounts``), so the
ledger, documents, breakdown and online payment are the same code as for residents.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.appeals.models import Conversation, upload_path, upload_storage
from kabinet.backoffice.roles import staff_sees_customers
from kabinet.core.access import OwnedQuerySet
from kabinet.customer_accounts.models import PersonalAccount
from kabinet.identity.models import Party


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contracts of the organisations the user acts for; staff see all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self if staff_sees_customers(user) else self.none()
        return self.filter(party__in=Party.objects.acting_for(user).values("pk"))

    def writable_by(self, user):
        """Contracts the user may act on (pay, report, write): full rights only."""
        if not user.is_authenticated or user.is_staff:
            return self.none()
        return self.filter(party__in=Party.objects.acting_for(user, full=True).values("pk"))


class Contract(models.Model):
    """Договор теплоснабжения (энергоснабжения): the utility's contract with a subscriber,
    as loaded from its billing system. ``party`` is the cabinet that holds it (empty
    until a subscriber signs up with it or staff approve a request to add it)."""

    class State(models.TextChoices):
        CONCLUDED = "concluded", _("заключён")
        SIGNING = "signing", _("на заключении")
        SUSPENDED = "suspended", _("приостановлен")
        TERMINATED = "terminated", _("расторгнут")

    class Kind(models.TextChoices):
        HEAT = "heat", _("теплоснабжения")
        HOT_WATER = "hot_water", _("горячего водоснабжения")
        HEAT_HOT_WATER = "heat_hw", _("теплоснабжения и горячего водоснабжения")
        ELECTRICITY = "electricity", _("энергоснабжения")
        COMMISSIONING = "pnr", _("на пусконаладочные работы")

    class Product(models.TextChoices):
        HEAT = "heat", _("Тепловая энергия")
        CARRIER = "carrier", _("Теплоноситель")
        HOT_WATER = "hot_water", _("Горячая вода")
        ELECTRICITY = "electricity", _("Электрическая энергия")

    class Carrier(models.TextChoices):
        NONE = "", _("—")
        WATER = "water", _("вода")
        STEAM = "steam", _("пар")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("номер договора"), max_length=32, unique=True)
    signed_on = models.DateField(_("дата договора"))
    state = models.CharField(
        _("состояние"), max_length=12, choices=State.choices, default=State.CONCLUDED
    )
    kind = models.CharField(_("тип договора"), max_length=12, choices=Kind.choices)
    product = models.CharField(_("вид товара"), max_length=12, choices=Product.choices)
    starts_on = models.DateField(_("дата начала"))
    ends_on = models.DateField(_("дата окончания"), null=True, blank=True)
    heat_carrier = models.CharField(
        _("вид теплоносителя"), max_length=8, choices=Carrier.choices, blank=True
    )
    load_character = models.CharField(_("характер нагрузки"), max_length=100, blank=True)
    # The customer as the contract names it (003 §3.1: наименование, юридический адрес,
    # банковские реквизиты, ИНН).
    customer_name = models.CharField(_("абонент"), max_length=500)
    customer_inn = models.CharField(_("ИНН"), max_length=12, db_index=True)
    customer_kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    legal_address = models.CharField(_("юридический адрес"), max_length=500, blank=True)
    bank_name = models.CharField(_("банк"), max_length=300, blank=True)
    bank_bik = models.CharField(_("БИК"), max_length=9, blank=True)
    bank_account = models.CharField(_("расчётный счёт"), max_length=20, blank=True)
    bank_corr_account = models.CharField(_("корреспондентский счёт"), max_length=20, blank=True)
    party = models.ForeignKey(
        Party,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("личный кабинет"),
    )
    attached_at = models.DateTimeField(_("добавлен в кабинет"), null=True, blank=True)
    # Its own лицевой счёт in the billing system: charges, payments and documents.
    account = models.OneToOneField(
        PersonalAccount,
        on_delete=models.PROTECT,
        related_name="contract",
        verbose_name=_("лицевой счёт договора"),
    )
    # The chat with the contract's curators (000 §3.3.1), started by the first message.
    conversation = models.OneToOneField(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="contract"
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("договор")
        verbose_name_plural = _("договоры")
        indexes = [models.Index(fields=["party", "number"])]

    def __str__(self) -> str:
        return _("№ %(n)s от %(d)s") % {"n": self.number, "d": self.signed_on.strftime("%d.%m.%Y")}


class ContractChildQuerySet(models.QuerySet):
    """Rows that belong to a contract are seen by whoever sees the contract."""

    contract_lookup = "contract"

    def visible_to(self, user):
        return self.filter(
            **{f"{self.contract_lookup}__in": Contract.objects.visible_to(user).values("pk")}
        )


class Curator(models.Model):
    """Куратор договора (001 Контакты): the utility's employee responsible for it."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="curators")
    position = models.CharField(_("должность"), max_length=300)
    full_name = models.CharField(_("ФИО"), max_length=300)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="curated",
        verbose_name=_("сотрудник в системе"),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("куратор договора")
        verbose_name_plural = _("кураторы договора")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.position})"


class PaymentTerm(models.Model):
    """Условие оплаты по договору (001): on a day of the month, a share of the
    contracted (advance) or actual (final) amount."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Аванс, % от договорных")
        FINAL = "final", _("Окончательный расчёт")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payment_terms")
    day = models.PositiveSmallIntegerField(_("дата оплаты (число месяца)"))
    percent = models.DecimalField(
        _("процент по договору"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    kind = models.CharField(_("вид платежа"), max_length=8, choices=Kind.choices)
    # 0: the month being paid for; 1: the month after it (a final settlement by the 10th).
    month_offset = models.PositiveSmallIntegerField(_("месяц"), default=0)

    class Meta:
        ordering = ["month_offset", "day"]
        verbose_name = _("условие оплаты")
        verbose_name_plural = _("условия оплаты")
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="term_day_1_31"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gt=0, percent__lte=100),
                name="term_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class ContractLoad(models.Model):
    """Договорная нагрузка (003 §3.1): the contracted heat load of a kind, Гкал/ч."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="loads")
    supply_object = models.ForeignKey(
        "SupplyObject", on_delete=models.CASCADE, null=True, blank=True, related_name="loads"
    )
    load_type = models.CharField(_("вид нагрузки"), max_length=100)
    value = models.DecimalField(_("нагрузка"), max_digits=12, decimal_places=6)
    unit = models.CharField(_("единица"), max_length=16, default="Гкал/ч")

    class Meta:
        ordering = ["id"]
        verbose_name = _("договорная нагрузка")
        verbose_name_plural = _("договорные нагрузки")

    def __str__(self) -> str:
        return f"{self.load_type} {self.value} {self.unit}"


class SupplyObject(models.Model):
    """Объект теплоснабжения (000 §3.3.4): a building supplied under the contract."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="supply_objects")
    name = models.CharField(_("наименование"), max_length=300)
    address = models.CharField(_("адрес"), max_length=500)
    floors = models.PositiveSmallIntegerField(_("этажность"), null=True, blank=True)
    building_type = models.CharField(_("вид здания"), max_length=200, blank=True)
    residential = models.BooleanField(_("жилое здание"), default=False)
    load_types = models.CharField(_("типы нагрузки"), max_length=300, blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        ordering = ["contract__number", "name", "id"]
        verbose_name = _("объект теплоснабжения")
        verbose_name_plural = _("объекты теплоснабжения")

    def __str__(self) -> str:
        return self.name


class MeteringUnit(models.Model):
    """КУУТЭ (000 §3.3.5): коммерческий узел учёта тепловой энергии of an object."""

    class State(models.TextChoices):
        IN_SERVICE = "in_service", _("в работе")
        CHECK = "check", _("на поверке")
        OUT = "out", _("выведен из эксплуатации")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="units")
    supply_object = models.ForeignKey(
        SupplyObject, on_delete=models.CASCADE, related_name="units", verbose_name=_("объект")
    )
    number = models.CharField(_("номер узла учёта"), max_length=40)
    devices = models.CharField(_("приборы"), max_length=500, blank=True)
    commissioned_on = models.DateField(_("допущен в эксплуатацию"), null=True, blank=True)
    verification_due = models.DateField(_("дата поверки"), null=True, blank=True)
    state = models.CharField(
        _("состояние"), max_length=12, choices=State.choices, default=State.IN_SERVICE
    )

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("КУУТЭ")
        verbose_name_plural = _("КУУТЭ")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="unit_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class UnitReadingQuerySet(ContractChildQuerySet):
    contract_lookup = "unit__contract"


class UnitReading(models.Model):
    """Показания КУУТЭ за период: the unit's monthly archive (heat, carrier, hours)."""

    unit = models.ForeignKey(MeteringUnit, on_delete=models.CASCADE, related_name="readings")
    period = models.DateField(_("период"))
    heat_gcal = models.DecimalField(_("тепловая энергия, Гкал"), max_digits=14, decimal_places=4)
    carrier_t = models.DecimalField(
        _("масса теплоносителя, т"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    hours_in_service = models.PositiveSmallIntegerField(_("время работы, ч"), default=0)
    hours_out = models.PositiveSmallIntegerField(_("время простоя, ч"), default=0)

    objects = UnitReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        verbose_name = _("показания КУУТЭ")
        verbose_name_plural = _("показания КУУТЭ")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="unit_reading_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period:%m.%Y}"


class MeteringPoint(models.Model):
    """Точка учёта (003 §3.1, §3.4): where the subscriber's settlement meter stands;
    the monthly consumption report gives one figure per point."""

    class Resource(models.TextChoices):
        HEAT = "heat", _("тепловая энергия")
        HOT_WATER = "hot_water", _("горячая вода")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="points")
    supply_object = models.ForeignKey(
        SupplyObject, on_delete=models.SET_NULL, null=True, blank=True, related_name="points"
    )
    unit = models.ForeignKey(
        MeteringUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="points"
    )
    number = models.CharField(_("точка учёта"), max_length=40)
    meter_type = models.CharField(_("тип прибора учёта"), max_length=200, blank=True)
    meter_number = models.CharField(_("заводской номер"), max_length=40, blank=True)
    resource = models.CharField(_("ресурс"), max_length=10, choices=Resource.choices)
    unit_of_measure = models.CharField(_("единица"), max_length=16, default="Гкал")

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("точка учёта")
        verbose_name_plural = _("точки учёта")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="point_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class ConsumptionReportQuerySet(ContractChildQuerySet):
    contract_lookup = "point__contract"


class ConsumptionReport(models.Model):
    """Отчёт о потреблении (003 §3.4): the consumption of a metering point for a month,
    with the date the reading was taken and the signed report's scan, sent by the 25th.
    A later report for the same point and month replaces the earlier one, which is kept.
    What billing accepted for the month is kept beside it."""

    class Status(models.TextChoices):
        SENT = "sent", _("отправлен")
        REPLACED = "replaced", _("заменён новым")
        ACCEPTED = "accepted", _("учтён во взаиморасчётах")
        REJECTED = "rejected", _("отклонён")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    point = models.ForeignKey(MeteringPoint, on_delete=models.PROTECT, related_name="reports")
    period = models.DateField(_("расчётный период"))
    consumption = models.DecimalField(_("расход"), max_digits=8, decimal_places=2)
    read_on = models.DateField(_("дата снятия показаний"))
    scan = models.FileField(storage=upload_storage, upload_to=upload_path, max_length=100)
    scan_name = models.CharField(_("файл отчёта"), max_length=120)
    scan_type = models.CharField(max_length=100)
    scan_size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    accepted_consumption = models.DecimalField(
        _("учтено во взаиморасчётах"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("комментарий"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("отправлен"), default=timezone.now)
    # Who in the utility accepted or rejected it, and when (the report's last move).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("рассмотрен"), null=True, blank=True)

    objects = ConsumptionReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-submitted_at"]
        verbose_name = _("отчёт о потреблении")
        verbose_name_plural = _("отчёты о потреблении")
        constraints = [
            # One current report per point and month; replaced ones stay as history.
            models.UniqueConstraint(
                fields=["point", "period"],
                condition=Q(status__in=["sent", "accepted"]),
                name="report_one_current_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.period:%m.%Y}"


class NormativeReadingQuerySet(ContractChildQuerySet):
    contract_lookup = "supply_object__contract"


class NormativeReading(models.Model):
    """Сведения для расчёта по нормативам (000 §3.3.4): for an object and a month, the
    reading of an individual meter (ИПУ) of a premises or of a common-property meter
    (УУ ОДН). A new value for the same meter and month replaces the old one."""

    class Kind(models.TextChoices):
        IPU = "ipu", _("ИПУ")
        ODN = "odn", _("УУ ОДН")

    supply_object = models.ForeignKey(
        SupplyObject, on_delete=models.CASCADE, related_name="normative_readings"
    )
    period = models.DateField(_("период"))
    kind = models.CharField(_("вид прибора"), max_length=4, choices=Kind.choices)
    premises = models.CharField(_("помещение"), max_length=40, blank=True)
    meter_number = models.CharField(_("номер прибора"), max_length=40)
    value = models.DecimalField(_("показание"), max_digits=14, decimal_places=3)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = NormativeReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "kind", "premises", "meter_number"]
        verbose_name = _("сведения для расчёта по нормативам")
        verbose_name_plural = _("сведения для расчёта по нормативам")
        constraints = [
            models.UniqueConstraint(
                fields=["supply_object", "period", "kind", "meter_number"],
                name="normative_one_per_meter_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.meter_number} {self.period:%m.%Y}"


class ContractRequestQuerySet(OwnedQuerySet):
    owner_lookup = "user"


class ContractRequest(models.Model):
    """Заявка на добавление договора (004): a cabinet asks for a contract by ИНН and
    number with the signed access request attached; staff approve or refuse it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("на рассмотрении")
        APPROVED = "approved", _("договор добавлен")
        REFUSED = "refused", _("отказано")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REFUSED},
        Status.APPROVED: set(),
        Status.REFUSED: set(),
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contract_requests"
    )
    inn = models.CharField(_("ИНН"), max_length=12)
    number = models.CharField(_("номер договора"), max_length=32)
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    statement = models.FileField(storage=upload_storage, upload_to=upload_path, max_length=100)
    statement_name = models.CharField(_("заявление"), max_length=120)
    statement_type = models.CharField(max_length=100)
    statement_size = models.PositiveBigIntegerField()
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("причина отказа"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("подана"), default=timezone.now)
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ContractRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("заявка на добавление договора")
        verbose_name_plural = _("заявки на добавление договоров")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "number"],
                condition=Q(status="pending"),
                name="contract_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"

    @property
    def due_date(self):
        """Рассмотреть до: ``access_request_days`` working days after it was sent."""
        from kabinet.core.money import working_days_after
        from kabinet.core.utility import get_utility

        return working_days_after(
            timezone.localtime(self.created_at).date(), get_utility().access_request_days
        )


class SignedDocument(models.Model):
    """Акт сверки or счёт-фактура for a month (003 §3.2) as a PDF signed by the
    utility (PAdES). Made once per contract, kind and month, then served as stored, so
    the signed bytes never change."""

    class Kind(models.TextChoices):
        ACT = "act", _("акт сверки")
        FACTURA = "factura", _("счёт-фактура")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="signed_documents"
    )
    kind = models.CharField(_("вид"), max_length=8, choices=Kind.choices)
    period = models.DateField(_("период"))
    number = models.CharField(_("номер"), max_length=48)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    signer = models.CharField(_("подписал"), max_length=300)
    signed_at = models.DateTimeField(_("подписан"))

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "kind"]
        verbose_name = _("подписанный документ")
        verbose_name_plural = _("подписанные документы")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "period"], name="signed_document_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number}"
