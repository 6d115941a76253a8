"""Загрузки из биллинга: a file the billing system exported, uploaded by staff, previewed
(a dry run) and applied in chunks; every rejected row is kept with its line and reason."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.core.storage import PrivateStorage


class ImportStorage(PrivateStorage):
    """Uploaded import files; no URL."""

    setting = "KABINET_INTEGRATION_UPLOADS_DIR"


import_storage = ImportStorage()


def import_path(instance, filename: str) -> str:
    # A random name on disk; the original one is kept in the row.
    return instance.uuid.hex


class ImportBatch(models.Model):
    """Загрузка: one file of one kind (e.g. accepted readings) from the billing system."""

    class Kind(models.TextChoices):
        # The order of loading a new utility: each kind refers only to earlier ones.
        HOUSES = "houses", _("дома и адреса")
        ACCOUNTS = "accounts", _("лицевые счета и помещения")
        CONTRACTS = "contracts", _("договоры и абоненты-организации")
        METERS = "meters", _("приборы учёта")
        READINGS = "readings", _("принятые показания")
        CHARGES = "charges", _("начисления")
        PAYMENTS = "payments", _("оплаты")
        TARIFFS = "tariffs", _("тарифы")
        OUTAGES = "outages", _("отключения")
        INTERVALS = "intervals", _("интервальные данные приборов учёта")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("загружен")
        PREVIEWED = "previewed", _("проверен")
        APPLYING = "applying", _("применяется")
        APPLIED = "applied", _("применён")
        FAILED = "failed", _("ошибка")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("файл загружен сотрудником")
        HTTP = "http", _("передан биллингом по HTTP")
        SCHEDULE = "schedule", _("ежедневное обновление")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("что загружается"), max_length=20, choices=Kind.choices)
    file = models.FileField(storage=import_storage, upload_to=import_path, max_length=100)
    original_name = models.CharField(_("имя файла"), max_length=200)
    format = models.CharField(_("формат"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    total = models.PositiveIntegerField(_("строк"), default=0)
    good = models.PositiveIntegerField(_("годных"), default=0)
    rejected = models.PositiveIntegerField(_("отклонено"), default=0)
    created = models.PositiveIntegerField(_("создано"), default=0)
    updated = models.PositiveIntegerField(_("обновлено"), default=0)
    unchanged = models.PositiveIntegerField(_("без изменений"), default=0)
    progress = models.PositiveIntegerField(_("обработано строк"), default=0)
    error = models.TextField(_("ошибка"), blank=True)
    source = models.CharField(
        _("откуда"), max_length=10, choices=Source.choices, default=Source.UPLOAD
    )
    # Apply as soon as the preview succeeds (the billing system's ``?apply=1``).
    auto_apply = models.BooleanField(_("применить после проверки"), default=False)
    # Empty when the billing system sent the file itself (HTTP, daily refresh).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)
    previewed_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    # Set when applying starts: from then on a re-run resumes after ``progress``.
    apply_started_at = models.DateTimeField(_("применение начато"), null=True, blank=True)
    applied_at = models.DateTimeField(_("применён"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("загрузка из биллинга")
        verbose_name_plural = _("загрузки из биллинга")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def percent(self) -> int:
        return int(100 * self.progress / self.total) if self.total else 0


class ImportRejection(models.Model):
    """Отклонённая строка: the line of the file, why (in Russian) and the row as read."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("строка"))
    reason = models.CharField(_("причина"), max_length=500)
    raw = models.JSONField(_("строка файла"), default=dict)

    class Meta:
        ordering = ["line", "id"]
        verbose_name = _("отклонённая строка")
        verbose_name_plural = _("отклонённые строки")

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


# --- Выгрузки в биллинг (exports) and the daily refresh -----------------------------


class ExportStorage(PrivateStorage):
    """Export files; no URL (staff download them through the portal's own view)."""

    setting = "KABINET_INTEGRATION_EXPORTS_DIR"


export_storage = ExportStorage()


def export_path(instance, filename: str) -> str:
    return instance.uuid.hex


class ExportBatch(models.Model):
    """Выгрузка: what the portal collected of one kind over a period, as one file for
    the billing system; its rows are marked (``ExportedRow``) the first time out."""

    class Kind(models.TextChoices):
        READINGS = "readings", _("показания, переданные потребителями")
        REPORTS = "reports", _("отчёты о потреблении")
        APPLICATIONS = "applications", _("заявки и их документы")
        PAYMENTS = "payments", _("онлайн-оплаты")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    class Status(models.TextChoices):
        QUEUED = "queued", _("готовится")
        READY = "ready", _("готова")
        FAILED = "failed", _("ошибка")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("что выгружается"), max_length=20, choices=Kind.choices)
    date_from = models.DateField(_("с"))
    date_to = models.DateField(_("по"))
    format = models.CharField(_("формат"), max_length=4, choices=Format.choices)
    only_new = models.BooleanField(_("только новые"), default=True)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("строк"), default=0)
    marked = models.PositiveIntegerField(_("выгружено впервые"), default=0)
    file = models.FileField(
        storage=export_storage, upload_to=export_path, max_length=100, blank=True
    )
    filename = models.CharField(_("имя файла"), max_length=200, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("выгрузил"),
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    finished_at = models.DateTimeField(_("готова"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("выгрузка в биллинг")
        verbose_name_plural = _("выгрузки в биллинг")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y}"


class ExportedRow(models.Model):
    """A row of the portal (a reading, a report, an application, a payment) that has
    gone to the billing system: marked by the first export that carried it, once."""

    batch = models.ForeignKey(ExportBatch, on_delete=models.CASCADE, related_name="marks")
    kind = models.CharField(max_length=20, choices=ExportBatch.Kind.choices)
    object_id = models.PositiveBigIntegerField()
    exported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("выгруженная строка")
        verbose_name_plural = _("выгруженные строки")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="exported_row_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class RefreshRun(models.Model):
    """Ежедневное обновление: one run over the billing system's inbox (003 §3.1), the
    files it found and the import batch each became (``files``: a list of
    ``{"name", "kind", "batch", "status", "error"}``, ``batch`` an ImportBatch uuid)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("выполняется")
        OK = "ok", _("выполнено")
        PARTIAL = "partial", _("выполнено частично")
        FAILED = "failed", _("ошибка")
        NOTHING = "nothing", _("новых файлов не было")

    day = models.DateField(_("день"))
    forced = models.BooleanField(_("запущено вручную"), default=False)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    files = models.JSONField(_("файлы"), default=list, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    started_at = models.DateTimeField(_("начато"), default=timezone.now)
    finished_at = models.DateTimeField(_("закончено"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("ежедневное обновление")
        verbose_name_plural = _("ежедневные обновления")
        constraints = [
            # The scheduled run happens once a day; forced runs may add more.
            models.UniqueConstraint(
                fields=["day"], condition=models.Q(forced=False), name="refresh_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y}: {self.get_status_display()}"


# --- Учётные данные интеграции (the utility's systems calling the API) ------------


class IntegrationCredential(models.Model):
    """Учётные данные интеграции: a token the billing system or the metering head-end
    uses on ``/api/v1/integration/``. Only its SHA-256 is kept; the token itself is shown
    once, when it is made (``manage.py integration_credential create``). A customer's
    token never works here, nor this one on the customer's operations."""

    class Scope(models.TextChoices):
        IMPORTS = "imports", _("загрузки файлов из биллинга")
        EXPORTS = "exports", _("выгрузки в биллинг")
        INTERVALS = "intervals", _("данные ИСУ: профили, журнал событий, регистры")

    name = models.CharField(_("название"), max_length=100)
    # The token is ``kint_<prefix>_<secret>``; the prefix finds the row and is shown in lists.
    prefix = models.CharField(_("префикс"), max_length=16, unique=True)
    secret_hash = models.CharField(_("SHA-256 токена"), max_length=64)
    scopes = models.JSONField(_("права"), default=list)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    last_used_at = models.DateTimeField(_("последнее обращение"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("учётные данные интеграции")
        verbose_name_plural = _("учётные данные интеграции")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
