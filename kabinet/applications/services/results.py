"""The result of a connection application (000 §4.5–4.6): the contract the utility signs
with its electronic signature, the applicant's signature back, and the contract's stages.

``contract_attach`` — staff attach the contract (a PDF); it is signed with the
utility's key (``kabinet.core.signing``), its stages are set with their due dates by
the rules, and the application is finished («Завершена»: the result is given).

``contract_sign_back`` — the applicant returns the contract signed with their own
electronic signature, in one of three forms:

- the utility's signed PDF with the applicant's signature added to it (an incremental
  update, as Adobe Acrobat, КриптоАРМ and similar tools sign a signed PDF);
- a detached signature (.sig, .p7s: CMS, DER, PEM or Base64) of the utility's PDF
  exactly as downloaded;
- an attached signature (CMS with the PDF inside it), again of that exact PDF.

What is checked:

- the file holds our contract byte for byte: the PDF starts with the exact bytes of
  the utility's signed PDF (incremental signing only appends), or the CMS signs (or
  carries) exactly those bytes;
- the utility's signature in it is intact and valid, and everything added after it is
  only signing or form filling (pyHanko's difference analysis): a changed page, text
  or annotation is refused;
- there is at least one signature made after the utility's; each is intact (the
  signed bytes hash to what the signature says), cryptographically valid (RSA, ECDSA
  or EdDSA with SHA-2 or SHA-3) and made with the certificate it names; nothing but
  validation data may follow the applicant's last signature;
- the signer's name is read from their certificate and kept.

What is not checked: the applicant's certificate is not validated up to any trust root
(we have none for the applicant's CA), nor its revocation (no CRL or OCSP is fetched),
nor its validity period, nor whether the signer may act for the applicant. Signatures
by ГОСТ Р 34.10-2012 keys (those of accredited Russian CAs) cannot be verified here
and are refused with a message saying so. So this is not a check of a qualified
electronic signature under 63-ФЗ: it shows that the returned file is our contract,
unchanged, with a signature by whoever holds the named certificate. Staff see the
signer's name and the file; a legally binding exchange goes through the applicant's
ЭДО operator or on paper.

``stage_mark`` — staff mark a stage done (or undo it); the applicant is told.

pyHanko is used only through its synchronous parts here (nothing is fetched, no event
loop is started), and still called through ``signing._outside_event_loop`` so that a
future switch to its validation functions (which call ``asyncio.run``) stays safe.
"""

import base64
import binascii
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from asn1crypto import cms, core, pem
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.appeals import conversations, uploads
from kabinet.applications.kinds.base import Category, months_after, working_days_after
from kabinet.applications.models import (
    Application,
    ApplicationEvent,
    ConnectionContract,
    ContractStage,
)
from kabinet.applications.services.workflow import (
    _event,
    _lock,
    application_notify,
    application_transition,
)
from kabinet.backoffice import roles
from kabinet.core import signing
from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.errors import DomainError

Status = Application.Status

# The applicant signs the contract (or sends a reasoned refusal) within 10 working days
# of receiving it: ПП РФ № 861, п. 15 (electricity); the heat rules (ПП РФ № 2115) give
# the applicant a term of their own — a kind may set it as ``extra["sign_days"]``.
CUSTOMER_SIGN_DAYS = 10
# The signed file the applicant sends back: the contract plus a signature or two.
MAX_SIGNED_BYTES = 10 * 1024 * 1024
SIGNED_EXTENSIONS = {"pdf", "sig", "p7s", "p7m"}
# Digests a signature may use: SHA-1 and MD5 are broken for signatures.
STRONG_DIGESTS = {"sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"}
GOST_OID_PREFIX = "1.2.643."
# What may follow the utility's signature in a returned PDF (pyHanko's levels, in order
# NONE < LTA_UPDATES < FORM_FILLING < ANNOTATIONS < OTHER): signing and validation data.
ALLOWED_AFTER_UTILITY = "FORM_FILLING"
ALLOWED_AFTER_CUSTOMER = "LTA_UPDATES"


# --- the stages of a connection contract ------------------------------------------------


@dataclass(frozen=True)
class StageRule:
    """A stage of the contract (000 §4.6) and how its due date is set."""

    code: str
    title: str  # a Russian msgid: stored in Russian, shown through gettext
    # (application, contract, category, attach day) -> due date, or None for no term.
    due: Callable | None = None
    done_at_attach: bool = False


def _answer_due(application, contract, category, today):
    # The utility sends the signed contract within the kind's answer term of filing:
    # ПП 861 п. 15 (10 / 20 рабочих дней), ПП 2115 (20 рабочих дней).
    filed = timezone.localdate(application.filed_at) if application.filed_at else today
    return working_days_after(filed, application.spec.answer_days_for(application))


def _sign_due(application, contract, category, today):
    days = application.spec.extra.get("sign_days", CUSTOMER_SIGN_DAYS)
    return working_days_after(today, days)


def _connect_due(application, contract, category, today):
    # ПП 861 п. 16: 4–6 месяцев (до 150 кВт), 1 год (до 670 кВт), 2 года (выше),
    # 15 рабочих дней (временное); ПП 2115: 18 месяцев, 3 года — from the contract.
    if category is None:
        return None
    if category.connect_working_days:
        return working_days_after(contract.date, category.connect_working_days)
    return months_after(contract.date, category.connect_months)


STAGES: tuple[StageRule, ...] = (
    StageRule(
        "utility_signed",
        gettext_lazy("Договор подписан организацией"),
        due=_answer_due,
        done_at_attach=True,
    ),
    StageRule("customer_signed", gettext_lazy("Договор подписан заявителем"), due=_sign_due),
    StageRule("customer_conditions", gettext_lazy("Выполнение технических условий заявителем")),
    StageRule(
        "utility_works",
        gettext_lazy("Мероприятия организации по подключению"),
        due=_connect_due,
    ),
    StageRule("inspection", gettext_lazy("Проверка выполнения технических условий")),
    StageRule(
        "connected",
        gettext_lazy("Фактическое присоединение, акт о подключении"),
        due=_connect_due,
    ),
)


def _create_stages(application, contract, *, by, today) -> list[ContractStage]:
    category: Category | None = application.spec.category(application.category)
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for order, rule in enumerate(STAGES, start=1):
            rows.append(
                ContractStage(
                    contract=contract,
                    order=order,
                    code=rule.code,
                    title=str(rule.title),
                    due_date=rule.due(application, contract, category, today) if rule.due else None,
                    done_on=contract.date if rule.done_at_attach else None,
                    done_by=by if rule.done_at_attach else None,
                )
            )
    return ContractStage.objects.bulk_create(rows)


def _day(value: date) -> str:
    return formats.date_format(value, "d.m.Y")


# --- attaching the contract -------------------------------------------------------------


def _contract_taken(application) -> DomainError:
    return DomainError(
        _("К заявке № %(n)s договор уже приложен: второй приложить нельзя.")
        % {"n": application.number}
    )


def contract_attach(
    *, staff, application: Application, number: str, date: date | None, pdf_upload
) -> ConnectionContract:
    """Приложить договор: the utility's contract for a connection application, signed
    with the utility's key as it is stored; its stages are set, the application is
    finished and the applicant is told the contract waits for their signature."""
    if not roles.can(staff, roles.APPLICATIONS):
        raise DomainError(_("Прикладывать договор могут только сотрудники."))
    spec = application.spec
    if spec is None or not spec.result_contract:
        raise DomainError(_("По заявкам этого вида договор не прикладывается."))
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Укажите номер договора."), field="number")
    if len(number) > ConnectionContract._meta.get_field("number").max_length:
        raise DomainError(_("Номер договора — не длиннее 40 символов."), field="number")
    if date is None:
        raise DomainError(_("Укажите дату договора."), field="date")
    today = timezone.localdate()
    if date > today:
        raise DomainError(_("Дата договора не может быть позже сегодняшней."), field="date")
    filed = timezone.localdate(application.filed_at) if application.filed_at else None
    if filed and date < filed:
        raise DomainError(
            _("Дата договора не может быть раньше подачи заявки (%(d)s).") % {"d": _day(filed)},
            field="date",
        )
    if not pdf_upload:
        raise DomainError(_("Приложите файл договора в формате PDF."), field="pdf")
    try:
        checked = uploads.check_file(pdf_upload)
    except DomainError as exc:
        raise DomainError(exc.message, field="pdf") from exc
    if checked.content_type != "application/pdf":
        raise DomainError(_("Договор прикладывается в формате PDF."), field="pdf")
    # Before the slow signing: the usual refusals, checked again under the lock below.
    if ConnectionContract.objects.filter(application=application).exists():
        raise _contract_taken(application)
    _check_status(application)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Договор о технологическом присоединении № %(n)s") % {"n": number}
    pdf_upload.seek(0)
    try:
        signed = signing.sign_pdf(pdf_upload.read(), reason=reason)
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # pyHanko cannot read it: damaged, encrypted, not a plain PDF
        raise DomainError(
            _(
                "Файл не удалось подписать: он повреждён, зашифрован или это не обычный "
                "PDF. Сохраните договор в PDF заново и приложите его."
            ),
            field="pdf",
        ) from exc
    with conversations.atomic():
        locked = _lock(application)
        if ConnectionContract.objects.filter(application=locked).exists():
            raise _contract_taken(locked)
        _check_status(locked)
        was = locked.status
        if locked.status == Status.ACCEPTED:
            application_transition(
                application=locked, to=Status.IN_WORK, by=staff, notify=False, audit=False
            )
        contract = ConnectionContract(
            application=locked,
            number=number,
            date=date,
            utility_signer=signing.signer_name()[:300],
            created_by=staff,
        )
        contract.utility_pdf.save(contract.uuid.hex, ContentFile(signed), save=False)
        conversations.remember_file(contract.utility_pdf.name)
        contract.save()
        stages = _create_stages(locked, contract, by=staff, today=today)
        sign_due = next(s.due_date for s in stages if s.code == "customer_signed")
        _event(
            locked,
            kind=ApplicationEvent.Kind.CONTRACT,
            by=staff,
            comment=_("Договор № %(n)s от %(d)s подписан электронной подписью: %(who)s.")
            % {"n": number, "d": _day(date), "who": contract.utility_signer},
        )
        application_transition(
            application=locked, to=Status.DONE, by=staff, notify=False, audit=False
        )
        audit_record(
            actor=staff,
            action="contract_attach",
            target=locked,
            subject=locked.user,
            changes={
                "status": [was, Status.DONE],
                "contract": [None, number],
                "contract_date": [None, date],
            },
        )
        application_notify(
            locked,
            title=_("Заявка № %(n)s: договор готов к подписанию") % {"n": locked.number},
            text=_(
                "Договор № %(c)s от %(d)s подписан электронной подписью организации. "
                "Скачайте его в карточке заявки, подпишите своей электронной подписью и "
                "приложите там же до %(due)s."
            )
            % {"c": number, "d": _day(date), "due": _day(sign_due)},
        )
    application.refresh_from_db()
    return contract


def _check_status(application) -> None:
    if application.status not in (Status.ACCEPTED, Status.IN_WORK):
        raise DomainError(
            _(
                "Договор прикладывается к принятой заявке или заявке в работе, а эта — "
                "в статусе «%(s)s»."
            )
            % {"s": Status(application.status).label}
        )


# --- the applicant signs it back --------------------------------------------------------


@dataclass(frozen=True)
class _Examined:
    """What the check of a returned file found: a problem code, or the kind of file
    and the signers' names."""

    problem: str = ""
    kind: str = ""  # "pdf" | "detached" | "attached"
    signers: tuple[str, ...] = ()


def _problem(code: str) -> _Examined:
    return _Examined(problem=code)


def _algorithm_problem(signer_info) -> str:
    """'' when the signature's algorithms are ones checked here; else a problem code."""
    signature = signer_info["signature_algorithm"]["algorithm"].dotted
    digest = signer_info["digest_algorithm"]["algorithm"]
    if signature.startswith(GOST_OID_PREFIX) or digest.dotted.startswith(GOST_OID_PREFIX):
        return "gost"
    if digest.native not in STRONG_DIGESTS:
        return "algorithm"
    return ""


def _verify(signer_info, cert, digest: bytes) -> str:
    """'' when the signature is valid for ``digest``; "digest" when it is a sound
    signature of other bytes; "broken" when the signature itself does not verify."""
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    try:
        intact, valid = validate_sig_integrity(signer_info, cert, "data", digest)
    except NotImplementedError:
        return "algorithm"
    except Exception:  # damaged attributes, or a certificate that does not match them
        return "broken"
    if not valid:
        return "broken"
    return "" if intact else "digest"


def _examine_pdf(data: bytes, utility: bytes) -> _Examined:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel

    if not data.startswith(utility):
        return _problem("foreign")
    if len(data) == len(utility):
        return _problem("unsigned")
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception:
        return _problem("broken")
    ours = [s for s in signatures if s.byte_range[-2] + s.byte_range[-1] <= len(utility)]
    # Signatures (not document time stamps) made on top of ours.
    theirs = [
        s
        for s in signatures
        if s.byte_range[-2] + s.byte_range[-1] > len(utility) and s.sig_object_type == "/Sig"
    ]
    if not ours:
        return _problem("foreign")
    if not theirs:
        return _problem("unsigned")
    names = []
    try:
        # The last signature within our bytes is the utility's over the whole contract
        # (a contract may come to us already signed by someone, then signed by us).
        utility_sig = ours[-1]
        if _algorithm_problem(utility_sig.signer_info) or _verify(
            utility_sig.signer_info, utility_sig.signer_cert, utility_sig.compute_digest()
        ):
            return _problem("foreign")
        utility_sig.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
        after = getattr(utility_sig.diff_result, "modification_level", None)
        if after is None or after > ModificationLevel[ALLOWED_AFTER_UTILITY]:
            return _problem("changed")
        for sig in theirs:
            problem = _algorithm_problem(sig.signer_info)
            if problem:
                return _problem(problem)
            problem = _verify(sig.signer_info, sig.signer_cert, sig.compute_digest())
            if problem:
                # Bytes the applicant signed were changed afterwards: "digest" too.
                return _problem("algorithm" if problem == "algorithm" else "broken")
            names.append(signing._subject_name(sig.signer_cert))
        last = theirs[-1]
        last.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
        tail = getattr(last.diff_result, "modification_level", None)
        if tail is None or tail > ModificationLevel[ALLOWED_AFTER_CUSTOMER]:
            return _problem("changed")
    except Exception:  # a damaged signature dictionary or revision
        return _problem("broken")
    return _Examined(kind="pdf", signers=tuple(names))


def _cms_bytes(data: bytes) -> bytes | None:
    """The DER of a CMS file given as DER, PEM or bare Base64; None if it is none."""
    if data[:1] == b"\x30":
        return data
    if pem.detect(data):
        try:
            return pem.unarmor(data)[2]
        except ValueError:
            return None
    try:
        der = base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return der if der[:1] == b"\x30" else None


def _signer_cert(signed_data, signer_info):
    """The certificate the signer info names (by issuer and serial, or key id)."""
    sid = signer_info["sid"]
    for choice in signed_data["certificates"]:
        if choice.name != "certificate":
            continue
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if (
                cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            ):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def _examine_cms(data: bytes, utility: bytes) -> _Examined:
    import hashlib

    der = _cms_bytes(data)
    if der is None:
        return _problem("not_signature")
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            return _problem("not_signature")
        signed_data = info["content"]
        content = signed_data["encap_content_info"]["content"]
        signer_infos = list(signed_data["signer_infos"])
        carried = None if isinstance(content, core.Void) else content.native
    except Exception:
        return _problem("not_signature")
    if carried is not None:
        kind = "attached"
        if not isinstance(carried, bytes) or carried != utility:
            return _problem("foreign")
    else:
        kind = "detached"
    if not signer_infos:
        return _problem("unsigned")
    names = []
    try:
        for signer_info in signer_infos:
            cert = _signer_cert(signed_data, signer_info)
            if cert is None:
                return _problem("broken")
            problem = _algorithm_problem(signer_info)
            if problem:
                return _problem(problem)
            algorithm = signer_info["digest_algorithm"]["algorithm"].native
            problem = _verify(signer_info, cert, hashlib.new(algorithm, utility).digest())
            if problem:
                # "digest": a sound signature of other bytes — another document.
                return _problem("foreign" if problem == "digest" else problem)
            names.append(signing._subject_name(cert))
    except Exception:
        return _problem("broken")
    return _Examined(kind=kind, signers=tuple(names))


def _examine(data: bytes, utility: bytes, ext: str) -> _Examined:
    if ext == "pdf":
        if not data.startswith(b"%PDF-"):
            return _problem("not_pdf")
        return _examine_pdf(data, utility)
    return _examine_cms(data, utility)


def _problem_message(code: str, contract: ConnectionContract) -> str:
    number = {"n": contract.number}
    again = _("Скачайте договор из карточки заявки, подпишите его, ничего не меняя, и приложите.")
    messages = {
        "not_pdf": _("Файл не является PDF-документом."),
        "not_signature": _(
            "Файл не является файлом электронной подписи (CMS/PKCS#7 в DER, PEM или Base64)."
        ),
        "foreign": _("Файл не является подписанным договором № %(n)s.") % number + " " + again,
        "unsigned": _(
            "В файле нет вашей подписи: подпишите договор № %(n)s своей электронной подписью."
        )
        % number,
        "broken": _("Подпись повреждена или не соответствует документу.") + " " + again,
        "changed": _("После подписи организации в договор № %(n)s внесены изменения.") % number
        + " "
        + again,
        "gost": _(
            "Подписи по ГОСТ Р 34.10-2012 портал проверить не может. Направьте подписанный "
            "договор через оператора ЭДО или подпишите его ключом RSA или ECDSA."
        ),
        "algorithm": _(
            "Подпись сделана устаревшим или неизвестным порталу алгоритмом: подпишите "
            "договор ключом RSA или ECDSA с SHA-256."
        ),
    }
    return messages[code]


def contract_sign_back(*, user, application: Application, upload) -> ConnectionContract:
    """The applicant returns the contract signed with their own electronic signature: a
    PDF signed on top of the utility's signature, or a signature file (detached or with
    the PDF inside). Checked as the module says; nothing is kept unless it passes."""
    if user.is_staff or application.user_id != user.pk:
        raise DomainError(_("Это не ваша заявка."))
    contract = ConnectionContract.objects.filter(application=application).first()
    if contract is None:
        raise DomainError(_("По этой заявке ещё нет договора."))
    if contract.is_signed_back:
        raise DomainError(_("Договор № %(n)s вы уже подписали.") % {"n": contract.number})
    if not upload:
        raise DomainError(
            _("Выберите файл: подписанный договор (PDF) или файл подписи (.sig, .p7s)."),
            field="signed",
        )
    try:
        name = uploads.check_name(upload.name)
    except DomainError as exc:
        raise DomainError(exc.message, field="signed") from exc
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in SIGNED_EXTENSIONS:
        raise DomainError(
            _("Приложите подписанный договор (PDF) или файл подписи (.sig, .p7s)."),
            field="signed",
        )
    with contract.utility_pdf.open("rb") as handle:
        utility = handle.read()
    limit = max(MAX_SIGNED_BYTES, len(utility) + 1024 * 1024)
    if upload.size == 0:
        raise DomainError(_("Файл «%(name)s» пуст.") % {"name": name}, field="signed")
    if upload.size > limit:
        raise DomainError(
            _("Файл «%(name)s» больше 10 МБ: это не подписанный договор.") % {"name": name},
            field="signed",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            _("Файл «%(name)s» больше 10 МБ: это не подписанный договор.") % {"name": name},
            field="signed",
        )
    found = signing._outside_event_loop(_examine, data, utility, ext)
    if found.problem:
        raise DomainError(_problem_message(found.problem, contract), field="signed")
    signer = "; ".join(found.signers)[:300]
    with conversations.atomic():
        locked = _lock(application)
        row = ConnectionContract.objects.select_for_update().get(pk=contract.pk)
        if row.is_signed_back:
            raise DomainError(_("Договор № %(n)s вы уже подписали.") % {"n": row.number})
        now = timezone.now()
        row.customer_file.save(row.uuid.hex, ContentFile(data), save=False)
        conversations.remember_file(row.customer_file.name)
        row.customer_file_kind = found.kind
        row.customer_file_name = name
        row.customer_signer = signer
        row.customer_signed_at = now
        row.save(
            update_fields=[
                "customer_file",
                "customer_file_kind",
                "customer_file_name",
                "customer_signer",
                "customer_signed_at",
            ]
        )
        row.stages.filter(code="customer_signed", done_on__isnull=True).update(
            done_on=timezone.localdate(now), done_by=user
        )
        audit_record(
            actor=user,
            action="contract_sign_back",
            target=row,
            subject=locked.user,
            changes={"customer_signer": [None, signer]},
            note=name,
        )
        _event(
            locked,
            kind=ApplicationEvent.Kind.SIGNED,
            by=user,
            comment=_("Договор № %(n)s подписан заявителем: %(who)s (файл «%(f)s»).")
            % {"n": row.number, "who": signer, "f": name},
            at=now,
        )
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
    return row


# --- stages -----------------------------------------------------------------------------


def stage_mark(
    *, staff, stage: ContractStage, done_on: date | None, note: str = ""
) -> ContractStage:
    """Отметить этап договора выполненным (on a date) or, with ``done_on=None``, take
    the mark back; the applicant is told either way."""
    if not roles.can(staff, roles.APPLICATIONS):
        raise DomainError(_("Отмечать этапы могут только сотрудники."))
    note = (note or "").strip()
    if len(note) > ContractStage._meta.get_field("note").max_length:
        raise DomainError(_("Слишком длинное примечание: сократите его."), field="note")
    today = timezone.localdate()
    with transaction.atomic():
        # The application first, as signing back locks it (then its contract's rows).
        locked = _lock(Application(pk=stage.contract.application_id))
        row = ContractStage.objects.select_for_update().select_related("contract").get(pk=stage.pk)
        before = audit_snapshot(row, ["done_on", "note"])
        contract = row.contract
        title = _(row.title)
        if done_on is None:
            if row.done_on is None:
                raise DomainError(_("Этап «%(s)s» и так не отмечен.") % {"s": title})
            if row.code == "utility_signed":
                raise DomainError(_("Подпись организации ставится при загрузке договора."))
            if row.code == "customer_signed" and contract.is_signed_back:
                raise DomainError(
                    _("Заявитель подписал договор в кабинете: эту отметку снять нельзя.")
                )
            row.done_on = None
            row.done_by = None
            comment = _("Снята отметка о выполнении этапа «%(s)s».") % {"s": title}
            notice = _("Заявка № %(n)s: отметка о выполнении этапа снята")
        else:
            if done_on > today:
                raise DomainError(
                    _("Дата выполнения не может быть позже сегодняшней."), field="done_on"
                )
            if done_on < contract.date:
                raise DomainError(
                    _("Дата выполнения не может быть раньше даты договора (%(d)s).")
                    % {"d": _day(contract.date)},
                    field="done_on",
                )
            row.done_on = done_on
            row.done_by = staff
            comment = _("Этап «%(s)s» выполнен %(d)s.") % {"s": title, "d": _day(done_on)}
            notice = _("Заявка № %(n)s: этап договора выполнен")
        if note:
            row.note = note
            comment = f"{comment} {note}"
        row.save(update_fields=["done_on", "done_by", "note"])
        _event(locked, kind=ApplicationEvent.Kind.STAGE, by=staff, comment=comment)
        audit_record(
            actor=staff,
            action="stage_mark",
            target=row,
            subject=locked.user,
            changes=audit_diff(before, audit_snapshot(row, ["done_on", "note"])),
        )
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
        application_notify(locked, title=notice % {"n": locked.number}, text=comment)
    stage.done_on, stage.done_by, stage.note = row.done_on, row.done_by, row.note
    return row
