"""An edit keeps what it does not touch: each page is remembered under the versions of the tables it shows
(``RememberedPage.depends_on``), so saving a visit re-renders the pages that show visits, and no other."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    SourceFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def get(client, url):
    """The response and the SQL of its queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in queries.captured_queries]


def warm(client, url):
    get(client, url)
    return get(client, url)


@pytest.fixture
def site():
    """A source citing an initiative, a challenge and a visit; the visit is not linked to the initiative."""
    source = SourceFactory(title="The source")
    area = FocusAreaFactory(name="Cyber defence")
    initiative = InitiativeFactory(title="The initiative", focus_areas=[area], cited__source=source)
    challenge = ChallengeFactory(title="The challenge", focus_areas=[area], cited__source=source)
    visit = VisitFactory(title="First visit title", cited__source=source)
    return {"source": source, "initiative": initiative, "challenge": challenge, "visit": visit}


REMEMBERED = ["initiative-list", "challenge-list", "challenge"]


def urls(site):
    return {
        "initiative-list": reverse("tracker:initiative-list"),
        "challenge-list": reverse("tracker:challenge-list"),
        "initiative": site["initiative"].get_absolute_url(),
        "challenge": site["challenge"].get_absolute_url(),
        "source-list": reverse("tracker:source-list"),
        "source": site["source"].get_absolute_url(),
        "visit-list": reverse("tracker:visit-list"),
        "visit": site["visit"].get_absolute_url(),
    }


def rename_visit_by_the_orm(visit):
    visit.title = "Second visit title"
    visit.save()


def rename_visit_by_raw_sql(visit):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_visit SET title = 'Second visit title' WHERE id = %s", [visit.pk])


@pytest.mark.parametrize("rename", [rename_visit_by_the_orm, rename_visit_by_raw_sql])
def test_saving_a_visit_keeps_the_pages_that_do_not_show_visits(client, site, rename):
    pages = urls(site)
    before = {name: warm(client, url) for name, url in pages.items()}
    rename(site["visit"])
    for name in REMEMBERED:
        response, queries = get(client, pages[name])
        assert len(queries) == len(before[name][1]) == 1, name  # as warm: the versions, then the page's copy
        assert not any("tracker_citation" in sql for sql in queries), name  # the body came from memory
        assert response.content == before[name][0].content, name
    # an initiative's page is rendered again (it shows the visits it links to) from its remembered body:
    # the versions, its own row, then the visits it links to (none here), and nothing else
    response, queries = get(client, pages["initiative"])
    assert len(queries) == 3 and "tracker_initiative" in queries[1] and "tracker_visit" in queries[-1]
    assert not any("tracker_citation" in sql for sql in queries) and response.content == before["initiative"][0].content
    # the sources' list is rendered again (it counts what visits support) from its counts, which the
    # database keeps: the versions and the sources, no title
    response, queries = get(client, pages["source-list"])
    assert len(queries) == 2 and response.content == before["source-list"][0].content
    # the visits' pages and the source's page (it lists what it is cited by, by title) show the new title
    for name in ("visit-list", "visit", "source"):
        response, _queries = get(client, pages[name])
        assert "Second visit title<" in response.text, name  # (the quote still names the first title)


def test_an_initiative_page_rereads_only_its_visits_after_a_visit_is_saved(client, site):
    visit, initiative = site["visit"], site["initiative"]
    visit.initiatives.add(initiative)
    url = initiative.get_absolute_url()
    _response, warm_queries = warm(client, url)
    rename_visit_by_the_orm(visit)
    response, queries = get(client, url)
    assert "Second visit title" in response.text
    assert len(warm_queries) == 1  # the versions, then the page's copy
    assert len(queries) == 3  # the versions, its own row, the visits it links to: nothing else of the page
    assert "tracker_visit" in queries[-1] and not any("tracker_citation" in sql for sql in queries)


def test_editing_an_initiative_refreshes_its_list_and_its_page_but_not_the_visits(client, site):
    pages = urls(site)
    before = {name: warm(client, url) for name, url in pages.items()}
    site["initiative"].title = "The renamed initiative"
    site["initiative"].save()
    for name in ("initiative-list", "initiative", "source"):
        assert "The renamed initiative" in get(client, pages[name])[0].text, name
    for name in ("visit-list", "challenge-list"):
        response, queries = get(client, pages[name])
        assert len(queries) == len(before[name][1]) and response.content == before[name][0].content, name


def test_a_focus_area_renamed_refreshes_the_lists_that_show_it(client, site):
    pages = urls(site)
    for url in pages.values():
        warm(client, url)
    area = site["initiative"].focus_areas.get()
    area.name = "Cyber resilience"
    area.save()
    for name in ("initiative-list", "challenge-list", "initiative", "challenge"):
        assert "Cyber resilience" in get(client, pages[name])[0].text, name
