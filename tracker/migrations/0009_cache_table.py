"""The database cache's table (settings.CACHES), so that ``migrate`` alone readies a database for ``loaddata``
and for serving: the cache keeps import previews and the sign-in throttle's answers."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0008_data_versions")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
