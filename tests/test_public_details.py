import datetime

import pytest

from tracker.models import Citation, Milestone, StatusUpdate

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


@pytest.fixture
def linked_records():
    """An initiative linked to a challenge, a recommendation and a visit, plus drafts of each."""
    initiative = InitiativeFactory(
        title="Defence Capacity Building package",
        start_date=datetime.date(2023, 2, 1),
        start_precision="month",
        focus_areas=[FocusAreaFactory(name="Crisis management")],
        organisations=[OrganisationFactory(name="NATO Headquarters Sarajevo")],
        cited__source=SourceFactory(title="Relations with Bosnia and Herzegovina"),
    )
    challenge = ChallengeFactory(title="Defence budget limitations")
    draft_challenge = ChallengeFactory(title="Draft challenge", published=False)
    initiative.challenges.add(challenge, draft_challenge)
    recommendation = RecommendationFactory(
        title="Joint training sessions", target_date=datetime.date(2026, 1, 1), target_precision="quarter"
    )
    recommendation.initiatives.add(initiative)
    recommendation.challenges.add(challenge)
    visit = VisitFactory(title="Deputy Secretary General visit")
    visit.initiatives.add(initiative)
    recommendation.visit = visit
    recommendation.save()
    RecommendationFactory(title="Draft recommendation", published=False).initiatives.add(initiative)
    later = MilestoneFactory(
        initiative=initiative, title="Package endorsed", date=datetime.date(2023, 2, 1), date_precision="month"
    )
    MilestoneFactory(
        initiative=initiative, title="Package agreed", date=datetime.date(2022, 1, 1), date_precision="year"
    )
    Citation.objects.create(source=SourceFactory(), quote="endorsed the new DCB package", milestone=later)
    return {"initiative": initiative, "challenge": challenge, "recommendation": recommendation, "visit": visit}


def test_initiative_detail_shows_fields_dates_milestones_links_and_sources(client, linked_records):
    initiative = linked_records["initiative"]
    content = client.get(initiative.get_absolute_url()).content.decode()

    assert "<h1>Defence Capacity Building package</h1>" in content
    assert '<time datetime="2023-02">Feb 2023</time>' in content
    assert content.index("Package agreed") < content.index("Package endorsed")
    assert "endorsed the new DCB package" in content
    for record in ("challenge", "recommendation", "visit"):
        assert linked_records[record].get_absolute_url() in content
    assert "Draft challenge" not in content and "Draft recommendation" not in content
    assert "/focus-areas/crisis-management/" in content
    assert "/organisations/nato-headquarters-sarajevo/" in content
    assert "Relations with Bosnia and Herzegovina" in content
    assert f"A sentence supporting {initiative.title}." in content


def test_recommendation_detail_links_back_to_visit_challenges_and_initiatives(client, linked_records):
    content = client.get(linked_records["recommendation"].get_absolute_url()).content.decode()
    assert "Q1 2026" in content
    for record in ("challenge", "initiative", "visit"):
        assert linked_records[record].get_absolute_url() in content


def test_challenge_detail_links_to_what_addresses_it(client, linked_records):
    content = client.get(linked_records["challenge"].get_absolute_url()).content.decode()
    assert linked_records["initiative"].get_absolute_url() in content
    assert linked_records["recommendation"].get_absolute_url() in content


def test_visit_detail_shows_place_official_and_related_records(client, linked_records):
    content = client.get(linked_records["visit"].get_absolute_url()).content.decode()
    assert "Sarajevo, Bosnia and Herzegovina" in content
    assert "NATO Deputy Secretary General" in content
    assert "Not named in the sources" in content
    assert '<time datetime="2025-09-25">25 Sep 2025</time>' in content
    assert linked_records["initiative"].get_absolute_url() in content
    assert linked_records["recommendation"].get_absolute_url() in content


def test_a_draft_visit_is_not_linked_from_its_recommendation(client, linked_records):
    visit = linked_records["visit"]
    visit.published = False
    visit.save()
    content = client.get(linked_records["recommendation"].get_absolute_url()).content.decode()
    assert visit.get_absolute_url() not in content


@pytest.mark.parametrize("factory", [InitiativeFactory, ChallengeFactory, RecommendationFactory, VisitFactory])
def test_unpublished_and_unknown_slugs_are_not_found(client, factory):
    draft = factory(published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url().replace(draft.slug, "no-such-record")).status_code == 404


def test_citations_of_an_unpublished_source_are_not_shown(client):
    hidden = SourceFactory(title="Hidden source", published=False)
    initiative = InitiativeFactory(cited__source=SourceFactory(title="Public source"))  # as a published record must
    Citation.objects.create(source=hidden, quote="A hidden quote.", initiative=initiative)
    content = client.get(initiative.get_absolute_url()).content.decode()
    assert "Hidden source" not in content and "A hidden quote." not in content
    assert "Public source" in content


def assert_queries_cold_then_remembered(client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(1):  # the data versions: the page is a copy of the first
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_detail_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    initiative = InitiativeFactory(
        focus_areas=[FocusAreaFactory() for _ in range(size)],
        organisations=[OrganisationFactory() for _ in range(size)],
    )
    for _ in range(size):
        initiative.challenges.add(ChallengeFactory())
        RecommendationFactory().initiatives.add(initiative)
        VisitFactory().initiatives.add(initiative)
        milestone = MilestoneFactory(initiative=initiative)
        Citation.objects.create(source=SourceFactory(), quote="q", milestone=milestone)
        InitiativeFactory(parent=initiative)
        Citation.objects.create(source=SourceFactory(), quote="q", initiative=initiative)
        update = StatusUpdate.objects.create(initiative=initiative, date=datetime.date(2020, 1, 1), status="ongoing")
        Citation.objects.create(source=SourceFactory(), quote="q", status_update=update)
    # the initiative's row, the data versions, then the row again with one query per prefetched relation
    # (it has no parent to fetch; its status updates and their citations are two); once the page is
    # remembered, only the versions
    assert_queries_cold_then_remembered(client, django_assert_num_queries, initiative.get_absolute_url(), 1 + 13)

    recommendation = RecommendationFactory(focus_area=FocusAreaFactory(), visit=VisitFactory())
    visit = VisitFactory(visitor_organisation=OrganisationFactory())
    challenge = ChallengeFactory()
    for _ in range(size):
        recommendation.challenges.add(ChallengeFactory())
        recommendation.initiatives.add(InitiativeFactory())
        visit.hosts.add(OrganisationFactory())
        challenge.initiatives.add(InitiativeFactory())
    # status updates: one query each for the recommendation and the challenge (they have none)
    for record, queries in ((recommendation, 1 + 8), (visit, 1 + 7), (challenge, 1 + 7)):
        assert_queries_cold_then_remembered(client, django_assert_num_queries, record.get_absolute_url(), queries)
    assert Milestone.objects.count() == size
