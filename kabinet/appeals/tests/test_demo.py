import pytest
from django.core.management import call_command

from kabinet.appeals import selectors
from kabinet.appeals.models import Appeal
from kabinet.identity.models import User


@pytest.mark.django_db
def test_demo_resident_has_an_unread_answer_and_a_new_appeal():
    call_command("demo_data", quiet=True)
    resident = User.objects.get(email="resident@example.ru")
    statuses = sorted(Appeal.objects.filter(user=resident).values_list("status", flat=True))
    assert statuses == ["answered", "new"]
    assert selectors.unread_count(resident) == 1
