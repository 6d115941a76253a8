"""«Журнал действий» (issue 9): the administrator searches the audit trail — who did
what to which object, when, with the old and new values — and downloads what they found.

The journal is read here and nowhere written: lines come from the services
(``kabinet.core.audit``)."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.backoffice import roles
from kabinet.backoffice.views import staff_required
from kabinet.core.audit import ACTIONS, actions_matching, change_lines, target_type_label
from kabinet.core.exports import Column, Table, export_response
from kabinet.core.models import AuditEntry
from kabinet.identity.models import User

PER_PAGE = 50
EXPORT_LIMIT = 10_000  # lines in one download; narrow the filters for more
SYSTEM = "system"
DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATE_INVALID = gettext_lazy("Введите дату в формате ДД.ММ.ГГГГ, например 01.11.2026.")


class DateInput(forms.DateField):
    """A date typed the Russian way (ДД.ММ.ГГГГ); what was typed stays in the box."""

    widget = forms.TextInput(attrs={"placeholder": "ДД.ММ.ГГГГ", "inputmode": "numeric"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": DATE_INVALID})
        super().__init__(required=False, **kwargs)


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Текст"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Кто, объект, комментарий или действие"),
    )
    who = forms.ChoiceField(label=gettext_lazy("Кто"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Действие"), required=False)
    target_type = forms.ChoiceField(label=gettext_lazy("Объект"), required=False)
    date_from = DateInput(label=gettext_lazy("С даты"))
    date_to = DateInput(label=gettext_lazy("По дату"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_staff=True).order_by("display_name", "login", "email")
        self.fields["who"].choices = [
            ("", _("Все")),
            (SYSTEM, _("Система")),
            *((str(u.pk), str(u)) for u in staff),
        ]
        self.fields["action"].choices = [
            ("", _("Все")),
            *sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1]),
        ]
        types = (
            AuditEntry.objects.exclude(target_type="")
            .order_by()
            .values_list("target_type", flat=True)
            .distinct()
        )
        self.fields["target_type"].choices = [
            ("", _("Все")),
            *sorted(((t, target_type_label(t)) for t in types), key=lambda c: c[1].lower()),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Дата «по» не может быть раньше даты «с»."))
        return data

    def entries(self):
        """The lines the filters select, newest first (all lines if nothing is chosen)."""
        found = AuditEntry.objects.select_related("subject")
        if not self.is_bound or not self.is_valid():
            return found if not self.is_bound else found.none()
        data = self.cleaned_data
        text = data["q"].strip()
        if text:
            found = found.filter(
                Q(actor_label__icontains=text)
                | Q(target_label__icontains=text)
                | Q(note__icontains=text)
                | Q(action__in=actions_matching(text))
            )
        if data["who"] == SYSTEM:
            found = found.filter(actor__isnull=True)
        elif data["who"]:
            found = found.filter(actor_id=int(data["who"]))
        if data["action"]:
            found = found.filter(action=data["action"])
        if data["target_type"]:
            found = found.filter(target_type=data["target_type"])
        if data["date_from"]:
            found = found.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            found = found.filter(at__date__lte=data["date_to"])
        return found


def _changes_text(lines) -> str:
    return "; ".join(f"{label}: {old} → {new}" for label, old, new in lines)


def _table(entries) -> Table:
    rows = []
    for entry in entries:
        rows.append(
            {
                "at": timezone.localtime(entry.at).strftime("%d.%m.%Y %H:%M"),
                "who": entry.actor_label,
                "what": entry.label,
                "object": entry.target_label,
                "subject": str(entry.subject) if entry.subject_id and entry.subject else "",
                "changes": _changes_text(change_lines(entry)),
                "note": entry.note,
            }
        )
    return Table(
        title=_("Журнал действий"),
        columns=[
            Column("at", _("Когда")),
            Column("who", _("Кто")),
            Column("what", _("Действие")),
            Column("object", _("Объект")),
            Column("subject", _("Абонент")),
            Column("changes", _("Изменения")),
            Column("note", _("Комментарий")),
        ],
        rows=rows,
    )


@staff_required(roles.ADMIN)
def audit_view(request):
    form = AuditFilterForm(request.GET or None)
    entries = form.entries()
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        stem = "zhurnal-" + timezone.localdate().strftime("%Y-%m-%d")
        return export_response(_table(entries[:EXPORT_LIMIT]), fmt, stem)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.change_lines = change_lines(entry)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "backoffice/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
