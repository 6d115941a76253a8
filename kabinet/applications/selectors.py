"""Reads of applications that are more than a filter."""

import re

from django.db.models import Count, Exists, OuterRef

from kabinet.applications.models import Application, InfoRequest

# Organisational forms dropped from a name before comparing (the status check accepts
# «Ромашка» for «ООО «Ромашка»»).
LEGAL_FORMS = (
    "ооо", "оао", "зао", "пао", "ао", "ип", "гуп", "муп", "фгуп", "мбоу", "мбдоу", "моу",
    "тсж", "жск", "нко", "ано", "тсн", "снт",
)  # fmt: skip


def name_key(text: str) -> str:
    """A surname or an organisation's name folded for comparing: case and ё ignored,
    quotes and punctuation dropped, spaces collapsed, a leading legal form removed."""
    folded = (text or "").casefold().replace("ё", "е")
    words = re.sub(r"[^\w\s-]", " ", folded).replace("_", " ").split()
    while len(words) > 1 and words[0] in LEGAL_FORMS:
        words = words[1:]
    return " ".join(words)


def my_applications(user):
    """«Мои заявки» (002 рисунок 13): the user's applications with whether staff wait
    for an answer from them."""
    waiting = InfoRequest.objects.filter(application=OuterRef("pk"), answered_at=None)
    return (
        Application.objects.visible_to(user)
        .select_related("connection_object", "contract")
        .annotate(waiting=Exists(waiting), file_count=Count("files"))
        .order_by("-created_at", "-id")
    )


def application_for(user, uuid) -> Application:
    """The application if the user may see it, else 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Application.objects.visible_to(user).select_related(
            "user", "connection_object", "contract__party", "conversation"
        ),
        uuid=uuid,
    )
