"""Переписка: writing to a conversation and reading it, for any owner (an appeal now,
a contract's curator chat later). The owner's services decide who may write and what
the message does to their own status; these functions only keep the conversation.

Files: every file is checked (``uploads.check_files``) before anything is written, and
files already put on disk are removed again if the transaction fails, so a refused or
failed message leaves neither a row nor a file.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.appeals import uploads
from kabinet.appeals.models import (
    Attachment,
    Conversation,
    Message,
    ReadMarker,
    upload_storage,
)
from kabinet.core.errors import DomainError

MAX_TEXT = 5000


def conversation_start() -> Conversation:
    """A new, empty conversation (in the caller's transaction)."""
    return Conversation.objects.create()


def clean_text(text: str, *, allow_empty: bool = False) -> str:
    text = (text or "").strip()
    if not text and not allow_empty:
        raise DomainError(_("Напишите сообщение."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("Сообщение длиннее %(n)d символов: разделите его на несколько.") % {"n": MAX_TEXT},
            field="text",
        )
    return text


def message_post(
    *, conversation: Conversation, author, text: str, files=(), from_staff: bool | None = None
) -> Message:
    """Write a message with its files. Call inside the owner's ``conversations.atomic()``
    after checking the files with ``uploads.check_files`` (so a refusal comes before any
    write). The author has read everything up to their own message."""
    text = clean_text(text, allow_empty=bool(files))
    checked = [f if isinstance(f, uploads.CheckedFile) else uploads.check_file(f) for f in files]
    staff_side = author.is_staff if from_staff is None else from_staff
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, author=author, from_staff=staff_side, text=text, created_at=now
    )
    written = _written.get()
    for f in checked:
        attachment = Attachment(
            message=message, name=f.name, content_type=f.content_type, size=f.size
        )
        f.upload.seek(0)
        attachment.file.save(attachment.uuid.hex, f.upload, save=False)
        if written is not None:
            written.append(attachment.file.name)
        attachment.save()
    updates = {"last_message_at": now}
    updates["last_staff_message_id" if staff_side else "last_customer_message_id"] = message.pk
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    for field, value in updates.items():
        setattr(conversation, field, value)
    conversation_read(conversation=conversation, user=author, upto=message.pk)
    return message


_written: ContextVar[list | None] = ContextVar("conversation_files", default=None)


def remember_file(name: str) -> None:
    """A file saved to the upload storage inside ``atomic()``: removed if it fails."""
    written = _written.get()
    if written is not None:
        written.append(name)


@contextmanager
def atomic():
    """``transaction.atomic`` that also removes the files written inside it when it
    fails, so a failed write leaves neither rows nor files. (Inside an outer
    transaction that fails later, a file may stay behind unreferenced: harmless.)"""
    written: list[str] = []
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for name in written:
            upload_storage.delete(name)
        raise
    finally:
        _written.reset(token)


def conversation_read(*, conversation: Conversation, user, upto: int | None = None) -> None:
    """Mark the conversation read by ``user`` up to message ``upto`` (default: all)."""
    if upto is None:
        upto = conversation.messages.order_by("-id").values_list("id", flat=True).first() or 0
    marker, created = ReadMarker.objects.get_or_create(
        conversation=conversation, user=user, defaults={"last_read_message_id": upto}
    )
    if not created and marker.last_read_message_id < upto:
        ReadMarker.objects.filter(pk=marker.pk, last_read_message_id__lt=upto).update(
            last_read_message_id=upto, read_at=timezone.now()
        )


def unread_by_customer(user, conversation_ref: str = "conversation"):
    """An expression, for ``annotate``/``filter`` on a model with a conversation: the
    staff wrote something the customer has not read yet."""
    staff_last = f"{conversation_ref}__last_staff_message_id"
    read = ReadMarker.objects.filter(
        conversation=OuterRef(conversation_ref),
        user=user,
        last_read_message_id__gte=OuterRef(staff_last),
    )
    return Q(**{f"{staff_last}__isnull": False}) & ~Exists(read)
