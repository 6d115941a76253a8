"""Отчёты о потреблении (003 §3.4) of a contract: the history of what was sent beside
what billing accepted, the monthly report form, and the report's scan."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.contracts.forms.reports import ReportForm, ReportYearForm
from kabinet.contracts.models import ConsumptionReport, Contract, MeteringPoint
from kabinet.contracts.selectors import can_act, contract_for
from kabinet.contracts.services import reports as services
from kabinet.core.errors import DomainError
from kabinet.core.exports import Column, Table, export_query, export_response
from kabinet.core.http import form_error, private_download
from kabinet.core.utility import get_utility


def _today() -> date:
    """Today in the portal's time zone (tests move it before or after the 25th)."""
    return timezone.localdate()


def _contract(request, uuid) -> Contract:
    """The contract if the user may see it, 404 otherwise (and where the utility takes
    no reports in the cabinet)."""
    if not get_utility().consumption_reports:
        raise Http404
    return contract_for(request.user, uuid)


def _sending(request, contract: Contract, window: services.ReportWindow) -> dict:
    """What the pages say about sending this month's report."""
    can_send = can_act(request.user, contract)
    return {
        "window": window,
        "can_send": can_send,
        "read_only": not can_send and not request.user.is_staff,
        "open": can_send and window.is_open,
    }


# --- history ----------------------------------------------------------------------------


@dataclass
class ReportGroup:
    """The reports of one metering point for one month: the one that counts (or the
    latest, when none does) and the earlier ones under it."""

    period: date
    point: MeteringPoint
    reports: list[ConsumptionReport] = field(default_factory=list)

    @property
    def main(self) -> ConsumptionReport:
        return self.reports[0]

    @property
    def earlier(self) -> list[ConsumptionReport]:
        return self.reports[1:]


def _groups(reports) -> list[ReportGroup]:
    """Months newest first, points by number; in each, the current report first, then
    the others newest first."""
    groups: dict[tuple[date, int], ReportGroup] = {}
    for r in reports:
        key = (r.period, r.point_id)
        groups.setdefault(key, ReportGroup(period=r.period, point=r.point)).reports.append(r)
    for g in groups.values():
        g.reports.sort(key=lambda r: r.submitted_at, reverse=True)
        g.reports.sort(key=lambda r: r.status not in services.CURRENT)
    return sorted(
        groups.values(), key=lambda g: (-g.period.toordinal(), g.point.number, g.point.pk)
    )


def _table(contract: Contract, groups: list[ReportGroup], year: int | None) -> Table:
    """The same rows as a download (CSV, XLSX, PDF)."""
    return Table(
        title=_("Отчёты о потреблении по договору № %(n)s") % {"n": contract.number},
        subtitle=str(year or _("за всё время")),
        columns=[
            Column("period", _("Период"), "period"),
            Column("point", _("Точка учёта")),
            Column("consumption", _("Отправлено"), "quantity"),
            Column("accepted", _("Учтено во взаиморасчётах"), "quantity"),
            Column("unit", _("Единица")),
            Column("read_on", _("Дата снятия показаний"), "date"),
            Column("status", _("Состояние")),
            Column("submitted_by", _("Отправил")),
            Column("submitted_at", _("Отправлен")),
            Column("scan", _("Файл отчёта")),
            Column("note", _("Комментарий")),
        ],
        rows=[
            {
                "period": r.period,
                "point": r.point.number,
                "consumption": r.consumption,
                "accepted": r.accepted_consumption,
                "unit": r.point.unit_of_measure,
                "read_on": r.read_on,
                "status": r.get_status_display(),
                "submitted_by": str(r.submitted_by),
                "submitted_at": timezone.localtime(r.submitted_at).strftime("%d.%m.%Y %H:%M"),
                "scan": r.scan_name,
                "note": r.note,
            }
            for g in groups
            for r in g.reports
        ],
    )


@login_required
def reports_view(request, uuid):
    """Отчёты о потреблении: by month and metering point, what was sent (figure,
    reading date, who and when, the scan) beside what was accepted in settlements;
    replaced reports under the current one. Filtered by year."""
    contract = _contract(request, uuid)
    today = _today()
    reports = ConsumptionReport.objects.visible_to(request.user).filter(point__contract=contract)
    years = [d.year for d in reports.dates("period", "year")]
    form = ReportYearForm(request.GET or None, years=years, this_year=today.year)
    year = form.chosen_year()
    if year:
        reports = reports.filter(period__year=year)
    groups = _groups(reports.select_related("point", "submitted_by"))
    table = _table(contract, groups, year)
    fmt = request.GET.get("format")
    if fmt:
        return export_response(table, fmt, f"otchety-{contract.number}-{year or 'vse'}")
    return render(
        request,
        "contracts/reports.html",
        {
            "contract": contract,
            "form": form,
            "groups": groups,
            "table": table,
            "year": year,
            "export_query": export_query(request),
            **_sending(request, contract, services.report_window(today=today)),
        },
    )


# --- the form ---------------------------------------------------------------------------


def _last_sent(points: list[MeteringPoint]) -> dict[int, ConsumptionReport]:
    """The latest report that counts (sent or accepted) of each point: one query."""
    last: dict[int, ConsumptionReport] = {}
    for r in ConsumptionReport.objects.filter(
        point__in=points, status__in=services.CURRENT
    ).order_by("-period", "-submitted_at"):
        last.setdefault(r.point_id, r)
    return last


@login_required
def report_new_view(request, uuid):
    """Передать отчёт о потреблении: a figure and a reading date per metering point
    (any may be left empty), one scan of the signed report. On any error nothing is
    saved and every field says what to fix."""
    contract = _contract(request, uuid)
    today = _today()
    sending = _sending(request, contract, services.report_window(today=today))
    points = list(MeteringPoint.objects.visible_to(request.user).filter(contract=contract))
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        points=points,
        last=_last_sent(points),
        disabled=not sending["open"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.report_submit(
                user=request.user,
                contract=contract,
                lines=form.lines(),
                scan=form.cleaned_data.get(services.SCAN_FIELD),
                today=today,
            )
        except services.ReportRejected as exc:
            for error in exc.errors:
                form_error(form, error)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Отчёт отправлен (точек учёта: %(n)d). Оригинал отчёта передайте до 10 "
                    "числа следующего месяца."
                )
                % {"n": len(created)},
            )
            return redirect("contracts:reports", uuid=contract.uuid)
    return render(
        request,
        "contracts/report_new.html",
        {"contract": contract, "form": form, "rows": form.rows(), **sending},
    )


# --- the scan ---------------------------------------------------------------------------


@login_required
def report_scan_view(request, uuid):
    """The scan of a report, to whoever sees its contract and to staff: always
    downloaded (never shown inline), under its checked name, never sniffed — as
    ``appeals.views.attachment_view`` serves a conversation's file."""
    report = get_object_or_404(ConsumptionReport.objects.visible_to(request.user), uuid=uuid)
    return private_download(report.scan, filename=report.scan_name, content_type=report.scan_type)
