"""Отчёт о потреблении (003 §3.4): by the 25th of the month a subscriber with full rights
on a contract sends the month's consumption of each точка учёта (format XXXXXX,XX) with
the date the reading was taken, and one scan or photo of the signed report (PDF, JPEG,
PNG, up to 10 МБ); the original follows on paper by the 10th of the next month.

A later report for the same point and month replaces the earlier one (kept as
«заменён новым»); staff — later the billing import — mark a sent report «учтён во
взаиморасчётах» with the figure billing used, or «отклонён» with the reason.

A refused or failed submission leaves neither a row nor a file: every check is made
before anything is written, and the file saved inside the transaction is removed again
if it fails.
"""

import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kabinet.appeals import conversations, uploads
from kabinet.backoffice import roles
from kabinet.contracts.models import ConsumptionReport, Contract, MeteringPoint
from kabinet.contracts.selectors import can_act
from kabinet.core.audit import audit_diff, audit_record, audit_snapshot, owner_of
from kabinet.core.errors import DomainError
from kabinet.core.money import format_period, period_of
from kabinet.core.utility import get_utility

Status = ConsumptionReport.Status

# Allowed moves of a report's status. A sent report is replaced by a newer one, or
# settled by billing (accepted / rejected); nothing moves after that.
TRANSITIONS: dict[str, set[str]] = {
    Status.SENT: {Status.ACCEPTED, Status.REJECTED, Status.REPLACED},
    Status.ACCEPTED: set(),
    Status.REJECTED: set(),
    Status.REPLACED: set(),
}
# The report of a point and month that counts (the database allows one of these).
CURRENT = (Status.SENT, Status.ACCEPTED)

SCAN_FIELD = "scan"
SCAN_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
SCAN_MAX_BYTES = 10 * 1024 * 1024
ACCEPTED_MAX = Decimal("999999999999.99")  # accepted_consumption: 14 digits, 2 after

_SPACES_RE = re.compile(r"[\s\u00a0\u202f]")
_CONSUMPTION_RE = re.compile(r"^(\d{1,6})(?:[.,](\d{1,2}))?$")


@dataclass(frozen=True)
class ReportLine:
    """One line of the report: a metering point's consumption for the month, as typed
    (or a Decimal), and the date its reading was taken. An empty line is skipped."""

    point: MeteringPoint
    consumption: str | Decimal | None
    read_on: date | None

    @property
    def is_empty(self) -> bool:
        return self.read_on is None and not _SPACES_RE.sub("", str(self.consumption or ""))


class ReportRejected(DomainError):
    """A report refused for one or more fields; ``errors`` holds each of them."""

    def __init__(self, errors: list[DomainError]):
        first = errors[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.errors = errors


def report_field(point: MeteringPoint, name: str) -> str:
    """The form field of a point's ``consumption`` or ``read_on`` on the report form."""
    return f"point-{point.pk}-{name}"


# --- the deadline -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportWindow:
    """The month a report sent today is for, and the last day it is taken."""

    period: date
    closes_on: date
    is_open: bool


def report_window(*, today: date | None = None) -> ReportWindow:
    """Reports for the current month are taken from its first day to the contract's
    day (the 25th, 003 §3.4), inclusive."""
    today = today or timezone.localdate()
    period = period_of(today)
    closes_on = period.replace(day=get_utility().consumption_report_day)
    return ReportWindow(period=period, closes_on=closes_on, is_open=today <= closes_on)


def _late_error(window: ReportWindow) -> DomainError:
    return DomainError(
        _("Отчёт за %(p)s принимался до %(d)s. Передайте его куратору договора.")
        % {"p": format_period(window.period).lower(), "d": date_format(window.closes_on, "j E")},
        code="late",
    )


# --- the figure, the date and the file ------------------------------------------------


def consumption_parse(*, raw: str | Decimal | None, field: str | None = None) -> Decimal:
    """The consumption as typed ("1234,5", "001234.50", "1 234,50") as a Decimal with
    two places, or a DomainError saying what to fix: XXXXXX,XX — up to six digits
    before the comma (or dot), up to two after, not negative."""
    text = format(raw, "f") if isinstance(raw, Decimal) else _SPACES_RE.sub("", str(raw or ""))
    if not text:
        raise DomainError(_("Введите расход."), field=field, code="required")
    if text[0] in "-−":
        raise DomainError(_("Расход не может быть отрицательным."), field=field)
    match = _CONSUMPTION_RE.match(text)
    if not match:
        raise DomainError(
            _(
                "Введите расход в формате XXXXXX,XX: до шести цифр до запятой и до двух "
                "после неё, например 1234,50."
            ),
            field=field,
        )
    whole, frac = match.groups()
    return Decimal(f"{int(whole)}.{(frac or '').ljust(2, '0')}")


def _check_read_on(
    *, read_on: date | None, window: ReportWindow, today: date, field: str
) -> DomainError | None:
    if read_on is None:
        return DomainError(_("Укажите дату снятия показаний."), field=field, code="required")
    if read_on > today:
        return DomainError(
            _("Дата снятия показаний не может быть позже сегодняшнего дня (%(d)s).")
            % {"d": today.strftime("%d.%m.%Y")},
            field=field,
        )
    if read_on < window.period:
        return DomainError(
            _("Отчёт за %(p)s: показания должны быть сняты не раньше %(d)s.")
            % {"p": format_period(window.period).lower(), "d": window.period.strftime("%d.%m.%Y")},
            field=field,
        )
    return None


def report_check_scan(upload) -> uploads.CheckedFile:
    """The scan or photo of the signed report: a PDF, JPEG or PNG of up to 10 МБ whose
    content is what its name says (``appeals.uploads.check_file``)."""

    def refuse(message: str):
        raise DomainError(message, field=SCAN_FIELD)

    if upload is None:
        refuse(_("Приложите скан или фото подписанного отчёта: PDF, JPEG или PNG до 10 МБ."))
    try:
        name = uploads.check_name(upload.name)
    except DomainError as exc:
        refuse(exc.message)
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in SCAN_TYPES:
        refuse(
            _("Файл «%(name)s»: приложите скан или фото отчёта в формате PDF, JPEG или PNG.")
            % {"name": name}
        )
    if upload.size == 0:
        refuse(_("Файл «%(name)s» пуст.") % {"name": name})
    # The site-wide limit of uploads may be set lower than the report's 10 МБ.
    limit = min(SCAN_MAX_BYTES, settings.KABINET_APPEAL_MAX_BYTES)
    if upload.size > limit:
        refuse(
            _("Файл «%(name)s» больше %(size)s. Отсканируйте отчёт с меньшим разрешением.")
            % {"name": name, "size": filesizeformat(limit)}
        )
    try:
        checked = uploads.check_file(upload)
    except DomainError:
        # Its name, type and size passed above: what check_file refused is the content.
        refuse(
            _(
                "Файл «%(name)s» по содержимому не %(kind)s. "
                "Приложите настоящий файл PDF, JPEG или PNG."
            )
            % {"name": name, "kind": "JPEG" if ext == "jpg" else ext.upper()}
        )
    if checked.content_type not in SCAN_TYPES.values():  # check_file knows more kinds
        refuse(_("Файл «%(name)s»: можно приложить только PDF, JPEG или PNG.") % {"name": name})
    return checked


# --- the submission -------------------------------------------------------------------


def report_submit(
    *,
    user,
    contract: Contract,
    lines: list[ReportLine],
    scan,
    today: date | None = None,
) -> list[ConsumptionReport]:
    """Send the month's consumption report of a contract: a figure and a reading date
    for one or more of its metering points, with one scan of the signed report shared
    by all of them. Each earlier current report of the same point and month becomes
    «заменён новым». Refused, with every field's reason, as a whole: nothing is saved."""
    today = today or timezone.localdate()
    if not can_act(user, contract):
        raise DomainError(
            _(
                "Отправлять отчёты о потреблении могут только пользователи с полным доступом "
                "к договору. Попросите владельца кабинета расширить ваши права."
            ),
            code="forbidden",
        )
    window = report_window(today=today)
    if not window.is_open:
        raise _late_error(window)

    errors: list[DomainError] = []
    parsed: list[tuple[MeteringPoint, Decimal, date]] = []
    seen: set[int] = set()
    for line in lines:
        if line.is_empty:
            continue
        point = line.point
        consumption_field = report_field(point, "consumption")
        if point.contract_id != contract.pk:
            errors.append(
                DomainError(
                    _("Точка учёта %(n)s не относится к договору № %(c)s.")
                    % {"n": point.number, "c": contract.number},
                    field=consumption_field,
                )
            )
            continue
        if point.pk in seen:
            errors.append(
                DomainError(
                    _("Точка учёта %(n)s указана дважды.") % {"n": point.number},
                    field=consumption_field,
                )
            )
            continue
        seen.add(point.pk)
        value = None
        try:
            value = consumption_parse(raw=line.consumption, field=consumption_field)
        except DomainError as exc:
            if exc.code == "required":  # a date without a figure
                exc = DomainError(
                    _("Введите расход или очистите дату снятия показаний."),
                    field=consumption_field,
                )
            errors.append(exc)
        date_error = _check_read_on(
            read_on=line.read_on, window=window, today=today, field=report_field(point, "read_on")
        )
        if date_error:
            errors.append(date_error)
        if value is not None and not date_error:
            parsed.append((point, value, line.read_on))
    if not parsed and not errors:
        errors.append(DomainError(_("Введите расход хотя бы по одной точке учёта."), code="empty"))
    checked = None
    try:
        checked = report_check_scan(scan)
    except DomainError as exc:
        errors.append(exc)
    if errors:
        raise ReportRejected(errors)

    with conversations.atomic():  # removes the saved file again if this fails
        # Two submissions for one contract queue here, so each sees the other's rows
        # and exactly one report per point and month stays current.
        Contract.objects.select_for_update().get(pk=contract.pk)
        current = {
            r.point_id: r
            for r in ConsumptionReport.objects.select_for_update(of=("self",))
            .select_related("point")
            .filter(point__in=[p for p, _v, _d in parsed], period=window.period, status__in=CURRENT)
        }
        settled = [r for r in current.values() if r.status == Status.ACCEPTED]
        if settled:
            raise ReportRejected(
                [
                    DomainError(
                        _(
                            "Отчёт по точке учёта %(n)s за %(p)s уже учтён во взаиморасчётах. "
                            "Чтобы исправить его, напишите куратору договора."
                        )
                        % {"n": r.point.number, "p": format_period(window.period).lower()},
                        field=report_field(r.point, "consumption"),
                        code="settled",
                    )
                    for r in settled
                ]
            )
        for report in current.values():
            _move(report=report, to=Status.REPLACED)

        now = timezone.now()
        created = []
        for point, value, read_on in parsed:
            report = ConsumptionReport(
                point=point,
                period=window.period,
                consumption=value,
                read_on=read_on,
                scan_name=checked.name,
                scan_type=checked.content_type,
                scan_size=checked.size,
                submitted_by=user,
                submitted_at=now,
            )
            if not created:
                # One file for the whole report: every row of it points to it.
                checked.upload.seek(0)
                report.scan.save(report.uuid.hex, checked.upload, save=False)
                conversations.remember_file(report.scan.name)
            else:
                report.scan = created[0].scan.name
            report.save()
            created.append(report)
    return created


# --- staff: what billing did with it ---------------------------------------------------


def _move(*, report: ConsumptionReport, to: str, **changes) -> ConsumptionReport:
    """Move a report (already locked by the caller's transaction) to ``to``."""
    if to not in TRANSITIONS[report.status]:
        raise DomainError(
            _("Отчёт в состоянии «%(s)s» нельзя перевести в «%(t)s».")
            % {"s": Status(report.status).label, "t": Status(to).label},
            code="transition",
        )
    report.status = to
    for name, value in changes.items():
        setattr(report, name, value)
    report.save(update_fields=["status", *changes])
    return report


def _locked(report: ConsumptionReport) -> ConsumptionReport:
    return ConsumptionReport.objects.select_for_update().select_related("point").get(pk=report.pk)


def _staff_only(by) -> None:
    if not roles.can(by, roles.BILLING):
        raise DomainError(
            _("Учитывать и отклонять отчёты могут только сотрудники."), code="forbidden"
        )


AUDITED = ["status", "consumption", "accepted_consumption", "note"]


def _audit(by, action: str, report: ConsumptionReport, before: dict) -> None:
    after = audit_snapshot(report, AUDITED)
    audit_record(
        actor=by,
        action=action,
        target=report,
        subject=owner_of(report.point.contract),
        changes=audit_diff(before, after),
    )


def _refresh(report: ConsumptionReport, locked: ConsumptionReport) -> None:
    for name in ("status", "accepted_consumption", "note"):
        setattr(report, name, getattr(locked, name))


def report_accept(
    *, by, report: ConsumptionReport, accepted_consumption: Decimal, note: str = ""
) -> ConsumptionReport:
    """Отчёт учтён во взаиморасчётах: billing settled the month with this figure (it may
    differ from the one sent: ``note`` says why). Only a sent report is accepted."""
    _staff_only(by)
    value = Decimal(accepted_consumption)
    if value < 0 or value > ACCEPTED_MAX or value != value.quantize(Decimal("0.01")):
        raise DomainError(
            _("Учтённый расход: неотрицательное число с не более чем двумя знаками после запятой."),
            field="accepted_consumption",
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise DomainError(_("Комментарий длиннее 300 символов."), field="note")
    with transaction.atomic():
        locked = _locked(report)
        before = audit_snapshot(locked, AUDITED)
        _move(
            report=locked,
            to=Status.ACCEPTED,
            accepted_consumption=value,
            note=note,
            decided_by=by,
            decided_at=timezone.now(),
        )
        _audit(by, "report_accept", locked, before)
    _refresh(report, locked)
    return report


def report_reject(*, by, report: ConsumptionReport, note: str) -> ConsumptionReport:
    """Отчёт отклонён: billing did not take it (the reason goes to the subscriber). Only a
    sent report is rejected; the month can then be reported again."""
    _staff_only(by)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Укажите причину отказа."), field="note", code="required")
    if len(note) > 300:
        raise DomainError(_("Причина отказа длиннее 300 символов."), field="note")
    with transaction.atomic():
        locked = _locked(report)
        before = audit_snapshot(locked, AUDITED)
        _move(
            report=locked, to=Status.REJECTED, note=note, decided_by=by, decided_at=timezone.now()
        )
        _audit(by, "report_reject", locked, before)
    _refresh(report, locked)
    return report
