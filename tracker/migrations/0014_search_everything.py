"""Search everything, diacritics aside: the ``tracker`` text search configuration (English stemming after
``unaccent``), and a stored, GIN-indexed search document for every searchable model (``tracker.search``).

A generated column cannot call ``unaccent()`` (it is not immutable), but it can call ``to_tsvector`` with
a configuration whose dictionaries include ``unaccent``. Creating the extension needs a role allowed to
(a superuser, or the database owner on PostgreSQL 13+ for this trusted extension). The records' documents
change, and PostgreSQL cannot alter a generated column's expression: they are dropped (with their
indexes) and added again. SQLite has neither configurations nor indexes to make.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

import tracker.search

RECORDS = ["initiative", "challenge", "recommendation", "visit"]
SEARCHABLE = [*RECORDS, "source", "citation", "focusarea", "organisation"]


def postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def create_configuration(apps, schema_editor):
    if postgresql(schema_editor):
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema_editor.execute("CREATE TEXT SEARCH CONFIGURATION tracker (COPY = english)")
        schema_editor.execute(
            "ALTER TEXT SEARCH CONFIGURATION tracker ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
        )


def drop_configuration(apps, schema_editor):
    """The extension stays: something else may use it."""
    if postgresql(schema_editor):
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION tracker")


def index(model_name):
    return GinIndex(fields=["search_document"], name=f"{model_name}_search")


def add_indexes(apps, schema_editor, model_names=SEARCHABLE):
    if postgresql(schema_editor):
        for model_name in model_names:
            schema_editor.add_index(apps.get_model("tracker", model_name), index(model_name))


def add_record_indexes(apps, schema_editor):
    """Backwards: the first documents' indexes, once their columns are back."""
    add_indexes(apps, schema_editor, RECORDS)


def document(*fields):
    return models.GeneratedField(
        db_persist=True,
        expression=tracker.search.SearchDocument(*fields, config="tracker"),
        output_field=django.contrib.postgres.search.SearchVectorField(),
    )


RECORD = (("title", "A"), ("summary", "B"), ("description", "C"))

DOCUMENTS = {
    "initiative": document(("title", "A"), ("short_name", "A"), ("summary", "B"), ("description", "C")),
    "challenge": document(*RECORD),
    "recommendation": document(
        *RECORD, ("strategic_action", "C"), ("expected_outcome", "C"), ("proposed_by_detail", "C")
    ),
    "visit": document(*RECORD, ("visitor_name", "B"), ("purpose", "C"), ("topics", "C"), ("outcomes", "C")),
    "source": document(("title", "A"), ("publisher", "B"), ("author", "B"), ("text", "D", 100000)),
    "citation": document(("quote", "A")),
    "focusarea": document(("name", "A"), ("description", "C")),
    "organisation": document(("name", "A"), ("abbreviation", "A"), ("description", "C")),
}


class Migration(migrations.Migration):
    dependencies = [("tracker", "0013_status_update_evidence_trigger")]

    operations = [
        migrations.RunPython(create_configuration, drop_configuration),
        migrations.RunPython(migrations.RunPython.noop, add_record_indexes),
        *[migrations.RemoveField(model_name=model_name, name="search_document") for model_name in RECORDS],
        *[
            migrations.AddField(model_name=model_name, name="search_document", field=field)
            for model_name, field in DOCUMENTS.items()
        ],
        migrations.RunPython(add_indexes, migrations.RunPython.noop),
    ]
