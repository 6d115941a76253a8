"""Writes of the premises app: a resident follows a house of the supply zone (000 §2.3.1)."""

from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.core.errors import DomainError
from kabinet.premises.models import House, HouseFollow

MAX_FOLLOWED_HOUSES = 20


@transaction.atomic
def house_follow(*, user, house: House) -> tuple[HouseFollow, bool]:
    """Add a house to the user's "Мой дом"; following it twice is harmless.

    Returns the follow and whether it is new.
    """
    if not user.is_authenticated:
        raise DomainError(_("Войдите в личный кабинет, чтобы добавить дом."))
    existing = HouseFollow.objects.filter(user=user, house=house).first()
    if existing is not None:
        return existing, False
    # Lock the user's follows so two tabs cannot both pass the limit.
    count = len(HouseFollow.objects.select_for_update().filter(user=user).values_list("pk"))
    if count >= MAX_FOLLOWED_HOUSES:
        raise DomainError(
            _("В разделе «Мой дом» может быть не больше %(n)s домов. Уберите лишний дом.")
            % {"n": MAX_FOLLOWED_HOUSES},
            field="house",
        )
    follow, created = HouseFollow.objects.get_or_create(user=user, house=house)
    return follow, created


@transaction.atomic
def house_unfollow(*, user, house: House) -> bool:
    """Remove a house from the user's "Мой дом". Returns whether it was there."""
    deleted, _rows = HouseFollow.objects.filter(user=user, house=house).delete()
    return bool(deleted)
