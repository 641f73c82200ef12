"""The database keeps the version of the data: a table of versions, and a trigger on every tracker table
(``tracker.data_versions``; ``migrate`` installs the triggers of tables added later)."""

from django.db import migrations

from tracker import data_versions


def install(apps, schema_editor):
    data_versions.install(schema_editor.connection, data_versions.tracked_tables(apps.get_app_config("tracker")))


def uninstall(apps, schema_editor):
    data_versions.uninstall(schema_editor.connection, data_versions.tracked_tables(apps.get_app_config("tracker")))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0007_archived_sources_and_citation_offsets")]

    operations = [migrations.RunPython(install, uninstall)]
