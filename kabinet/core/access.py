"""Who sees a customer's data, decided in one place (ARCHITECTURE rule 3): the owner
sees their own rows, staff see all, an anonymous visitor sees none."""

from django.db import models


class OwnedQuerySet(models.QuerySet):
    """A queryset whose rows belong to one customer, reached by ``owner_lookup``
    (e.g. ``"user"`` or ``"account__owner"``)."""

    owner_lookup = "user"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(**{self.owner_lookup: user})
