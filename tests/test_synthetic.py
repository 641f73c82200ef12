"""The synthetic data of benchmarks and load tests keeps the rules real data keeps."""

import datetime

import pytest
from django.db import connection, transaction

from tracker import counts, synthetic
from tracker.caching import data_version
from tracker.models import (
    Challenge,
    Citation,
    FocusArea,
    Initiative,
    Organisation,
    Recommendation,
    StatusUpdate,
    latest_status,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)


def test_generated_status_updates_are_cited_and_set_their_records_status():
    written = synthetic.generate(90)

    assert written["tracker_initiative"] == 90 and written["tracker_statusupdate"] == StatusUpdate.objects.count() > 0
    assert not StatusUpdate.objects.filter(citations__isnull=True).exists()
    assert not StatusUpdate.objects.exclude(citations__source__published=True).exists()
    for model in (Initiative, Challenge, Recommendation):
        records = model.objects.filter(status_updates__isnull=False).distinct()
        assert records.exists(), model
        for record in records:
            assert record.status == latest_status(record), record
            assert record.latest_update == max(record.status_updates.values_list("date", flat=True)), record
            record.full_clean()  # the model's own rules agree
    assert Citation.objects.filter(status_update__isnull=False).count() == StatusUpdate.objects.count()


def rows(scale, seed, chunk):
    """Every row the generator makes, by table, and how many batches it made them in."""
    made, batches = {}, 0
    for batch in synthetic.Generator(scale, seed, now=NOW, chunk=chunk).batches():
        batches += 1
        for table, table_rows in batch:
            made.setdefault(table.model._meta.db_table, []).extend(table_rows)
    return made, batches


def test_the_data_depends_on_the_seed_not_on_the_batches():
    in_small_batches, many = rows(40, seed=7, chunk=3)
    in_one_batch, few = rows(40, seed=7, chunk=1000)

    assert many > few
    assert in_small_batches == in_one_batch
    assert rows(40, seed=8, chunk=1000)[0] != in_one_batch


def test_a_batch_holds_at_most_chunk_records_of_a_kind():
    for batch in synthetic.Generator(50, 1, now=NOW, chunk=4).batches():
        for table, table_rows in batch:
            if table.model in (Initiative, Challenge, Recommendation):
                assert len(table_rows) <= 4


def table_contents():
    """A digest of every tracker table's rows but the data versions'. A kept count's id is left out: the
    triggers number the counts they insert from a sequence that a rolled-back load does not wind back."""
    tables = [t for t in connection.introspection.table_names() if t.startswith("tracker_") and "data_version" not in t]
    digests = {}
    with connection.cursor() as cursor:
        for table in tables:
            row = "(to_jsonb(t) - 'id')::text" if table in (counts.TABLE, counts.TERM_TABLE) else "t::text"
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) FROM \"{table}\" t"
            )
            digests[table] = cursor.fetchone()
    return digests


def load(triggers):
    """The tables after a load of 60 initiatives, checked as its commit would check them, then rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        synthetic.generate(60, seed=3, now=NOW, triggers=triggers)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred triggers run now: checks and status
        contents = table_contents()
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        transaction.set_rollback(True)
    return contents


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers skipped by a PostgreSQL superuser")
def test_a_load_without_triggers_leaves_what_the_triggers_would():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("only a superuser's load skips the triggers")

    # the vocabulary the generator would add through the ORM, added once (ids and history are not rolled back)
    generator = synthetic.Generator(1, 0)
    generator.vocabulary(FocusArea, synthetic.FOCUS_AREAS)
    generator.vocabulary(Organisation, synthetic.ORGANISATIONS, kind=Organisation.Kind.NATO)

    with_triggers = load(triggers=True)
    without = load(triggers=False)

    assert with_triggers["tracker_citation"][0] > 0
    assert without == with_triggers


def index_definitions():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'tracker_%' ORDER BY 1")
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes built after the load on PostgreSQL")
def test_a_load_leaves_every_index_as_it_was():
    before = index_definitions()

    synthetic.generate(20, now=NOW)

    assert index_definitions() == before and any(name == "citation_search" for name, _definition in before)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers skipped by a PostgreSQL superuser")
def test_a_load_without_triggers_moves_the_data_versions():
    models = (Initiative, Challenge, Recommendation, StatusUpdate, Citation)
    before = {model: data_version(model) for model in models}

    synthetic.generate(20, now=NOW)

    assert all(data_version(model) != before[model] for model in models)
