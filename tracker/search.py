"""Free-text search: over one kind of record (each list's ``q``) and over everything (``/search/``).

On PostgreSQL this is full-text search over stored, GIN-indexed ``tsvector``
columns (``search_document``) ranked by relevance, title matches weighing most.
The ``tracker`` text search configuration (migration 0014) is English stemming
after ``unaccent``, so "Sarajevo" finds "Sarájevo"; the query's other spellings
(``variants``: đ written "dj" and back, Serbian Cyrillic in Latin letters and
back) are tried too. On SQLite, where there is no full-text engine to rely on,
every word must appear in one of the fields once both sides are folded the same
way (``fold``: no diacritics, đ as "dj", Latin letters).

A record's own document holds its own fields; its tags (focus areas,
organisations) are matched by name through an indexed ``UNION`` (``tag_matches``).
"""

import unicodedata
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import Count, F, Func, Q, TextField, Window
from django.db.models.functions import Left
from django.db.models.lookups import Contains

SEARCH_CONFIG = "tracker"
MAX_WORDS = 12

#: The document migrations 0004 and 0006 indexed and stored, before the ``tracker`` configuration.
FIRST_DOCUMENT = (("title", "A"), ("summary", "B"), ("description", "C"))


#: How much of a long text (a source's archived text) its document holds: a ``tsvector`` is limited to 1 MB.
SEARCHED_TEXT_LENGTH = 100_000


def search_vector(fields=FIRST_DOCUMENT, config="english"):
    """The weighted ``tsvector`` of ``fields``: ``(name, weight)`` pairs, or ``(name, weight, length)``
    for a text of which only the first ``length`` characters count."""
    vectors = []
    for name, weight, *length in fields:
        text = Left(name, length[0]) if length else name
        vectors.append(SearchVector(text, weight=weight, config=config))
    return reduce(lambda vector, other: vector + other, vectors)


class SearchDocument(Func):
    """What a generated ``search_document`` column holds: the weighted ``tsvector`` of ``fields`` on
    PostgreSQL, stored so that ranking reads it instead of parsing the text of every match again; an
    empty string on SQLite, which searches the text itself. Without arguments, the first document
    (``FIRST_DOCUMENT``, English), which migration 0006 stored."""

    output_field = SearchVectorField()

    def __init__(self, *fields, config="english"):
        self.fields, self.config = fields or FIRST_DOCUMENT, config
        super().__init__()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(search_vector(self.fields, self.config).resolve_expression(compiler.query))

    def as_sqlite(self, compiler, connection, **extra_context):
        return "''", []


def document(*fields):
    """A model's stored document of ``fields`` (``(name, weight)`` pairs) in the ``tracker`` configuration."""
    return SearchDocument(*fields, config=SEARCH_CONFIG)


# Serbian Cyrillic ↔ Latin (Gaj's alphabet), letter for letter, so one alphabet finds the other.
CYRILLIC = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџш",
        "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š".split(),
        strict=True,
    )
)
LATIN_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}
LATIN = {latin: cyrillic for cyrillic, latin in CYRILLIC.items() if len(latin) == 1}


def to_latin(text):
    return "".join(CYRILLIC.get(char, char) for char in text)


def to_cyrillic(text):
    for digraph, letter in LATIN_DIGRAPHS.items():
        text = text.replace(digraph, letter)
    return "".join(LATIN.get(char, char) for char in text)


def fold(text):
    """``text`` lower-cased, in Latin letters, without diacritics, đ written "dj": the form SQLite
    compares (``tracker_fold``), so "Đukić", "djukic" and "Ђукић" are one word."""
    if text is None:
        return None
    text = to_latin(text.lower()).replace("đ", "dj")
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def variants(text):
    """``text`` and its other spellings, for PostgreSQL, whose ``unaccent`` writes đ as "d" (not "dj") and
    leaves Cyrillic alone: the same words with đ as "dj" and "dj" as đ, and in the other alphabet."""
    text = text.lower()
    spellings = {text, text.replace("đ", "dj"), text.replace("dj", "đ")}
    spellings |= {to_latin(spelling) for spelling in spellings} | {to_cyrillic(spelling) for spelling in spellings}
    return sorted(spellings)


def words_of(text):
    """At most ``MAX_WORDS`` words of ``text`` (so a pasted essay costs no more than a sentence)."""
    return " ".join(text.replace("\x00", "").split()[:MAX_WORDS])


def full_text_query(text):
    return reduce(
        or_, (SearchQuery(spelling, search_type="websearch", config=SEARCH_CONFIG) for spelling in variants(text))
    )


class Fold(Func):
    function = "tracker_fold"
    output_field = TextField()


def register_sqlite_functions(sender, connection, **kwargs):
    """``connection_created`` receiver: ``tracker_fold`` for SQLite's searches."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("tracker_fold", 1, fold, deterministic=True)


def contains_word(fields, word):
    """SQLite: ``word`` in one of ``fields``, both folded."""
    folded = fold(word)
    return reduce(or_, (Q(Contains(Fold(F(name)), folded)) for name in fields))


def matching(queryset, text, fields, tags=()):
    """Records of ``queryset`` whose ``fields`` (or whose tags' names, ``tags``: lookups from the
    model to a vocabulary) match ``text``, unordered. ``text`` is already cut by ``words_of``."""
    model = queryset.model
    if connection.vendor == "postgresql":
        query = full_text_query(text)
        if not tags:
            return queryset.filter(search_document=query)
        return queryset.filter(pk__in=tag_matches(model, query, tags))
    for word in text.split():
        condition = contains_word(fields, word)
        for tag in tags:
            condition |= Q(pk__in=model._base_manager.filter(contains_word([f"{tag}__name"], word)).values("pk"))
        queryset = queryset.filter(condition)
    return queryset


def tag_matches(model, query, tags, within=None, limit=None):
    """The ids of records of ``model`` whose document matches ``query``, or one of whose tags' names does:
    a ``UNION ALL`` of index scans (an ``OR`` of the two would read every record). With ``limit``, at most
    that many from each part, each part only of records in ``within`` (a query set of the model)."""
    own = (within if within is not None else model._base_manager).filter(search_document=query)
    parts = [own.order_by().values_list("pk")]
    for tag in tags:
        vocabulary = model._meta.get_field(tag).related_model
        terms = vocabulary.objects.annotate(name_document=SearchVector("name", config=SEARCH_CONFIG)).filter(
            name_document=query
        )  # a vocabulary is a few hundred terms at most: reading it all is cheap
        links = tag_links(model, tag).filter(term__in=terms.values("pk"))
        if within is not None:
            links = links.filter(record__in=within.order_by().values("pk"))
        parts.append(links.values_list("record"))
    if limit is not None:
        parts = [part[:limit] for part in parts]
    return parts[0].union(*parts[1:], all=True)


def tag_links(model, tag):
    """``(record, term)`` rows of ``model``'s records and their terms through ``tag``, read from the link
    table itself (a foreign key's own column, or the many-to-many table), without joining the records."""
    field = model._meta.get_field(tag)
    if field.many_to_many:
        through = field.remote_field.through
        return through.objects.order_by().annotate(
            record=F(field.m2m_field_name()), term=F(field.m2m_reverse_field_name())
        )
    return model._base_manager.order_by().annotate(record=F("pk"), term=F(field.attname))


def rank(queryset, text):
    """``queryset`` (already ``matching`` ``text``), most relevant first where the database can rank."""
    if connection.vendor == "postgresql":
        return queryset.order_by(SearchRank(F("search_document"), full_text_query(text)).desc(), "pk")
    return queryset


def search(queryset, text):
    """Records matching ``text`` in their own fields or their tags' names (the model's ``search_tags``),
    most relevant first where the database can rank.

    The relevance is an ordering, not an annotation, so a list sorted another way
    (``order_by`` replaces it) never computes it.
    """
    text = words_of(text)
    if not text:
        return queryset
    model = queryset.model
    return rank(matching(queryset, text, searched_fields(model), getattr(model, "search_tags", ())), text)


def best(queryset, text, shown, among, select_related=()):
    """The ``shown`` most relevant of the first ``among`` records of ``queryset`` matching ``text``, each
    annotated with how many of those first ``among`` there are (``matching``), in one query.

    Ranking every match of a common word would read the document of every match;
    ranking the first ``among`` keeps the cost of an overview bounded. The
    candidates carry ``queryset``'s conditions, so the outer query only reads them.
    """
    text = words_of(text)
    model = queryset.model
    tags = getattr(model, "search_tags", ())
    if connection.vendor == "postgresql":
        candidates = tag_matches(model, full_text_query(text), tags, within=queryset, limit=among)
    else:
        candidates = matching(queryset, text, searched_fields(model), tags).order_by().values("pk")[:among]
    shown_rows = model._base_manager.select_related(*select_related).filter(pk__in=candidates)
    shown_rows.query.deferred_loading = queryset.query.deferred_loading
    return rank(shown_rows, text).annotate(matching=Window(Count("pk")))[:shown]


def searched_fields(model):
    """The text fields of ``model``'s stored document."""
    return [name for name, *weight in model._meta.get_field("search_document").expression.fields]
