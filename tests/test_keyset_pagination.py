"""The public lists move from page to page by the row a page stops at (``?after=``, ``?before=``): the same
rows in the same order as pages by number, in every sort, across ties and missing dates, drafts left out;
a changed cursor shows page 1 with the query kept; a page costs what page 1 costs."""

import datetime
import re

import pytest
from django.urls import reverse

from tracker.filters import ChallengeFilterSet, InitiativeFilterSet, RecommendationFilterSet, VisitFilterSet
from tracker.models import Challenge, Initiative, Recommendation, Visit
from tracker.pagination import Cursor
from tracker.views import RecordListView

from .factories import ChallengeFactory, InitiativeFactory, RecommendationFactory, VisitFactory
from .pages import rendered

pytestmark = pytest.mark.django_db

PER_PAGE = 4


@pytest.fixture(autouse=True)
def short_pages(monkeypatch):
    monkeypatch.setattr(RecordListView, "paginate_by", PER_PAGE)


def dates(n):
    """Repeating dates with gaps: ties on every date, and no date for every fourth record."""
    return None if n % 4 == 0 else datetime.date(2000 + n % 3, 1, 1)


def make_initiatives():
    kinds, statuses = list(Initiative.Kind.values), list(Initiative.Status.values)
    for n in range(23):
        InitiativeFactory(title=f"Initiative {n % 5}", start_date=dates(n), kind=kinds[n % 3], status=statuses[n % 2])
    InitiativeFactory(title="Draft", published=False)


def make_challenges():
    categories = list(Challenge.Category.values)
    for n in range(19):
        ChallengeFactory(title=f"Challenge {n % 4}", category=categories[n % 3], status=Challenge.Status.values[n % 3])
    ChallengeFactory(title="Draft", published=False)


def make_recommendations():
    for n in range(19):
        RecommendationFactory(
            title=f"Recommendation {n % 4}", target_date=dates(n), status=Recommendation.Status.values[n % 3]
        )
    RecommendationFactory(title="Draft", published=False)


def make_visits():
    for n in range(19):
        VisitFactory(
            title=f"Visit {n % 4}", date=dates(n) or datetime.date(2024, 5, 5), country=["BA", "BE", ""][n % 3]
        )
    VisitFactory(title="Draft", published=False)


LISTS = {
    "initiative-list": (Initiative, InitiativeFilterSet, make_initiatives),
    "challenge-list": (Challenge, ChallengeFilterSet, make_challenges),
    "recommendation-list": (Recommendation, RecommendationFilterSet, make_recommendations),
    "visit-list": (Visit, VisitFilterSet, make_visits),
}
SORTS = [
    (name, sort)
    for name, (_, filterset, _) in LISTS.items()
    for sort in ["", *(value for value, _ in filterset.base_filters["sort"].extra["choices"] if value)]
]


def expected_order(name, sort):
    """Every published record's id in the list's order, as one query with no pages would read them."""
    model, filterset, _ = LISTS[name]
    records = filterset({"sort": sort} if sort else None, queryset=model.objects.published()).qs
    return list(records.values_list("pk", flat=True))


def shown(response):
    return [record.pk for record in response.context["object_list"]]


def walk(client, url, params, direction):
    """Every page from the first (``after``) or the last (``before``), following the pages' own cursors."""
    page = rendered(client, url, {**params, "page": 1 if direction == "after" else "last"}).context["page_obj"]
    pages = [page]
    while page.has_next() if direction == "after" else page.has_previous():
        cursor = page.next_cursor if direction == "after" else page.previous_cursor
        page = rendered(client, url, {**params, direction: cursor}).context["page_obj"]
        pages.append(page)
        assert len(pages) < 50
    return pages if direction == "after" else pages[::-1]


@pytest.mark.parametrize(("name", "sort"), SORTS)
def test_pages_after_and_before_a_row_show_what_numbered_pages_show(client, name, sort):
    LISTS[name][2]()
    url = reverse(f"tracker:{name}")
    params = {"sort": sort} if sort else {}
    expected = expected_order(name, sort)
    assert Initiative.objects.filter(published=False).exists() or name != "initiative-list"
    numbered = []
    for number in range(1, -(-len(expected) // PER_PAGE) + 1):
        numbered.append(shown(client.get(url, {**params, "page": number})))
    assert sum(numbered, []) == expected
    forwards = walk(client, url, params, "after")
    assert [[record.pk for record in page.object_list] for page in forwards] == numbered
    backwards = walk(client, url, params, "before")
    assert sum(([record.pk for record in page.object_list] for page in backwards), []) == expected
    assert backwards[0].number == 1


def test_the_last_page_is_read_backwards_and_is_the_rest_of_the_list(client):
    make_initiatives()
    response = client.get(reverse("tracker:initiative-list"), {"page": "last"})
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages == 6
    assert shown(response) == expected_order("initiative-list", "")[20:]


def test_links_go_by_number_to_the_first_pages_and_by_row_beyond(client):
    make_initiatives()
    url = reverse("tracker:initiative-list")
    text = client.get(url, {"status": "ongoing", "page": 2}).text
    assert re.search(r'rel="prev" href="\?status=ongoing&amp;page=1"', text)
    assert re.search(r'rel="next" href="\?status=ongoing&amp;page=3"', text)
    text = client.get(url, {"page": 5}).text
    next_link = re.search(r'rel="next" href="\?after=([\w-]+)"', text)
    assert next_link and 'href="?page=3"' in text and 'href="?page=6"' in text
    text = client.get(url, {"after": next_link.group(1)}).text
    assert re.search(r'rel="prev" href="\?before=[\w-]+"', text)
    assert "Page 6 of 6" not in text  # a page reached from a row has no number (but it links the numbered ones)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        Cursor.encode(["x"]),  # too few values
        Cursor.encode(["not a date", "Initiative 1", 5]),
        Cursor.encode([{"a": 1}, "Initiative 1", 5]),
        Cursor.encode([None, None, "five"]),
        Cursor.encode(["9999-99-99", "x", 1]),
        Cursor.encode([True, "x", 1]),
        "W10",  # base64 of "[]"
        "e30",  # base64 of "{}"
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_changed_cursor_shows_page_one_with_the_query_kept(client, cursor, direction):
    make_initiatives()
    response = client.get(reverse("tracker:initiative-list"), {"status": "ongoing", direction: cursor})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    ongoing = Initiative.objects.published().filter(status="ongoing")
    assert shown(response) == list(ongoing.values_list("pk", flat=True)[:PER_PAGE])
    assert 'href="?status=ongoing&amp;page=2"' in response.text


def test_a_cursor_past_the_end_shows_the_last_page(client):
    make_initiatives()
    response = client.get(reverse("tracker:initiative-list"), {"after": Cursor.encode([None, "Zzz", 10**9])})
    assert response.context["page_obj"].number == 6
    assert shown(response) == expected_order("initiative-list", "")[20:]


def test_a_cursor_shows_no_draft_even_when_it_names_one(client):
    make_initiatives()
    draft = Initiative.objects.get(published=False)
    before_draft = Cursor.encode([draft.start_date, draft.title, draft.pk - 1])
    response = client.get(reverse("tracker:initiative-list"), {"after": before_draft})
    assert draft.pk not in shown(response)
    assert all(Initiative.objects.get(pk=pk).published for pk in shown(response))


def test_each_page_costs_what_page_one_costs_cold_and_warm(client, django_assert_num_queries):
    """Cold: data version, the terms published records carry (two filters, from the kept counts), the
    count (kept too), the sources to choose from (no record carries a focus area or an organisation: their
    choices need no query), then ids of the page, its rows, their focus areas. Warm: the data version."""
    make_initiatives()
    url = reverse("tracker:initiative-list")
    with django_assert_num_queries(1 + 2 + 1 + 1 + 3):
        page = client.get(url).context["page_obj"]
    with django_assert_num_queries(1):
        client.get(url)
    with django_assert_num_queries(3 + 1):  # the next page by its row: ids, rows, focus areas
        after = client.get(url, {"after": page.next_cursor}).context["page_obj"]
    with django_assert_num_queries(1):
        client.get(url, {"after": page.next_cursor})
    third = client.get(url, {"after": after.next_cursor}).context["page_obj"]
    with django_assert_num_queries(3 + 1):  # the page before a row
        client.get(url, {"before": third.previous_cursor})
    with django_assert_num_queries(4 + 1):  # fewer than a page before it: page 1, read again from the start
        client.get(url, {"before": after.previous_cursor})
    with django_assert_num_queries(3 + 1):  # the last page, read backwards
        client.get(url, {"page": "last"})
    with django_assert_num_queries(3 + 1):  # a changed cursor: page 1
        client.get(url, {"after": "nonsense"})


def test_the_csv_still_streams_every_filtered_row(client):
    make_initiatives()
    response = client.get(reverse("tracker:initiative-csv"), {"status": "ongoing", "after": "x"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) - 1 == Initiative.objects.published().filter(status="ongoing").count()


def test_a_searched_list_walks_by_row_as_by_number(client):
    """A search's order (relevance on PostgreSQL, then id) goes one way and the id the other: the cursor
    then compares key by key."""
    for n in range(11):
        InitiativeFactory(title=f"Cyber defence {'cyber ' * (n % 3)}{n}", summary="defence " * (n % 4))
    InitiativeFactory(title="Unrelated")
    url = reverse("tracker:initiative-list")
    params = {"q": "cyber defence"}
    numbered = [shown(client.get(url, {**params, "page": number})) for number in (1, 2, 3)]
    assert len(sum(numbered, [])) == 11
    forwards = walk(client, url, params, "after")
    assert [[record.pk for record in page.object_list] for page in forwards] == numbered
