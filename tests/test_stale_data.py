"""No stale public data, whatever writes it: remembered pages follow writes that send no signal."""

import subprocess
import sys

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tracker.models import Recommendation, Visit

from .pages import results_count

VISIT = "nato-summit-madrid-2022"
RECOMMENDATION = "peacebuilding-community-outreach"


def visit_pages(visit):
    """Every public page that shows the visit: lists, home, timeline, its tags, what it is linked to, CSV,
    what changed and the feed (where an edit makes it the newest change)."""
    visit.summary += " (checked against the source)"
    visit.save()
    return [
        reverse("tracker:home"),
        reverse("tracker:visit-list"),
        reverse("tracker:visit-csv"),
        reverse("tracker:timeline"),
        reverse("tracker:changes"),
        reverse("tracker:feed"),
        visit.get_absolute_url(),
        *(area.get_absolute_url() for area in visit.focus_areas.all()),
        *(initiative.get_absolute_url() for initiative in visit.initiatives.all()),
        visit.visitor_organisation.get_absolute_url(),
    ]


def shown(client, url, title):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code == 200 and title in body.decode("utf-8-sig")


def unpublish_by_query_set(model, slug):
    model.objects.filter(slug=slug).update(published=False)


def unpublish_by_raw_sql(model, slug):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET published = %s WHERE slug = %s", [False, slug])


@pytest.mark.parametrize("unpublish", [unpublish_by_query_set, unpublish_by_raw_sql])
def test_a_visit_unpublished_without_signals_leaves_every_public_page_at_once(client, seeded, unpublish):
    visit = Visit.objects.get(slug=VISIT)
    pages = visit_pages(visit)
    assert all(shown(client, url, visit.title) for url in pages)  # and now remembered
    count = results_count(client.get(reverse("tracker:visit-list")))

    unpublish(Visit, VISIT)

    assert [url for url in pages if shown(client, url, visit.title)] == []
    assert results_count(client.get(reverse("tracker:visit-list"))) == count - 1


@pytest.mark.parametrize("unpublish", [unpublish_by_query_set, unpublish_by_raw_sql])
def test_a_recommendation_unpublished_without_signals_leaves_its_organisations_page(client, seeded, unpublish):
    recommendation = Recommendation.objects.get(slug=RECOMMENDATION)
    url = recommendation.proposed_by.get_absolute_url()
    assert shown(client, url, recommendation.title)
    unpublish(Recommendation, RECOMMENDATION)
    assert not shown(client, url, recommendation.title)


def test_a_rolled_back_unpublishing_changes_nothing(client, seeded):
    visit = Visit.objects.get(slug=VISIT)
    pages = visit_pages(visit)
    assert all(shown(client, url, visit.title) for url in pages)
    with pytest.raises(RuntimeError), transaction.atomic():
        unpublish_by_raw_sql(Visit, VISIT)
        raise RuntimeError
    assert all(shown(client, url, visit.title) for url in pages)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="an in-memory SQLite database cannot be shared with another process"
)


def run_elsewhere(statement):
    """``statement`` committed by another process: plain psycopg, no Django, no signals."""
    settings = connection.settings_dict
    code = (
        "import psycopg, sys\n"
        "with psycopg.connect(host=sys.argv[1], port=sys.argv[2], user=sys.argv[3], dbname=sys.argv[4]) as c:\n"
        "    c.execute(sys.argv[5])\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432),
         settings["USER"], settings["NAME"], statement],
        check=True,
    )  # fmt: skip


@postgresql_only
def test_another_process_unpublishing_is_seen_at_once_and_its_uncommitted_write_is_not(client, transactional_db):
    from django.core.management import call_command

    call_command("seed", verbosity=0)
    visit = Visit.objects.get(slug=VISIT)
    pages = visit_pages(visit)
    assert all(shown(client, url, visit.title) for url in pages)

    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"],
    ) as other:  # fmt: skip
        other.execute("UPDATE tracker_visit SET published = false WHERE slug = %s", [VISIT])
        assert all(shown(client, url, visit.title) for url in pages)  # not committed: nothing changes
        other.rollback()
    assert all(shown(client, url, visit.title) for url in pages)

    run_elsewhere(f"UPDATE tracker_visit SET published = false WHERE slug = '{VISIT}'")
    assert [url for url in pages if shown(client, url, visit.title)] == []
