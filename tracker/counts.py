"""Counts the public pages show, kept exact by the database: each source's public citations
(``SourceCitationCount``) and how many published records of each kind carry each focus area and organisation
(``TermCount``).

Counting them per request reads every citation or record concerned (61,000
citations of a source, 20,000 initiatives of a focus area at 100,000 initiatives:
0.1–0.6 s), so the pages read counts the database keeps. Triggers move each count
by the difference a write makes, whatever makes it (ORM, ``QuerySet.update()``, raw
SQL, ``COPY``):

- a citation is public while the record it supports (a milestone's initiative) is
  published (``models.public_citation``, the source aside: only a published
  source's count is shown); a citation written, moved or deleted, a record or
  milestone inserted, deleted, published or unpublished moves its source's count
  (with the citations already pointing at it, so a record and its citations may be
  written in either order, as ``loaddata`` does);
- a record carrying a term two ways (a recommendation's main focus area and its
  others; a visit's visiting organisation and its hosts) counts once: a record
  published, unpublished, inserted, deleted or given another term by its own
  column moves the counts of the terms it carries; a link added or removed moves
  its term's count unless the record's column names the term too.

Each trigger is a list of differences (``Delta``): a query of rows of (key, ``d``)
for one written row. PostgreSQL runs them once per statement over its transition
tables, summed by key (so a bulk write moves each count once, not once a row: a
row updated thousands of times in one transaction slows every later update);
SQLite, which has only row triggers, once per row.

The tables' own versions are not kept (``data_versions.UNTRACKED``): a count moves
only with a write to citations, records or links, whose versions move with it.
"""

import typing

from .statement_triggers import planned_each_time

TABLE = "tracker_sourcecitationcount"
TERM_TABLE = "tracker_termcount"

#: record table: its column in tracker_citation
CITED = {
    "tracker_initiative": "initiative_id",
    "tracker_challenge": "challenge_id",
    "tracker_recommendation": "recommendation_id",
    "tracker_visit": "visit_id",
}
CITATION_COLUMNS = ("source_id", "initiative_id", "milestone_id", "challenge_id", "recommendation_id", "visit_id")


class Delta(typing.NamedTuple):
    """Differences to the counts of ``table``: ``query(old, new)`` selects the ``keys`` and ``d`` for one written
    row, given the names its old and new versions go by."""

    table: str
    keys: str
    value: str
    query: typing.Callable


def source_delta(query):
    return Delta(TABLE, "source_id", "public", query)


def term_delta(vocabulary, kind, terms, sign):
    """``sign`` for each term of the query ``terms(old, new)`` (a column ``t``)."""
    return Delta(
        TERM_TABLE,
        "vocabulary, kind, term_id",
        "n",
        lambda old, new: (
            f"SELECT '{vocabulary}' AS vocabulary, '{kind}' AS kind, s.t AS term_id, {sign} AS d "
            f"FROM ({terms(old, new)}) s WHERE s.t IS NOT NULL"
        ),
    )


class Trigger(typing.NamedTuple):
    name: str
    table: str
    event: str  # INSERT, DELETE or UPDATE
    columns: tuple  # of an UPDATE: the columns whose change counts
    deltas: list


def is_public(row):
    """SQL: whether the citation ``row`` supports a published record."""
    conditions = [
        f"EXISTS (SELECT 1 FROM {table} r WHERE r.id = {row}.{column} AND r.published)"
        for table, column in CITED.items()
    ]
    conditions.append(
        "EXISTS (SELECT 1 FROM tracker_milestone m JOIN tracker_initiative r ON r.id = m.initiative_id "
        f"WHERE m.id = {row}.milestone_id AND r.published)"
    )
    return f"({' OR '.join(conditions)})"


def citation(row, sign):
    return f"SELECT {row}.source_id AS source_id, CASE WHEN {is_public(row)} THEN {sign} ELSE 0 END AS d"


def citations_where(condition, sign):
    return f"SELECT c.source_id AS source_id, {sign} AS d FROM tracker_citation c WHERE {condition}"


def of_record(table, column, row):
    """The conditions on citations that support the record ``row`` of ``table``: its own, then (an initiative's)
    its milestones' (two queries, so that each reads its own index)."""
    conditions = [f"c.{column} = {row}.id"]
    if table == "tracker_initiative":
        conditions.append(f"c.milestone_id IN (SELECT m.id FROM tracker_milestone m WHERE m.initiative_id = {row}.id)")
    return conditions


def of_milestone(row):
    published = f"EXISTS (SELECT 1 FROM tracker_initiative r WHERE r.id = {row}.initiative_id AND r.published)"
    return f"c.milestone_id = {row}.id AND {published}"


def citation_triggers():
    yield Trigger("citation_insert", "tracker_citation", "INSERT", (), [
        source_delta(lambda old, new: citation(new, 1)),
    ])  # fmt: skip
    yield Trigger("citation_delete", "tracker_citation", "DELETE", (), [
        source_delta(lambda old, new: citation(old, -1)),
    ])  # fmt: skip
    yield Trigger("citation_update", "tracker_citation", "UPDATE", CITATION_COLUMNS, [
        source_delta(lambda old, new: citation(old, -1)),
        source_delta(lambda old, new: citation(new, 1)),
    ])  # fmt: skip
    for table, column in CITED.items():
        name = table.removeprefix("tracker_")
        for index in range(len(of_record(table, column, "x"))):

            def of(row, sign, index=index, table=table, column=column):
                return citations_where(of_record(table, column, row)[index], sign)

            yield Trigger(f"{name}_insert_{index}", table, "INSERT", (), [
                source_delta(lambda old, new, of=of: of(new, 1) + f" AND {new}.published"),
            ])  # fmt: skip
            yield Trigger(f"{name}_delete_{index}", table, "DELETE", (), [
                source_delta(lambda old, new, of=of: of(old, -1) + f" AND {old}.published"),
            ])  # fmt: skip
            yield Trigger(f"{name}_publish_{index}", table, "UPDATE", ("published",), [
                source_delta(lambda old, new, of=of: of(old, -1) + f" AND {old}.published"),
                source_delta(lambda old, new, of=of: of(new, 1) + f" AND {new}.published"),
            ])  # fmt: skip
    yield Trigger("milestone_insert", "tracker_milestone", "INSERT", (), [
        source_delta(lambda old, new: citations_where(of_milestone(new), 1)),
    ])  # fmt: skip
    yield Trigger("milestone_delete", "tracker_milestone", "DELETE", (), [
        source_delta(lambda old, new: citations_where(of_milestone(old), -1)),
    ])  # fmt: skip
    yield Trigger("milestone_move", "tracker_milestone", "UPDATE", ("initiative_id",), [
        source_delta(lambda old, new: citations_where(of_milestone(old), -1)),
        source_delta(lambda old, new: citations_where(of_milestone(new), 1)),
    ])  # fmt: skip


class Carrier(typing.NamedTuple):
    """A kind of record that carries a vocabulary's terms, by its own column, a link table, or both."""

    vocabulary: str  # the vocabulary's model name
    kind: str  # the record's
    table: str
    column: str | None
    link: tuple | None  # (link table, record column, term column)

    def carried(self, row):
        """SQL: the terms the record ``row`` carries, if it is published (a column ``t``)."""
        terms = [f"SELECT {row}.{self.column} AS t WHERE {row}.published"] if self.column else []
        if self.link:
            through, record_column, term_column = self.link
            terms.append(
                f"SELECT {term_column} AS t FROM {through} WHERE {record_column} = {row}.id AND {row}.published"
            )
        return " UNION ".join(terms)

    def linked(self, row):
        """SQL: the term of the link ``row``, if its record is published and its column does not name the term."""
        through, record_column, term_column = self.link
        unnamed = f" AND r.{self.column} IS DISTINCT FROM {row}.{term_column}" if self.column else ""
        record = f"SELECT 1 FROM {self.table} r WHERE r.id = {row}.{record_column} AND r.published{unnamed}"
        return f"SELECT {row}.{term_column} AS t WHERE EXISTS ({record})"

    def delta(self, terms, sign):
        return term_delta(self.vocabulary, self.kind, terms, sign)


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
    for carrier in carriers():
        name, table = f"{carrier.vocabulary}_{carrier.kind}", carrier.table
        yield Trigger(f"{name}_insert", table, "INSERT", (), [
            carrier.delta(lambda old, new, c=carrier: c.carried(new), 1),
        ])  # fmt: skip
        yield Trigger(f"{name}_delete", table, "DELETE", (), [
            carrier.delta(lambda old, new, c=carrier: c.carried(old), -1),
        ])  # fmt: skip
        yield Trigger(f"{name}_update", table, "UPDATE", ("published", *([carrier.column] if carrier.column else [])), [
            carrier.delta(lambda old, new, c=carrier: c.carried(old), -1),
            carrier.delta(lambda old, new, c=carrier: c.carried(new), 1),
        ])  # fmt: skip
        if carrier.link:
            through = carrier.link[0]
            yield Trigger(f"{name}_link", through, "INSERT", (), [
                carrier.delta(lambda old, new, c=carrier: c.linked(new), 1),
            ])  # fmt: skip
            yield Trigger(f"{name}_unlink", through, "DELETE", (), [
                carrier.delta(lambda old, new, c=carrier: c.linked(old), -1),
            ])  # fmt: skip


def all_triggers():
    yield from citation_triggers()
    yield from term_triggers()


def apply(delta, rows, old, new, condition="TRUE"):
    """SQL: add the differences ``delta`` selects for each of ``rows`` (a ``FROM`` clause), summed by key."""
    keys = ", ".join(f"delta.{key}" for key in delta.keys.split(", "))  # the written rows may have such columns
    return (
        f"INSERT INTO {delta.table} ({delta.keys}, {delta.value}) SELECT {keys}, SUM(delta.d) "
        f"FROM {rows} ({delta.query(old, new)}) delta WHERE {condition} GROUP BY {keys} HAVING SUM(delta.d) <> 0 "
        f"ON CONFLICT ({delta.keys}) DO UPDATE SET {delta.value} = {delta.table}.{delta.value} + excluded.{delta.value}"
    )


def changed(trigger, old, new):
    return " OR ".join(f"{old}.{column} IS DISTINCT FROM {new}.{column}" for column in trigger.columns)


def postgresql_statements(trigger):
    """``CREATE FUNCTION`` and ``CREATE TRIGGER``: once per statement, over its transition tables."""
    rows = {
        "INSERT": ("REFERENCING NEW TABLE AS new_rows", "new_rows n CROSS JOIN LATERAL"),
        "DELETE": ("REFERENCING OLD TABLE AS old_rows", "old_rows o CROSS JOIN LATERAL"),
        "UPDATE": (
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "old_rows o JOIN new_rows n ON n.id = o.id CROSS JOIN LATERAL",
        ),
    }
    referencing, source = rows[trigger.event]
    condition = changed(trigger, "o", "n") if trigger.columns else "TRUE"
    body = "".join(f"{planned_each_time(apply(delta, source, 'o', 'n', condition))};\n" for delta in trigger.deltas)
    function = f"tracker_count_{trigger.name}"
    return [
        # without JIT: compiling the look-ups of a big statement takes longer than running them
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$\n"
        f"BEGIN\n{body}RETURN NULL;\nEND $$",
        f'CREATE TRIGGER {function} AFTER {trigger.event} ON "{trigger.table}" {referencing} '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        # also under session_replication_role = replica, which the bulk loader (tracker.synthetic) sets
        f'ALTER TABLE "{trigger.table}" ENABLE ALWAYS TRIGGER {function}',
    ]


def sqlite_statement(trigger):
    """``CREATE TRIGGER``: once per row."""
    event = f"UPDATE OF {', '.join(trigger.columns)}" if trigger.columns else trigger.event
    when = f"WHEN {changed(trigger, 'OLD', 'NEW')}" if trigger.columns else ""
    body = "".join(f"{apply(delta, '', 'OLD', 'NEW')};\n" for delta in trigger.deltas)
    return f'CREATE TRIGGER tracker_count_{trigger.name} AFTER {event} ON "{trigger.table}" {when} BEGIN\n{body}END'


def install(connection):
    """(Again) every trigger, then every count from the data as it is."""
    uninstall(connection)
    with connection.cursor() as cursor:
        for trigger in all_triggers():
            if connection.vendor == "postgresql":
                for statement in postgresql_statements(trigger):
                    cursor.execute(statement)
            else:
                cursor.execute(sqlite_statement(trigger))
        fill(cursor)


def replace_functions(connection):
    """The triggers' functions as this module writes them now (PostgreSQL), the triggers and counts kept."""
    with connection.cursor() as cursor:
        for trigger in all_triggers():
            cursor.execute(postgresql_statements(trigger)[0])


def uninstall(connection):
    with connection.cursor() as cursor:
        for trigger in all_triggers():
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS tracker_count_{trigger.name} ON "{trigger.table}"')
                cursor.execute(f"DROP FUNCTION IF EXISTS tracker_count_{trigger.name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS tracker_count_{trigger.name}")


def fill(cursor):
    """Every count from the data as it is."""
    cursor.execute(f"DELETE FROM {TABLE}")
    cursor.execute(
        f"INSERT INTO {TABLE} (source_id, public) SELECT source_id, COUNT(*) FROM tracker_citation c0 "
        f"WHERE {is_public('c0')} GROUP BY source_id"
    )
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


def install_after_migrate(sender, app_config=None, using="default", **kwargs):
    """After every ``migrate`` on SQLite, which drops a table's triggers when it rebuilds the table."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            if TERM_TABLE not in connection.introspection.table_names(cursor):
                return
        install(connection)
