"""The counts of the public lists are kept by the database (``tracker.list_counts``) and stay exact whatever
writes the records and their links: the ORM, ``update()``, bulk inserts, raw SQL, deletes, ``TRUNCATE``."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker import dates, list_counts
from tracker.bulk import insert_rows
from tracker.models import Challenge, Citation, Initiative, Recommendation, Visit

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    OrganisationFactory,
    RecommendationFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's COPY and TRUNCATE")
MODELS = (Initiative, Challenge, Recommendation, Visit)


def kept():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT model, status, variety, relation, term_id, n FROM {list_counts.TABLE} WHERE n <> 0")
        return {tuple(row[:5]): row[5] for row in cursor.fetchall()}


def counted_afresh():
    """What the table should hold, counted from the records themselves through the ORM."""
    expected = Counter()
    for model in MODELS:
        counted = list_counts.COUNTED[model._meta.model_name]
        for record in model.objects.filter(published=True):
            status = getattr(record, counted.status) if counted.status else ""
            variety = getattr(record, counted.variety) if counted.variety else ""
            expected[(counted.model, status, variety, "", 0)] += 1
            for link in counted.links:
                for term in getattr(record, link.relation).all():
                    expected[(counted.model, status, variety, link.relation, term.pk)] += 1
    return dict(expected)


def assert_exact():
    assert kept() == counted_afresh()


@pytest.fixture
def records():
    cyber, crisis = FocusAreaFactory(name="Cyber defence"), FocusAreaFactory(name="Crisis management")
    hq = OrganisationFactory(name="NATO Headquarters Sarajevo")
    made = [
        InitiativeFactory(status="ongoing", kind="programme", focus_areas=[cyber], organisations=[hq]),
        InitiativeFactory(status="planned", kind="package", focus_areas=[cyber, crisis]),
        InitiativeFactory(status="ongoing", kind="programme", published=False, focus_areas=[crisis]),
        ChallengeFactory(status="open", focus_areas=[crisis]),
        RecommendationFactory(status="accepted"),
        VisitFactory(focus_areas=[cyber]),
    ]
    assert_exact()
    return made, cyber, crisis, hq


def test_saves_and_link_changes_through_the_orm_keep_the_counts(records):
    (first, second, draft, challenge, *_), cyber, crisis, hq = records
    draft.published = True
    draft.save()
    assert_exact()
    first.focus_areas.add(crisis)
    second.focus_areas.remove(cyber)
    challenge.focus_areas.clear()
    assert_exact()
    first.delete()
    assert_exact()


def test_queryset_updates_and_deletes_keep_the_counts(records):
    Initiative.objects.update(status="completed")
    assert_exact()
    Initiative.objects.filter(kind="package").update(published=False)
    Visit.objects.update(kind="summit")
    assert_exact()
    Challenge.objects.update(category="security", status="resolved")
    Recommendation.objects.all().delete()
    assert_exact()


def test_raw_sql_and_bulk_inserts_keep_the_counts(records):
    (first, *_), cyber, crisis, hq = records
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_initiative SET status = 'suspended' WHERE id = %s", [first.pk])
        cursor.execute("DELETE FROM tracker_initiative_focus_areas WHERE initiative_id = %s", [first.pk])
        cursor.execute(
            "INSERT INTO tracker_initiative_focus_areas (initiative_id, focusarea_id) VALUES (%s, %s)",
            [first.pk, crisis.pk],
        )
    assert_exact()
    copy_initiative(first, "a")
    copy_initiative(first, "b")
    assert_exact()
    new = Initiative.objects.get(slug="copied-a")
    insert_rows(Initiative.focus_areas.through, ["initiative_id", "focusarea_id"], [(new.pk, cyber.pk)])
    assert_exact()


def copy_initiative(record, suffix):
    """A copy of ``record`` written as the bulk loader writes (``COPY`` on PostgreSQL, multi-row ``INSERT``)."""
    fields = [field for field in Initiative._meta.concrete_fields if not field.primary_key and not field.generated]
    values = [field.get_db_prep_save(getattr(record, field.attname), connection) for field in fields]
    values[[field.name for field in fields].index("slug")] = f"copied-{suffix}"
    insert_rows(Initiative, [field.column for field in fields], [values])
    copy = Initiative.objects.get(slug=f"copied-{suffix}")
    Citation.objects.create(source=record.citations.get().source, quote="Copied.", initiative=copy)  # its evidence


def fire_deferred_checks():  # PostgreSQL only
    """Run the checks PostgreSQL defers to the commit now: a table with pending trigger events cannot be
    truncated or altered."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgresql_only
def test_copy_under_replication_role_and_truncate_keep_the_counts(records):
    """The bulk loader (``tracker.synthetic``) sets ``session_replication_role = replica``, which silences
    ordinary triggers: these fire always."""
    (first, *_), cyber, crisis, hq = records
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("only a superuser may set session_replication_role")
        cursor.execute("SET LOCAL session_replication_role = replica")
        copy_initiative(first, "c")
        cursor.execute("UPDATE tracker_initiative SET kind = 'exercise'")
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert_exact()
    fire_deferred_checks()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracker_initiative_organisations")
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracker_visit_focus_areas, tracker_visit CASCADE")
    assert_exact()


def test_install_counts_what_is_there(records):
    if connection.vendor == "postgresql":
        fire_deferred_checks()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {list_counts.TABLE}")
    list_counts.install(connection)
    assert_exact()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "ongoing"},
        {"status": ["ongoing", "planned"]},
        {"kind": "programme", "status": "ongoing"},
        {"focus_area": "cyber-defence"},
        {"status": "ongoing", "kind": "programme", "focus_area": "cyber-defence"},
        {"organisation": "nato-headquarters-sarajevo", "sort": "-start"},
    ],
)
def test_a_list_is_counted_from_the_kept_counts_exactly(client, records, params):
    response = client.get(reverse("tracker:initiative-list"), params)
    paginator = response.context["paginator"]
    assert paginator.count == response.context["filter"].qs.count()
    with CaptureQueriesContext(connection) as queries:
        assert paginator.counted() == paginator.count
    assert [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()] == []


@pytest.mark.parametrize(
    "params",
    [
        {"focus_area": ["cyber-defence", "crisis-management"]},  # both on one record: counted once
        {"focus_area": "cyber-defence", "organisation": "nato-headquarters-sarajevo"},
        {"q": "initiative"},
        {"overdue": "yes", "kind": "programme"},  # the tally of planned ends is by status only
        {"active_from": 2000},
    ],
)
def test_other_filters_are_counted_by_the_database_as_they_are(client, records, params):
    response = client.get(reverse("tracker:initiative-list"), params)
    view_count = response.context["paginator"].count
    assert list_counts.count(Initiative, response.context["filter"]) is None
    assert view_count == response.context["filter"].qs.count()


@pytest.fixture
def deadlines():
    """Initiatives and recommendations with planned ends of every precision: past (overdue while open), within
    the 90 days ahead (due soon), later, none; open and closed; and drafts."""
    today = dates.today()
    ends = [
        (today - datetime.timedelta(days=400), "year"),
        (today - datetime.timedelta(days=1), "day"),
        (today, "day"),
        (today.replace(day=1), "month"),
        (today - datetime.timedelta(days=100), "quarter"),
        (today + datetime.timedelta(days=30), "day"),
        (today + datetime.timedelta(days=90), "month"),
        (today + datetime.timedelta(days=800), "year"),
        (None, ""),
    ]
    for n, (end, precision) in enumerate(ends * 3):
        InitiativeFactory(
            end_date=end, end_precision=precision, status=["planned", "ongoing", "completed"][n % 3], published=n != 4
        )
        RecommendationFactory(
            target_date=end,
            target_precision=precision,
            status=["proposed", "in_progress", "implemented"][n % 3],
            published=n != 5,
        )


@pytest.mark.parametrize("model", [Initiative, Recommendation])
@pytest.mark.parametrize("overdue", ["yes", "soon", "no"])
@pytest.mark.parametrize("statuses", [None, 0, 2, (0, 1)])
def test_a_deadline_list_is_counted_from_the_tally_of_planned_ends_exactly(client, deadlines, model, overdue, statuses):
    status_values = model.Status.values
    params = {"overdue": overdue}
    if statuses is not None:
        params["status"] = [status_values[i] for i in (statuses if isinstance(statuses, tuple) else (statuses,))]
    response = client.get(model.list_url(), params)
    paginator = response.context["paginator"]
    assert paginator.count == response.context["filter"].qs.count()
    if connection.vendor == "postgresql":
        with CaptureQueriesContext(connection) as queries:
            assert list_counts.count(model, response.context["filter"]) == paginator.count
        assert [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()] == []
    else:  # SQLite keeps no tally of planned ends
        assert list_counts.count(model, response.context["filter"]) is None


def test_the_deadline_lists_count_something(client, deadlines):
    counts = [
        client.get(Initiative.list_url(), {"overdue": value}).context["paginator"].count
        for value in ("yes", "soon", "no")
    ]
    assert all(counts) and sum(counts[::2]) == Initiative.objects.published().count()


@pytest.mark.parametrize("model", [Initiative, Challenge, Recommendation])
def test_the_published_records_by_status_are_summed_from_the_kept_counts(records, deadlines, model):
    expected = Counter(model.objects.published().values_list("status", flat=True))
    assert expected
    assert list_counts.by_status(model) == dict(expected)


def test_the_choices_are_the_terms_published_records_carry(client, records):
    (*_, visit), cyber, crisis, hq = records
    response = client.get(reverse("tracker:visit-list"))
    assert list(response.context["filter"].form.fields["focus_area"].queryset) == [cyber]
