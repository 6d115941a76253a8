"""The administrator's «Сотрудники и роли» and «Настройки портала»."""

import pytest
from django.urls import reverse

from conftest import make_user
from kabinet.backoffice import roles
from kabinet.core.errors import DomainError
from kabinet.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_administrator_sets_a_members_roles(client, staff):
    member = make_user(login="eng-team", staff=True, role="engineer")
    client.force_login(staff)
    page = client.get(reverse("backoffice:team")).content.decode()
    assert "eng-team" in page and "Инженер по подключению" in page

    url = reverse("backoffice:team_roles", args=[member.uuid])
    response = client.post(url, {"role": ["engineer", "operator"]}, follow=True)
    assert "Роли сотрудника" in response.content.decode()
    member.refresh_from_db()
    assert roles.user_roles(member) == {"engineer", "operator"}
    entry = AuditEntry.objects.get(action="staff_roles_set")
    assert entry.actor == staff and entry.target_id == str(member.pk)
    assert entry.changes == {"roles": [["engineer"], ["engineer", "operator"]]}

    client.post(url, {"role": ["engineer", "operator"]})  # the same again changes nothing
    assert AuditEntry.objects.filter(action="staff_roles_set").count() == 1


def test_nobody_else_sets_roles(client, staff):
    operator = make_user(login="op-team", staff=True, role="operator")
    member = make_user(login="eng-team2", staff=True, role="engineer")
    with pytest.raises(DomainError):
        roles.staff_roles_set(by=operator, user=member, codes=["admin"])
    client.force_login(operator)
    url = reverse("backoffice:team_roles", args=[member.uuid])
    assert client.post(url, {"role": ["admin"]}).status_code == 403
    assert roles.user_roles(member) == {"engineer"}
    with pytest.raises(DomainError) as err:
        roles.staff_roles_set(by=staff, user=staff, codes=["operator"])
    assert "самого себя" in err.value.message
    with pytest.raises(DomainError):
        roles.staff_roles_set(by=staff, user=member, codes=["boss"])


def test_the_settings_page_shows_the_profile(client, staff, settings):
    settings.KABINET_UTILITY = "tek_spb"
    client.force_login(staff)
    page = client.get(reverse("backoffice:settings")).content.decode()
    assert "access_request_days" in page and "tek_spb" in page
