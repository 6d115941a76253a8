"""Filling in an application (002 §4.6.1): a draft is kept from the first step, every
step is saved as typed (so nothing typed is lost, even what does not pass yet), each is
checked on the server when the customer goes on, and the application is filed only
from the preview, after every step passes again.

Kinds marked ``direct`` (service requests, 003 §3.5) have one form and no draft: the
form is checked and the application filed in one transaction, or nothing is kept."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.appeals import conversations, uploads
from kabinet.applications.kinds import enabled_kinds, get_kind
from kabinet.applications.models import (
    Application,
    ApplicationFile,
    ConnectionObject,
)
from kabinet.applications.selectors import name_key
from kabinet.applications.services.workflow import _lock, application_file_number
from kabinet.core.errors import DomainError
from kabinet.core.validators import validate_no_nul

MAX_FILES_PER_APPLICATION = 40
MAX_DRAFTS = 20


def _enabled(kind_code: str):
    spec = get_kind(kind_code)
    if spec is None or spec not in enabled_kinds():
        raise DomainError(_("Такие заявки организация не принимает."))
    return spec


def application_start(
    *, user, kind: str, applicant_kind: str = "", category: str = "", reason: str = ""
) -> Application:
    """A new draft of a kind, for an applicant kind and category (002 рисунок 9) and,
    where the kind asks at the start, its reason (000 §3.4.4)."""
    spec = _enabled(kind)
    if user.is_staff:
        raise DomainError(_("Заявки подают заявители, а не сотрудники."))
    if spec.direct:
        raise DomainError(_("Такая заявка подаётся сразу, одной формой, без черновика."))
    if applicant_kind not in spec.applicant_kinds:
        raise DomainError(_("Выберите, кто подаёт заявку."), field="applicant_kind")
    if spec.categories:
        chosen = spec.category(category)
        if chosen is None or applicant_kind not in chosen.applicant_kinds:
            raise DomainError(_("Выберите категорию заявки."), field="category")
    elif category:
        raise DomainError(_("Выберите категорию заявки."), field="category")
    if (reason or spec.reason_at_start) and reason not in {r.code for r in spec.reasons}:
        raise DomainError(_("Выберите причину заявки."), field="reason")
    if Application.objects.filter(user=user, status=Application.Status.DRAFT).count() >= MAX_DRAFTS:
        raise DomainError(
            _("У вас %(n)d черновиков: подайте или удалите ненужные, прежде чем начинать новый.")
            % {"n": MAX_DRAFTS}
        )
    return Application.objects.create(
        user=user,
        kind=spec.code,
        applicant_kind=applicant_kind,
        category=category,
        reason=reason,
        step=spec.steps[0].slug,
    )


def step_form(application: Application, slug: str, data=None):
    """The step's form, bound to ``data`` (what was just posted) or, by default, to what
    the draft keeps for that step (unbound when it keeps nothing yet)."""
    step = application.spec.step(slug)
    if step is None or step.form is None:
        raise DomainError(_("Такого шага нет."))
    if data is None:
        data = application.data.get(slug)
    return step.form(data, application=application, prefix=None)


def _raw(form, data) -> dict:
    """What was typed into the form's fields, as strings (JSON-safe and storable: a NUL
    character is refused next to its field, since the draft keeps input before the form's
    own check, which would have refused it, and PostgreSQL's JSON takes no NUL)."""
    raw = {}
    for name in form.fields:
        key = form.add_prefix(name)
        if key in data:
            value = data.get(key)
            raw[key] = value if isinstance(value, str) else str(value)
            try:
                validate_no_nul(raw[key])
            except ValidationError as exc:
                raise DomainError(exc.messages[0], field=key, code=exc.code) from exc
    return raw


def _owned_draft(application: Application, user) -> Application:
    if application.user_id != user.pk:
        raise DomainError(_("Это не ваша заявка."))
    locked = _lock(application)
    if locked.status != Application.Status.DRAFT:
        raise DomainError(_("Заявка уже подана: изменить её нельзя. Напишите в её карточке."))
    return locked


def _apply(application: Application, derived: dict) -> None:
    for field in ("reason", "contract", "visit_date", "visit_time"):
        if field in derived:
            setattr(application, field, derived[field])
    if "connection_object" in derived:
        application.connection_object = derived["connection_object"]
    elif "new_object" in derived:
        application.connection_object = None


def application_save_step(*, application: Application, user, slug: str, data, check: bool):
    """Keep what was typed on a step; with ``check``, also check it. Returns the bound
    form (its errors to show) and whether it passed. A failed check still keeps what
    was typed: the draft is the customer's."""
    with transaction.atomic():
        locked = _owned_draft(application, user)
        form = step_form(locked, slug, data)
        locked.data = {**locked.data, slug: _raw(form, data)}
        passed = form.is_valid() if check else False
        if passed:
            _apply(locked, form.derived())
        locked.step = slug
        locked.updated_at = timezone.now()
        locked.save()
    application.refresh_from_db()
    return form, passed


def documents_missing(application: Application) -> list:
    """The required documents with no file yet."""
    have = set(application.files.filter(info_request=None).values_list("doc_type", flat=True))
    return [
        d for d in application.spec.documents_for(application) if d.required and d.code not in have
    ]


def application_check(application: Application) -> dict[str, list[str]]:
    """Every step that does not pass, with what is wrong: {slug: [messages]}."""
    problems: dict[str, list[str]] = {}
    for step in application.spec.steps:
        if step.form is None:
            missing = documents_missing(application)
            if missing:
                problems[step.slug] = [_("Приложите: %(doc)s.") % {"doc": d.title} for d in missing]
            continue
        form = step_form(application, step.slug)
        if not form.is_bound:
            problems[step.slug] = [_("Шаг не заполнен.")]
        elif not form.is_valid():
            problems[step.slug] = [
                " ".join(errors)
                if name == "__all__"
                else f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ]
        else:
            _apply(application, form.derived())
    return problems


def application_upload(*, application: Application, user, doc_type: str, files) -> list:
    """Attach files to a draft for one of the documents its kind asks for."""
    spec = application.spec
    if doc_type not in {d.code for d in spec.documents}:
        raise DomainError(_("Выберите, какой это документ."), field="doc_type")
    files = list(files or [])
    if not files:
        raise DomainError(_("Выберите файл."), field="files")
    checked = uploads.check_files(files)
    with conversations.atomic():
        locked = _owned_draft(application, user)
        if locked.files.count() + len(checked) > MAX_FILES_PER_APPLICATION:
            raise DomainError(
                _("К заявке можно приложить не больше %(n)d файлов.")
                % {"n": MAX_FILES_PER_APPLICATION},
                field="files",
            )
        rows = [_store(locked, f, user=user, doc_type=doc_type) for f in checked]
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
    return rows


def _store(application, checked, *, user, doc_type="", info_request=None, from_staff=False):
    row = ApplicationFile(
        application=application,
        doc_type=doc_type,
        info_request=info_request,
        from_staff=from_staff,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=user,
    )
    checked.upload.seek(0)
    row.file.save(row.uuid.hex, checked.upload, save=False)
    conversations.remember_file(row.file.name)
    row.save()
    return row


def application_file_remove(*, application: Application, user, file_uuid) -> None:
    """Remove a file from a draft (a filed application keeps every file)."""
    with transaction.atomic():
        locked = _owned_draft(application, user)
        row = locked.files.filter(uuid=file_uuid).first()
        if row is None:
            raise DomainError(_("Такого файла в заявке нет."))
        name = row.file.name
        row.delete()
        transaction.on_commit(lambda: row.file.storage.delete(name))


def application_discard(*, application: Application, user) -> None:
    """Delete a draft and its files."""
    with transaction.atomic():
        locked = _owned_draft(application, user)
        names = list(locked.files.values_list("file", flat=True))
        locked.files.all().delete()
        locked.events.all().delete()
        locked.delete()
        storage = ApplicationFile._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(n) for n in names])


def _person_name(req: dict) -> str:
    return " ".join(
        p for p in (req.get("last_name"), req.get("first_name"), req.get("middle_name")) if p
    )


def _copy_out(application: Application) -> None:
    """What the queues and the public status check search by, from the typed data."""
    data = application.data
    req = data.get("requisites") or {}
    if application.spec.group == "connection":
        if application.applicant_kind == "legal":
            application.applicant_name = req.get("org_name", "")
            application.check_key = name_key(req.get("org_name", ""))
        else:
            name = _person_name(req)
            if application.applicant_kind == "ip":
                name = _("ИП %(name)s") % {"name": name}
            application.applicant_name = name
            application.check_key = name_key(req.get("last_name", ""))
        if application.connection_object is not None:
            application.object_address = application.connection_object.address
    elif application.spec.group == "contract":
        responsible = data.get("responsible") or {}
        application.applicant_name = responsible.get("org_name", "")
        application.check_key = name_key(responsible.get("org_name", ""))
        application.object_address = responsible.get("object_address", "")
    else:
        contract = application.contract
        application.applicant_name = contract.party.name if contract and contract.party_id else ""
        application.check_key = name_key(application.applicant_name)
        application.object_address = (
            _("Договор № %(n)s") % {"n": contract.number} if contract else ""
        )


def application_submit(*, application: Application, user) -> Application:
    """Подать заявку from the preview: every step is checked again; a new object typed
    in the form joins the registry; the application gets its number."""
    with conversations.atomic():
        locked = _owned_draft(application, user)
        problems = application_check(locked)
        if problems:
            raise DomainError(_("Заявка заполнена не до конца: исправьте отмеченные шаги."))
        new_object = (locked.data.get("object") or {}) if locked.connection_object is None else {}
        if new_object.get("name") and new_object.get("address"):
            locked.connection_object = ConnectionObject.objects.create(
                user=user,
                name=new_object["name"],
                address=new_object["address"],
                cadastral_number=new_object.get("cadastral_number", ""),
            )
        _copy_out(locked)
        locked.save()
        application_file_number(application=locked, by=user)
    application.refresh_from_db()
    return application


def service_request_file(*, user, data, kind: str = "service"):
    """A direct request (003 §3.5): check the one form and file it at once. Returns
    (form, application or None); on any error nothing is kept."""
    spec = _enabled(kind)
    step = spec.steps[0]
    probe = Application(user=user, kind=spec.code, applicant_kind="legal")
    form = step.form(data, application=probe)
    if not form.is_valid():
        return form, None
    contract = form.cleaned_data["contract"]
    applicant_kind = "ip" if contract.party and contract.party.kind == "ip" else "legal"
    with conversations.atomic():
        application = Application.objects.create(
            user=user,
            kind=spec.code,
            applicant_kind=applicant_kind,
            step=step.slug,
            data={step.slug: _raw(form, data)},
        )
        _apply(application, form.derived())
        _copy_out(application)
        application.save()
        application_file_number(application=application, by=user)
    application.refresh_from_db()
    return form, application
