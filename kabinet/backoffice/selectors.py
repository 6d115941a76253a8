"""«Сводка дня»: what the back office has to do today, for the areas a member of staff
works in. Each figure is one aggregate query; the dashboard costs the same at any size."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.backoffice import roles
from kabinet.core.money import format_rub, period_of, working_days_overdue_before
from kabinet.core.utility import get_utility


@dataclass
class Tile:
    """One figure of the day with the queue it leads to."""

    title: str
    figure: int | str
    url: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)  # (text, badge modifier)


def _day_bounds(today: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(today, time.min))
    return start, start + timedelta(days=1)


def _appeals(today, start, end) -> Tile:
    from kabinet.appeals.models import Appeal

    open_q = Q(status__in=Appeal.OPEN)
    counts = Appeal.objects.aggregate(
        new_today=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        open=Count("pk", filter=open_q),
        overdue=Count(
            "pk",
            filter=(Q(status=Appeal.Status.NEW) & Q(register_due__lt=today))
            | (Q(status__in=Appeal.OPEN) & ~Q(status=Appeal.Status.NEW) & Q(answer_due__lt=today)),
        ),
    )
    return _tile(_("Обращения в работе"), counts["open"], "appeals_staff:queue", counts)


def _applications(today, start, end) -> Tile:
    from kabinet.applications.models import Application

    counts = Application.objects.aggregate(
        new_today=Count("pk", filter=Q(filed_at__gte=start, filed_at__lt=end)),
        open=Count("pk", filter=Q(status__in=Application.OPEN)),
        overdue=Count("pk", filter=Q(status__in=Application.OPEN, due_date__lt=today)),
    )
    return _tile(_("Заявки в работе"), counts["open"], "applications_staff:queue", counts)


def _contract_requests(today, start, end) -> Tile:
    from kabinet.contracts.models import ContractRequest

    pending = Q(status=ContractRequest.Status.PENDING)
    overdue_before, _end = _day_bounds(
        working_days_overdue_before(today, get_utility().access_request_days)
    )
    counts = ContractRequest.objects.aggregate(
        new_today=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        open=Count("pk", filter=pending),
        overdue=Count("pk", filter=pending & Q(created_at__lt=overdue_before)),
    )
    return _tile(
        _("Заявки на добавление договоров"), counts["open"], "contracts_staff:requests", counts
    )


def _link_requests(today, start, end) -> Tile:
    from kabinet.customer_accounts.models import AccountLinkRequest

    pending = Q(status=AccountLinkRequest.Status.PENDING)
    counts = AccountLinkRequest.objects.aggregate(
        new_today=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        open=Count("pk", filter=pending),
        overdue=Count("pk", filter=pending & Q(due__lt=today)),
    )
    return _tile(
        _("Заявки на привязку лицевых счетов"), counts["open"], "accounts_staff:requests", counts
    )


def _readings(today, start, end) -> Tile:
    from kabinet.metering.models import Reading

    period = period_of(today)
    customer = Q(source=Reading.Source.CUSTOMER)
    counts = Reading.objects.aggregate(
        this_period=Count("pk", filter=customer & Q(period=period)),
        pending=Count("pk", filter=Q(status=Reading.Status.SUBMITTED)),
        # A month's readings are checked within the month (metering.staff.reading_due).
        overdue=Count("pk", filter=Q(status=Reading.Status.SUBMITTED, period__lt=period)),
        new_today=Count("pk", filter=customer & Q(submitted_at__gte=start, submitted_at__lt=end)),
    )
    tile = Tile(
        _("Показания за этот месяц"), counts["this_period"], reverse("metering_staff:queue")
    )
    tile.notes.append((_("на проверке: %(n)s") % {"n": counts["pending"]}, ""))
    if counts["overdue"]:
        tile.notes.append((_("просрочено: %(n)s") % {"n": counts["overdue"]}, "error"))
    tile.notes.append((_("сегодня: %(n)s") % {"n": counts["new_today"]}, ""))
    return tile


def _silent_meters() -> Tile:
    """Smart meters and heat units whose interval archive stopped filling: one
    aggregate query (metering.selectors_silent)."""
    from kabinet.metering.selectors_silent import SILENT_HOURS, silent_devices_count

    n = silent_devices_count()
    tile = Tile(_("Счётчики ИСУ без данных"), n, reverse("metering_staff:queue") + "#isu-silent")
    tile.notes.append((_("нет данных больше %(h)s ч") % {"h": SILENT_HOURS}, "warn" if n else ""))
    return tile


def _payments(today, start, end) -> Tile:
    from kabinet.payments.models import OnlinePayment

    counts = OnlinePayment.objects.filter(
        status=OnlinePayment.Status.SUCCEEDED, succeeded_at__gte=start, succeeded_at__lt=end
    ).aggregate(n=Count("pk"), total=Sum("amount_kopecks"))
    tile = Tile(_("Оплачено онлайн сегодня"), format_rub(counts["total"] or 0))
    tile.notes.append((_("платежей: %(n)s") % {"n": counts["n"]}, ""))
    return tile


def _jobs(user, today, start, end) -> Tile:
    from kabinet.billing.models import BillingRun
    from kabinet.integration.models import ImportBatch

    busy = [BillingRun.Status.QUEUED, BillingRun.Status.RUNNING]
    runs = BillingRun.objects.aggregate(
        running=Count("pk", filter=Q(status__in=busy)),
        failed=Count("pk", filter=Q(status=BillingRun.Status.FAILED, created_at__gte=start)),
    )
    working = [ImportBatch.Status.UPLOADED, ImportBatch.Status.APPLYING]
    imports = ImportBatch.objects.aggregate(
        running=Count("pk", filter=Q(status__in=working)),
        failed=Count("pk", filter=Q(status=ImportBatch.Status.FAILED, created_at__gte=start)),
    )
    running = runs["running"] + imports["running"]
    url = ""
    if roles.can(user, roles.IMPORTS):
        url = reverse("integration:list")
    elif roles.can(user, roles.BILLING):
        url = reverse("backoffice:billing")
    tile = Tile(_("Задания выполняются"), running, url)
    if runs["running"]:
        tile.notes.append((_("расчётные: %(n)s") % {"n": runs["running"]}, ""))
    if imports["running"]:
        tile.notes.append((_("загрузки: %(n)s") % {"n": imports["running"]}, ""))
    failed = runs["failed"] + imports["failed"]
    if failed:
        tile.notes.append((_("с ошибкой сегодня: %(n)s") % {"n": failed}, "error"))
    return tile


def _tile(title: str, figure: int, url_name: str, counts: dict) -> Tile:
    tile = Tile(title, figure, reverse(url_name))
    if counts["overdue"]:
        tile.notes.append((_("просрочено: %(n)s") % {"n": counts["overdue"]}, "error"))
    tile.notes.append((_("новых сегодня: %(n)s") % {"n": counts["new_today"]}, ""))
    return tile


def day_summary(*, user, today: date | None = None) -> list[Tile]:
    """The tiles of the day a member of staff may see, in the order work comes in."""
    today = today or timezone.localdate()
    start, end = _day_bounds(today)
    profile = get_utility()
    tiles = []
    if roles.can(user, roles.APPEALS):
        tiles.append(_appeals(today, start, end))
    if roles.can(user, roles.APPLICATIONS) and profile.application_kinds:
        tiles.append(_applications(today, start, end))
    if roles.can(user, roles.ACCESS):
        tiles.append(_link_requests(today, start, end))
    if roles.can(user, roles.ACCESS) and profile.contracts:
        tiles.append(_contract_requests(today, start, end))
    if roles.can(user, roles.BILLING):
        tiles.append(_readings(today, start, end))
        tiles.append(_silent_meters())
        tiles.append(_payments(today, start, end))
    if roles.can(user, roles.BILLING) or roles.can(user, roles.IMPORTS):
        tiles.append(_jobs(user, today, start, end))
    return tiles


@dataclass
class Picture:
    """Карточка абонента: everything of one cabinet on one page (issue 9)."""

    accounts: list
    contracts: list
    readings: list
    payments: list
    online_payments: list
    appeals: list
    applications: list
    notices: list
    sign_ins: list
    journal: list
    locked_for: int


def customer_picture(*, subject, today: date | None = None, limit: int = 10) -> Picture:
    """The cabinet's accounts and contracts with what is left to pay, and the latest of
    its readings, payments, appeals, applications, notices, sign-ins and journal lines.
    A fixed number of queries, whatever the cabinet holds."""
    from kabinet.appeals.models import Appeal
    from kabinet.applications.models import Application
    from kabinet.billing.models import Payment
    from kabinet.billing.selectors import to_pay_by_account
    from kabinet.contracts.models import Contract
    from kabinet.core.models import AuditEntry
    from kabinet.customer_accounts.models import PersonalAccount
    from kabinet.identity.models import Party
    from kabinet.identity.services import user_locked_for
    from kabinet.metering.models import Reading
    from kabinet.notifications.models import Notice
    from kabinet.payments.models import OnlinePayment

    today = today or timezone.localdate()
    accounts = list(
        PersonalAccount.objects.filter(owner=subject).select_related(
            "premises__house__street__settlement"
        )
    )
    contracts = list(
        Contract.objects.filter(party__in=Party.objects.acting_for(subject).values("pk"))
        .select_related("account", "party")
        .order_by("number")
    )
    money_accounts = accounts + [c.account for c in contracts if c.account_id]
    to_pay = to_pay_by_account(accounts=money_accounts, today=today)
    for account in accounts:
        account.to_pay = to_pay.get(account.pk, 0)
        account.overpaid = -account.to_pay
    for contract in contracts:
        contract.to_pay = to_pay.get(contract.account_id, 0) if contract.account_id else None
        contract.overpaid = -contract.to_pay if contract.to_pay else 0
    ids = [a.pk for a in money_accounts]
    return Picture(
        accounts=accounts,
        contracts=contracts,
        readings=list(
            Reading.objects.filter(meter__account_id__in=ids)
            .select_related("meter__account")
            .order_by("-submitted_at")[:limit]
        ),
        payments=list(
            Payment.objects.filter(account_id__in=ids)
            .select_related("account")
            .order_by("-credited_on", "-id")[:limit]
        ),
        online_payments=list(OnlinePayment.objects.filter(user=subject)[:limit]),
        appeals=list(
            Appeal.objects.filter(user=subject)
            .select_related("account")
            .order_by("-created_at")[:limit]
        ),
        applications=list(Application.objects.filter(user=subject).filed()[:limit]),
        notices=list(Notice.objects.filter(user=subject)[:limit]),
        sign_ins=list(subject.sign_ins.all()[:limit]),
        journal=_with_change_lines(AuditEntry.objects.filter(subject=subject)[:50]),
        locked_for=user_locked_for(user=subject),
    )


def _with_change_lines(entries) -> list:
    """Journal lines with their changes as «поле: было → стало», in the page's words."""
    from kabinet.core.audit import change_lines

    entries = list(entries)
    for entry in entries:
        entry.change_lines = change_lines(entry)
    return entries
