"""The journal: written by services, read by staff, edited by nobody."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from kabinet.core.audit import audit_diff, audit_record, audit_snapshot
from kabinet.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_line_keeps_who_what_and_the_old_and_new_values(alice, staff):
    before = audit_snapshot(alice, ["email", "phone"])
    alice.email = "new@example.ru"
    entry = audit_record(
        actor=staff,
        action="issued_access_reissue",
        target=alice,
        subject=alice,
        changes=audit_diff(before, audit_snapshot(alice, ["email", "phone"])),
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == staff and entry.subject == alice
    assert entry.actor_label == str(staff)
    assert entry.target_type == "identity.user" and entry.target_id == str(alice.pk)
    assert entry.changes == {"email": [before["email"], "new@example.ru"]}
    assert entry.label == "Доступ выдан повторно"


def test_the_system_is_named_when_nobody_acted():
    entry = audit_record(actor=None, action="import_apply")
    assert entry.actor is None and entry.actor_label == "Система"


def test_the_orm_refuses_to_change_or_delete_a_line(staff):
    entry = audit_record(actor=staff, action="x")
    entry.note = "edited"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="edited")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


def test_the_database_refuses_an_update_from_raw_sql(staff):
    entry = audit_record(actor=staff, action="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = 'edited' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_a_delete_from_raw_sql(staff):
    entry = audit_record(actor=staff, action="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
