"""Home, timeline, sources, focus areas, organisations and the feed."""

import datetime
import html
import re

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker.models import Citation, Milestone, Visit
from tracker.views import SourceDetailView, TimelineView, timeline_rows

from .factories import (
    ChallengeFactory,
    FocusAreaFactory,
    InitiativeFactory,
    MilestoneFactory,
    OrganisationFactory,
    RecommendationFactory,
    SourceFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def test_home_counts_only_published_records_and_draws_a_chart(client):
    InitiativeFactory.create_batch(2, status="ongoing")
    InitiativeFactory(status="completed")
    InitiativeFactory(status="ongoing", published=False)
    ChallengeFactory(status="open")
    ChallengeFactory(status="resolved")
    ChallengeFactory(status="open", published=False)

    response = client.get(reverse("tracker:home"))

    counts = {str(label): count for label, count, _ in response.context["initiatives_by_status"]}
    assert counts == {"Planned": 0, "Ongoing": 2, "Completed": 1, "Suspended": 0}
    assert response.context["open_challenges"] == 1
    content = response.content.decode()
    assert "<svg" in content and 'href="/initiatives/?status=ongoing"' in content


def test_home_lists_latest_visits_and_next_deadlines(client):
    VisitFactory(title="Older visit", date=datetime.date(2017, 1, 1), date_precision="year")
    VisitFactory(title="Latest visit")
    year = datetime.date.today().year
    RecommendationFactory(title="Due Q2", target_date=datetime.date(year + 1, 4, 1), target_precision="quarter")
    RecommendationFactory(title="Due this year", target_date=datetime.date(year, 1, 1), target_precision="year")
    RecommendationFactory(title="Passed", target_date=datetime.date(year - 1, 1, 1), target_precision="year")
    RecommendationFactory(
        title="Superseded", target_date=datetime.date(year + 2, 1, 1), target_precision="year", status="superseded"
    )

    response = client.get(reverse("tracker:home"))

    assert [v.title for v in response.context["latest_visits"]] == ["Latest visit", "Older visit"]
    assert [r.title for r in response.context["next_deadlines"]] == ["Due this year", "Due Q2"]


@pytest.mark.parametrize("count", [3, 30])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    year = datetime.date.today().year
    for n in range(count):
        InitiativeFactory(status="ongoing")
        VisitFactory(focus_areas=[FocusAreaFactory()], date=datetime.date(2000 + n, 6, 1))
        RecommendationFactory(target_date=datetime.date(year + 1, 1, 1), target_precision="year")
    # the data versions, two status counts, open challenges, overdue and due soon and the quarterly
    # chart (one query each per kind of record), next deadlines, latest visits and their focus areas
    with django_assert_num_queries(1 + 10):
        assert client.get(reverse("tracker:home")).text.count('class="compact-list"') == 2
    with django_assert_num_queries(1):  # remembered: the counts, the deadlines and the rendered dashboard
        assert client.get(reverse("tracker:home")).text.count("<li>") >= 10


def test_timeline_groups_milestones_and_visits_by_year_in_order(client):
    initiative = InitiativeFactory(title="Membership Action Plan")
    MilestoneFactory(initiative=initiative, title="Invited to MAP", date=datetime.date(2010, 1, 1))
    MilestoneFactory(initiative=initiative, title="First Reform Programme", date=datetime.date(2019, 1, 1))
    MilestoneFactory(initiative=InitiativeFactory(published=False), title="Hidden milestone")
    VisitFactory(title="Deputy Secretary General visit")
    VisitFactory(title="Hidden visit", published=False)

    response = client.get(reverse("tracker:timeline"))

    years = [(year, [event["title"] for event in events]) for year, events in response.context["years"]]
    assert years == [
        (2010, ["Invited to MAP"]),
        (2019, ["First Reform Programme"]),
        (2025, ["Deputy Secretary General visit"]),
    ]
    assert "Hidden" not in response.content.decode()


def test_timeline_filters_by_focus_area(client):
    cyber = FocusAreaFactory(name="Cyber defence")
    MilestoneFactory(initiative=InitiativeFactory(focus_areas=[cyber]), title="Cyber step")
    MilestoneFactory(title="Other step")
    VisitFactory(title="Cyber visit", focus_areas=[cyber])
    VisitFactory(title="Other visit")

    response = client.get(reverse("tracker:timeline"), {"focus_area": cyber.slug})

    titles = [event["title"] for _, events in response.context["years"] for event in events]
    assert titles == ["Cyber step", "Cyber visit"]


def test_timeline_with_a_bad_focus_area_shows_nothing_and_says_so(client):
    MilestoneFactory()
    response = client.get(reverse("tracker:timeline"), {"focus_area": "nope"})
    assert response.status_code == 200
    assert response.context["years"] == []
    assert "Nothing matched" in response.content.decode()


def timeline_titles(response):
    return [event["title"] for _, events in response.context["years"] for event in events]


def test_timeline_shows_partial_dates_and_links_each_event_to_its_record(client):
    initiative = InitiativeFactory(title="Defence Capacity Building package", slug="dcb")
    MilestoneFactory(
        initiative=initiative, title="Package endorsed", date=datetime.date(2026, 4, 1), date_precision="quarter"
    )
    VisitFactory(title="Deputy Secretary General visit", slug="dsg-visit", date=datetime.date(2025, 9, 25))

    content = client.get(reverse("tracker:timeline")).content.decode()

    assert '<time datetime="2026">Q2 2026</time>' in content  # HTML has no quarters
    assert '<time datetime="2025-09-25">25 Sep 2025</time>' in content
    assert 'Package endorsed — <a href="/initiatives/dcb/">Defence Capacity Building package</a>' in content
    assert '<a href="/visits/dsg-visit/">Deputy Secretary General visit</a>' in content


def test_timeline_is_paginated_in_date_order_across_milestones_and_visits(client, monkeypatch):
    monkeypatch.setattr(TimelineView, "paginate_by", 2)
    initiative = InitiativeFactory()
    for year in (2001, 2003, 2005):
        MilestoneFactory(initiative=initiative, title=f"Milestone {year}", date=datetime.date(year, 1, 1))
    for year in (2002, 2004):
        VisitFactory(title=f"Visit {year}", date=datetime.date(year, 1, 1), date_precision="year")
    url = reverse("tracker:timeline")

    first, second, last = (client.get(url, {"page": page}) for page in (1, 2, 3))

    assert [year for year, _ in first.context["years"]] == [2001, 2002]
    assert timeline_titles(second) == ["Milestone 2003", "Visit 2004"]
    assert timeline_titles(last) == ["Milestone 2005"]
    assert second.context["paginator"].count == 5
    content = second.content.decode()
    assert 'href="?page=1"' in content and 'href="?page=3"' in content and "Page 2 of 3" in content
    assert timeline_titles(client.get(url, {"page": 99})) == ["Milestone 2005"]


def test_timeline_breaks_ties_of_date_and_title_by_kind_then_age_on_every_page(client, monkeypatch):
    monkeypatch.setattr(TimelineView, "paginate_by", 2)
    day = datetime.date(2020, 5, 4)
    VisitFactory(title="Review", date=day)
    for name in ("Zenica", "Banja Luka", "Mostar"):  # created in this order, not by name or slug
        MilestoneFactory(initiative=InitiativeFactory(title=name), title="Review", date=day)
    url = reverse("tracker:timeline")

    pages = [client.get(url, {"page": page}).context["years"] for page in (1, 2)]

    shown = [(event["kind"], event["record_title"]) for years in pages for _, events in years for event in events]
    assert shown == [("milestone", "Zenica"), ("milestone", "Banja Luka"), ("milestone", "Mostar"), ("visit", "Review")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_timeline_reads_each_kind_in_its_index_order_ties_included(db):
    """At 1,000,000 initiatives the milestones sharing the first page's date and title were 949 for 100
    rows while the index stopped at the title: the incremental sort read them all to order them by slug."""
    with connection.cursor() as cursor:  # the plan of a large table, on a small one
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")  # the union's own order still needs one
        cursor.execute("SET LOCAL enable_incremental_sort = off")  # nor one on part of an index
        query = timeline_rows(Milestone.objects.filter(initiative__published=True), Visit.objects.published(), 100)
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        top, *below = [row[0] for row in cursor.fetchall()]
    plan = "\n".join([top, *below])
    assert "Index Scan using milestone_timeline_order" in plan and "Scan using visit_timeline_order" in plan, plan
    assert not [line for line in below if "Sort  (" in line], plan  # only the union's order (ties of both kinds)


def test_timeline_focus_area_filter_applies_on_every_page(client, monkeypatch):
    monkeypatch.setattr(TimelineView, "paginate_by", 2)
    cyber = FocusAreaFactory(name="Cyber defence")
    cyber_initiative = InitiativeFactory(focus_areas=[cyber, FocusAreaFactory(name="Crisis management")])
    for year in (2001, 2003):
        MilestoneFactory(initiative=cyber_initiative, title=f"Cyber {year}", date=datetime.date(year, 1, 1))
        MilestoneFactory(title=f"Other {year}", date=datetime.date(year, 1, 1))
    VisitFactory(title="Cyber visit", focus_areas=[cyber], date=datetime.date(2002, 1, 1), date_precision="year")
    VisitFactory(title="Other visit", date=datetime.date(2002, 1, 1), date_precision="year")
    url = reverse("tracker:timeline")

    first = client.get(url, {"focus_area": cyber.slug})
    second = client.get(url, {"focus_area": cyber.slug, "page": 2})

    assert timeline_titles(first) == ["Cyber 2001", "Cyber visit"]
    assert timeline_titles(second) == ["Cyber 2003"]
    assert second.context["paginator"].count == 3
    assert f'href="?focus_area={cyber.slug}&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_timeline_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    cyber = FocusAreaFactory(name="Cyber defence")
    for n in range(count):
        MilestoneFactory(initiative=InitiativeFactory(focus_areas=[cyber]), date=datetime.date(2000 + n, 1, 1))
        VisitFactory(focus_areas=[cyber], date=datetime.date(2000 + n, 6, 1))
    url = reverse("tracker:timeline")
    # the data versions, count, page of events, the areas published records carry, focus area choices
    # (and with a filter, the check of the chosen area)
    with django_assert_num_queries(1 + 4):
        assert len(timeline_titles(client.get(url))) == 2 * count
    with django_assert_num_queries(1 + 4):
        assert len(timeline_titles(client.get(url, {"focus_area": cyber.slug}))) == 2 * count
    # remembered: the data versions
    with django_assert_num_queries(1):
        assert client.get(url).text.count('class="timeline-title"') == 2 * count
    with django_assert_num_queries(1):
        assert client.get(url, {"focus_area": cyber.slug}).text.count('class="timeline-title"') == 2 * count


def test_source_list_counts_only_public_citations(client):
    source = SourceFactory(title="Official page")
    InitiativeFactory(cited__source=source)
    InitiativeFactory(cited__source=source, published=False)
    SourceFactory(title="Draft source", published=False)

    response = client.get(reverse("tracker:source-list"))

    assert [(s.title, s.citation_count) for s in response.context["object_list"]] == [("Official page", 1)]


def test_source_detail_lists_every_public_record_citing_it(client):
    source = SourceFactory(title="Official page", reliability="high")
    initiative = InitiativeFactory(title="Partnership for Peace", cited__source=source)
    milestone = MilestoneFactory(initiative=initiative, title="Joined PfP")
    Citation.objects.create(
        source=source, quote="joined the Partnership for Peace (PfP) programme in 2006", milestone=milestone
    )
    InitiativeFactory(title="Draft initiative", cited__source=source, published=False)

    content = client.get(source.get_absolute_url()).content.decode()

    assert "2 citations" in content
    assert initiative.get_absolute_url() in content
    assert "joined the Partnership for Peace (PfP) programme in 2006" in content
    assert "Draft initiative" not in content


def test_source_detail_paginates_citations_and_shows_their_total(client):
    source = SourceFactory()
    initiative = InitiativeFactory(cited=False)
    Citation.objects.bulk_create(
        Citation(source=source, initiative=initiative, quote=f"Quote number {n:02d}.") for n in range(55)
    )

    first = client.get(source.get_absolute_url())
    second = client.get(source.get_absolute_url(), {"page": 2})

    assert len(first.context["object_list"]) == 50
    assert [citation.quote for citation in second.context["object_list"]] == [
        f"Quote number {n}." for n in range(50, 55)
    ]
    for response in (first, second):
        assert "55 citations" in response.content.decode()
    assert 'href="?page=2"' in first.content.decode()


def test_source_detail_goes_from_page_to_page_by_row_every_citation_once_in_order(
    client, monkeypatch, django_assert_max_num_queries
):
    """Its citations in the order of the archived text (the same passage cited twice in the order they were
    made), drafts' left out; the Next link names the page's last row, and that page costs what page 1 costs."""
    monkeypatch.setattr(SourceDetailView, "paginate_by", 3)
    monkeypatch.setattr(SourceDetailView.paginator_class, "numbered_pages", 2)
    source = SourceFactory(text="".join(f"Passage {n:02d}. " for n in range(12)))
    initiative = InitiativeFactory(cited=False)
    for n in (5, 0, 11, 3, 8, 1, 10, 3, 0, 5):
        Citation.objects.create(source=source, initiative=initiative, quote=f"Passage {n:02d}.")
    Citation.objects.create(
        source=source, initiative=InitiativeFactory(cited=False, published=False), quote="Passage 07."
    )
    expected = list(
        Citation.objects.filter(source=source, initiative__published=True)
        .order_by(models.F("start").asc(nulls_last=True), "pk")
        .values_list("quote", flat=True)
    )
    assert expected == [f"Passage {n:02d}." for n in (0, 0, 1, 3, 3, 5, 5, 8, 10, 11)]

    with CaptureQueriesContext(connection) as first_page:
        response = client.get(source.get_absolute_url())
    first_page_queries = len(first_page)  # now: the next request empties the log it reads
    shown, numbered = [], []
    while True:
        shown += [citation.quote for citation in response.context["object_list"]]
        numbered.append(response.context["page_obj"].number is not None)
        listed = re.search(r'<ol class="citation-list( unnumbered)?"(?: start="(\d+)")?>', response.text)
        page = response.context["page_obj"]
        if page.number is None:  # reached by cursor: where it stands is not known, so no numbers
            assert listed.group(1)
        else:
            assert not listed.group(1) and int(listed.group(2) or 1) == page.start_index()
        link = re.search(r'rel="next" href="\?([^"]+)"', response.text)
        if not link:
            break
        query = dict(part.split("=", 1) for part in html.unescape(link.group(1)).split("&"))
        if "after" in query:
            # as page 1, and where the page reaches the end of the rows with a start, those without one (a
            # second range of the same index)
            with django_assert_max_num_queries(first_page_queries + 1):
                response = client.get(source.get_absolute_url(), query)
        else:
            response = client.get(source.get_absolute_url(), query)
    assert shown == expected
    assert set(numbered) == {True, False}
    assert "10 citations" in response.text


@pytest.mark.parametrize("count", [3, 30])
def test_source_detail_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    source = SourceFactory()
    for _ in range(count):
        initiative = InitiativeFactory(cited__source=source)
        ChallengeFactory(cited__source=source)
        RecommendationFactory(cited__source=source)
        VisitFactory(cited__source=source)
        milestone = MilestoneFactory(initiative=initiative)
        Citation.objects.create(source=source, milestone=milestone, quote="A milestone quote.")
    # the source with its count of citations (kept by the database), the data versions, the ids of a page of
    # citations (in the order of an index), those citations, the records they cite (initiatives, milestones
    # and theirs, challenges, recommendations, visits)
    with django_assert_num_queries(1 + 2 + 7):
        response = client.get(source.get_absolute_url())
    assert f"{5 * count} citations" in response.content.decode()
    with django_assert_num_queries(1):  # remembered: the data versions
        assert f"{5 * count} citations" in client.get(source.get_absolute_url()).text


def test_unpublished_source_is_not_found(client):
    assert client.get(SourceFactory(published=False).get_absolute_url()).status_code == 404


def test_focus_area_page_lists_published_records_of_every_kind(client):
    cyber = FocusAreaFactory(name="Cyber defence")
    InitiativeFactory(title="Cyber initiative", focus_areas=[cyber])
    RecommendationFactory(title="Main focus", focus_area=cyber)
    VisitFactory(title="Cyber visit", focus_areas=[cyber])
    InitiativeFactory(title="Draft cyber initiative", focus_areas=[cyber], published=False)

    content = client.get(cyber.get_absolute_url()).content.decode()

    for title in ("Cyber initiative", "Main focus", "Cyber visit"):
        assert title in content
    assert "Draft cyber initiative" not in content


def test_organisation_page_lists_initiatives_and_visits(client):
    nato = OrganisationFactory(name="NATO")
    InitiativeFactory(title="Partnership for Peace", organisations=[nato])
    VisitFactory(title="Hosted visit").hosts.add(nato)

    content = client.get(nato.get_absolute_url()).content.decode()

    assert "Partnership for Peace" in content and "Hosted visit" in content


def test_focus_area_page_shows_the_first_records_of_a_kind_and_links_to_all_of_them(client):
    cyber = FocusAreaFactory(name="Cyber defence")
    for n in range(25):
        InitiativeFactory(title=f"Cyber initiative {n:02d}", focus_areas=[cyber])
    VisitFactory(title="Cyber visit", focus_areas=[cyber])

    response = client.get(cyber.get_absolute_url())

    content = response.content.decode()
    assert "Cyber initiative 19" in content and "Cyber initiative 20" not in content
    more_url = f"/initiatives/?focus_area={cyber.slug}"
    assert f'<a href="{more_url}">See all 25 initiatives</a>' in content
    assert content.count("See all") == 1
    assert client.get(more_url).context["paginator"].count == 25


@pytest.mark.parametrize(
    ("make", "more_url"),
    [
        (lambda nato, n: InitiativeFactory(organisations=[nato]), "/initiatives/?organisation={}"),
        (lambda nato, n: RecommendationFactory(proposed_by=nato), "/recommendations/?proposed_by={}"),
        (
            lambda nato, n: VisitFactory(visitor_organisation=nato if n % 2 else None).hosts.add(nato),
            "/visits/?organisation={}",
        ),
    ],
)
def test_organisation_page_links_to_the_list_filtered_by_the_organisation(client, make, more_url):
    nato = OrganisationFactory(name="NATO")
    for n in range(21):
        make(nato, n)
    more_url = more_url.format(nato.slug)

    content = client.get(nato.get_absolute_url()).content.decode()

    assert f'<a href="{more_url}">See all 21 ' in content
    assert client.get(more_url).context["paginator"].count == 21


@pytest.mark.parametrize("count", [3, 30])
def test_vocabulary_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    cyber, nato = FocusAreaFactory(name="Cyber defence"), OrganisationFactory(name="NATO")
    for _ in range(count):
        InitiativeFactory(focus_areas=[cyber], organisations=[nato])
        ChallengeFactory(focus_areas=[cyber])
        RecommendationFactory(focus_area=cyber, focus_areas=[cyber], proposed_by=nato)
        VisitFactory(focus_areas=[cyber], visitor_organisation=nato).hosts.add(nato)
    # the data versions, the terms published records carry, the term, its counts (kept by the database),
    # then for each kind of record the first records
    with django_assert_num_queries(3 + 1 + 4):
        assert "See all 30 initiatives" in client.get(cyber.get_absolute_url()).text or count < 30
    with django_assert_num_queries(3 + 1 + 3):
        client.get(nato.get_absolute_url())
    for term in (cyber, nato):  # remembered: the data versions
        with django_assert_num_queries(1):
            client.get(term.get_absolute_url())


def test_feed_lists_recent_published_records(client):
    InitiativeFactory(title="Partnership for Peace")
    VisitFactory(title="Hidden visit", published=False)

    response = client.get(reverse("tracker:feed"))

    assert response["Content-Type"].startswith("application/atom+xml")
    content = response.content.decode()
    assert "Initiative: Partnership for Peace" in content
    assert "Hidden visit" not in content


def test_pages_escape_html_in_record_content(client):
    initiative = InitiativeFactory(title="<script>alert('x')</script>", summary="<b>bold</b>")
    for url in (reverse("tracker:initiative-list"), initiative.get_absolute_url(), reverse("tracker:feed")):
        assert b"<script>alert" not in client.get(url).content


@pytest.mark.django_db
def test_vocabulary_carried_only_by_drafts_has_no_public_page_nor_timeline_choice(client):
    draft_area, public_area = FocusAreaFactory(name="Draft area"), FocusAreaFactory(name="Public area")
    draft_organisation = OrganisationFactory(name="Draft organisation")
    InitiativeFactory(published=False, focus_areas=[draft_area], organisations=[draft_organisation])
    MilestoneFactory(initiative=InitiativeFactory(focus_areas=[public_area]))
    assert client.get(draft_area.get_absolute_url()).status_code == 404
    assert client.get(draft_organisation.get_absolute_url()).status_code == 404
    assert client.get(public_area.get_absolute_url()).status_code == 200
    timeline = client.get(reverse("tracker:timeline")).content.decode()
    assert "Public area" in timeline and "Draft area" not in timeline
