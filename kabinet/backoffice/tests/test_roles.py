"""Staff roles (roles.py): every staff URL, for every role, opens where the role allows
and shows «Нет доступа» (403, no data) where it does not; customers get 404."""

import uuid
from importlib import import_module

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, reverse
from django.urls.converters import UUIDConverter

from conftest import make_user
from kabinet.backoffice import roles


def _staff_urlconfs() -> list[str]:
    """Every URL module included under ``staff/`` in the project's urls.py, so a new
    staff module is walked without being listed here."""
    from kabinet import urls

    found = []
    for entry in urls.urlpatterns:
        if str(entry.pattern).startswith("staff/") and hasattr(entry, "urlconf_name"):
            found.append(entry.urlconf_module.__name__)
    return found


STAFF_URLCONFS = _staff_urlconfs()

# Every staff URL and the area that opens it. A new staff URL fails
# test_every_staff_url_names_its_area until it is added here.
AREA_OF = {
    "appeals_staff:queue": roles.APPEALS,
    "appeals_staff:detail": roles.APPEALS,
    "appeals_staff:status": roles.APPEALS,
    "outages_staff:list": roles.OUTAGES_NEWS,
    "outages_staff:create": roles.OUTAGES_NEWS,
    "outages_staff:edit": roles.OUTAGES_NEWS,
    "news_staff:list": roles.OUTAGES_NEWS,
    "news_staff:edit": roles.OUTAGES_NEWS,
    "contracts_staff:requests": roles.ACCESS,
    "contracts_staff:request": roles.ACCESS,
    "contracts_staff:approve": roles.ACCESS,
    "contracts_staff:refuse": roles.ACCESS,
    "contracts_staff:statement": roles.ACCESS,
    "contracts_staff:chats": roles.APPEALS,
    "contracts_staff:reports": roles.BILLING,
    "accounts_staff:requests": roles.ACCESS,
    "accounts_staff:request": roles.ACCESS,
    "accounts_staff:approve": roles.ACCESS,
    "accounts_staff:refuse": roles.ACCESS,
    "accounts_staff:document": roles.ACCESS,
    "accounts_staff:link": roles.ACCESS,
    "accounts_staff:unlink": roles.ACCESS,
    "applications_staff:queue": roles.APPLICATIONS,
    "applications_staff:detail": roles.APPLICATIONS,
    "applications_staff:move": roles.APPLICATIONS,
    "applications_staff:ask": roles.APPLICATIONS,
    "applications_staff:write": roles.APPLICATIONS,
    "applications_staff:contract_attach": roles.APPLICATIONS,
    "applications_staff:stage": roles.APPLICATIONS,
    "backoffice:dashboard": roles.CUSTOMERS,
    "backoffice:billing": roles.BILLING,
    "backoffice:mailing_retry": roles.BILLING,
    "backoffice:issue_access": roles.ACCESS,
    "backoffice:issued_card": roles.ACCESS,
    "backoffice:contract_login": roles.ACCESS,
    "backoffice:user": roles.CUSTOMERS,
    "backoffice:user_reissue": roles.ACCESS,
    "backoffice:user_reset_first_password": roles.ACCESS,
    "backoffice:user_unlock": roles.ACCESS,
    "backoffice:team": roles.ADMIN,
    "backoffice:team_roles": roles.ADMIN,
    "backoffice:settings": roles.ADMIN,
    "metering_staff:queue": roles.BILLING,
    "metering_staff:accept": roles.BILLING,
    "metering_staff:accept_many": roles.BILLING,
    "metering_staff:reject": roles.BILLING,
    "backoffice:audit": roles.ADMIN,
    "integration:list": roles.IMPORTS,
    "integration:upload": roles.IMPORTS,
    "integration:batch": roles.IMPORTS,
    "integration:apply": roles.IMPORTS,
    "integration_exports:list": roles.IMPORTS,
    "integration_exports:download": roles.IMPORTS,
    "integration_exports:refresh": roles.IMPORTS,
    "integration_exports:refresh_run": roles.IMPORTS,
}

# Pages without arguments that open (200) for a role that has their area.
PAGES = [
    "appeals_staff:queue",
    "outages_staff:list",
    "outages_staff:create",
    "news_staff:list",
    "contracts_staff:requests",
    "contracts_staff:chats",
    "contracts_staff:reports",
    "accounts_staff:requests",
    "backoffice:dashboard",
    "backoffice:billing",
    "backoffice:audit",
    "integration:list",
    "metering_staff:queue",
    "backoffice:team",
    "backoffice:settings",
    "integration_exports:list",
    "integration_exports:refresh",
]


def staff_patterns() -> dict:
    """Every URL pattern of the staff URL modules, by its namespaced name."""
    found = {}
    for urlconf in STAFF_URLCONFS:
        module = import_module(urlconf)
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            found[f"{module.app_name}:{pattern.name}"] = pattern
    return found


def url_of(name):
    """The URL with made-up arguments: the role check comes before any lookup."""
    converters = staff_patterns()[name].pattern.converters
    kwargs = {
        key: uuid.uuid4() if isinstance(conv, UUIDConverter) else 1
        for key, conv in converters.items()
    }
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def staff_of(db):
    def make(role):
        return make_user(login=f"{role}-1", staff=True, role=role)

    return make


def test_every_staff_url_names_its_area():
    assert sorted(staff_patterns()) == sorted(AREA_OF)


def test_the_role_table():
    assert roles.ROLES[roles.OPERATOR][1] == {
        roles.APPEALS,
        roles.ACCESS,
        roles.OUTAGES_NEWS,
        roles.CUSTOMERS,
    }
    assert roles.ROLES[roles.BILLING_SPECIALIST][1] == {
        roles.BILLING,
        roles.IMPORTS,
        roles.CUSTOMERS,
    }
    assert roles.ROLES[roles.ENGINEER][1] == {roles.APPLICATIONS, roles.CUSTOMERS}
    assert roles.ROLES[roles.ADMINISTRATOR][1] == set(roles.AREAS)


@pytest.mark.parametrize("role", list(roles.ROLES))
@pytest.mark.parametrize("name", list(AREA_OF))
def test_each_role_opens_only_its_areas(client, staff_of, role, name):
    client.force_login(staff_of(role))
    response = client.get(url_of(name))
    if AREA_OF[name] in roles.ROLES[role][1]:
        assert response.status_code != 403
        assert "Нет доступа" not in response.content.decode()
        if name in PAGES:
            assert response.status_code == 200
    else:
        assert response.status_code == 403
        page = response.content.decode()
        assert "Нет доступа: раздел для роли" in page
        assert str(roles.ROLES[roles.ADMINISTRATOR][0]) in page


@pytest.mark.parametrize("name", list(AREA_OF))
def test_a_customer_gets_404_everywhere(client, alice, name):
    client.force_login(alice)
    assert client.get(url_of(name)).status_code == 404
    assert client.post(url_of(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_a_stranger_is_sent_to_sign_in(client, db, name):
    response = client.get(url_of(name))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("name", PAGES)
def test_staff_without_a_role_sees_nothing(client, staff_of, name):
    user = staff_of(roles.OPERATOR)
    user.groups.clear()
    client.force_login(user)
    assert client.get(url_of(name)).status_code == 403


def test_a_superuser_has_every_area(client, db):
    user = make_user(login="root", staff=True, role=roles.OPERATOR, is_superuser=True)
    user.groups.clear()
    client.force_login(user)
    assert client.get(reverse("backoffice:billing")).status_code == 200
    assert client.get(reverse("applications_staff:queue")).status_code != 403


def test_a_forbidden_post_changes_nothing(client, staff_of, alice):
    """An engineer cannot reset a customer's first password: 403, nothing recorded."""
    from kabinet.core.models import AuditEntry

    client.force_login(staff_of(roles.ENGINEER))
    response = client.post(reverse("backoffice:user_reset_first_password", args=[alice.uuid]))
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (roles.ENGINEER, [], ["Обращения", "Отключения", "Расчётные задания"]),
        (roles.BILLING_SPECIALIST, ["Расчётные задания"], ["Обращения", "Отключения"]),
        (roles.OPERATOR, ["Обращения", "Отключения"], ["Расчётные задания"]),
        (roles.ADMINISTRATOR, ["Обращения", "Отключения", "Расчётные задания"], []),
    ],
)
def test_the_header_and_dashboard_show_only_the_roles_sections(
    client, staff_of, role, shown, hidden
):
    client.force_login(staff_of(role))
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    for label in shown:
        assert f">{label}<" in page
    for label in hidden:
        assert f">{label}<" not in page


def test_staff_roles_are_read_once_per_request(client, staff_of, django_assert_max_num_queries):
    user = staff_of(roles.OPERATOR)
    assert roles.user_roles(user) == {roles.OPERATOR}
    with django_assert_max_num_queries(0):
        roles.can(user, roles.APPEALS)
        roles.can(user, roles.BILLING)


def test_services_check_the_role_too(alice):
    """A view's check can be bypassed by another caller; the service refuses as well."""
    from datetime import date

    from kabinet.billing.services import billing_run_start
    from kabinet.core.errors import DomainError
    from kabinet.identity.services import contract_login_reset, issued_access_reissue

    engineer = make_user(login="eng-svc", staff=True, role="engineer")
    for call in (
        lambda: billing_run_start(by=engineer, kind="accrual", period=date(2026, 1, 1)),
        lambda: issued_access_reissue(staff=engineer, user=alice),
        lambda: contract_login_reset(staff=engineer, user=alice),
    ):
        with pytest.raises(DomainError) as err:
            call()
        assert err.value.code == "forbidden"
