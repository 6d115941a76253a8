"""The demo's outages: for the resident's house a planned ГВС outage next month and an
emergency one last week (dates relative to the day the demo is built)."""

from datetime import date, timedelta

from django.utils import timezone

from kabinet.core.money import add_months


def build_demo_outages(*, resident, today: date | None = None) -> None:
    from kabinet.outages.models import Outage
    from kabinet.outages.services import outage_create

    if Outage.objects.exists():
        return
    today = today or timezone.localdate()
    account = resident.personal_accounts.select_related("premises__house").order_by("number")[0]
    house = account.premises.house
    start = add_months(today.replace(day=1), 1) + timedelta(days=9)
    outage_create(
        house=house,
        kind=Outage.Kind.PLANNED,
        service=Outage.Service.HOT_WATER,
        starts_on=start,
        ends_on=start + timedelta(days=13),
        reason="Плановые гидравлические испытания тепловой сети и ремонт трубопроводов",
        external_id="DEMO-PLAN-1",
    )
    outage_create(
        house=house,
        kind=Outage.Kind.EMERGENCY,
        service=Outage.Service.HEATING,
        starts_on=today - timedelta(days=7),
        ends_on=today - timedelta(days=6),
        reason="Аварийный ремонт участка тепловой сети",
        external_id="DEMO-EMERGENCY-1",
    )
