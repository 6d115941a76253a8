"""Access: the pages' rules — who sees an application, who may act in it, whose draft it
is, and whether the organisation takes applications at all."""

from django.http import Http404

from kabinet.applications import selectors
from kabinet.applications.kinds import enabled_kinds
from kabinet.applications.models import Application


def _detail(request, application: Application) -> Application:
    """The card (``ApplicationDetailOut`` resolves what the card page shows)."""
    return application


def _visible(request, uuid) -> Application:
    """Whoever may see it (applicant, colleagues on its contract, staff), else 404."""
    return selectors.application_for(request.user, uuid)


def _own(request, uuid) -> Application:
    """Whoever may answer and write in it (the applicant, a colleague with full rights
    on its contract), else 404 — as the card's forms."""
    application = _visible(request, uuid)
    if not Application.objects.actionable_by(request.user).filter(pk=application.pk).exists():
        raise Http404
    return application


def _draft(request, uuid) -> Application:
    """A draft, for its author only."""
    application = _visible(request, uuid)
    if application.user_id != request.user.pk or not application.is_draft:
        raise Http404
    return application


def _kinds_on():
    kinds = enabled_kinds()
    if not kinds:
        raise Http404
    return kinds
