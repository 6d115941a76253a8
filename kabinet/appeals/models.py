"""Обращения (appeals) and the conversations they are written in.

A ``Conversation`` is a chat between a customer and the utility's staff: its
``Message`` rows, their ``Attachment`` files and each reader's ``ReadMarker``. It knows
nothing about what it is about; an ``Appeal`` *has* one, and the curator chat of a
contract (000 §3.3.1) will have one the same way. Who may see a conversation is
decided by what owns it (``Conversation.OWNERS``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kabinet.backoffice.roles import staff_sees_customers
from kabinet.core.access import OwnedQuerySet
from kabinet.core.storage import PrivateStorage
from kabinet.customer_accounts.models import PersonalAccount

# --- conversations: reusable by anything a customer talks to staff about --------------


class UploadStorage(PrivateStorage):
    """Files of conversations (outside the web root, no URL): they are served only by
    ``appeals:attachment`` after an access check."""

    setting = "KABINET_APPEAL_UPLOADS_DIR"


upload_storage = UploadStorage()


def upload_path(instance, filename: str) -> str:
    # Never the customer's name on disk: a random name, no extension.
    return instance.uuid.hex


class ConversationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The conversations a user may read: those of what they own; staff see all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self if staff_sees_customers(user) else self.none()
        q = Q()
        for owner_rule in Conversation.OWNERS:
            q |= owner_rule(user)
        return self.filter(q)


class Conversation(models.Model):
    """Переписка: the chat of an appeal (or, later, of a contract with its curator)."""

    # One rule per owning model: given a user, the Q of the conversations they may read.
    # The contracts app adds its curator chats (``ContractsConfig.ready``).
    OWNERS = [lambda user: Q(appeal__user=user)]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Kept with every message so "is there an unread answer" is one comparison.
    last_staff_message_id = models.BigIntegerField(null=True, blank=True)
    last_customer_message_id = models.BigIntegerField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("переписка")
        verbose_name_plural = _("переписки")

    def __str__(self) -> str:
        return str(self.uuid)


class Message(models.Model):
    """Сообщение in a conversation: the customer's or a staff member's."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Which side wrote it, fixed when written (an employee may later leave the staff).
    from_staff = models.BooleanField(default=False)
    text = models.TextField(_("сообщение"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("сообщение")
        verbose_name_plural = _("сообщения")

    def __str__(self) -> str:
        return self.text[:60]


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Files of the conversations the user may read."""
        return self.filter(
            message__conversation__in=Conversation.objects.visible_to(user).values("pk")
        )


class Attachment(models.Model):
    """Вложение: a file attached to a message, its type checked by its content."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=upload_storage, upload_to=upload_path, max_length=100)
    # The customer's name for the file, checked (no paths, no control characters), only
    # ever sent back in Content-Disposition.
    name = models.CharField(_("имя файла"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")

    def __str__(self) -> str:
        return self.name


class ReadMarker(models.Model):
    """How far one reader has read a conversation (the last message they saw)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_markers"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="read_marker_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.last_read_message_id}"


# --- appeals ----------------------------------------------------------------------------


class AppealQuerySet(OwnedQuerySet):
    owner_lookup = "user"

    def open(self):
        return self.filter(status__in=Appeal.OPEN)


class Appeal(models.Model):
    """Обращение (000 §2.2.5, 004): a customer's question or request to the utility
    about one of their accounts or about something they name, on a topic, written as a
    chat with staff; registered within 10 days and answered within 30."""

    class Status(models.TextChoices):
        NEW = "new", _("новое")
        REGISTERED = "registered", _("зарегистрировано")
        IN_WORK = "in_work", _("в работе")
        ANSWERED = "answered", _("ответ дан")
        CLOSED = "closed", _("закрыто")

    # The only moves an appeal may make; ``services.appeal_transition`` checks them.
    TRANSITIONS = {
        Status.NEW: {Status.REGISTERED, Status.CLOSED},
        Status.REGISTERED: {Status.IN_WORK, Status.ANSWERED, Status.CLOSED},
        Status.IN_WORK: {Status.ANSWERED, Status.CLOSED},
        # The customer writes again after the answer: back to work.
        Status.ANSWERED: {Status.IN_WORK, Status.CLOSED},
        Status.CLOSED: set(),
    }
    OPEN = (Status.NEW, Status.REGISTERED, Status.IN_WORK)
    # The date each status was reached, kept on the appeal as well as in its history.
    DATED = {
        Status.REGISTERED: "registered_at",
        Status.IN_WORK: "in_work_at",
        Status.ANSWERED: "answered_at",
        Status.CLOSED: "closed_at",
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("заявитель"),
    )
    # What the appeal is about: one of the customer's accounts, or what they typed
    # («Указать другой», 004). A contract and an application join as further nullable
    # links; at most one of the links is set.
    account = models.ForeignKey(
        PersonalAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("лицевой счёт"),
    )
    about = models.CharField(_("о чём обращение"), max_length=200, blank=True)
    topic = models.CharField(_("тема обращения"), max_length=200)
    status = models.CharField(
        _("состояние"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    # 000 §2.2.5: «ответ также может быть направлен на электронную почту, указанную в
    # обращении».
    answer_by_email = models.BooleanField(_("прислать ответ на e-mail"), default=False)
    email = models.EmailField(_("e-mail для ответа"), blank=True)
    conversation = models.OneToOneField(
        Conversation, on_delete=models.PROTECT, related_name="appeal"
    )
    created_at = models.DateTimeField(_("отправлено"), default=timezone.now)
    registered_at = models.DateTimeField(_("зарегистрировано"), null=True, blank=True)
    in_work_at = models.DateTimeField(_("взято в работу"), null=True, blank=True)
    answered_at = models.DateTimeField(_("ответ дан"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)
    register_due = models.DateField(_("зарегистрировать до"))
    answer_due = models.DateField(_("ответить до"))

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("обращение")
        verbose_name_plural = _("обращения")
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=True) | Q(about=""), name="appeal_one_subject"
            )
        ]

    def __str__(self) -> str:
        return gettext("Обращение № %(n)s") % {"n": self.number}

    @property
    def number(self) -> str:
        return f"{self.pk:06d}" if self.pk else ""

    @property
    def subject(self) -> str:
        """What it is about, in words: «Лицевой счёт 100000001» or what was typed."""
        if self.account_id:
            return self.account.label
        return self.about

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def due(self):
        """The next deadline: registration while new, then the answer."""
        if self.status == self.Status.NEW:
            return self.register_due
        if self.is_open:
            return self.answer_due
        return None


class AppealEvent(models.Model):
    """A status change of an appeal: who, when, from, to, and why."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    def get_from_status_display(self) -> str:
        return Appeal.Status(self.from_status).label if self.from_status else ""

    def get_to_status_display(self) -> str:
        return Appeal.Status(self.to_status).label
