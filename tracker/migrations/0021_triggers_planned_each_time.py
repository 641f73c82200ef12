"""The kept counts' trigger functions plan their SQL over each statement's rows every time
(``statement_triggers.planned_each_time``): a plan kept from a one-row write made a later write of
thousands of rows in the same session take minutes. (The summaries' functions are written again after
every ``migrate``.)"""

from django.db import migrations

from tracker import counts, list_counts


def replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        counts.replace_functions(schema_editor.connection)
        list_counts.replace_functions(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0020_cold_indexes"),
    ]

    # backwards: the functions as they are do what the earlier ones did
    operations = [migrations.RunPython(replace, migrations.RunPython.noop)]
