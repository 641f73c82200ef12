"""PostgreSQL refuses a status update without a citation, whatever writes it (``tracker.evidence``)."""

from django.db import migrations

from tracker import evidence


def install(apps, schema_editor):
    evidence.install_update_rule(schema_editor.connection)


def uninstall(apps, schema_editor):
    evidence.uninstall_update_rule(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_status_updates")]

    operations = [migrations.RunPython(install, uninstall)]
