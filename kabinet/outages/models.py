"""Отключения горячей воды (ГВС) и отопления по домам зоны теплоснабжения (000 §2.2.4,
§2.3.5), the history of their dates, and subscriptions to outage notices for any house.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.backoffice.roles import staff_sees_customers
from kabinet.core.access import OwnedQuerySet
from kabinet.premises.models import House


def houses_of(user):
    """The houses whose outages a customer sees and is notified of: of their accounts,
    followed («Мой дом») and subscribed to."""
    return House.objects.filter(
        Q(premises__accounts__owner=user)
        | Q(housefollow__user=user)
        | Q(outage_subscriptions__user=user)
    )


class OutageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every outage; a customer those of their addresses: the houses of
        their personal accounts, the houses they follow («Мой дом») and the houses they
        subscribed to. (Any outage can also be found by address on the public page.)"""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self if staff_sees_customers(user) else self.none()
        return self.filter(house__in=houses_of(user).values("pk"))

    def current_first(self, *, today):
        """Current outages first, then upcoming by start date, then past ones, latest first."""
        group = models.Case(
            models.When(starts_on__lte=today, ends_on__gte=today, then=models.Value(0)),
            models.When(starts_on__gt=today, then=models.Value(1)),
            default=models.Value(2),
            output_field=models.IntegerField(),
        )
        return self.annotate(group=group).order_by("group", "starts_on", "-ends_on", "pk")


class Outage(models.Model):
    """Отключение: плановое или аварийное отключение ГВС или отопления в доме, с датами
    и причиной."""

    class Kind(models.TextChoices):
        PLANNED = "planned", _("плановое")
        EMERGENCY = "emergency", _("аварийное")

    class Service(models.TextChoices):
        HOT_WATER = "hot_water", _("ГВС")
        HEATING = "heating", _("отопление")

    house = models.ForeignKey(
        House, on_delete=models.PROTECT, related_name="outages", verbose_name=_("дом")
    )
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    service = models.CharField(_("услуга"), max_length=10, choices=Service.choices)
    starts_on = models.DateField(_("дата начала"))
    ends_on = models.DateField(_("дата окончания"))
    reason = models.CharField(_("причина"), max_length=500)
    # The billing system's (or dispatcher's) id: a repeated import finds the same row.
    external_id = models.CharField(_("внешний код"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто внёс"),
    )
    created_at = models.DateTimeField(_("внесено"), default=timezone.now)

    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("отключение")
        verbose_name_plural = _("отключения")
        indexes = [models.Index(fields=["house", "ends_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="outage_external_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="outage_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_service_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}, "
            f"{self.house_id}"
        )

    def state(self, today) -> str:
        """ "current", "upcoming" or "past" on ``today``."""
        if self.starts_on > today:
            return "upcoming"
        if self.ends_on < today:
            return "past"
        return "current"


class OutageEvent(models.Model):
    """A record of an outage's history: entered, its dates changed (from → to), or its
    other details changed; who and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("внесено")
        DATES_CHANGED = "dates", _("изменены даты")
        CHANGED = "changed", _("изменено")

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("действие"), max_length=10, choices=Action.choices)
    from_starts_on = models.DateField(_("было: начало"), null=True, blank=True)
    from_ends_on = models.DateField(_("было: окончание"), null=True, blank=True)
    to_starts_on = models.DateField(_("стало: начало"), null=True, blank=True)
    to_ends_on = models.DateField(_("стало: окончание"), null=True, blank=True)
    comment = models.CharField(_("комментарий"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("изменение отключения")
        verbose_name_plural = _("история отключений")

    def __str__(self) -> str:
        return f"{self.outage_id}: {self.get_action_display()}"


class OutageSubscriptionQuerySet(OwnedQuerySet):
    owner_lookup = "user"


class OutageSubscription(models.Model):
    """Подписка на рассылку уведомлений по отключениям дома (any house of the zone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outage_subscriptions"
    )
    house = models.ForeignKey(
        House,
        on_delete=models.CASCADE,
        related_name="outage_subscriptions",
        verbose_name=_("дом"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OutageSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("подписка на отключения")
        verbose_name_plural = _("подписки на отключения")
        constraints = [
            models.UniqueConstraint(fields=["user", "house"], name="outage_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.house_id}"
