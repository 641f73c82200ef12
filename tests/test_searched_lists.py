"""A searched list finds its first matches by id and counts them exactly; where more match than it counts
(``search.COUNTED_MATCHES``) it says "more than", and still pages through every match in its order."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from tracker import search
from tracker.caching import forget_answers
from tracker.models import Initiative
from tracker.pagination import Cursor
from tracker.views import RecordListView

from .factories import FocusAreaFactory, InitiativeFactory
from .pages import heading, rendered
from .test_keyset_pagination import shown, walk
from .test_public_lists import csv_rows

pytestmark = pytest.mark.django_db

PER_PAGE, COUNTED = 4, 5


@pytest.fixture(autouse=True)
def short_pages(monkeypatch):
    monkeypatch.setattr(RecordListView, "paginate_by", PER_PAGE)


@pytest.fixture
def few_counted(monkeypatch):
    monkeypatch.setattr(search, "COUNTED_MATCHES", COUNTED)


@pytest.fixture
def harbours():
    """13 published initiatives about harbours (five ongoing; three completed, about harbours only through
    their focus area), three about other things and a draft about harbours."""
    area = FocusAreaFactory(name="Harbour security")
    for n in range(10):
        InitiativeFactory(
            title=f"{'Harbour ' * (1 + n % 2)}works {n % 4}",
            start_date=None if n % 5 == 0 else datetime.date(2000 + n % 3, 1, 1),
            status=Initiative.Status.values[n % 2],
        )
    for n in range(3):
        InitiativeFactory(title=f"Patrols {n}", focus_areas=[area], status="completed")
    for n in range(3):
        InitiativeFactory(title=f"Roads {n}")
    InitiativeFactory(title="Harbour draft", published=False)


def url():
    return reverse("tracker:initiative-list")


def every_page(client, params):
    """The pk of every row, in order, walking forwards by cursor; and the same walking backwards."""
    return tuple(
        [record.pk for page in walk(client, url(), params, direction) for record in page.object_list]
        for direction in ("after", "before")
    )


def order_beyond_the_cap(counted, sort):
    """The order of a list of more matches than counted: a sorted list's, as counted; a ranked one on
    PostgreSQL, the newest ``COUNTED`` by relevance (the newer first among equals), then the others newest
    first; elsewhere, where nothing is ranked, as counted."""
    if sort or connection.vendor != "postgresql":
        return counted
    newest = sorted(counted, reverse=True)[:COUNTED]
    scores = Initiative.objects.filter(pk__in=newest).annotate(score=search.relevance("harbour"))
    score = dict(scores.values_list("pk", "score"))
    assert len(set(score.values())) > 1  # the ranking decides something
    return sorted(newest, key=lambda pk: (-score[pk], -pk)) + sorted(set(counted) - set(newest), reverse=True)


@pytest.mark.parametrize("sort", ["", "title", "-start"])
def test_more_matches_than_counted_say_more_than_and_page_through_every_match_in_order(
    client, harbours, monkeypatch, sort
):
    params = {"q": "harbour", **({"sort": sort} if sort else {})}
    counted, _ = every_page(client, params)  # every match counted, as with fewer matches than the cap
    assert len(counted) == 13
    assert heading(client.get(url(), params)) == "13 results"

    monkeypatch.setattr(search, "COUNTED_MATCHES", COUNTED)
    forget_answers()  # the pages rendered with the other cap
    expected = order_beyond_the_cap(counted, sort)
    assert sorted(expected) == sorted(counted)
    response = client.get(url(), params)
    assert heading(response) == f"More than {COUNTED} results"
    assert every_page(client, params) == (expected, expected)
    assert shown(response) == expected[:PER_PAGE]

    page_2 = client.get(url(), {**params, "page": 2})  # the counted matches' pages keep numbers
    assert shown(page_2) == expected[PER_PAGE : 2 * PER_PAGE]
    assert "Page 2<" in page_2.text and "Page 2 of" not in page_2.text
    assert 'page=last">Last' in page_2.text
    assert shown(client.get(url(), {**params, "page": 40})) == shown(page_2)  # beyond them: the last numbered
    last = rendered(client, url(), {**params, "page": "last"})
    assert shown(last) == expected[-PER_PAGE:]
    assert last.context["page_obj"].number is None and not last.context["page_obj"].has_next()
    ranks_newest = not sort and connection.vendor == "postgresql"
    assert ("The newest 5 are ranked by relevance" in response.text) == ranks_newest
    csv_titles = [row["title"] for row in csv_rows(client.get(reverse("tracker:initiative-csv"), params))]
    assert csv_titles == [Initiative.objects.get(pk=pk).title for pk in expected]  # the pages' order


def test_a_cursor_past_the_end_of_an_uncounted_search_shows_its_last_rows(client, harbours, few_counted):
    params = {"q": "harbour", "sort": "title"}
    last = rendered(client, url(), {**params, "page": "last"})
    beyond = client.get(url(), {**params, "after": last.context["page_obj"].next_cursor})
    assert shown(beyond) == shown(last)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a ranked list's parts are PostgreSQL's")
@pytest.mark.parametrize("values", [[7, 0.5, 3], [1, 0.5, 3], [True, 3], [0, 3]])
def test_a_cursor_naming_no_row_of_a_ranked_lists_parts_shows_page_1(client, harbours, few_counted, values):
    """A part that is not there, a part's number with another part's keys, or no part at all."""
    params = {"q": "harbour"}
    first = shown(client.get(url(), params))
    assert shown(client.get(url(), {**params, "after": Cursor.encode(values)})) == first
    assert shown(client.get(url(), {**params, "before": Cursor.encode(values)})) == first


def test_up_to_the_cap_the_count_is_exact(client, harbours, few_counted):
    response = client.get(url(), {"q": "harbour", "status": "ongoing"})
    assert heading(response) == f"{COUNTED} results"
    assert response.context["paginator"].more_than is None
    assert "Page 1 of 2" in response.text


def test_the_other_filters_narrow_the_list_before_the_search_counts(client, harbours, few_counted):
    completed = client.get(url(), {"q": "harbour", "status": "completed"})
    assert heading(completed) == "3 results"
    assert {record.title for record in completed.context["object_list"]} == {"Patrols 0", "Patrols 1", "Patrols 2"}


def test_remembered_matches_are_forgotten_when_a_record_or_a_tag_changes(client, harbours, few_counted):
    params = {"q": "lighthouse"}
    assert heading(client.get(url(), params)) == "0 results"
    road = Initiative.objects.get(title="Roads 0")
    road.title = "Lighthouse road"
    road.save()
    assert [record.title for record in client.get(url(), params).context["object_list"]] == ["Lighthouse road"]
    area = FocusAreaFactory(name="Lighthouses")
    Initiative.objects.get(title="Roads 1").focus_areas.add(area)
    assert heading(client.get(url(), params)) == "2 results"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of a PostgreSQL search")
def test_a_sorted_search_of_a_common_word_walks_the_sort_index_and_probes_tags_row_by_row(harbours):
    """Beyond the cap a sorted list checks each row of its sort's index as it walks it, stopping after a
    page: a tag is probed for the rows the document did not match, never hashed whole first."""
    published = Initiative.objects.published()
    walked = search.matches_each(published, "harbour", Initiative.search_tags).order_by("title", "pk")
    assert list(walked) == list(search.search(published, "harbour").order_by("title", "pk"))
    with connection.cursor() as cursor:  # the plan a table of millions gets, on a table of a few rows
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = walked.all()[:PER_PAGE].explain()
    assert "initiative_sort_title" in plan
    assert "SubPlan" in plan and "hashed SubPlan" not in plan


def test_more_than_is_said_in_the_pages_language(client, harbours, few_counted):
    with translation.override("bs"):
        bosnian = client.get(url(), {"q": "harbour"})
    assert heading(bosnian) == f"Više od {COUNTED} rezultata"
    assert "Stranica 1<" in bosnian.text


def test_a_search_among_nothing_finds_nothing_and_remembers_nothing():
    def remember(key, compute):
        raise AssertionError("nothing to remember")

    found = search.searched_list(Initiative.objects.none(), "harbour", remember=remember)
    assert list(found.records) == [] and found.more_than is None and found.parts is None


@pytest.mark.parametrize("limit", [3, 6, 7, 10])
def test_the_newest_matches_are_exact_when_a_part_reads_records_twice(limit):
    """Four patrols carry two focus areas matching "harbour", so the part of the tags reads each twice: a
    cut part holding fewer records than it read rows must not hide newer matches nor claim every match."""
    works = [InitiativeFactory(title=f"Harbour works {n}").pk for n in range(3)]
    areas = [FocusAreaFactory(name="Harbour security"), FocusAreaFactory(name="Harbour police")]
    patrols = [InitiativeFactory(title=f"Patrol {n}", focus_areas=areas).pk for n in range(4)]
    InitiativeFactory(title="Roads")
    every = sorted(works + patrols, reverse=True)
    found = search.newest_matches(Initiative.objects.published(), "harbour", limit)
    assert found == (every[:limit], limit >= len(every))
