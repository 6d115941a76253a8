"""Сведения для расчёта по нормативам (000 §3.3.4): the subscriber enters, for an object
and a month, the readings of individual meters (ИПУ) and of the common-property meter
(УУ ОДН); the utility calculates by the norms from them."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.contracts.models import Contract, NormativeReading, SupplyObject
from kabinet.core.audit import audit_record, owner_of
from kabinet.core.errors import DomainError
from kabinet.core.money import add_months, period_of


def normative_submit(
    *,
    user,
    supply_object: SupplyObject,
    period: date,
    kind: str,
    premises: str,
    meter_number: str,
    value: Decimal,
    today: date | None = None,
) -> NormativeReading:
    """Enter (or correct) one meter's reading for a month: the current month or the
    two before it. A second value for the same meter and month replaces the first."""
    today = today or timezone.localdate()
    if not Contract.objects.writable_by(user).filter(pk=supply_object.contract_id).exists():
        raise DomainError(_("Вносить сведения могут сотрудники организации с полным доступом."))
    period = period_of(period)
    current = period_of(today)
    if period > current:
        raise DomainError(_("Сведения за будущий месяц не принимаются."), field="period")
    if period < add_months(current, -2):
        raise DomainError(
            _("Сведения принимаются за текущий и два предыдущих месяца."), field="period"
        )
    if kind not in NormativeReading.Kind.values:
        raise DomainError(_("Выберите вид прибора."), field="kind")
    meter_number = meter_number.strip()
    if not meter_number:
        raise DomainError(_("Укажите номер прибора."), field="meter_number")
    if value < 0:
        raise DomainError(_("Показание не может быть отрицательным."), field="value")
    with transaction.atomic():
        old = (
            NormativeReading.objects.select_for_update()
            .filter(supply_object=supply_object, period=period, kind=kind)
            .filter(meter_number=meter_number)
            .values_list("value", flat=True)
            .first()
        )
        row, _created = NormativeReading.objects.select_for_update().update_or_create(
            supply_object=supply_object,
            period=period,
            kind=kind,
            meter_number=meter_number,
            defaults={
                "premises": premises.strip() if kind == NormativeReading.Kind.IPU else "",
                "value": value,
                "submitted_by": user,
                "submitted_at": timezone.now(),
            },
        )
        audit_record(
            actor=user,
            action="normative_submit",
            target=row,
            subject=owner_of(supply_object.contract),
            changes={"value": [old, value]},
        )
    return row
