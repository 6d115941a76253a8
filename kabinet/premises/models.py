"""Адресный реестр зоны теплоснабжения: населённые пункты, улицы, дома; управляющие
компании (ИКУ); общедомовые приборы учёта (ОДПУ / УУТЭ) и их архив; помещения.

The registry is the supply zone: a house that is not in it is outside the zone.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.core.access import OwnedQuerySet


class Settlement(models.Model):
    """Населённый пункт: город, посёлок."""

    name = models.CharField(_("населённый пункт"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("населённый пункт")
        verbose_name_plural = _("населённые пункты")

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """Улица населённого пункта (with its kind: улица, проспект, переулок…)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="streets")
    name = models.CharField(_("улица"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("улица")
        verbose_name_plural = _("улицы")
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "name"], name="street_unique_in_settlement"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ManagementCompany(models.Model):
    """Управляющая компания (ИКУ — исполнитель коммунальных услуг) of a house."""

    name = models.CharField(_("наименование"), max_length=300)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("управляющая компания (ИКУ)")
        verbose_name_plural = _("управляющие компании (ИКУ)")

    def __str__(self) -> str:
        return self.name


class HouseQuerySet(OwnedQuerySet):
    """A customer sees the houses they follow («Мой дом»); staff see every house."""

    owner_lookup = "housefollow__user"


class House(models.Model):
    """Дом в зоне теплоснабжения: улица, номер, корпус, литера."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="houses")
    number = models.CharField(_("дом"), max_length=16)
    building = models.CharField(_("корпус"), max_length=16, blank=True)
    letter = models.CharField(_("литера"), max_length=8, blank=True)
    management_company = models.ForeignKey(
        ManagementCompany,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="houses",
        verbose_name=_("управляющая компания"),
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="HouseFollow", related_name="followed_houses"
    )

    objects = HouseQuerySet.as_manager()

    class Meta:
        ordering = ["street__name", "number", "building", "letter"]
        verbose_name = _("дом")
        verbose_name_plural = _("дома")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "number", "building", "letter"], name="house_unique_address"
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def short_address(self) -> str:
        """ "ул. Садовая, д. 5, корп. 2, лит. А"."""
        parts = [f"{self.street.name}, д. {self.number}"]
        if self.building:
            parts.append(f"корп. {self.building}")
        if self.letter:
            parts.append(f"лит. {self.letter}")
        return ", ".join(parts)

    @property
    def address(self) -> str:
        return f"{self.street.settlement.name}, {self.short_address}"


class HouseFollow(models.Model):
    """A resident follows a house (000 §2.3.1): "my house" shows it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    house = models.ForeignKey(House, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "house"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.house}"


class BuildingMeter(models.Model):
    """Общедомовой прибор учёта тепловой энергии (ОДПУ / УУТЭ) of a house (000 §2.3.4.2)."""

    class Kind(models.TextChoices):
        ODPU = "odpu", _("ОДПУ")
        UUTE = "uute", _("УУТЭ")

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="building_meters")
    kind = models.CharField(_("вид"), max_length=8, choices=Kind.choices, default=Kind.UUTE)
    number = models.CharField(_("номер"), max_length=64)
    contract_number = models.CharField(_("договор"), max_length=32, blank=True)
    location = models.CharField(_("адрес установки"), max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("общедомовой прибор учёта")
        verbose_name_plural = _("общедомовые приборы учёта")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number}"


class BuildingMeterMonth(models.Model):
    """Архив ОДПУ за месяц: тепловая энергия (Гкал) и время простоя (ч)."""

    meter = models.ForeignKey(BuildingMeter, on_delete=models.CASCADE, related_name="months")
    period = models.DateField(_("период"))
    heat_gcal = models.DecimalField(_("тепловая энергия, Гкал"), max_digits=12, decimal_places=3)
    hours_out_of_service = models.DecimalField(
        _("время простоя, ч"), max_digits=6, decimal_places=1, default=0
    )

    class Meta:
        ordering = ["-period"]
        verbose_name = _("архив ОДПУ за месяц")
        verbose_name_plural = _("архив ОДПУ")
        constraints = [
            models.UniqueConstraint(fields=["meter", "period"], name="building_meter_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.period:%m.%Y}: {self.heat_gcal} Гкал"


class HouseDebt(models.Model):
    """Задолженность дома за период, for information (000 §2.3.4.1)."""

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="debts")
    period = models.DateField(_("период"))
    debt_kopecks = models.BigIntegerField(_("задолженность, коп."))

    class Meta:
        ordering = ["-period"]
        verbose_name = _("задолженность дома")
        verbose_name_plural = _("задолженность домов")
        constraints = [models.UniqueConstraint(fields=["house", "period"], name="house_debt_once")]

    def __str__(self) -> str:
        return f"{self.house} {self.period:%m.%Y}"


class Premises(models.Model):
    """Помещение: квартира или дом целиком, с площадью и числом проживающих."""

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="premises")
    flat = models.CharField(_("квартира"), max_length=16, blank=True)
    area_m2 = models.DecimalField(_("отапливаемая площадь, м²"), max_digits=8, decimal_places=2)
    registered_people = models.PositiveSmallIntegerField(_("зарегистрировано"), default=0)
    beneficiaries = models.PositiveSmallIntegerField(_("льготников"), default=0)

    class Meta:
        verbose_name = _("помещение")
        verbose_name_plural = _("помещения")
        constraints = [
            models.UniqueConstraint(fields=["house", "flat"], name="premises_unique_in_house")
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        return f"{self.house.address}, кв. {self.flat}" if self.flat else self.house.address
