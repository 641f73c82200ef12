"""GIN indexes for full-text search on PostgreSQL (SQLite searches without them).

The indexed expression must be the one ``tracker.search.search_vector()`` builds
for queries, or PostgreSQL will not use the index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from tracker.search import search_vector

SEARCHABLE = ["initiative", "challenge", "recommendation", "visit"]


def index(model_name):
    return GinIndex(search_vector(), name=f"{model_name}_search")


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model_name in SEARCHABLE:
            schema_editor.add_index(apps.get_model("tracker", model_name), index(model_name))


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model_name in SEARCHABLE:
            schema_editor.remove_index(apps.get_model("tracker", model_name), index(model_name))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_staff_groups")]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
