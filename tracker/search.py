"""Free-text search over a record's title, summary and description.

On PostgreSQL this is full-text search over a stored, GIN-indexed ``tsvector``
column (``search_document``) ranked by relevance, title matches weighing most;
on SQLite, where there is no full-text engine to rely on, every word must
appear in one of the fields.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import F, Func, Q

SEARCH_CONFIG = "english"
MAX_WORDS = 12


def search_vector():
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )


class SearchDocument(Func):
    """What a record's generated ``search_document`` column holds: its weighted ``tsvector`` on
    PostgreSQL, stored so that ranking reads it instead of parsing the text of every match again;
    an empty string on SQLite, which searches the text itself."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(search_vector().resolve_expression(compiler.query))

    def as_sqlite(self, compiler, connection, **extra_context):
        return "''", []


def search(queryset, text):
    """Records matching ``text``, most relevant first where the database can rank.

    The relevance is an ordering, not an annotation, so a list sorted another way
    (``order_by`` replaces it) never computes it.
    """
    text = " ".join(text.split()[:MAX_WORDS])
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.filter(search_document=query).order_by(SearchRank(F("search_document"), query).desc(), "pk")
    for word in text.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return queryset
