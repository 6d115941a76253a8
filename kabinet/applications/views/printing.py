"""Печатные формы заявок (PDF, Typst):

* the blank form of a kind — «Типовая форма заявки» (000 §4: «Ознакомиться с типовыми
  формами запросов, заявок»), public, built from the kind's own step forms so the paper
  asks exactly what the cabinet asks;
* a filed application printed for its applicant or staff (003 §3.5: «возможность
  распечатать бумажную форму бланка заявки»): what was typed, step by step, as the
  card shows it, with the documents attached and lines to sign.

Every word on the paper comes from here, through gettext; the templates
(``kabinet/applications/typst/``) only lay it out.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.applications import selectors
from kabinet.applications.kinds.base import ApplicationKind, DocType
from kabinet.applications.models import Application
from kabinet.applications.services.drafts import step_form
from kabinet.core.pdf import render_pdf
from kabinet.core.utility import get_utility

# Fields of a service request printed in their own block, formatted (not as typed).
VISIT_FIELDS = ("contract", "visit_date", "visit_time")
SHORT_APPLICANT = {
    "person": gettext_lazy("физическое лицо"),
    "ip": gettext_lazy("ИП"),
    "legal": gettext_lazy("юридическое лицо"),
}


def document_note(doc: DocType, spec: ApplicationKind) -> str:
    """When a document is needed, in a few words: always, in some cases (its hint says
    which; where it depends on who applies, the note says who), or at will."""
    if not doc.required:
        return _("по желанию")
    if doc.when is None:
        return _("обязательно")
    # Try the rule on a bare application of each applicant kind: a document only some
    # applicants need (a passport copy, a company's charter) is one whose rule says so.
    needed_by = [
        k for k in spec.applicant_kinds if doc.needed(Application(kind=spec.code, applicant_kind=k))
    ]
    if needed_by and len(needed_by) < len(spec.applicant_kinds):
        who = [str(SHORT_APPLICANT[k]) for k in needed_by]
        if len(who) == 2:
            who = [_("%(a)s или %(b)s") % {"a": who[0], "b": who[1]}]
        return _("в некоторых случаях: если заявитель — %(who)s") % {"who": who[0]}
    return _("в некоторых случаях")


def _organisation() -> dict:
    org = get_utility().organisation()
    requisites = " · ".join(
        f"{label} {value}"
        for label, value in (
            (_("ИНН"), org["inn"]),
            (_("КПП"), org["kpp"]),
            (_("ОГРН"), org["ogrn"]),
        )
        if value
    )
    return {
        "short_name": org["short_name"],
        "full_name": org["full_name"],
        "requisites": requisites,
        "address": org["legal_address"],
    }


def _response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- the blank form ----------------------------------------------------------------------


def _nobody():
    # A user that is never saved and matches no row: the step forms' ``adapt`` builds
    # querysets of "the user's objects and contracts" from it, and they are never run.
    return get_user_model()(pk=0)


def _field_kind(field) -> str:
    if isinstance(field, forms.BooleanField):
        return "check"
    if isinstance(field, forms.ModelChoiceField):
        return "line"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    if isinstance(field.widget, forms.Textarea):
        return "text"
    return "line"


def _who(spec: ApplicationKind, kinds: list[str]) -> str:
    if set(kinds) >= set(spec.applicant_kinds):
        return ""
    return _("заполняет: %(who)s") % {"who": ", ".join(str(SHORT_APPLICANT[k]) for k in kinds)}


def blank_step_fields(spec: ApplicationKind, step) -> list[dict]:
    """A step's fields for the paper form: the union over the applicant kinds the kind
    takes, in the form's order; a field only some applicants fill says who."""
    by_kind = {}
    for applicant_kind in spec.applicant_kinds:
        probe = Application(kind=spec.code, applicant_kind=applicant_kind, user=_nobody())
        by_kind[applicant_kind] = step.form(None, application=probe)
    rows: dict[tuple[str, str, str], dict] = {}
    for name in step.form.base_fields:
        for applicant_kind, form in by_kind.items():
            field = form.fields.get(name)
            if field is None:
                continue
            # On paper a new object is described; the registry is the cabinet's.
            if name == "connection_object" and "name" in form.fields:
                continue
            key = (name, str(field.label), str(field.help_text or ""))
            row = rows.get(key)
            if row is None:
                options = []
                if _field_kind(field) == "choice":
                    options = [str(label) for value, label in field.choices if value != ""]
                row = rows[key] = {
                    "label": str(field.label),
                    "help": str(field.help_text or ""),
                    "kind": _field_kind(field),
                    "options": options,
                    "required": True,
                    "kinds": [],
                }
            row["kinds"].append(applicant_kind)
            row["required"] = row["required"] and field.required
    fields = []
    for row in rows.values():
        kinds = row.pop("kinds")
        row["who"] = _who(spec, kinds)
        fields.append(row)
    return fields


def blank_form_context(spec: ApplicationKind) -> dict:
    """What the blank form of a kind says, as plain strings for ``blank_form.typ``."""
    sections = []
    has_reason = False
    for step in spec.steps:
        if step.form is None:
            continue
        has_reason = has_reason or "reason" in step.form.base_fields
        sections.append({"title": str(step.title), "fields": blank_step_fields(spec, step)})
    head = []
    head.append(
        {
            "label": _("Заявитель"),
            "options": [str(Application.ApplicantKind(k).label) for k in spec.applicant_kinds],
        }
    )
    if spec.categories:
        head.append(
            {"label": str(spec.category_label), "options": [str(c.label) for c in spec.categories]}
        )
    if spec.reasons and not has_reason:
        head.append(
            {"label": str(spec.reason_label), "options": [str(r.label) for r in spec.reasons]}
        )
    org = _organisation()
    return {
        "pdf_title": _("Заявка: %(kind)s") % {"kind": spec.title},
        "org": org,
        "to": _("В %(org)s") % {"org": org["full_name"]},
        "heading": _("Заявка"),
        "kind": str(spec.title),
        "registration": _("Регистрационный № ______________ от «___» ____________ 20___ г."),
        "registration_note": _("заполняет %(org)s") % {"org": org["short_name"]},
        "head": head,
        "sections": sections,
        "documents_title": _("Прилагаемые документы"),
        "documents": [
            {"title": str(d.title), "note": document_note(d, spec), "hint": str(d.hint)}
            for d in spec.documents
        ],
        "required_note": _("* — обязательно для заполнения."),
        "choice_note": _("Отметьте нужное."),
        "applicant": _("Заявитель"),
        "sign": _("подпись"),
        "sign_name": _("расшифровка подписи"),
        "date_label": _("Дата"),
        "date_blank": _("«___» ____________ 20___ г."),
        "footer": _(
            "Заявку можно подать и в личном кабинете: тогда номер присваивается сразу, а "
            "её статус виден в разделе «Мои заявки»."
        ),
    }


def blank_form_pdf(spec: ApplicationKind) -> HttpResponse:
    pdf = render_pdf("applications/blank_form", blank_form_context(spec))
    return _response(pdf, f"zayavka-{spec.code}.pdf")


# --- a filed application, printed ----------------------------------------------------


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


def application_print_context(application: Application) -> dict:
    """What the printed application says: its number, dates and status, what was
    typed on each step, the visit asked for, the documents attached."""
    from kabinet.applications.kinds.requests import VISIT_SLOTS

    spec = application.spec
    facts = [
        (_("Номер заявки"), application.number or ""),
        (_("Дата и время подачи"), _when(application.filed_at)),
        (_("Статус заявки"), application.get_status_display()),
        (_("Вид заявки"), str(spec.title)),
        (_("Тип заявки"), application.type_title()),
    ]
    if application.reason:
        facts.append((str(spec.reason_label), application.reason_title()))
    sections = []
    for step in spec.steps:
        if step.form is None:
            continue
        form = step_form(application, step.slug)
        # The reason is among the facts above; a registry left unpicked is no row; a
        # service request's contract and visit have a block of their own.
        skip = {
            str(field.label)
            for name, field in form.fields.items()
            if (name == "reason" and application.reason)
            or (
                isinstance(field, forms.ModelChoiceField)
                and form.data.get(form.add_prefix(name), "") in ("", None)
            )
            or (spec.group == "service" and name in VISIT_FIELDS)
        }
        rows = [[label, value] for label, value in form.summary() if label not in skip]
        if rows:
            sections.append({"title": str(step.title), "rows": rows})
    visit = []
    if application.contract_id:
        visit.append([_("Договор"), _("№ %(n)s") % {"n": application.contract.number}])
    if application.visit_date:
        visit.append([_("Желаемая дата посещения"), application.visit_date.strftime("%d.%m.%Y")])
    if application.visit_time:
        slots = dict(VISIT_SLOTS)
        visit.append(
            [
                _("Желаемое время посещения"),
                slots.get(application.visit_time, application.visit_time),
            ]
        )
    documents = []
    for f in application.files.filter(from_staff=False).order_by("created_at", "id"):
        kind = f.doc_type_title() or (_("ответ на запрос") if f.info_request_id else "")
        documents.append(f"{kind}: {f.name}" if kind else f.name)
    org = _organisation()
    return {
        "pdf_title": str(application),
        "org": org,
        "to": _("В %(org)s") % {"org": org["full_name"]},
        "heading": _("Заявка № %(n)s") % {"n": application.number},
        "kind": str(spec.title),
        "facts": [[str(label), str(value)] for label, value in facts],
        "sections": sections,
        "visit_title": _("Посещение") if visit else "",
        "visit": visit,
        "documents_title": _("Приложенные документы"),
        "documents": documents,
        "no_documents": _("Документы не приложены."),
        "applicant_name": application.applicant_name,
        "applicant": _("Заявитель"),
        "sign": _("подпись"),
        "sign_name": _("расшифровка подписи"),
        "date_label": _("Дата"),
        "date_blank": _("«___» ____________ 20___ г."),
        "printed": _("Напечатано %(when)s из личного кабинета.") % {"when": _when(timezone.now())},
    }


@login_required
def print_view(request, uuid):
    """Распечатать заявку: the filed application as a PDF (owner and staff; 404 for
    anybody else and for drafts, which are not an application yet)."""
    application = selectors.application_for(request.user, uuid)
    if application.is_draft or application.spec is None:
        raise Http404
    pdf = render_pdf("applications/application", application_print_context(application))
    response = _response(pdf, f"zayavka-{application.number}.pdf")
    # A filled application carries personal data (passport, addresses).
    response["Cache-Control"] = "private, no-store"
    return response
