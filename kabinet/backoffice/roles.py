"""Роли сотрудников и разделы, которые каждой открыты: the one place that decides
which member of staff may open which part of the back office.

A role is a Django auth group named by the role's code, assigned in /admin/ (User →
groups). A superuser has every area. Every staff view names its area through
``staff_required(area)``; templates read ``staff_areas`` to show only what is open.
"""

from django.utils.translation import gettext_lazy as _

from kabinet.core.errors import DomainError

APPEALS = "appeals"  # обращения и их ответы, чаты с абонентами
ACCESS = "access"  # выдача доступа, входы по договору, заявки на добавление договоров
OUTAGES_NEWS = "outages_news"  # отключения и новости
BILLING = "billing"  # расчётные задания, квитанции, отчёты о потреблении, показания
IMPORTS = "imports"  # обмен с биллингом
APPLICATIONS = "applications"  # заявки на подключение, договоры и их этапы
CUSTOMERS = "customers"  # карточка абонента и поиск на рабочем месте
ADMIN = "admin"  # пользователи, роли, настройка

AREAS = (APPEALS, ACCESS, OUTAGES_NEWS, BILLING, IMPORTS, APPLICATIONS, CUSTOMERS, ADMIN)

OPERATOR = "operator"
BILLING_SPECIALIST = "billing"
ENGINEER = "engineer"
ADMINISTRATOR = "admin"

# role code → (name shown to people, areas it opens)
ROLES: dict[str, tuple] = {
    OPERATOR: (_("Оператор"), frozenset({APPEALS, ACCESS, OUTAGES_NEWS, CUSTOMERS})),
    BILLING_SPECIALIST: (_("Специалист по расчётам"), frozenset({BILLING, IMPORTS, CUSTOMERS})),
    ENGINEER: (_("Инженер по подключению"), frozenset({APPLICATIONS, CUSTOMERS})),
    ADMINISTRATOR: (_("Администратор"), frozenset(AREAS)),
}


def user_roles(user) -> frozenset[str]:
    """The role codes of a member of staff, read once per request (cached on the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return frozenset()
    cached = getattr(user, "_staff_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset({ADMINISTRATOR})
        else:
            names = user.groups.filter(name__in=ROLES).values_list("name", flat=True)
            cached = frozenset(names)
        user._staff_roles = cached
    return cached


def user_areas(user) -> frozenset[str]:
    """Every area the user's roles open; empty for customers and strangers."""
    areas: set[str] = set()
    for role in user_roles(user):
        areas |= ROLES[role][1]
    return frozenset(areas)


def can(user, area: str) -> bool:
    return area in user_areas(user)


def roles_for(area: str) -> list[str]:
    """Names of the roles that open an area, for the «Нет доступа» page."""
    return [str(name) for code, (name, areas) in ROLES.items() if area in areas]


def role_grant(*, user, role: str) -> None:
    """Give a member of staff a role (its group is made if the migration's is gone)."""
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise ValueError(role)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_staff_roles", None)


def staff_sees_customers(user) -> bool:
    """Whether a member of staff may read customers' rows (``visible_to`` asks this)."""
    return can(user, CUSTOMERS)


def require(user, area: str, message) -> None:
    """Refuse a service call by someone whose role does not open ``area``: the views
    check first, and the service checks again so no other caller slips past."""
    if not can(user, area):
        raise DomainError(message, code="forbidden")


def staff_roles_set(*, by, user, codes) -> None:
    """Назначить роли сотруднику: the administrator gives a member of staff exactly these
    roles; recorded in the journal with the roles before and after."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils.translation import gettext as gettext_now

    from kabinet.core.audit import audit_record
    from kabinet.identity.models import User

    require(by, ADMIN, gettext_now("Назначать роли может администратор."))
    wanted = set(codes)
    if wanted - set(ROLES):
        raise DomainError(gettext_now("Такой роли нет."))
    if not user.is_staff:
        raise DomainError(gettext_now("Роли назначают только сотрудникам."))
    if user.pk == by.pk and ADMINISTRATOR not in wanted and not user.is_superuser:
        raise DomainError(gettext_now("Нельзя снять роль администратора с самого себя."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        before = sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if sorted(wanted) == before:
            return
        for code in wanted:
            Group.objects.get_or_create(name=code)
        user.groups.remove(*Group.objects.filter(name__in=set(ROLES) - wanted))
        user.groups.add(*Group.objects.filter(name__in=wanted))
        user.__dict__.pop("_staff_roles", None)
        audit_record(
            actor=by,
            action="staff_roles_set",
            target=user,
            changes={"roles": [before, sorted(wanted)]},
        )
