"""Free-text search over a record's title, summary and description.

On PostgreSQL this is full-text search ranked by relevance (title matches
weigh most); on SQLite, where there is no full-text engine to rely on, every
word must appear in one of the fields.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q

SEARCH_CONFIG = "english"
MAX_WORDS = 12


def search_vector():
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )


def search(queryset, text):
    """Records matching ``text``, most relevant first where the database can rank."""
    text = " ".join(text.split()[:MAX_WORDS])
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return (
            queryset.annotate(search_document=search_vector())
            .filter(search_document=query)
            .annotate(search_rank=SearchRank(F("search_document"), query))
            .order_by("-search_rank", "pk")
        )
    for word in text.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return queryset
