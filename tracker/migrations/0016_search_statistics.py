"""Finer statistics of the stored search documents, so PostgreSQL sees how rare a word is.

With the default statistics target a word absent from a document's most common
lexemes was estimated to match about 1 % of the rows: for a quote search that
matched 9 of 1.1 million citations the planner chose to walk the citations in
index order, testing each (273 ms), instead of asking the text index (under
30 ms with the finer statistics). See bench/results.md.
"""

from django.db import migrations

TABLES = ("focusarea", "organisation", "source", "initiative", "challenge", "recommendation", "visit", "citation")


def set_statistics(target):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE tracker_{table} ALTER COLUMN search_document SET STATISTICS {target}")
            schema_editor.execute(f"ANALYZE tracker_{table} (search_document)")

    return operation


class Migration(migrations.Migration):
    dependencies = [("tracker", "0015_status_sync_trigger")]

    operations = [migrations.RunPython(set_statistics(1000), set_statistics(-1))]
