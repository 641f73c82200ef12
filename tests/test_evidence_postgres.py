"""PostgreSQL itself refuses a published record without a public citation, on paths no model sees."""

import pytest
from django.db import IntegrityError, connection, transaction

from tracker.models import Challenge, Citation, Initiative, Source, StatusUpdate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="deferred constraint triggers are a PostgreSQL feature"
)


def committed(*statements):
    """Run ``statements`` in a transaction and check it as its commit would: the test's own transaction never
    commits, so the deferred checks are made to run now (and deferred again for what follows)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, params in statements:
            cursor.execute(statement, params)
        check_now(cursor)


def check_now(cursor):
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # raises, and the transaction is over, if a check fails
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def single_cited_challenge():
    return next(c for c in Challenge.objects.published() if c.citations.count() == 1)


def test_raw_sql_cannot_delete_a_published_records_last_public_citation(seeded):
    citation = single_cited_challenge().citations.get()
    with pytest.raises(IntegrityError, match="would have no public citation"):
        committed(("DELETE FROM tracker_citation WHERE id = %s", [citation.pk]))
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_raw_sql_cannot_unpublish_the_only_source_of_published_records(seeded):
    source = Source.objects.get(slug="nato-relations-with-bosnia-and-herzegovina")
    with pytest.raises(IntegrityError, match="would have no public citation"):
        committed(("UPDATE tracker_source SET published = false WHERE id = %s", [source.pk]))
    assert Source.objects.get(pk=source.pk).published


def test_a_query_set_cannot_publish_a_record_without_a_citation(db):
    challenge = Challenge.objects.create(title="Uncited", category="political")
    with pytest.raises(IntegrityError, match="would have no public citation"):
        with transaction.atomic(), connection.cursor() as cursor:
            Challenge.objects.filter(pk=challenge.pk).update(published=True)
            check_now(cursor)
    assert not Challenge.objects.get(pk=challenge.pk).published


def test_a_record_and_its_citation_in_one_transaction_and_a_deleted_record_are_fine(seeded):
    source = Source.objects.get(slug="nato-relations-with-bosnia-and-herzegovina")
    committed(
        ("INSERT INTO tracker_challenge (created, updated, title, slug, summary, description, published, category,"
         " status) VALUES (now(), now(), 'New', 'new', '', '', true, 'political', 'open')", []),
        ("INSERT INTO tracker_citation (source_id, quote, challenge_id) SELECT %s, 'NATO', id FROM tracker_challenge"
         " WHERE slug = 'new'", [source.pk]),
    )  # fmt: skip
    challenge = single_cited_challenge()
    committed(
        ("DELETE FROM tracker_citation WHERE challenge_id = %s", [challenge.pk]),
        ("DELETE FROM tracker_challenge_focus_areas WHERE challenge_id = %s", [challenge.pk]),
        ("DELETE FROM tracker_initiative_challenges WHERE challenge_id = %s", [challenge.pk]),
        ("DELETE FROM tracker_recommendation_challenges WHERE challenge_id = %s", [challenge.pk]),
        ("DELETE FROM tracker_challenge WHERE id = %s", [challenge.pk]),
    )
    assert Challenge.objects.filter(slug="new").exists() and not Challenge.objects.filter(pk=challenge.pk).exists()


def test_raw_sql_cannot_add_a_status_update_without_a_citation(seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    insert = (
        "INSERT INTO tracker_statusupdate (initiative_id, date, date_precision, status, completion, note) "
        "VALUES (%s, '2025-01-01', 'year', 'completed', '', '')",
        [dcb.pk],
    )
    with pytest.raises(IntegrityError, match="would have no citation"):
        committed(insert)
    assert dcb.status_updates.count() == 2


def test_raw_sql_cannot_delete_a_status_updates_only_citation_but_may_delete_the_update(seeded):
    update = StatusUpdate.objects.get(initiative__slug="partnership-for-peace")
    citation = update.citations.get()
    with pytest.raises(IntegrityError, match="would have no citation"):
        committed(("DELETE FROM tracker_citation WHERE id = %s", [citation.pk]))
    committed(
        ("DELETE FROM tracker_citation WHERE status_update_id = %s", [update.pk]),
        ("DELETE FROM tracker_statusupdate WHERE id = %s", [update.pk]),
    )
    assert not StatusUpdate.objects.filter(pk=update.pk).exists()


def test_a_status_update_and_its_citation_in_one_transaction_are_fine(seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    source = Source.objects.get(slug="nato-relations-with-bosnia-and-herzegovina")
    with transaction.atomic(), connection.cursor() as cursor:
        update = StatusUpdate.objects.create(initiative=dcb, date="2025-01-01", date_precision="year", status="ongoing")
        Citation.objects.create(
            status_update=update,
            source=source,
            quote="NATO provides support to EUFOR Operation Althea under the Berlin Plus Agreements.",
        )
        check_now(cursor)
    assert dcb.status_updates.count() == 3


def dcb_status():
    return Initiative.objects.values_list("status", flat=True).get(slug="dcb-package-2023")


def test_a_status_update_written_by_raw_sql_sets_its_records_status_at_commit(seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    source = Source.objects.get(slug="nato-relations-with-bosnia-and-herzegovina")
    assert dcb.status == "ongoing"
    committed(
        ("INSERT INTO tracker_statusupdate (initiative_id, date, date_precision, status, completion, note) "
         "VALUES (%s, '2026-06-01', 'month', 'completed', '', '')", [dcb.pk]),
        ("INSERT INTO tracker_citation (source_id, quote, status_update_id) SELECT %s, 'NATO', id "
         "FROM tracker_statusupdate WHERE initiative_id = %s AND date = '2026-06-01'", [source.pk, dcb.pk]),
    )  # fmt: skip
    assert dcb_status() == "completed"
    committed(("DELETE FROM tracker_citation WHERE status_update_id IN (SELECT id FROM tracker_statusupdate "
               "WHERE date = '2026-06-01'); DELETE FROM tracker_statusupdate WHERE date = '2026-06-01'", []))  # fmt: skip
    assert dcb_status() == "ongoing"


def test_raw_sql_cannot_set_a_status_against_the_records_latest_update(seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    with pytest.raises(IntegrityError, match="is set by its latest status update"):
        committed(("UPDATE tracker_initiative SET status = 'completed' WHERE id = %s", [dcb.pk]))
    assert dcb_status() == "ongoing"
    undated = Initiative.objects.published().filter(status_updates__isnull=True).first()
    committed(("UPDATE tracker_initiative SET status = 'completed' WHERE id = %s", [undated.pk]))
    assert Initiative.objects.get(pk=undated.pk).status == "completed"


def test_unpublishing_the_source_of_the_latest_update_by_a_query_set_falls_back_to_the_one_before(seeded):
    dcb = Initiative.objects.get(slug="dcb-package-2023")
    latest = dcb.status_updates.order_by("-date").first()
    source = Source.objects.create(title="Another record of it", slug="another", kind="news", published=True)
    update = StatusUpdate(initiative=dcb, date="2026-01-01", date_precision="year", status="completed")
    with transaction.atomic():
        update.save()
        Citation.objects.create(status_update=update, source=source, quote="It was completed.")
    assert dcb_status() == "completed" and latest.status == "ongoing"
    with transaction.atomic(), connection.cursor() as cursor:
        Source.objects.filter(pk=source.pk).update(published=False)
        check_now(cursor)
    assert dcb_status() == "ongoing"
