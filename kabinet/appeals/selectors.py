"""Reads of appeals that are more than a filter: the customer's list grouped by topic
with unread answers, the unread count for the menu, and the staff queue by deadline."""

from itertools import groupby

from django.db.models import Case, DateField, F, Q, When
from django.utils.translation import gettext as _

from kabinet.appeals.conversations import unread_by_customer
from kabinet.appeals.models import Appeal


def appeals_of(user):
    """The customer's appeals, newest first, each with ``unread`` (an answer not yet
    read): one query."""
    return (
        Appeal.objects.visible_to(user)
        .filter(user=user)
        .select_related("account__contract", "conversation")
        .annotate(unread=unread_by_customer(user))
        .order_by("-created_at", "-id")
    )


def appeals_by_topic(user) -> list[tuple[str, list[Appeal]]]:
    """«Все Ваши обращения … систематизированы по темам» (004): groups of appeals by
    topic, the group with the newest appeal first, newest first inside each."""
    appeals = list(appeals_of(user))
    order: dict[str, int] = {}
    for i, appeal in enumerate(appeals):
        order.setdefault(appeal.topic, i)
    appeals.sort(key=lambda a: order[a.topic])  # stable: newest first stays
    return [(_(topic), list(group)) for topic, group in groupby(appeals, key=lambda a: a.topic)]


def unread_count(user) -> int:
    """How many of the customer's appeals have an answer they have not read."""
    return Appeal.objects.filter(Q(user=user) & unread_by_customer(user)).count()


def staff_queue(*, status: str = "open"):
    """The staff queue: open appeals by their next deadline (registration while new,
    then the answer), the overdue first; or those of one status."""
    qs = Appeal.objects.select_related("user", "account__contract", "conversation").annotate(
        next_due=Case(
            When(status=Appeal.Status.NEW, then=F("register_due")),
            When(status__in=Appeal.OPEN, then=F("answer_due")),
            default=None,
            output_field=DateField(),
        ),
        customer_wrote=Q(
            conversation__last_customer_message_id__gt=F("conversation__last_staff_message_id")
        )
        | Q(conversation__last_staff_message_id__isnull=True),
    )
    if status == "open":
        return qs.filter(status__in=Appeal.OPEN).order_by("next_due", "created_at")
    return qs.filter(status=status).order_by("-created_at")
