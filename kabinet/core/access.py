"""Who sees a customer's data, decided in one place (ARCHITECTURE rule 3): the owner
sees their own rows, staff see all, an anonymous visitor sees none."""

from django.db import models

from kabinet.backoffice.roles import staff_sees_customers


class OwnedQuerySet(models.QuerySet):
    """A queryset whose rows belong to one customer, reached by ``owner_lookup``
    (e.g. ``"user"`` or ``"account__owner"``)."""

    owner_lookup = "user"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self if staff_sees_customers(user) else self.none()
        return self.filter(**{self.owner_lookup: user})
