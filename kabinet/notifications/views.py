"""Уведомления: the customer's notices in the cabinet and their choice of channels."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.notifications import services
from kabinet.notifications.models import Kind, Notice


class PreferencesForm(forms.Form):
    """E-mail and SMS per kind; codes and security notices always go out."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = services.preferences_for(user)
        self.has_phone = bool(user.phone)
        for kind, label in Kind.choices:
            email, sms = current[kind]
            self.fields[f"{kind}_email"] = forms.BooleanField(
                required=False, initial=email, label=_("%(kind)s: e-mail") % {"kind": label}
            )
            self.fields[f"{kind}_sms"] = forms.BooleanField(
                required=False,
                initial=sms,
                label=_("%(kind)s: SMS") % {"kind": label},
                disabled=not self.has_phone,
            )

    def rows(self):
        return [(label, self[f"{k}_email"], self[f"{k}_sms"]) for k, label in Kind.choices]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        d = self.cleaned_data
        return {k: (d[f"{k}_email"], d[f"{k}_sms"]) for k in Kind.values}


@login_required
def notices_view(request):
    """Уведомления: newest first; opening the list marks them read."""
    notices = list(Notice.objects.filter(user=request.user)[:100])
    unread = {n.pk for n in notices if n.read_at is None}
    services.notices_read(user=request.user, ids=unread)
    return render(request, "notifications/notices.html", {"notices": notices, "unread": unread})


@login_required
def preferences_view(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, choices=form.choices())
        messages.success(request, _("Настройки уведомлений сохранены."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
@require_POST
def notices_read_view(request):
    services.notices_read(user=request.user)
    return redirect("notifications:list")
