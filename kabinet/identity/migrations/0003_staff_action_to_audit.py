"""Staff actions move into the one journal (``core.AuditEntry``) before their table goes."""

from django.db import migrations


def copy_to_journal(apps, schema_editor):
    StaffAction = apps.get_model("identity", "StaffAction")
    AuditEntry = apps.get_model("core", "AuditEntry")
    User = apps.get_model("identity", "User")
    for row in StaffAction.objects.order_by("at", "pk").iterator():
        actor = User.objects.filter(pk=row.actor_id).first()
        subject = User.objects.filter(pk=row.subject_id).first() if row.subject_id else None
        contract = (row.details or {}).get("contract")
        AuditEntry.objects.create(
            at=row.at,
            actor_id=row.actor_id,
            actor_label=(actor.display_name or actor.login or actor.email or "") if actor else "",
            action=row.action,
            subject_id=row.subject_id,
            target_type="identity.user" if subject else "",
            target_id=str(subject.pk) if subject else "",
            target_label=(subject.display_name or subject.login or subject.email or "")
            if subject
            else "",
            changes={"contract_number": [None, contract]} if contract else {},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0002_partymember"),
        ("core", "0001_audit_entry"),
    ]

    operations = [
        migrations.RunPython(copy_to_journal, migrations.RunPython.noop),
        migrations.DeleteModel(name="StaffAction"),
    ]
