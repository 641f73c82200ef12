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

import hashlib
import unicodedata
from collections import Counter
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Left
from django.db.models.lookups import Contains, IsNull, Lookup

SEARCH_CONFIG = "tracker"
MAX_WORDS = 12
#: How many matches a searched list finds by id, counts and ranks exactly; beyond, it says "more than"
#: (``searched_list``).
COUNTED_MATCHES = 1000

#: How many of the newest records ``/search/``'s groups of records look for matches among first
#: (``newest_first``).
WALKED = 5000

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
    return spellings_query(variants(text))


def spellings_query(spellings):
    """The full-text query matching any of ``spellings``."""
    return reduce(or_, (SearchQuery(spelling, search_type="websearch", config=SEARCH_CONFIG) for spelling in spellings))


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


def tag_matches(model, query, tags, within=None, limit=None, labelled=False, newest=False, terms=None, walked=None):
    """The ids of records of ``model`` whose document matches ``query``, or one of whose tags' names does:
    a ``UNION ALL`` of index scans (an ``OR`` of the two would read every record). With ``limit``, at most
    that many from each part (with ``newest``, its newest), each part only of records in ``within`` (a
    query set of the model); with ``labelled``, ``(id, part)`` rows, the part's number beside each id.
    ``terms`` (``{tag: ids}``, read first: ``matched_terms``) leaves out a tag none of whose terms match,
    and gives the planner the terms themselves: walking a link table in order for a subquery's terms, it
    cannot know that none match, and read all 1.5 million links of a million initiatives. With ``walked``
    (and ``limit``, ``within``, unlabelled), the record's own matches are ``newest_first``."""
    own = (within if within is not None else model._base_manager).filter(search_document=query).order_by()
    if walked is not None and limit is not None and within is not None and not labelled:
        parts = [newest_first(own, within, limit, walked)]
    else:
        parts = [own.annotate(part=Value(0)).values_list("pk", "part") if labelled else own.values_list("pk")]
    for number, tag in enumerate(tags, start=1):
        if terms is not None and not terms[tag]:
            continue
        links = tag_links(model, tag)
        links = (
            links.filter(term__in=matching_terms(model, tag, query))
            if terms is None
            else links.filter(among(terms[tag], "term"))
        )
        if within is not None:
            links = links.filter(record__in=within.order_by().values("pk"))
        parts.append(
            links.annotate(part=Value(number)).values_list("record", "part")
            if labelled
            else links.values_list("record")
        )
    if newest:
        parts = [part.order_by(f"-{part._fields[0]}") for part in parts]
    if limit is not None:
        parts = [part if part.query.is_sliced else part[:limit] for part in parts]
    return parts[0].union(*parts[1:], all=True)


def newest_first(own, within, limit, walked):
    """The ids of ``limit`` of ``own`` (the matches of a query set of ``within``, PostgreSQL): looked for among
    the newest ``walked`` records of ``within`` first, by a walk back along the primary key that stops at
    ``limit``, then among the older ones through the text index.

    The text index builds the bitmap of every match before a limit applies:
    "cyber defence" matches 45,414 of a million initiatives, 12 ms for any 201 of
    them, where the walk reads about 4,400 rows in 3 ms. The walk is bounded by
    the ``walked``-th newest id, so a word the planner wrongly thinks common costs
    at most ``walked`` rows (a word found nowhere: 5,000 rows, 3 ms). The older
    part runs only when the walk found fewer than ``limit`` (PostgreSQL stops the
    ``UNION ALL`` at its ``LIMIT``); the two are disjoint, so while fewer than
    ``limit`` match, the union holds them all.
    """
    oldest_walked = Coalesce(Subquery(within.order_by("-pk").values("pk")[walked - 1 : walked]), 0)
    newer = own.filter(pk__gte=oldest_walked).order_by("-pk").values_list("pk")[:limit]
    # ``id + 0``: not the primary key's index, whose range (a million ids, 29 ms) the planner would
    # intersect with the text index's few matches
    unindexed = ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField())
    older = own.alias(unindexed_id=unindexed).filter(unindexed_id__lt=oldest_walked).values_list("pk")[:limit]
    return newer.union(older, all=True)[:limit]


def matched_terms(model, tags, query, named=None):
    """``{tag: [id of each term whose name matches query]}``, read now, in one query, or taken from
    ``named`` (``terms_named``'s answer) when that was read for several models at once."""
    vocabularies = {tag: model._meta.get_field(tag).related_model for tag in tags}
    if named is None:
        named = terms_named(set(vocabularies.values()), query)
    return {tag: named[vocabulary] for tag, vocabulary in vocabularies.items()}


def tag_vocabularies(models):
    """The vocabularies that the ``search_tags`` of ``models`` lead to."""
    return {model._meta.get_field(tag).related_model for model in models for tag in getattr(model, "search_tags", ())}


def terms_named(vocabularies, query):
    """``{vocabulary: [id of each of its terms whose name matches query]}``, read now, in one query."""
    vocabularies = list(vocabularies)
    parts = [
        terms_of(vocabulary, query).annotate(vocabulary=Value(number)).values_list("pk", "vocabulary")
        for number, vocabulary in enumerate(vocabularies)
    ]
    found = {vocabulary: [] for vocabulary in vocabularies}
    for pk, number in parts[0].union(*parts[1:], all=True) if parts else ():
        found[vocabularies[number]].append(pk)
    return found


def matching_terms(model, tag, query):
    """The terms of ``model``'s ``tag`` whose names match ``query``: a vocabulary is a few hundred terms at
    most, so reading it all is cheap."""
    return vocabulary_matching(model, tag, query).values("pk")


def vocabulary_matching(model, tag, query):
    return terms_of(model._meta.get_field(tag).related_model, query)


def terms_of(vocabulary, query):
    """The terms of ``vocabulary`` whose names match ``query``."""
    return (
        vocabulary.objects.annotate(name_document=SearchVector("name", config=SEARCH_CONFIG))
        .filter(name_document=query)
        .order_by()
    )


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


def relevance(query):
    """How well a record's document matches ``query`` (PostgreSQL), title matches weighing most."""
    return SearchRank(F("search_document"), query)


def rank(queryset, text):
    """``queryset`` (already ``matching`` ``text``), most relevant first where the database can rank."""
    if connection.vendor == "postgresql":
        return queryset.order_by(relevance(full_text_query(text)).desc(), "pk")
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


def best(queryset, text, shown, among, select_related=(), named=None, walked=None):
    """A list of the ``shown`` most relevant of the first ``among`` records of ``queryset`` matching ``text``,
    each annotated with how many of those first ``among`` there are (``matching``), read in one query. With
    ``walked``, the first are the newest (``newest_first``) on PostgreSQL.

    Ranking every match of a common word would read the document of every match;
    ranking the first ``among`` keeps the cost of an overview bounded. The
    candidates carry ``queryset``'s conditions, so the outer query only reads them.
    On PostgreSQL, ``named`` (``terms_named``) is the terms matching ``text``, read once for several
    models: the tags' parts then name their terms, and a tag none of whose terms match has no part; the
    query is then the SQL written for the first search of its shape (``written_best``).
    """
    text = words_of(text)
    model = queryset.model
    tags = getattr(model, "search_tags", ())
    if connection.vendor != "postgresql":
        candidates = matching(queryset, text, searched_fields(model), tags).order_by().values("pk")[:among]
        return list(best_of(queryset, candidates, None, shown, select_related))
    if named is not None and not select_related:
        return written_best(queryset, variants(text), shown, among, matched_terms(model, tags, None, named), walked)
    query = full_text_query(text)
    terms = matched_terms(model, tags, query, named) if named is not None else None
    return list(ranked_matches(queryset, query, terms, shown, among, walked, select_related))


def ranked_matches(queryset, query, terms, shown, among, walked, select_related=()):
    """PostgreSQL: ``best``'s query of ``query``'s matches (``tag_matches``, then ``best_of``), the one
    ``written_best`` writes with placeholders."""
    tags = getattr(queryset.model, "search_tags", ())
    candidates = tag_matches(queryset.model, query, tags, within=queryset, limit=among, terms=terms, walked=walked)
    return best_of(queryset, candidates, query, shown, select_related)


def best_of(queryset, candidates, query, shown, select_related=()):
    """The ``shown`` most relevant by ``query`` (where the database ranks: not ``None``) of ``candidates``
    (a query of ids of ``queryset``'s model), with ``queryset``'s deferred fields, each annotated with how
    many candidates there are (``matching``)."""
    rows = queryset.model._base_manager.select_related(*select_related).filter(pk__in=candidates)
    rows.query.deferred_loading = queryset.query.deferred_loading
    if query is not None:
        rows = rows.order_by(relevance(query).desc(), "pk")
    return rows.annotate(matching=Window(Count("pk")))[:shown]


#: ``written_best``'s SQL and where each of its parameters comes from, by the shape of its query.
WRITTEN = {}
#: At most this many shapes are kept (a few dozen are in use: the kinds, the numbers of spellings, the tags
#: with matching terms); beyond, all are forgotten at once.
WRITTEN_SHAPES = 256


def written_best(queryset, spellings, shown, among, terms, walked):
    """``best`` on PostgreSQL for the words' ``spellings`` (``variants``) and the ids of the matching terms
    (``{tag: ids}``), run as the SQL Django wrote for the first search of the same shape.

    This replaces Django's building and compiling of the query, not its SQL.
    ``best``'s query, a union of about a dozen query sets, took Django 3 ms a
    kind of record to build and compile at every ``/search/`` with nothing
    remembered (12 of the page's 22 ms of building queries), though only its
    parameters change from one search to the next: the spellings and the ids of
    the terms. A shape (``queryset``'s own query, the number of spellings, the
    tags with matching terms, the limits) is built once with placeholders for
    those, and its SQL is run with the real ones bound (``raw()``).
    """
    model = queryset.model
    used = tuple(tag for tag, ids in terms.items() if ids)
    shape = (*queryset.query.sql_with_params(), len(spellings), used, shown, among, walked)
    if shape not in WRITTEN:
        placeholders = [f"\x00spelling {number}" for number in range(len(spellings))]
        marks = {tag: [-number] for number, tag in enumerate(used, start=1)}  # no term has a negative id
        placeholder_terms = {tag: marks.get(tag, []) for tag in terms}
        rows = ranked_matches(queryset, spellings_query(placeholders), placeholder_terms, shown, among, walked)
        sql, params = rows.query.sql_with_params()
        sources = [written_source(param, placeholders, marks) for param in params]
        if len(WRITTEN) >= WRITTEN_SHAPES:
            WRITTEN.clear()
        WRITTEN[shape] = sql, sources
    sql, sources = WRITTEN[shape]
    given = {"spellings": spellings, "terms": terms}
    return list(model._base_manager.raw(sql, [given[source][key] if source else key for source, key in sources]))


def written_source(param, placeholders, marks):
    """Where a parameter of ``written_best``'s SQL comes from: ``("spellings", index)``, ``("terms", tag)``,
    or ``(None, value)``, a value of the SQL's own."""
    if param in placeholders:
        return "spellings", placeholders.index(param)
    for tag, mark in marks.items():
        if param == mark:
            return "terms", tag
    return None, param


def newest_matches(queryset, text, limit):
    """``(ids, every)``: the ids of the newest ``limit`` records of ``queryset`` matching ``text`` (already cut
    by ``words_of``), newest first, and whether they are every match. One query on PostgreSQL: the
    ``UNION ALL`` of ``tag_matches``, each part reading its newest ``limit + 1`` ids in index order, however
    many match (the newest of the union are among the newest of its parts)."""
    model = queryset.model
    fields, tags = searched_fields(model), getattr(model, "search_tags", ())
    if connection.vendor == "postgresql":
        query = full_text_query(text)
        terms = matched_terms(model, tags, query)
        union = tag_matches(
            model, query, tags, within=queryset, limit=limit + 1, labelled=True, newest=True, terms=terms
        )
        rows = list(union)
        ids = sorted({pk for pk, _part in rows}, reverse=True)
        cut = [part for part, n in Counter(part for _pk, part in rows).items() if n > limit]
        if not cut:  # every match was read
            return ids[:limit], len(ids) <= limit
        # a part cut short is missing only records older than the oldest it read
        oldest_read = max(min(pk for pk, part in rows if part == cut_part) for cut_part in cut)
        if len(ids) > limit and ids[limit - 1] >= oldest_read:
            return ids[:limit], False
        # else a cut part read some records twice (two matching terms): rare, so the whole union decides
    exact = matching(queryset, text, fields, tags).order_by("-pk").values_list("pk", flat=True)
    ids = list(exact[: limit + 1])
    return ids[:limit], len(ids) <= limit


class AnyOf(Lookup):
    """``value = ANY(array)``: PostgreSQL reads an uncorrelated array once, where an ``IN (subquery)`` in a
    subquery run per row is read again for each."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def among(ids, field="pk"):
    """The rows whose ``field`` is one of these ids: on PostgreSQL one array parameter (``= ANY``), where a
    thousand ids as an ``IN`` list are a thousand parameters for Django to prepare and psycopg to bind (about
    2 ms a query), and a query's SQL is the same however many there are (``written_best``)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return AnyOf(F(field), Value(list(ids), output_field=ArrayField(BigIntegerField())))


def matches_each(queryset, text, tags):
    """PostgreSQL: the records of ``queryset`` matching ``text``, by a condition each record is checked by
    in turn: its document, then for each tag a probe of its links. A list sorted by an indexed field walks
    its index and stops after a page of matches, where ``matching``'s union reads every match first.

    A tag's probe is a scalar subquery, which PostgreSQL runs for the records the document did not match
    only; an ``EXISTS`` would be planned as a hash of every link of the matching terms. The probe compares
    with an array of the matching terms (``AnyOf``): as an ``IN``, the vocabulary's names would be matched
    again for every record."""
    model = queryset.model
    query = full_text_query(text)
    condition = Q(search_document=query)
    for tag in tags:
        terms = ArraySubquery(matching_terms(model, tag, query))
        links = tag_links(model, tag).filter(AnyOf(F("term"), terms), record=OuterRef("pk"))
        condition |= Q(IsNull(Subquery(links.values("record")[:1]), False))
    return queryset.filter(condition)


class SearchedList(NamedTuple):
    """A searched list (``searched_list``): its records, in the list's order; ``None``, or how many matches
    it counted where more match; ``None``, or the same records as parts to page through one after the
    other, each read in its own index order (``newest_ranked``)."""

    records: QuerySet
    more_than: int | None = None
    parts: list | None = None


def searched_list(queryset, text, ranked=True, remember=None):
    """The records of ``queryset`` (a list already filtered) matching ``text``, most relevant first where
    ``ranked`` and the database can rank, as a ``SearchedList``.

    Up to ``COUNTED_MATCHES`` matches are found first (``newest_matches``), and the
    list is those ids: counting, ranking and paging them cost what finding them did,
    however large the table. Beyond, the list says "more than" and is every match:
    sorted by a field, ``matches_each``, so that a page reads about a page's worth of
    rows of a common word; ranked, the newest ``COUNTED_MATCHES`` by relevance, then
    the others newest first (``newest_ranked``), as ranking them all would read every
    match. The ids found are remembered by ``remember(key, compute)`` where given.
    """
    text = words_of(text)
    if not text:
        return SearchedList(queryset)
    model = queryset.model
    tags = getattr(model, "search_tags", ())
    ranks_newest = ranked and connection.vendor == "postgresql"

    def compute():
        return newest_matches(queryset, text, COUNTED_MATCHES)

    if remember is None:
        ids, every = compute()
    else:
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # the other filters keep nothing
            return SearchedList(queryset.none())
        key = hashlib.sha256(repr((sql, params, text, COUNTED_MATCHES)).encode()).hexdigest()
        ids, every = remember(f"searched:{key}", compute)
    if every:
        found = queryset.filter(among(ids))
        return SearchedList(rank(found, text) if ranked else found)
    if ranks_newest:
        return newest_ranked(queryset, text, ids)
    if connection.vendor != "postgresql":
        return SearchedList(search(queryset, text), COUNTED_MATCHES)
    return SearchedList(matches_each(queryset, text, tags), COUNTED_MATCHES)


def newest_ranked(queryset, text, newest):
    """PostgreSQL: the matches of ``queryset`` of which ``newest`` are the ids of the newest
    ``COUNTED_MATCHES``: those first, by relevance, then the others newest first, in one order (the
    list's, which its CSV streams) and as the two parts it is paged through by.

    The first part is read by id and ranked; the second walks the primary key's
    index back from the newest's oldest (``matches_each``). One order over the whole
    list would be read by ranking and sorting every match; the whole list (its CSV,
    the API's pages and count) is the union of index scans of ``matching``.
    """
    model = queryset.model
    tags = getattr(model, "search_tags", ())
    oldest = min(newest)
    score = relevance(full_text_query(text))
    every = matching(queryset, text, searched_fields(model), tags).order_by(
        Case(When(pk__gte=oldest, then=score)).desc(nulls_last=True), "-pk"
    )
    first = queryset.filter(among(newest)).order_by(score.desc(), "-pk")
    rest = matches_each(queryset.filter(pk__lt=oldest), text, tags).order_by("-pk")
    return SearchedList(every, COUNTED_MATCHES, [first, rest])


def searched_fields(model):
    """The text fields of ``model``'s stored document."""
    return [name for name, *weight in model._meta.get_field("search_document").expression.fields]
