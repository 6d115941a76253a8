"""Identity: users of the cabinet, the parties they act for, consents, codes and sign-ins."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, login=None, password=None, **extra):
        user = self.model(login=login or None, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, login, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("status", User.Status.ACTIVE)
        return self.create_user(login=login, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Пользователь личного кабинета: a person who signs in, customer or staff.

    A user signs in with whichever identifier they hold: e-mail, phone, an issued
    login (a contract number, 003), or an ИНН of one of their parties.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Ожидает подтверждения")
        ACTIVE = "active", _("Активен")
        BLOCKED = "blocked", _("Заблокирован")

    class SignupMode(models.TextChoices):
        EMAIL = "email", _("Регистрация по e-mail")
        PHONE = "phone", _("Регистрация по телефону")
        ISSUED = "issued", _("Доступ выдан сотрудником")
        CONTRACT = "contract", _("Логин — номер договора")
        STAFF = "staff", _("Сотрудник")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    login = models.CharField(_("логин"), max_length=64, unique=True, null=True, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, null=True, blank=True)  # noqa: DJ001 - NULL, not "", so the unique constraint allows many users without one
    email_verified = models.BooleanField(_("e-mail подтверждён"), default=False)
    phone = models.CharField(_("телефон"), max_length=16, null=True, blank=True)  # noqa: DJ001 - as email
    phone_verified = models.BooleanField(_("телефон подтверждён"), default=False)
    display_name = models.CharField(_("имя для обращения"), max_length=255, blank=True)
    status = models.CharField(
        _("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    signup_mode = models.CharField(
        _("способ регистрации"), max_length=16, choices=SignupMode.choices
    )
    must_change_password = models.BooleanField(_("сменить пароль при входе"), default=False)
    is_staff = models.BooleanField(_("сотрудник"), default=False)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("вход с одноразовым кодом"), default=False)
    date_joined = models.DateTimeField(_("дата регистрации"), default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(email__isnull=False), name="user_email_unique"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=Q(phone__isnull=False), name="user_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.login or self.email or self.phone or str(self.uuid)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == self.Status.ACTIVE


class PartyQuerySet(models.QuerySet):
    def acting_for(self, user, *, full: bool = False):
        """The parties a user acts for: their own, and the organisations that added
        them as a colleague (only with full rights when ``full``)."""
        members = PartyMember.objects.filter(user=user, removed_at__isnull=True)
        if full:
            members = members.filter(rights=PartyMember.Rights.FULL)
        return self.filter(Q(user=user) | Q(pk__in=members.values("party_id")))


class Party(models.Model):
    """Контрагент: the person, sole proprietor (ИП) or legal entity a user acts for."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Физическое лицо")
        IP = "ip", _("Индивидуальный предприниматель")
        LEGAL = "legal", _("Юридическое лицо")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("вид"), max_length=8, choices=Kind.choices)
    last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    first_name = models.CharField(_("имя"), max_length=100, blank=True)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    org_name = models.CharField(_("наименование организации"), max_length=500, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, db_index=True)
    ogrn = models.CharField(_("ОГРН"), max_length=13, blank=True)
    ogrnip = models.CharField(_("ОГРНИП"), max_length=15, blank=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    responsible_name = models.CharField(_("ответственное лицо"), max_length=255, blank=True)
    responsible_position = models.CharField(_("должность"), max_length=255, blank=True)
    phone = models.CharField(_("телефон"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("контрагент")
        verbose_name_plural = _("контрагенты")

    def __str__(self) -> str:
        return self.name

    @property
    def person_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def name(self) -> str:
        if self.kind == self.Kind.LEGAL:
            return self.org_name
        if self.kind == self.Kind.IP:
            return _("ИП %(name)s") % {"name": self.person_name}
        return self.person_name


class PartyMember(models.Model):
    """Сотрудник организации: a colleague the cabinet holder added to act for the
    organisation, with read-only or full rights (full: pay, send reports, write
    appeals). Removing them ends their access at once; the row stays for the record."""

    class Rights(models.TextChoices):
        READ = "read", _("только просмотр")
        FULL = "full", _("полный доступ")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    rights = models.CharField(_("права"), max_length=8, choices=Rights.choices)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["added_at"]
        verbose_name = _("сотрудник организации")
        verbose_name_plural = _("сотрудники организации")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "user"],
                condition=Q(removed_at__isnull=True),
                name="party_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.party} ({self.rights})"


class Consent(models.Model):
    """Согласие на обработку персональных данных: who agreed, when, from where, to which text."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    policy_version = models.CharField(max_length=32)
    policy_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("согласие на обработку персональных данных")
        verbose_name_plural = _("согласия на обработку персональных данных")

    def __str__(self) -> str:
        return f"{self.user} — {self.policy_version}, {self.accepted_at:%d.%m.%Y %H:%M}"


class VerificationCode(models.Model):
    """A one-time code or link sent to an e-mail or phone: expires, works once, few tries."""

    class Purpose(models.TextChoices):
        SIGNUP_EMAIL = "signup_email", _("подтверждение e-mail при регистрации")
        SIGNUP_PHONE = "signup_phone", _("подтверждение телефона при регистрации")
        RESET = "reset", _("восстановление пароля")
        CHANGE_EMAIL = "change_email", _("смена e-mail")
        CHANGE_PHONE = "change_phone", _("смена телефона")
        ACTIVATION = "activation", _("активация выданного доступа")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    target = models.CharField(max_length=254)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="codes", null=True, blank=True
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.target}"


class ThrottleHit(models.Model):
    """One counted event for rate limits and lock-outs (failed sign-in, code sent...).

    Kept in the database, not the cache, so every worker process sees the same counts.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=254)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} {self.at:%d.%m.%Y %H:%M:%S}"


class SignInEvent(models.Model):
    """A sign-in or a failed attempt, shown to the user as "recent sign-ins"."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sign_ins", null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    success = models.BooleanField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {'вход' if self.success else 'отказ'} {self.at:%d.%m.%Y %H:%M}"


class UserSession(models.Model):
    """An open session of a user, so that they can see it and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="open_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.user} {self.ip or ''} {self.last_seen:%d.%m.%Y %H:%M}"


class IssuedAccess(models.Model):
    """Доступ, выданный сотрудником (001 §2): the cabinet of an organisation created by
    staff, with its printed registration card and an e-mailed activation link that works
    from the next day for N days; unused, the cabinet is blocked until issued again.
    """

    class State(models.TextChoices):
        ISSUED = "issued", _("Выдан, ожидает активации")
        ACTIVATED = "activated", _("Активирован")
        EXPIRED = "expired", _("Не активирован в срок, заблокирован")
        REVOKED = "revoked", _("Заменён новой выдачей")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="issued_access")
    contract_number = models.CharField(_("номер договора"), max_length=32)
    contact_name = models.CharField(_("контактное лицо"), max_length=255)
    contact_phone = models.CharField(_("телефон контактного лица"), max_length=16)
    email = models.EmailField(_("e-mail"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.ISSUED)
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    issued_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    code = models.OneToOneField(
        VerificationCode, on_delete=models.PROTECT, related_name="issued_access"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("выданный доступ")
        verbose_name_plural = _("выданные доступы")

    def __str__(self) -> str:
        return f"{self.user} ({self.contract_number}) {self.get_state_display()}"

    @property
    def last_valid_day(self):
        """The last calendar day the link works (``valid_until`` is the midnight after it)."""
        from datetime import timedelta

        return timezone.localtime(self.valid_until - timedelta(microseconds=1)).date()


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A customer's own tokens; nobody else's, staff included (they are secrets' records)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def live(self, at=None):
        """Neither revoked nor expired."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at)
        )


class ApiToken(models.Model):
    """Токен доступа к API: a customer creates, names and revokes it in the profile.

    The token is ``kab_<prefix>_<secret>``, shown once; only its SHA-256 is stored (the
    secret is 32 random bytes, so a fast hash is enough). ``prefix`` finds the row and is
    shown in lists, so the customer can tell their tokens apart.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Только чтение")
        FULL = "full", _("Чтение и изменение")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("название"), max_length=100)
    prefix = models.CharField(_("префикс"), max_length=8, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("права"), max_length=8, choices=Scope.choices)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)
    expires_at = models.DateTimeField(_("действует до"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("токен API")
        verbose_name_plural = _("токены API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_live(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @property
    def state(self) -> str:
        """``active``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"
