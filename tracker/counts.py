"""How many public citations each source has, kept exact by the database (``SourceCitationCount``).

Counting a source's public citations reads every one of them with the records
they support (61,000 of them a source at 100,000 initiatives: 0.4–0.6 s), so the
sources' pages read a count the database keeps instead. A citation is public
while the record it supports (a milestone's initiative) is published
(``models.public_citation``, the source aside: only a published source's count is
shown). Row triggers move the count by the difference each write makes: a
citation written, moved or deleted; a record or milestone inserted, deleted,
published or unpublished (with the citations already pointing at it, so a record
and its citations may be written in either order, as ``loaddata`` does). They
fire on every path (ORM, ``QuerySet.update()``, raw SQL, ``COPY``), on
PostgreSQL and on SQLite alike.

The table's own version is not kept (``data_versions.UNTRACKED``): a count
moves only with a write to citations or records, whose versions move with it.
"""

import typing

TABLE = "tracker_sourcecitationcount"

#: record table: its column in tracker_citation
CITED = {
    "tracker_initiative": "initiative_id",
    "tracker_challenge": "challenge_id",
    "tracker_recommendation": "recommendation_id",
    "tracker_visit": "visit_id",
}


def is_public(row):
    """SQL: whether the citation ``row`` (``NEW``/``OLD``) supports a published record."""
    conditions = [
        f"EXISTS (SELECT 1 FROM {table} r WHERE r.id = {row}.{column} AND r.published)"
        for table, column in CITED.items()
    ]
    conditions.append(
        "EXISTS (SELECT 1 FROM tracker_milestone m JOIN tracker_initiative r ON r.id = m.initiative_id "
        f"WHERE m.id = {row}.milestone_id AND r.published)"
    )
    return f"({' OR '.join(conditions)})"


def add(source, delta):
    """SQL: add ``delta`` (an integer expression) to the count of ``source``."""
    return (
        f"INSERT INTO {TABLE} (source_id, public) SELECT {source}, {delta} WHERE {delta} <> 0 "
        f"ON CONFLICT (source_id) DO UPDATE SET public = {TABLE}.public + excluded.public"
    )


def add_citations(condition, sign):
    """SQL: add ``sign`` × the citations matching ``condition`` to their sources' counts."""
    return (
        f"INSERT INTO {TABLE} (source_id, public) SELECT c.source_id, {sign} * COUNT(*) FROM tracker_citation c "
        f"WHERE {condition} GROUP BY c.source_id "
        f"ON CONFLICT (source_id) DO UPDATE SET public = {TABLE}.public + excluded.public"
    )


def of_record(table, column, row):
    """The condition on citations that support the record ``row`` of ``table`` (an initiative's milestones too)."""
    condition = f"c.{column} = {row}.id"
    if table == "tracker_initiative":
        condition += f" OR c.milestone_id IN (SELECT m.id FROM tracker_milestone m WHERE m.initiative_id = {row}.id)"
    return f"({condition})"


def of_milestone(row):
    published = f"EXISTS (SELECT 1 FROM tracker_initiative r WHERE r.id = {row}.initiative_id AND r.published)"
    return f"c.milestone_id = {row}.id AND {published}"


CITATION_COLUMNS = "source_id, initiative_id, milestone_id, challenge_id, recommendation_id, visit_id"


def triggers():
    """``(name, table, event, condition or None, [statement, …])`` of every trigger (row level)."""
    public = "CASE WHEN {} THEN {} ELSE 0 END"
    yield (
        "citation_insert",
        "tracker_citation",
        "INSERT",
        None,
        [add("NEW.source_id", public.format(is_public("NEW"), 1))],
    )
    yield (
        "citation_delete",
        "tracker_citation",
        "DELETE",
        None,
        [add("OLD.source_id", public.format(is_public("OLD"), -1))],
    )
    yield ("citation_update", "tracker_citation", f"UPDATE OF {CITATION_COLUMNS}", None, [
        add("OLD.source_id", public.format(is_public("OLD"), -1)),
        add("NEW.source_id", public.format(is_public("NEW"), 1)),
    ])  # fmt: skip
    for table, column in CITED.items():
        name = table.removeprefix("tracker_")
        yield (f"{name}_insert", table, "INSERT", "NEW.published", [add_citations(of_record(table, column, "NEW"), 1)])
        yield (f"{name}_delete", table, "DELETE", "OLD.published", [add_citations(of_record(table, column, "OLD"), -1)])
        yield (f"{name}_publish", table, "UPDATE OF published", "OLD.published <> NEW.published", [
            add_citations(of_record(table, column, "NEW"), "(CASE WHEN NEW.published THEN 1 ELSE -1 END)"),
        ])  # fmt: skip
    yield ("milestone_insert", "tracker_milestone", "INSERT", None, [add_citations(of_milestone("NEW"), 1)])
    yield ("milestone_delete", "tracker_milestone", "DELETE", None, [add_citations(of_milestone("OLD"), -1)])
    yield ("milestone_move", "tracker_milestone", "UPDATE OF initiative_id", None, [
        add_citations(of_milestone("OLD"), -1),
        add_citations(of_milestone("NEW"), 1),
    ])  # fmt: skip


def all_triggers():
    yield from triggers()
    yield from term_triggers()


def install(connection):
    """(Again) every trigger, then every count from the data as it is."""
    uninstall(connection)
    with connection.cursor() as cursor:
        for name, table, event, condition, statements in all_triggers():
            when = f"WHEN ({condition})" if condition else ""
            body = "".join(f"{statement};\n" for statement in statements)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE FUNCTION tracker_count_{name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    f"BEGIN\n{body}RETURN NULL;\nEND $$"
                )
                cursor.execute(
                    f'CREATE TRIGGER tracker_count_{name} AFTER {event} ON "{table}" FOR EACH ROW {when} '
                    f"EXECUTE FUNCTION tracker_count_{name}()"
                )
            else:
                cursor.execute(
                    f'CREATE TRIGGER tracker_count_{name} AFTER {event} ON "{table}" {when} BEGIN\n{body}END'
                )
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (source_id, public) SELECT source_id, COUNT(*) FROM tracker_citation c0 "
            f"WHERE {is_public('c0')} GROUP BY source_id"
        )
        fill_terms(cursor)


def uninstall(connection):
    with connection.cursor() as cursor:
        for name, table, _event, _condition, _statements in all_triggers():
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS tracker_count_{name} ON "{table}"')
                cursor.execute(f"DROP FUNCTION IF EXISTS tracker_count_{name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS tracker_count_{name}")


def install_after_migrate(sender, app_config=None, using="default", **kwargs):
    """After every ``migrate`` on SQLite, which drops a table's triggers when it rebuilds the table."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            if TERM_TABLE not in connection.introspection.table_names(cursor):
                return
        install(connection)


# How many published records of each kind carry each focus area and organisation (``TermCount``), as the
# vocabularies' pages show: a record carrying a term by two relations (a recommendation's main focus area and
# its others; a visit's visiting organisation and its hosts) counts once. Each row trigger moves the counts of
# the terms one record carries by what the write changes: a record published, unpublished, inserted, deleted
# or given another term by its own column; a link between a record and a term added or removed (counting only
# if the record's column does not name the term already).

TERM_TABLE = "tracker_termcount"


class Carrier(typing.NamedTuple):
    """A kind of record that carries a vocabulary's terms, by its own column, a link table, or both."""

    vocabulary: str  # the vocabulary's model name
    kind: str  # the record's
    table: str
    column: str | None
    link: tuple | None  # (link table, record column, term column)

    def carried(self, row):
        """SQL: the terms the record ``row`` carries (a column ``t``)."""
        terms = [f"SELECT {row}.{self.column} AS t"] if self.column else []
        if self.link:
            through, record_column, term_column = self.link
            terms.append(f"SELECT {term_column} AS t FROM {through} WHERE {record_column} = {row}.id")
        return " UNION ".join(terms)

    def linked(self, row):
        """SQL: the term of the link ``row``, if its record is published and its column does not name the term."""
        through, record_column, term_column = self.link
        unnamed = f" AND r.{self.column} IS DISTINCT FROM {row}.{term_column}" if self.column else ""
        record = f"SELECT 1 FROM {self.table} r WHERE r.id = {row}.{record_column} AND r.published{unnamed}"
        return f"SELECT {row}.{term_column} AS t WHERE EXISTS ({record})"

    def add(self, terms, sign):
        """SQL: add ``sign`` to the count of each term of the query ``terms``."""
        return (
            f"INSERT INTO {TERM_TABLE} (vocabulary, kind, term_id, n) "
            f"SELECT '{self.vocabulary}', '{self.kind}', s.t, {sign} FROM ({terms}) s WHERE s.t IS NOT NULL "
            f"ON CONFLICT (vocabulary, kind, term_id) DO UPDATE SET n = {TERM_TABLE}.n + excluded.n"
        )


def carriers():
    """Every ``Carrier``, from the vocabularies' pages' ``views.CARRIERS``."""
    from .views import CARRIERS

    for vocabulary, kinds in CARRIERS.items():
        for model, relations, _list_filter in kinds:
            column = link = None
            for relation in relations:
                field = model._meta.get_field(relation)
                if field.many_to_many:
                    link = (
                        field.remote_field.through._meta.db_table,
                        field.m2m_column_name(),
                        field.m2m_reverse_name(),
                    )
                else:
                    column = field.column
            yield Carrier(vocabulary._meta.model_name, model._meta.model_name, model._meta.db_table, column, link)


def term_triggers():
    """``(name, table, event, condition or None, [statement, …])`` of every trigger of the terms' counts."""
    for carrier in carriers():
        name, table, column = f"{carrier.vocabulary}_{carrier.kind}", carrier.table, carrier.column
        changed = "OLD.published <> NEW.published" + (
            f" OR OLD.{column} IS DISTINCT FROM NEW.{column}" if column else ""
        )
        yield (f"{name}_insert", table, "INSERT", "NEW.published", [carrier.add(carrier.carried("NEW"), 1)])
        yield (f"{name}_delete", table, "DELETE", "OLD.published", [carrier.add(carrier.carried("OLD"), -1)])
        yield (f"{name}_update", table, f"UPDATE OF published{f', {column}' if column else ''}", changed, [
            carrier.add(f"SELECT t FROM ({carrier.carried('OLD')}) o WHERE OLD.published", -1),
            carrier.add(f"SELECT t FROM ({carrier.carried('NEW')}) n WHERE NEW.published", 1),
        ])  # fmt: skip
        if carrier.link:
            through = carrier.link[0]
            yield (f"{name}_link", through, "INSERT", None, [carrier.add(carrier.linked("NEW"), 1)])
            yield (f"{name}_unlink", through, "DELETE", None, [carrier.add(carrier.linked("OLD"), -1)])


def fill_terms(cursor):
    """Every term's counts from the records as they are."""
    cursor.execute(f"DELETE FROM {TERM_TABLE}")
    for carrier in carriers():
        pairs = (
            [f"SELECT id AS r, {carrier.column} AS t FROM {carrier.table} WHERE published"] if carrier.column else []
        )
        if carrier.link:
            through, record_column, term_column = carrier.link
            pairs.append(
                f"SELECT l.{record_column} AS r, l.{term_column} AS t FROM {through} l "
                f"JOIN {carrier.table} x ON x.id = l.{record_column} WHERE x.published"
            )
        cursor.execute(
            f"INSERT INTO {TERM_TABLE} (vocabulary, kind, term_id, n) "
            f"SELECT '{carrier.vocabulary}', '{carrier.kind}', s.t, COUNT(*) FROM ({' UNION '.join(pairs)}) s "
            "WHERE s.t IS NOT NULL GROUP BY s.t"
        )
