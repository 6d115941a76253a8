"""Reads of the outages app: a customer's report of outages by their addresses, the
public search by address, and who is to be notified of a house's outages."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from kabinet.outages.models import Outage, OutageSubscription, houses_of
from kabinet.premises.models import House

PAST_SHOWN = 20


@dataclass
class OutageReport:
    """«Отключение ГВС»: the outages of the customer's addresses, current and upcoming
    first, and the recent past ones."""

    active: list[Outage]  # current, then upcoming by start date
    past: list[Outage]  # latest first, at most PAST_SHOWN
    houses: list[House]  # the addresses the report is about
    subscriptions: list[OutageSubscription]


def _with_house(qs: QuerySet[Outage]) -> QuerySet[Outage]:
    return qs.select_related("house__street__settlement")


def outages_active(qs: QuerySet[Outage], *, today: date) -> list[Outage]:
    """Current and upcoming outages of ``qs``: current first, then by start date."""
    return list(_with_house(qs.filter(ends_on__gte=today)).current_first(today=today))


def outages_past(qs: QuerySet[Outage], *, today: date, limit: int = PAST_SHOWN) -> list[Outage]:
    return list(_with_house(qs.filter(ends_on__lt=today)).order_by("-ends_on", "-pk")[:limit])


def outage_report(*, user, today: date) -> OutageReport:
    """The customer's report, in four queries whatever the number of houses."""
    qs = Outage.objects.visible_to(user)
    subscriptions = list(
        OutageSubscription.objects.visible_to(user)
        .filter(user=user)
        .select_related("house__street__settlement")
    )
    houses = list(
        House.objects.filter(pk__in=houses_of(user).values("pk")).select_related(
            "street__settlement"
        )
    )
    return OutageReport(
        active=outages_active(qs, today=today),
        past=outages_past(qs, today=today),
        houses=houses,
        subscriptions=subscriptions,
    )


def outages_of_house(*, house: House, today: date) -> tuple[list[Outage], list[Outage]]:
    """The public search: current and upcoming outages of one house, and recent past ones."""
    qs = Outage.objects.filter(house=house)
    return outages_active(qs, today=today), outages_past(qs, today=today, limit=5)


def outage_recipients(*, house: House):
    """Customers to notify of an outage of ``house``: the owners of its accounts, those who
    follow it («Мой дом») and its subscribers — each once."""
    from kabinet.identity.models import User

    return (
        User.objects.filter(status=User.Status.ACTIVE, is_staff=False)
        .filter(
            Q(pk__in=house.premises.filter(accounts__owner__isnull=False).values("accounts__owner"))
            | Q(pk__in=house.housefollow_set.values("user"))
            | Q(pk__in=house.outage_subscriptions.values("user"))
        )
        .order_by("pk")
    )


def is_subscribed(*, user, house: House) -> bool:
    if not user.is_authenticated:
        return False
    return OutageSubscription.objects.filter(user=user, house=house).exists()


def is_own_house(*, user, house: House) -> bool:
    """The house is one of the customer's accounts or followed houses: notified anyway."""
    if not user.is_authenticated:
        return False
    return (
        House.objects.filter(pk=house.pk)
        .filter(Q(premises__accounts__owner=user) | Q(housefollow__user=user))
        .exists()
    )
