"""Full-text search on PostgreSQL: ranked, stemmed, and backed by a GIN index."""

import pytest
from django.db import connection

from tracker.models import Initiative
from tracker.search import search

from .factories import InitiativeFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is a PostgreSQL feature"),
]


def test_search_is_stemmed_and_ranks_title_matches_first():
    InitiativeFactory(title="Other", summary="Reforms of the defence sector")
    InitiativeFactory(title="Defence reform", summary="Structural modernisation")

    results = list(search(Initiative.objects.all(), "reforming defence"))

    assert [initiative.title for initiative in results] == ["Defence reform", "Other"]


def test_search_uses_the_gin_index():
    InitiativeFactory(title="Defence reform")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search(Initiative.objects.all(), "defence reform").explain()
    assert "initiative_search" in plan


def test_hostile_search_syntax_is_harmless():
    InitiativeFactory(title="Defence reform")
    for text in ["'", "!!", "a & | b", "defence:*", '"unclosed', "-", "or or or", "\\"]:
        list(search(Initiative.objects.all(), text))
