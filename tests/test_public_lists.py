import csv
import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse

from tracker.filters import chosen
from tracker.models import FocusArea, Initiative

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    OrganisationFactory,
    RecommendationFactory,
    SourceFactory,
    VisitFactory,
)
from .pages import rendered

pytestmark = pytest.mark.django_db

LIST_URLS = ["initiative-list", "challenge-list", "recommendation-list", "visit-list"]


def titles(response):
    return [record.title for record in response.context["object_list"]]


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("name", LIST_URLS)
def test_list_shows_only_published_records(client, name):
    factory = {
        "initiative-list": InitiativeFactory,
        "challenge-list": ChallengeFactory,
        "recommendation-list": RecommendationFactory,
        "visit-list": VisitFactory,
    }[name]
    factory(title="Visible record")
    factory(title="Draft record", published=False)

    response = client.get(reverse(f"tracker:{name}"))

    assert response.status_code == 200
    assert titles(response) == ["Visible record"]
    assert b"Draft record" not in response.content
    assert "1 result" in response.content.decode()


def test_initiatives_filter_by_status_kind_focus_area_and_organisation(client):
    cyber = FocusAreaFactory(name="Cyber defence")
    hq = OrganisationFactory(name="NATO Headquarters Sarajevo")
    InitiativeFactory(title="Match", status="ongoing", kind="package", focus_areas=[cyber], organisations=[hq])
    InitiativeFactory(title="Wrong status", status="completed", kind="package", focus_areas=[cyber], organisations=[hq])
    InitiativeFactory(title="Wrong kind", status="ongoing", kind="programme", focus_areas=[cyber], organisations=[hq])
    InitiativeFactory(title="No focus area", status="ongoing", kind="package", organisations=[hq])
    InitiativeFactory(title="No organisation", status="ongoing", kind="package", focus_areas=[cyber])

    response = client.get(
        reverse("tracker:initiative-list"),
        {"status": "ongoing", "kind": "package", "focus_area": cyber.slug, "organisation": hq.slug},
    )

    assert titles(response) == ["Match"]


def test_multiple_values_of_one_filter_are_alternatives(client):
    InitiativeFactory(title="Planned", status="planned")
    InitiativeFactory(title="Ongoing", status="ongoing")
    InitiativeFactory(title="Completed", status="completed")

    response = client.get(reverse("tracker:initiative-list"), {"status": ["planned", "completed"], "sort": "title"})

    assert titles(response) == ["Completed", "Planned"]


def test_initiatives_filter_by_years_active(client):
    InitiativeFactory(
        title="IFOR",
        start_date=datetime.date(1995, 12, 1),
        start_precision="month",
        end_date=datetime.date(1996, 12, 1),
        end_precision="month",
    )
    InitiativeFactory(title="PfP", start_date=datetime.date(2006, 1, 1), start_precision="year")
    InitiativeFactory(title="DCB package", start_date=datetime.date(2023, 2, 1), start_precision="month")

    response = client.get(reverse("tracker:initiative-list"), {"active_from": 2000, "active_until": 2010})

    assert titles(response) == ["PfP"]


def test_filter_by_source(client):
    official = SourceFactory(title="Official page")
    InitiativeFactory(title="From the official page", cited__source=official)
    InitiativeFactory(title="From elsewhere")

    response = client.get(reverse("tracker:initiative-list"), {"source": official.slug})

    assert titles(response) == ["From the official page"]


def test_search_matches_title_summary_and_description(client):
    InitiativeFactory(title="Partnership for Peace")
    InitiativeFactory(title="Other", summary="Support in the Partnership framework")
    InitiativeFactory(title="Third", description="Nothing about it")

    response = client.get(reverse("tracker:initiative-list"), {"q": "partnership", "sort": "title"})

    assert titles(response) == ["Other", "Partnership for Peace"]


def test_search_needs_every_word(client):
    InitiativeFactory(title="Defence Capacity Building package")
    InitiativeFactory(title="Defence reform")

    response = client.get(reverse("tracker:initiative-list"), {"q": "defence package"})

    assert titles(response) == ["Defence Capacity Building package"]


def test_sorting_by_start_date_both_ways(client):
    InitiativeFactory(title="Later", start_date=datetime.date(2010, 1, 1))
    InitiativeFactory(title="Earlier", start_date=datetime.date(2006, 1, 1))

    assert titles(client.get(reverse("tracker:initiative-list"), {"sort": "start"})) == ["Earlier", "Later"]
    assert titles(client.get(reverse("tracker:initiative-list"), {"sort": "-start"})) == ["Later", "Earlier"]


def test_recommendations_filter_by_target_year_and_ongoing(client):
    RecommendationFactory(title="Q1 2026", target_date=datetime.date(2026, 1, 1), target_precision="quarter")
    RecommendationFactory(title="2030", target_date=datetime.date(2030, 1, 1), target_precision="year")
    RecommendationFactory(title="Ongoing", target_ongoing=True)

    assert titles(client.get(reverse("tracker:recommendation-list"), {"target_until": 2026})) == ["Q1 2026"]
    assert titles(client.get(reverse("tracker:recommendation-list"), {"ongoing": "true"})) == ["Ongoing"]


def test_visits_filter_by_year_and_by_visiting_or_host_organisation(client):
    nato, ministry = OrganisationFactory(name="NATO"), OrganisationFactory(name="Ministry of Defence")
    visit = VisitFactory(title="2025 visit", visitor_organisation=nato)
    hosted = VisitFactory(title="Hosted", date=datetime.date(2022, 1, 1), date_precision="year")
    hosted.hosts.add(ministry)
    VisitFactory(title="Old", date=datetime.date(2017, 1, 1), date_precision="year")

    assert titles(client.get(reverse("tracker:visit-list"), {"year_from": 2020, "sort": "date"})) == [
        "Hosted",
        "2025 visit",
    ]
    response = client.get(reverse("tracker:visit-list"), {"organisation": [nato.slug, ministry.slug], "sort": "date"})
    assert titles(response) == ["Hosted", visit.title]


def test_challenges_filter_by_category(client):
    ChallengeFactory(title="Budget", category="resources")
    ChallengeFactory(title="Constitution", category="political")

    assert titles(client.get(reverse("tracker:challenge-list"), {"category": "resources"})) == ["Budget"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "999999"},
        {"page": "-1"},
        {"status": "unknown"},
        {"active_from": "99999999999999999999"},
        {"active_from": "abc"},
        {"sort": "password"},
        {"focus_area": "no-such-area"},
        {"q": "' OR 1=1 --"},
        {"q": "<script>alert(1)</script>"},
    ],
)
def test_bad_parameters_give_a_page_not_an_error(client, params):
    InitiativeFactory()
    response = client.get(reverse("tracker:initiative-list"), params)
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_filter_choices_list_only_terms_that_published_records_carry(client):
    public_org, draft_org = OrganisationFactory(name="Public org"), OrganisationFactory(name="Secret org")
    public_area, draft_area = FocusAreaFactory(name="Public area"), FocusAreaFactory(name="Secret area")
    InitiativeFactory(organisations=[public_org], focus_areas=[public_area])
    InitiativeFactory(organisations=[draft_org], focus_areas=[draft_area], published=False)
    RecommendationFactory(proposed_by=draft_org, published=False)
    VisitFactory(visitor_organisation=draft_org, published=False)

    for name in LIST_URLS:
        content = client.get(reverse(f"tracker:{name}")).content.decode()
        assert "Secret" not in content, name
    assert "Public org" in client.get(reverse("tracker:initiative-list")).content.decode()


def test_a_list_offers_the_terms_its_own_records_carry_by_a_column_too(client):
    """A recommendation's main focus area and a visit's visiting organisation are choices of their lists,
    and only of theirs, and choosing one finds the record."""
    main_area = FocusAreaFactory(name="Main area only", slug="main-area")
    visiting = OrganisationFactory(name="Visiting org only", slug="visiting-org")
    RecommendationFactory(title="Recommended", focus_area=main_area)
    VisitFactory(title="Visited", visitor_organisation=visiting)

    recommendations = client.get(reverse("tracker:recommendation-list")).content.decode()
    visits = client.get(reverse("tracker:visit-list")).content.decode()
    initiatives = client.get(reverse("tracker:initiative-list")).content.decode()
    assert "Main area only" in recommendations and "Main area only" not in visits + initiatives
    assert "Visiting org only" in visits and "Visiting org only" not in recommendations + initiatives
    chosen_area = client.get(reverse("tracker:recommendation-list"), {"focus_area": "main-area"})
    assert titles(chosen_area) == ["Recommended"]
    chosen_org = client.get(reverse("tracker:visit-list"), {"organisation": "visiting-org"})
    assert titles(chosen_org) == ["Visited"]


def test_an_invalid_filter_value_is_explained_next_to_its_field(client):
    InitiativeFactory()
    response = client.get(reverse("tracker:initiative-list"), {"status": "unknown"})
    assert "Select a valid choice" in response.content.decode()
    assert titles(response) == []


def test_an_out_of_range_page_shows_the_last_page(client):
    for n in range(25):
        InitiativeFactory(title=f"Initiative {n:02d}")
    response = client.get(reverse("tracker:initiative-list"), {"page": "99", "sort": "title"})
    assert response.context["page_obj"].number == 2
    assert titles(response) == ["Initiative 20", "Initiative 21", "Initiative 22", "Initiative 23", "Initiative 24"]


def test_pagination_links_keep_the_filters(client):
    InitiativeFactory.create_batch(25, status="ongoing")
    content = client.get(reverse("tracker:initiative-list"), {"status": "ongoing"}).content.decode()
    assert "?status=ongoing&amp;page=2" in content


@pytest.mark.parametrize("name", ["tracker:initiative-list", "tracker:timeline"])
def test_the_page_number_is_not_a_filter(client, name):
    """Page 2 of the whole list has page 1's unbound filter form; a real filter binds it."""
    InitiativeFactory.create_batch(25, status="ongoing")
    assert not client.get(reverse(name), {"page": "2"}).context["filter"].is_bound
    assert client.get(reverse(name), {"page": "2", "q": "initiative"}).context["filter"].is_bound
    response = rendered(client, reverse("tracker:initiative-list"), {"page": "2"})
    assert response.context["page_obj"].number == 2 and len(response.context["object_list"]) == 5


def test_empty_state_says_nothing_matched(client):
    response = client.get(reverse("tracker:initiative-list"), {"q": "zzzz"})
    assert "Nothing matched" in response.content.decode()


def test_csv_has_every_filtered_row_across_pages_sorted_with_names_not_ids(client):
    cyber = FocusAreaFactory(name="Cyber defence")
    for n in range(30):
        InitiativeFactory(title=f"Cyber {n:02d}", focus_areas=[cyber])
    InitiativeFactory(title="Unrelated")
    InitiativeFactory(title="Cyber draft", focus_areas=[cyber], published=False)

    response = client.get(reverse("tracker:initiative-csv"), {"focus_area": cyber.slug, "sort": "-title"})

    rows = csv_rows(response)
    assert [row["title"] for row in rows] == [f"Cyber {n:02d}" for n in reversed(range(30))]
    assert rows[0]["focus_areas"] == "Cyber defence"
    assert rows[0]["start_date"] == "2006"
    assert rows[0]["url"].startswith("http://testserver/initiatives/cyber-29/")


def test_list_page_links_to_the_csv_of_the_same_filters(client):
    content = client.get(reverse("tracker:initiative-list"), {"status": "ongoing", "page": "1"}).content.decode()
    assert 'href="/initiatives.csv?status=ongoing"' in content


def test_csv_neutralises_formulas(client):
    InitiativeFactory(title='=HYPERLINK("http://evil")', summary="+1", short_name="@SUM")
    row = csv_rows(client.get(reverse("tracker:initiative-csv")))[0]
    assert row["title"].startswith("'=")
    assert row["summary"] == "'+1"
    assert row["short_name"] == "'@SUM"


@pytest.mark.parametrize("name", ["challenge-csv", "recommendation-csv", "visit-csv"])
def test_every_list_has_a_csv(client, name):
    {"challenge-csv": ChallengeFactory, "recommendation-csv": RecommendationFactory, "visit-csv": VisitFactory}[name](
        title="Exported"
    )
    rows = csv_rows(client.get(reverse(f"tracker:{name}")))
    assert [row["title"] for row in rows] == ["Exported"]


def make_rich_initiatives(count):
    areas = [FocusAreaFactory(name=f"Area {n}") for n in range(3)]
    organisations = [OrganisationFactory(name=f"Org {n}") for n in range(3)]
    for _ in range(count):
        InitiativeFactory(focus_areas=areas, organisations=organisations)


@pytest.mark.parametrize("count", [3, 30])
def test_initiative_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_rich_initiatives(count)
    url = reverse("tracker:initiative-list")
    params = {"q": "initiative", "status": "ongoing", "sort": "title"}
    # data version, ids of the page, its rows, their focus areas; the first time, also the search's
    # matches (on PostgreSQL after the tags' terms its words match), the count, the terms published records
    # carry (two filters) and the choices of three filters
    matches = 2 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(4 + matches + 1 + 2 + 3):
        client.get(url, params)
    with django_assert_num_queries(4):  # another page of the same list
        client.get(url, {**params, "page": "2"})
    with django_assert_num_queries(1):  # the same page again: its rendered rows are remembered
        client.get(url, params)


@pytest.mark.parametrize("count", [3, 30])
def test_initiative_csv_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    """The data version, then one query for every row with its focus areas and organisations
    (``COPY`` on PostgreSQL)."""
    make_rich_initiatives(count)
    for queries in (2 + 2, 2):  # the first time, also the terms of the filters' choices
        with django_assert_num_queries(queries):
            response = client.get(reverse("tracker:initiative-csv"))
            assert len(csv_rows(response)) == count


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    ("name", "factory", "queries"),
    [
        # data version, ids of the page, its rows, related names shown in the rows; the first time,
        # also the count, the terms published records carry and the choices of the filters for the form
        ("challenge-list", ChallengeFactory, 1 + 2 + 1),
        ("recommendation-list", RecommendationFactory, 1 + 2 + 0),
        ("visit-list", VisitFactory, 1 + 2 + 1),
    ],
)
def test_other_lists_run_a_fixed_number_of_queries(client, django_assert_num_queries, count, name, factory, queries):
    organisation = OrganisationFactory()
    for _ in range(count):
        record = factory(focus_areas=[FocusAreaFactory(name="Shared")])
        if name == "visit-list":
            record.hosts.add(organisation)
        if name == "recommendation-list":
            record.proposed_by = organisation
            record.save()
    vocabularies = 1 if name == "challenge-list" else 2
    with django_assert_num_queries(queries + 1 + vocabularies + (vocabularies + 1)):
        client.get(reverse(f"tracker:{name}"))
    with django_assert_num_queries(queries):  # another page of the same list
        client.get(reverse(f"tracker:{name}"), {"page": "2"})
    with django_assert_num_queries(1):  # the same page again: its rendered rows are remembered
        client.get(reverse(f"tracker:{name}"))


def test_pages_by_number_show_every_row_once_in_order(client):
    for n in range(45):
        InitiativeFactory(title=f"Initiative {n % 7}")  # equal titles: the id breaks the tie
    expected = list(Initiative.objects.published().values_list("slug", flat=True))
    shown = []
    for page in (1, 2, 3):
        response = client.get(reverse("tracker:initiative-list"), {"page": page})
        shown += [record.slug for record in response.context["object_list"]]
    assert shown == expected


def test_a_deep_page_costs_what_page_one_costs(client, django_assert_num_queries):
    """Data version, ids of the page (read from the nearer end), its rows, their focus areas."""
    make_rich_initiatives(45)
    url = reverse("tracker:initiative-list")
    client.get(url)
    with django_assert_num_queries(4):
        client.get(url, {"page": 1})
    with django_assert_num_queries(4):
        client.get(url, {"page": 3})
    with django_assert_num_queries(1):  # its rendered rows are remembered: no ids, no rows
        client.get(url, {"page": 3})


def test_a_new_record_changes_the_remembered_count_and_choices(client):
    url = reverse("tracker:initiative-list")
    InitiativeFactory(focus_areas=[FocusAreaFactory(name="First area")])
    assert client.get(url).context["paginator"].count == 1
    InitiativeFactory(focus_areas=[FocusAreaFactory(name="Second area")])
    response = client.get(url)
    assert response.context["paginator"].count == 2
    assert "Second area" in response.text


def test_records_total_is_the_filtered_count_not_the_page_size(client):
    for _ in range(45):
        InitiativeFactory()
    response = client.get(reverse("tracker:initiative-list"))
    assert response.context["paginator"].count == Initiative.objects.count() == 45
    assert "45 results" in response.content.decode()


def test_a_sort_on_equal_values_keeps_one_order_across_pages(client):
    """Every initiative starts in 2006: the id decides (descending after a descending key, so one index
    serves both directions), so no row is shown twice or skipped between pages."""
    created = [InitiativeFactory(title=f"Initiative {n % 3}").slug for n in range(25)]
    shown = []
    for page in (1, 2):
        response = client.get(reverse("tracker:initiative-list"), {"sort": "-start", "page": page})
        shown += [record.slug for record in response.context["object_list"]]
    assert shown == created[::-1]
    assert response.context["filter"].qs.query.order_by[1:] == ("-pk",)


def test_a_related_filter_tells_no_choice_from_a_choice_without_running_the_empty_query(django_assert_num_queries):
    crisis = FocusAreaFactory(name="Crisis management")
    with django_assert_num_queries(0):
        assert not chosen(FocusArea.objects.none()) and not chosen([]) and chosen([crisis])
        cached = FocusArea.objects.filter(pk=crisis.pk)
        cached._result_cache = [crisis]
        assert chosen(cached)
    assert not chosen(FocusArea.objects.filter(pk=crisis.pk + 1))
