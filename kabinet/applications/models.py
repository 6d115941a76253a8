"""Заявки (applications): one workflow for every kind a utility takes in.

A kind (``kabinet.applications.kinds``) declares its steps and fields, documents,
reasons and deadlines: технологическое присоединение к электрическим сетям (002 §4.6)
и к тепловым сетям (000 §4), заключение договора теплоснабжения (000 §3.4) and the
service requests of 003 §3.5. Every application of every kind lives in one table, moves
through one status table (``Application.TRANSITIONS``, 000 §4.5) and keeps one history
(``ApplicationEvent``), shown to the applicant as a timeline.

Around it: the developer's objects (``ConnectionObject``, 000 §4.4), the files of an
application and the utility's requests for more (``ApplicationFile``, ``InfoRequest``),
the result of a connection application (``ConnectionContract`` with its ``ContractStage``
rows, 000 §4.5–4.6), and the rate tables of the public cost calculator
(``RateTable``/``Rate``, 002 §4.6.3).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kabinet.appeals.models import Conversation, upload_path, upload_storage
from kabinet.backoffice.roles import staff_sees_customers
from kabinet.core.access import OwnedQuerySet


class ConnectionObject(models.Model):
    """Объект подключения (000 §4.4): what a developer is going to connect — a house
    being built, a shop, a garage. Created first; connection applications name one,
    and the registry lists each with its applications."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="connection_objects"
    )
    name = models.CharField(_("наименование объекта"), max_length=200)
    address = models.CharField(_("адрес (местоположение) объекта"), max_length=300)
    cadastral_number = models.CharField(
        _("кадастровый номер земельного участка"), max_length=40, blank=True
    )
    purpose = models.CharField(_("назначение объекта"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("объект подключения")
        verbose_name_plural = _("объекты подключения")

    def __str__(self) -> str:
        return f"{self.name}, {self.address}"


class ApplicationQuerySet(OwnedQuerySet):
    owner_lookup = "user"

    def visible_to(self, user):
        """The applicant's own applications and, for a service request about a supply
        contract, those of everyone who sees the contract (the organisation's cabinet
        and its colleagues); staff see all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self if staff_sees_customers(user) else self.none()
        from kabinet.contracts.models import Contract

        # The contract ids as a list (a cabinet holds a few hundred at most), so the
        # database can use both the applicant's and the contract's index (a subquery in
        # the OR made PostgreSQL scan the table).
        contracts = list(Contract.objects.visible_to(user).values_list("pk", flat=True))
        if not contracts:
            return self.filter(user=user)
        return self.filter(Q(user=user) | Q(contract_id__in=contracts))

    def actionable_by(self, user):
        """Those the user may answer and write in: their own, and service requests of
        contracts they have full rights on."""
        if not user.is_authenticated or user.is_staff:
            return self.none()
        from kabinet.contracts.models import Contract

        return self.filter(
            Q(user=user) | Q(contract__in=Contract.objects.writable_by(user).values("pk"))
        )

    def filed(self):
        return self.exclude(status=Application.Status.DRAFT)

    def open(self):
        return self.filter(status__in=Application.OPEN)


class Application(models.Model):
    """Заявка: technological connection, contract conclusion or a service request.

    The fields typed in the form are kept as the customer typed them, step by step, in
    ``data`` (so a draft keeps even what did not pass yet); what the queues and the
    public status check search by is copied out when the application is filed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        REGISTERED = "registered", _("Зарегистрирована")
        ACCEPTED = "accepted", _("Принята")
        IN_WORK = "in_work", _("В работе")
        DONE = "done", _("Завершена")
        REFUSED = "refused", _("Отказ")

    # 000 §4.5: the only moves there are; ``services.workflow.application_transition``
    # refuses every other. Filing is the move from the draft. A kind may declare fewer
    # (``ApplicationKind.moves``: a service request skips «Принята»).
    TRANSITIONS = {
        Status.DRAFT: {Status.REGISTERED},
        Status.REGISTERED: {Status.ACCEPTED, Status.REFUSED},
        Status.ACCEPTED: {Status.IN_WORK, Status.REFUSED},
        Status.IN_WORK: {Status.DONE, Status.REFUSED},
        Status.DONE: set(),
        Status.REFUSED: set(),
    }
    OPEN = (Status.REGISTERED, Status.ACCEPTED, Status.IN_WORK)
    DATED = {
        Status.REGISTERED: "filed_at",
        Status.ACCEPTED: "accepted_at",
        Status.IN_WORK: "in_work_at",
        Status.DONE: "done_at",
        Status.REFUSED: "refused_at",
    }

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Физическое лицо")
        IP = "ip", _("Индивидуальный предприниматель")
        LEGAL = "legal", _("Юридическое лицо")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("заявитель"),
    )
    kind = models.CharField(_("вид заявки"), max_length=30)
    applicant_kind = models.CharField(
        _("заявитель"), max_length=10, choices=ApplicantKind.choices, blank=True
    )
    category = models.CharField(_("категория"), max_length=30, blank=True)
    reason = models.CharField(_("в связи с"), max_length=30, blank=True)
    status = models.CharField(
        _("статус заявки"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # Номер заявки, given when filed: 2020-01-10-702-5 (002 §4.6.2) — the day, the
    # kind's code and the day's sequence number for the kind. NULL while a draft: many
    # drafts, each number unique.
    number = models.CharField(  # noqa: DJ001
        _("номер заявки"), max_length=30, unique=True, null=True, blank=True
    )
    # {step slug: {field: value as typed}}; files are ApplicationFile rows.
    data = models.JSONField(default=dict, blank=True)
    step = models.CharField(max_length=30, blank=True)  # the step the customer is on
    connection_object = models.ForeignKey(
        ConnectionObject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("объект"),
    )
    # Service requests (003 §3.5) are about one of the customer's supply contracts.
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("договор"),
    )
    visit_date = models.DateField(_("желаемая дата посещения"), null=True, blank=True)
    visit_time = models.CharField(_("желаемое время посещения"), max_length=20, blank=True)
    # Copied from ``data`` when filed: the applicant's name as shown to staff, the key
    # the public status check compares (surname or organisation name, folded), and the
    # object's address for the list (002 рисунок 13 «Адрес объекта»).
    applicant_name = models.CharField(_("заявитель"), max_length=300, blank=True)
    check_key = models.CharField(max_length=300, blank=True)
    object_address = models.CharField(_("адрес объекта"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменена"), default=timezone.now)
    filed_at = models.DateTimeField(_("подана"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("принята"), null=True, blank=True)
    in_work_at = models.DateTimeField(_("взята в работу"), null=True, blank=True)
    done_at = models.DateTimeField(_("завершена"), null=True, blank=True)
    refused_at = models.DateTimeField(_("отказ"), null=True, blank=True)
    # The date by which the utility owes the next answer (the kind's rule), or none.
    due_date = models.DateField(_("срок"), null=True, blank=True)
    refusal_reason = models.TextField(_("причина отказа"), blank=True)
    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["kind", "status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="application_filed_has_number",
            )
        ]

    def __str__(self) -> str:
        if self.number:
            return gettext("Заявка № %(n)s") % {"n": self.number}
        return gettext("Черновик заявки")

    @property
    def spec(self):
        """The kind's declaration (steps, fields, documents, deadlines)."""
        from kabinet.applications.kinds import get_kind

        return get_kind(self.kind)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def kind_title(self) -> str:
        return self.spec.title if self.spec else self.kind

    def type_title(self) -> str:
        """«Тип заявки» (002 рисунок 14): the kind with the applicant and category."""
        spec = self.spec
        return spec.type_title(self) if spec else self.kind

    def get_visit_time_label(self) -> str:
        from kabinet.applications.kinds.requests import VISIT_SLOTS

        return dict(VISIT_SLOTS).get(self.visit_time, self.visit_time)

    def applicant_category(self) -> str:
        """«Физическое лицо, до 15 кВт для бытовых нужд»: who applies, in which category."""
        spec = self.spec
        parts = []
        if self.applicant_kind:
            parts.append(str(self.ApplicantKind(self.applicant_kind).label))
        category = spec.category(self.category) if spec else None
        if category:
            parts.append(str(category.label))
        return ", ".join(parts)

    def reason_title(self) -> str:
        spec = self.spec
        return spec.reason_title(self.reason) if spec else self.reason


class ApplicationEvent(models.Model):
    """A step in the life of an application, shown as its timeline: a status move
    (from, to), a request for documents and its answer, a file, the contract and its
    stages. Who, when and why are always kept."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Статус")
        REQUEST = "request", _("Запрос сведений")
        ANSWER = "answer", _("Ответ на запрос")
        FILE = "file", _("Документ")
        CONTRACT = "contract", _("Договор")
        SIGNED = "signed", _("Договор подписан заявителем")
        STAGE = "stage", _("Этап договора")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    by_staff = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_status} → {self.to_status}"

    def get_from_status_display(self) -> str:
        return Application.Status(self.from_status).label if self.from_status else ""

    def get_to_status_display(self) -> str:
        return Application.Status(self.to_status).label if self.to_status else ""


class InfoRequest(models.Model):
    """Запрос сведений или документов (002 §4.6.2, 000 §3.4.4): staff ask, the
    applicant answers in the application's card with a text and files."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="info_requests"
    )
    text = models.TextField(_("что нужно предоставить"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("ответ заявителя"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("запрос сведений")
        verbose_name_plural = _("запросы сведений")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ApplicationFileQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(application__in=Application.objects.visible_to(user).values("pk"))


class ApplicationFile(models.Model):
    """A document of an application: one the applicant attached (for a document type
    the kind requires, or in answer to a request) or one the utility added."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    doc_type = models.CharField(_("вид документа"), max_length=40, blank=True)
    info_request = models.ForeignKey(
        InfoRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    from_staff = models.BooleanField(default=False)
    file = models.FileField(storage=upload_storage, upload_to=upload_path, max_length=100)
    name = models.CharField(_("имя файла"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ApplicationFileQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("документ заявки")
        verbose_name_plural = _("документы заявок")

    def __str__(self) -> str:
        return self.name

    def doc_type_title(self) -> str:
        spec = self.application.spec
        return spec.document_title(self.doc_type) if spec and self.doc_type else ""


class NumberCounter(models.Model):
    """The last sequence number given on a day to a kind's applications: the number of
    a filed application is taken from here under a row lock, so two filed at the same
    moment never share one."""

    day = models.DateField()
    code = models.CharField(max_length=10)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "code"], name="application_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.code}: {self.last}"


class ConnectionContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(application__in=Application.objects.visible_to(user).values("pk"))


class ConnectionContract(models.Model):
    """Договор об осуществлении технологического присоединения (подключения): the result
    of a connection application (000 §4.5). The utility's PDF is signed with its key
    when staff attach it; the applicant signs it back with their own electronic
    signature — a signed PDF or a detached signature — checked on upload. Then the
    contract's stages are followed (000 §4.6)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="connection_contract"
    )
    number = models.CharField(_("номер договора"), max_length=40)
    date = models.DateField(_("дата договора"))
    utility_pdf = models.FileField(storage=upload_storage, upload_to=upload_path, max_length=100)
    utility_signer = models.CharField(_("подписан от организации"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The applicant's signature: the signed PDF, or the detached signature (CMS) of the
    # utility's PDF, with what the check found.
    customer_file = models.FileField(
        storage=upload_storage, upload_to=upload_path, max_length=100, blank=True
    )
    customer_file_kind = models.CharField(max_length=10, blank=True)  # "pdf" | "detached"
    customer_file_name = models.CharField(max_length=120, blank=True)
    customer_signer = models.CharField(_("подписан заявителем"), max_length=300, blank=True)
    customer_signed_at = models.DateTimeField(null=True, blank=True)

    objects = ConnectionContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("договор о подключении")
        verbose_name_plural = _("договоры о подключении")

    def __str__(self) -> str:
        return gettext("Договор № %(n)s") % {"n": self.number}

    @property
    def is_signed_back(self) -> bool:
        return self.customer_signed_at is not None


class ContractStage(models.Model):
    """Этап исполнения договора о подключении (000 §4.6): its due date by the rules
    and the date it was done."""

    contract = models.ForeignKey(
        ConnectionContract, on_delete=models.CASCADE, related_name="stages"
    )
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=30)
    title = models.CharField(_("этап"), max_length=200)
    due_date = models.DateField(_("срок"), null=True, blank=True)
    done_on = models.DateField(_("выполнен"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("примечание"), max_length=300, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="contract_stage_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return (
            self.done_on is None
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


# --- the public cost calculator (002 §4.6.3) --------------------------------------------


class RateTableQuerySet(models.QuerySet):
    def in_force(self, day):
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class RateTable(models.Model):
    """Ставки платы за технологическое присоединение (подключение), in force from one
    date to another, as the tariff authority set them; the calculator uses the table in
    force on the day it is asked."""

    title = models.CharField(_("наименование (решение тарифного органа)"), max_length=300)
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True)
    # 002: «до 150 м — расстояние не имеет значения».
    free_distance_m = models.PositiveIntegerField(
        _("расстояние, до которого оно не влияет на стоимость, м"), default=150
    )

    objects = RateTableQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("таблица ставок")
        verbose_name_plural = _("таблицы ставок")

    def __str__(self) -> str:
        return self.title


class Rate(models.Model):
    """One row of a rate table: for a voltage (electricity; blank for heat) and a band
    of power (кВт) or heat load (Гкал/ч), the standardized rates and the rate per unit.
    Amounts are roubles in integer kopecks."""

    table = models.ForeignKey(RateTable, on_delete=models.CASCADE, related_name="rates")
    voltage = models.CharField(_("напряжение, кВ"), max_length=10, blank=True)
    power_from = models.DecimalField(_("мощность (нагрузка) от"), max_digits=12, decimal_places=4)
    power_to = models.DecimalField(
        _("мощность (нагрузка) до, включительно"), max_digits=12, decimal_places=4
    )
    # Стандартизированные ставки: С1 — организационные мероприятия (за присоединение),
    # С2–С7 — строительство линий (за км), С8 — учёт (за точку учёта).
    c1_kopecks = models.BigIntegerField(_("С1, руб. за присоединение"), default=0)
    per_km_kopecks = models.BigIntegerField(_("С2–С7, руб. за км линии"), default=0)
    c8_kopecks = models.BigIntegerField(_("С8, руб. за точку учёта"), default=0)
    per_unit_kopecks = models.BigIntegerField(_("ставка за единицу мощности, руб."), default=0)

    class Meta:
        ordering = ["voltage", "power_from"]
        verbose_name = _("ставка")
        verbose_name_plural = _("ставки")

    def __str__(self) -> str:
        return f"{self.voltage} {self.power_from}–{self.power_to}"
