"""PostgreSQL refuses a published record without a public citation, whatever writes it (``tracker.evidence``)."""

from django.db import migrations

from tracker import evidence


def install(apps, schema_editor):
    evidence.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    evidence.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_cache_table")]

    operations = [migrations.RunPython(install, uninstall)]
