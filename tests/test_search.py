"""One search for everything (``/search/``), and each list's own ``q`` matching tags, topics and spellings."""

import pytest
from django.db import connection
from django.urls import reverse

from tracker import search as search_module
from tracker.models import Challenge, Citation
from tracker.search import fold, variants
from tracker.views import SearchGroup

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

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is a PostgreSQL feature")


def search(client, q):
    response = client.get(reverse("tracker:search"), {"q": q})
    assert response.status_code == 200
    return response


def groups(response):
    """``{group name: (total, [result titles])}``."""
    return {
        str(group.name): (group.total, [result["title"] for result in group.results])
        for group in response.context["groups"]
    }


def titles(response):
    return [record.title for record in response.context["object_list"]]


def test_every_kind_of_public_match_is_found_and_counted_in_its_group(client):
    area = FocusAreaFactory(name="Harbour security")
    organisation = OrganisationFactory(name="Harbour authority")
    InitiativeFactory(title="Harbour patrols", focus_areas=[area], organisations=[organisation])
    ChallengeFactory(title="Harbour silting")
    RecommendationFactory(title="Dredge the harbour")
    VisitFactory(title="Visit to the harbour")
    source = SourceFactory(title="Harbour report")
    InitiativeFactory(title="Other", cited__source=source)
    Citation.objects.create(source=source, quote="The harbour was closed.", challenge=ChallengeFactory(title="Closure"))

    found = groups(search(client, "harbour"))

    assert found["initiatives"] == (1, ["Harbour patrols"])
    assert found["challenges"] == (1, ["Harbour silting"])
    assert found["recommendations"] == (1, ["Dredge the harbour"])
    assert found["visits"] == (1, ["Visit to the harbour"])
    assert found["sources"] == (1, ["Harbour report"])
    assert found["focus areas"] == (1, ["Harbour security"])
    assert found["organisations"] == (1, ["Harbour authority"])
    total, quotes = found["quotes"]  # the factories' own quotes name their records, which contain the word
    assert "“The harbour was closed.”" in quotes and total == 5


def test_a_group_shows_the_first_five_and_counts_all_and_links_to_the_filtered_list(client):
    for number in range(7):
        ChallengeFactory(title=f"Corruption case {number}")

    response = search(client, "corruption")

    group = response.context["groups"][1]
    assert (group.total, len(group.results)) == (7, 5)
    assert group.more_url == f"{reverse('tracker:challenge-list')}?q=corruption"
    assert titles(client.get(group.more_url)) == sorted(f"Corruption case {number}" for number in range(7))


def test_drafts_and_their_tags_and_quotes_are_never_found(client):
    unpublished_source = SourceFactory(title="Secret memo", published=False)
    area = FocusAreaFactory(name="Secret area")
    organisation = OrganisationFactory(name="Secret agency")
    InitiativeFactory(title="Secret plan", published=False, focus_areas=[area], organisations=[organisation])
    ChallengeFactory(title="Secret challenge", published=False)
    RecommendationFactory(title="Secret recommendation", published=False)
    VisitFactory(title="Secret visit", published=False)
    Citation.objects.create(source=unpublished_source, quote="A secret sentence.", initiative=InitiativeFactory())

    found = groups(search(client, "secret"))

    assert all(total == 0 for total, results in found.values()), found


def test_the_quotes_search_keeps_the_same_public_citations_as_every_other_page():
    """``public_each`` (each citation checked as read, for the quotes' search) keeps what ``public`` keeps."""
    hidden, shown = SourceFactory(published=False), SourceFactory()
    for factory in (InitiativeFactory, ChallengeFactory, RecommendationFactory, VisitFactory):
        for published in (True, False):
            record = factory(published=published)
            Citation.objects.create(
                source=hidden, quote="Hidden source.", **{factory._meta.model._meta.model_name: record}
            )
    for published in (True, False):
        milestone = MilestoneFactory(initiative=InitiativeFactory(published=published))
        Citation.objects.create(source=shown, quote="A milestone.", milestone=milestone)

    public = set(Citation.objects.public().values_list("pk", flat=True))
    assert set(Citation.objects.public_each().values_list("pk", flat=True)) == public
    assert Citation.objects.filter(source=shown, milestone__isnull=False, pk__in=public).count() == 1
    assert not Citation.objects.filter(source=hidden, pk__in=public).exists()


def test_list_search_matches_a_records_focus_areas_and_organisations_by_name(client):
    InitiativeFactory(title="Tagged", focus_areas=[FocusAreaFactory(name="Cyber defence")])
    InitiativeFactory(title="Involved", organisations=[OrganisationFactory(name="Cyber Command", abbreviation="CC")])
    InitiativeFactory(title="Draft", published=False, focus_areas=[FocusAreaFactory(name="Cyber defence")])
    InitiativeFactory(title="Untagged")

    response = client.get(reverse("tracker:initiative-list"), {"q": "cyber", "sort": "title"})

    assert titles(response) == ["Involved", "Tagged"]


def test_visit_search_matches_topics_outcomes_and_organisations(client):
    VisitFactory(title="September", topics="Defence reforms\nEmerging challenges: cyber threats")
    VisitFactory(title="October", outcomes="An agreement on cyber threats")
    VisitFactory(title="Hosted").hosts.add(OrganisationFactory(name="Cyber threats office"))
    VisitFactory(title="Elsewhere", topics="Demining")

    response = client.get(reverse("tracker:visit-list"), {"q": "cyber threats", "sort": "title"})

    assert titles(response) == ["Hosted", "October", "September"]


def test_the_september_2025_visit_is_found_by_one_of_its_topics(client, seeded):
    response = client.get(reverse("tracker:visit-list"), {"q": "cyber threats"})

    assert "NATO Deputy Secretary General’s visit to Bosnia and Herzegovina (September 2025)" in titles(response)


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("Sarájevo", "sarajevo"),
        ("Sarajevo", "Sarájevo"),
        ("Međunarodna saradnja", "medjunarodna"),
        ("Medjunarodna saradnja", "Međunarodna"),
        ("Đukić", "djukic"),
        ("Djukić", "Đukić"),
        ("Čelić i Šuštar", "celic sustar"),
        ("Žepče", "zepce"),
        ("Сарадња", "saradnja"),
        ("saradnja", "сарадња"),
    ],
)
def test_words_match_with_or_without_diacritics_in_either_alphabet(client, written, searched):
    InitiativeFactory(title=f"{written} programme")
    InitiativeFactory(title="Something else")

    response = client.get(reverse("tracker:initiative-list"), {"q": searched})

    assert titles(response) == [f"{written} programme"]
    assert groups(search(client, searched))["initiatives"][0] == 1


def test_folding_and_spelling_variants():
    assert fold("Đukić Čelić Šuštar Žepče") == "djukic celic sustar zepce"
    assert fold("Сарадња Љубушки") == "saradnja ljubuski"
    assert {"djukic", "đukic", "дјукиц"} <= set(variants("Djukic"))
    assert "saradnja" in variants("сарадња")


def test_an_empty_search_is_a_helpful_page_that_searches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the data versions, under which the page is remembered
        response = search(client, "")
    assert response.context["groups"] == []
    assert "Type a few words" in response.content.decode()


@pytest.mark.parametrize("q", ["'", '"unclosed', "a & | b", "defence:*", "!!", "-", "or or or", "\\", "(", "<b>"])
def test_odd_search_syntax_is_harmless(client, q):
    InitiativeFactory(title="Defence reform")
    search(client, q)


@pytest.mark.parametrize("q", ["x" * 10_000, "a\x00b"])
def test_overlong_or_nul_searches_are_refused_with_a_message(client, q):
    response = client.get(reverse("tracker:search"), {"q": q})

    assert response.status_code == 400
    assert response.context["form"].errors["q"]
    assert response.context["groups"] == []


def test_lists_refuse_a_nul_byte_in_their_search_without_an_error_page(client):
    assert client.get(reverse("tracker:visit-list"), {"q": "a\x00b"}).status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_search_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    area, organisation = FocusAreaFactory(name="Mine action"), OrganisationFactory(name="Mine action centre")
    source = SourceFactory(title="Mine action report")
    for number in range(size):
        InitiativeFactory(title=f"Mine clearing {number}", focus_areas=[area], organisations=[organisation])
        ChallengeFactory(title=f"Mine fields {number}", cited__source=source)
        RecommendationFactory(title=f"Mine survey {number}", focus_areas=[area])
        VisitFactory(title=f"Mine visit {number}").hosts.add(organisation)
    url = f"{reverse('tracker:search')}?q=mine"

    # the data versions, two lists of terms used by published records, one query per group, and on
    # PostgreSQL the terms whose names match, read once for every group's tags
    with django_assert_num_queries(1 + 2 + 8 + (connection.vendor == "postgresql")):
        response = client.get(url)
    assert groups(response)["initiatives"][0] == size
    with django_assert_num_queries(1):  # the data versions: the results are remembered
        client.get(url)


def test_the_search_box_is_in_every_pages_header(client):
    page = client.get(reverse("tracker:timeline")).content.decode()

    assert f'<form class="wrap site-search" action="{reverse("tracker:search")}" method="get" role="search"' in page
    assert '<label for="site-search-q">' in page


@postgresql_only
def test_title_matches_rank_before_description_matches_in_every_group(client):
    InitiativeFactory(title="Other", description="About demining and more demining")
    InitiativeFactory(title="Demining")
    InitiativeFactory(title="Summary", summary="Demining")
    VisitFactory(title="Topical", topics="Demining")
    VisitFactory(title="Demining visit")

    found = groups(search(client, "demining"))

    assert found["initiatives"] == (3, ["Demining", "Summary", "Other"])
    assert found["visits"][1] == ["Demining visit", "Topical"]


@postgresql_only
def test_a_record_found_by_its_tag_ranks_after_those_found_by_their_text(client):
    InitiativeFactory(title="Tagged", focus_areas=[FocusAreaFactory(name="Demining")])
    InitiativeFactory(title="Other", description="Demining")

    response = client.get(reverse("tracker:initiative-list"), {"q": "demining"})

    assert titles(response) == ["Other", "Tagged"]


@postgresql_only
def test_searches_stem_english_words_in_every_group(client):
    Citation.objects.create(source=SourceFactory(), quote="Forces were reforming.", challenge=ChallengeFactory())

    assert groups(search(client, "reforms"))["quotes"][0] == 1


def test_a_group_counts_its_first_matches_and_says_when_there_are_more(client, monkeypatch):
    monkeypatch.setattr(SearchGroup, "counted", 3)
    for number in range(5):
        ChallengeFactory(title=f"Flooding {number}")
    ChallengeFactory(title="Flooding draft", published=False)
    InitiativeFactory(title="Flood defences", focus_areas=[FocusAreaFactory(name="Flooding")])

    response = search(client, "flooding")

    challenges, initiatives = response.context["groups"][1], response.context["groups"][0]
    assert (challenges.total, challenges.more, len(challenges.results)) == (3, True, 3)
    assert (initiatives.total, initiatives.more) == (1, False)
    assert 'Challenges <span class="muted">(3+)</span>' in response.content.decode()


@postgresql_only
@pytest.mark.parametrize("matching, shown", [(3, (3, False)), (5, (3, True))])
def test_a_group_counts_the_matches_among_the_newest_and_the_older_records_alike(client, monkeypatch, matching, shown):
    monkeypatch.setattr(SearchGroup, "counted", 3)
    monkeypatch.setattr(search_module, "WALKED", 2)  # the newest two records are walked, the others indexed
    for number in range(matching):
        ChallengeFactory(title=f"Flooding {number}")
        ChallengeFactory(title=f"Drought {number}")

    group = search(client, "flooding").context["groups"][1]

    assert (group.total, group.more) == shown


@postgresql_only
def test_a_group_ranks_the_newest_of_many_matches(client, monkeypatch):
    monkeypatch.setattr(SearchGroup, "counted", 2)
    for number in range(6):
        ChallengeFactory(title=f"Flooding {number}")
    ChallengeFactory(title="Flooding draft", published=False)

    group = search(client, "flooding").context["groups"][1]

    # the newest three (the counted and one more) equally relevant, then by age
    assert [result["title"] for result in group.results] == ["Flooding 3", "Flooding 4"] and group.more


@postgresql_only
def test_a_groups_walk_among_the_newest_leaves_the_text_index_unread_when_it_finds_enough():
    """ "cyber defence" matches 45,414 of a million initiatives: the text index's bitmap of them all took
    12 ms, the walk back from the newest 3 ms."""
    for number in range(6):
        ChallengeFactory(title=f"Flooding {number}")
    query, published = search_module.full_text_query("flooding"), Challenge.objects.published()
    candidates = search_module.tag_matches(Challenge, query, (), published, limit=4, walked=search_module.WALKED)
    rows = search_module.best_of(published, candidates, query, 5)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:  # the plan of a large table, on a small one
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
        lines = [row[0].strip() for row in cursor.fetchall()]

    def scan_of(condition):  # the plan's node holding the condition
        number = next(number for number, line in enumerate(lines) if condition in line)
        return next(line for line in reversed(lines[:number]) if line.startswith("->"))

    walk, older = scan_of("(id >= COALESCE"), scan_of("((id + 0) < COALESCE")
    assert walk.startswith("->  Index Scan Backward using challenge_published_ids") and "(actual rows=4" in walk, lines
    assert older.endswith("(never executed)"), lines
    assert len(list(rows)) == 4


@postgresql_only
def test_the_sql_written_for_one_search_serves_the_next_of_its_shape_with_its_own_words(client, monkeypatch):
    monkeypatch.setattr(search_module, "WRITTEN", {})
    harbours, floods = FocusAreaFactory(name="Harbour security"), FocusAreaFactory(name="Flood defence")
    InitiativeFactory(title="Harbour patrols")
    InitiativeFactory(title="Tagged with harbours", focus_areas=[harbours])
    InitiativeFactory(title="Flood barriers")
    InitiativeFactory(title="Tagged with floods", focus_areas=[floods])
    InitiativeFactory(title="Đakovo bridge")

    assert groups(search(client, "harbour"))["initiatives"] == (2, ["Harbour patrols", "Tagged with harbours"])
    assert groups(search(client, "flood"))["initiatives"] == (2, ["Flood barriers", "Tagged with floods"])
    assert groups(search(client, "bridge"))["initiatives"] == (1, ["Đakovo bridge"])  # no tag matches
    assert groups(search(client, "djakovo"))["initiatives"] == (1, ["Đakovo bridge"])  # four spellings

    initiatives = [shape for shape in search_module.WRITTEN if '"tracker_initiative"' in shape[0]]
    assert sorted(shape[2:4] for shape in initiatives) == [(2, ()), (2, ("focus_areas",)), (4, ())]
