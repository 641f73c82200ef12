"""What PostgreSQL keeps for the first requests (``tracker.summaries``) equals what the pages computed from
the records before, whatever wrote the data: the ORM, ``QuerySet.update()``, raw SQL, ``COPY``, deletes."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count, F
from django.urls import reverse

from tracker import changes, charts, dates, summaries, synthetic
from tracker.caching import forget_answers
from tracker.models import (
    Challenge,
    Citation,
    Initiative,
    Milestone,
    Recommendation,
    Source,
    StatusUpdate,
    Visit,
    latest_update_date,
    publicly_supported,
)
from tracker.views import TRACKED, deadline_counts, progress_chart

from .factories import InitiativeFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the summaries are kept by PostgreSQL's triggers"),
]

EUFOR = "NATO provides support to EUFOR Operation Althea under the Berlin Plus Agreements."
TODAY = datetime.date(2026, 12, 1)


def computed_changes(kind=None, **filters):
    return [(r["change_kind"], r["history_id"]) for r in changes.computed_change_rows(kind, **filters)]


def kept_changes(kind=None, **filters):
    rows = changes.change_rows(kind, **filters)
    return [(r["change_kind"], r["history_id"]) for r in rows[0 : rows.count() + 1]]


def computed_chart(model):
    name = model._meta.model_name
    updates = (
        StatusUpdate.objects.filter(publicly_supported(), **{f"{name}__published": True})
        .order_by("date", "pk")
        .values_list(f"{name}_id", "date", "status")
    )
    return charts.status_by_quarter(model.Status.choices, list(updates), TODAY, model.list_url())


def computed_deadlines():
    counts = []
    for model in TRACKED:
        records = model.objects.published()
        figures = records.aggregate(
            overdue=Count("pk", filter=records.overdue_condition(TODAY)),
            due_soon=Count("pk", filter=records.due_soon_condition(TODAY)),
        )
        counts.append((model._meta.verbose_name_plural, figures["overdue"], figures["due_soon"], model.list_url()))
    return counts


def assert_kept_as_computed():
    """Every summary equals the computation it replaces."""
    for kind in [None, *changes.RECORD_KINDS]:
        computed = computed_changes(kind)
        assert sorted(kept_changes(kind)) == sorted(computed)
        assert changes.change_rows(kind).count() == len(computed)
    for model in TRACKED:
        assert progress_chart(model, TODAY)[1] == computed_chart(model)
    assert deadline_counts(TODAY) == computed_deadlines()
    for model in (Initiative, Challenge, Recommendation):
        by_status = dict(model.objects.published().values_list("status").annotate(n=Count("pk")).order_by())
        tallied = {}
        for status, _ends, n in summaries.tally(model._meta.model_name):
            tallied[status] = tallied.get(status, 0) + n
        assert tallied == by_status
        computed = dict(model.objects.annotate(day=latest_update_date(model)).values_list("pk", "day"))
        assert dict(model.objects.values_list("pk", "latest_update")) == computed
    timeline = {kind: sum(n for _status, _ends, n in summaries.tally(kind)) for kind in ("milestone", "visit")}
    assert timeline == {
        "milestone": Milestone.objects.filter(initiative__published=True).count(),
        "visit": Visit.objects.published().count(),
    }


def cited_update(record, day, status, source, precision="day"):
    update = StatusUpdate.objects.create(initiative=record, date=day, date_precision=precision, status=status)
    Citation.objects.create(status_update=update, source=source, quote=EUFOR)
    return update


def test_the_seeded_tracker_is_summarised_as_computed(seeded):
    assert_kept_as_computed()


def test_orm_edits_query_set_updates_raw_sql_and_deletes_keep_the_summaries(seeded):
    source = Source.objects.create(title="NATO page", slug="nato-page", published=True, text=EUFOR)
    hidden = Source.objects.create(title="Memo", slug="memo", published=False, text=EUFOR)
    record = InitiativeFactory(title="Support to EUFOR", summary="first", end_date=datetime.date(2026, 1, 1),
                               end_precision="year", status="ongoing")  # fmt: skip
    record.summary = "second"
    record.save()
    cited_update(record, datetime.date(2024, 5, 1), "planned", source)
    later = cited_update(record, datetime.date(2025, 2, 1), "ongoing", source, "month")
    assert_kept_as_computed()

    Source.objects.filter(pk=source.pk).update(published=False)  # the updates lose their public evidence
    assert Initiative.objects.get(pk=record.pk).latest_update is None
    Source.objects.filter(pk=source.pk).update(published=True)
    Initiative.objects.filter(pk=record.pk).update(published=False)
    assert_kept_as_computed()
    Initiative.objects.filter(pk=record.pk).update(published=True)

    with connection.cursor() as cursor:  # raw SQL: an update, its citation of a hidden source, then a public one
        cursor.execute(
            "INSERT INTO tracker_statusupdate (initiative_id, date, date_precision, status, completion, note) "
            "VALUES (%s, '2026-03-01', 'day', 'ongoing', '', '') RETURNING id",
            [record.pk],
        )
        (raw,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO tracker_citation (source_id, quote, status_update_id) VALUES (%s, %s, %s)",
            [hidden.pk, EUFOR, raw],
        )
        assert Initiative.objects.get(pk=record.pk).latest_update == datetime.date(2025, 2, 1)
        cursor.execute(
            "INSERT INTO tracker_citation (source_id, quote, status_update_id) VALUES (%s, %s, %s)",
            [source.pk, EUFOR, raw],
        )
        cursor.execute("UPDATE tracker_statusupdate SET date = '2026-04-01' WHERE id = %s", [raw])
    assert Initiative.objects.get(pk=record.pk).latest_update == datetime.date(2026, 4, 1)
    assert_kept_as_computed()

    later.delete()
    StatusUpdate.objects.filter(pk=raw).delete()
    Milestone.objects.create(initiative=record, title="Agreed", date=datetime.date(2025, 1, 1))
    Initiative.objects.filter(pk=record.pk).update(published=False)
    assert_kept_as_computed()
    Initiative.objects.filter(pk=record.pk).update(published=True)
    Milestone.objects.filter(initiative=record).delete()
    Recommendation.objects.filter(status="proposed").update(status="accepted")
    assert_kept_as_computed()


def test_an_orm_save_cannot_keep_a_stale_latest_update(seeded):
    record = Initiative.objects.filter(status_updates__isnull=False).first()
    latest = record.latest_update
    record.latest_update = datetime.date(1999, 1, 1)
    record.save()
    assert Initiative.objects.get(pk=record.pk).latest_update == latest is not None


def test_generated_data_written_by_copy_is_summarised_as_computed(seeded):
    synthetic.generate(60)
    assert_kept_as_computed()


def test_the_deadline_counts_sum_the_tally_from_its_index_alone(seeded):
    """``n`` is in the tally key's index: at 1,000,000 initiatives the sums read 18,428 rows of it in 3 ms,
    where fetching each row from the table took 5 ms."""
    with connection.cursor() as cursor:  # the plan of a large table, on a small one
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        today, horizon = datetime.date(2026, 12, 1), datetime.date(2027, 3, 2)
        cursor.execute(f"EXPLAIN {summaries.DEADLINES}", [today, today, "initiative", ["planned"], horizon])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using tracker_record_tally_key" in plan, plan


def test_a_truncated_table_rebuilds_the_summaries(transactional_db):
    from django.core.management import call_command

    call_command("seed", verbosity=0)
    assert changes.change_rows().count() > 0
    call_command("flush", interactive=False, verbosity=0)
    assert changes.change_rows().count() == 0 and summaries.tally("initiative") == []


def test_the_changes_page_filters_read_the_kept_changes_as_computed(seeded):
    record = Initiative.objects.published().first()
    today = dates.today()
    for filters in [{"slug": record.slug}, {"since": today}, {"until": today - datetime.timedelta(days=1)}]:
        assert kept_changes("initiative", **filters) == computed_changes("initiative", **filters)


@pytest.mark.parametrize("scale", [20, 60])
def test_the_home_page_and_latest_update_sort_read_a_fixed_number_of_queries(
    client, seeded, django_assert_num_queries, scale
):
    synthetic.generate(scale)
    forget_answers()
    # data versions; the tallies of initiatives, recommendations, challenges; the next deadlines;
    # the tallies again for the deadlines; the two charts' quarters; the latest visits and their hosts
    with django_assert_num_queries(11):
        assert client.get(reverse("tracker:home")).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(reverse("tracker:home")).status_code == 200
    response = client.get("/initiatives/?sort=-updated")
    shown = [record.latest_update for record in response.context["object_list"]]
    assert shown == sorted(shown, reverse=True)
    newest = Initiative.objects.published().annotate(day=latest_update_date(Initiative))
    newest = newest.order_by(F("day").desc(nulls_last=True), "-pk")  # ties newest first, as the index reads
    assert [r.pk for r in response.context["object_list"]] == [r.pk for r in newest[:20]]


@pytest.mark.parametrize("scale", [20, 60])
def test_the_timeline_reads_a_fixed_number_of_queries_and_counts_as_computed(
    client, seeded, django_assert_num_queries, scale
):
    synthetic.generate(scale)
    forget_answers()
    # data versions, the focus areas in use, the tallies (the count), the page's rows, the form's focus areas
    with django_assert_num_queries(5):
        response = client.get(reverse("tracker:timeline"))
    assert response.context["paginator"].count == (
        Milestone.objects.filter(initiative__published=True).count() + Visit.objects.published().count()
    )
    with django_assert_num_queries(1):
        assert client.get(reverse("tracker:timeline")).status_code == 200


def test_a_bulk_load_rebuilds_the_summaries_once_at_its_end(seeded):
    source = Source.objects.create(title="NATO page", slug="nato-page", published=True, text=EUFOR)
    with transaction.atomic(), summaries.bulk_load():
        record = InitiativeFactory(title="Support to EUFOR", status="planned")
        cited_update(record, datetime.date(2025, 3, 1), "planned", source)
        assert Initiative.objects.get(pk=record.pk).latest_update is None  # not yet: once, at the end
    assert Initiative.objects.get(pk=record.pk).latest_update == datetime.date(2025, 3, 1)
    assert_kept_as_computed()
