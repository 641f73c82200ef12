"""Home, timeline, sources, focus areas, organisations and the feed."""

import datetime

import pytest
from django.urls import reverse

from tracker.models import Citation

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
