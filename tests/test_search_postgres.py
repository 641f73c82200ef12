"""Full-text search on PostgreSQL: ranked, stemmed, and backed by a GIN index."""

import pytest
from django.db import connection

from tracker.models import Citation, Initiative, Source, Visit
from tracker.search import search

from .factories import InitiativeFactory, SourceFactory, VisitFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is a PostgreSQL feature"),
]


def test_search_is_stemmed_and_ranks_title_matches_first():
    InitiativeFactory(title="Other", summary="Reforms of the defence sector")
    InitiativeFactory(title="Defence reform", summary="Structural modernisation")

    results = list(search(Initiative.objects.all(), "reforming defence"))

    assert [initiative.title for initiative in results] == ["Defence reform", "Other"]


@pytest.mark.parametrize(
    ("model", "index"),
    [
        (Initiative, "initiative_search"),
        (Visit, "visit_search"),
        (Citation, "citation_search"),
        (Source, "source_search"),
    ],
)
def test_search_uses_the_gin_index_also_when_matching_tags(model, index):
    InitiativeFactory(title="Defence reform")
    VisitFactory(title="Defence reform visit")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search(model.objects.all(), "defence reform").explain()
    assert index in plan


def test_stored_documents_are_unaccented_and_stemmed_in_the_tracker_configuration():
    InitiativeFactory(title="Saradnja u Sarájevu", summary="Međunarodne vježbe")
    report = SourceFactory(title="Izvještaj", publisher="Ministarstvo", text="Čitav tekst: defence reforms.")

    initiative = Initiative.objects.values_list("search_document", flat=True).get()
    source = Source.objects.values_list("search_document", flat=True).get(pk=report.pk)

    assert {"'saradnja':1A", "'sarajevu':3A", "'medunarodn':4B", "'vjezb':5B"} <= set(initiative.split())
    assert {"'izvjestaj':1A", "'ministarstvo':2B", "'citav':3", "'reform':6"} <= set(source.split())


def test_hostile_search_syntax_is_harmless():
    InitiativeFactory(title="Defence reform")
    for text in ["'", "!!", "a & | b", "defence:*", '"unclosed', "-", "or or or", "\\"]:
        list(search(Initiative.objects.all(), text))


def test_no_query_is_compiled_just_in_time():
    """A search's per-row checks are costed high enough for PostgreSQL's JIT, whose compiling took 436 ms
    of a 0.5 ms query at a million initiatives: the site's connections turn it off (config.settings)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
