"""«Профиль → Доступ к API»: the customer creates a named token (read-only or full), sees it
once, lists their tokens and revokes them. The same services as ``/api/v1/me/tokens``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kabinet.core.errors import DomainError
from kabinet.core.http import form_error
from kabinet.identity import services
from kabinet.identity.forms_tokens import ApiTokenForm
from kabinet.identity.models import ApiToken


def _page(request, *, form, created=None, raw=None):
    return render(
        request,
        "identity/api_tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.visible_to(request.user),
            "created": created,
            "raw": raw,
            "staff": request.user.is_staff,
        },
    )


@login_required
@never_cache
def api_tokens_view(request):
    if request.method != "POST" or request.user.is_staff:
        return _page(request, form=ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_issue(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            # Shown in this answer only (no redirect: the token is kept nowhere, not even in
            # the session); never_cache keeps it out of the browser's cache.
            return _page(request, form=ApiTokenForm(), created=token, raw=raw)
    return _page(request, form=form)


@login_required
@require_POST
def api_token_revoke_view(request, token_id):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), uuid=token_id)
    try:
        services.api_token_revoke(user=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Токен «%(name)s» отозван: он больше не работает.") % {"name": token.name}
        )
    return redirect("identity:api_tokens")
