"""PostgreSQL keeps a record's status the one its latest supported update sets, whatever writes it
(``tracker.evidence``)."""

from django.db import migrations

from tracker import evidence


def install(apps, schema_editor):
    evidence.install_status_rule(schema_editor.connection)


def uninstall(apps, schema_editor):
    evidence.uninstall_status_rule(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0014_search_everything")]

    operations = [migrations.RunPython(install, uninstall)]
