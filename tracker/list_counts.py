"""The database keeps how many published records each list shows, by the filters most lists use.

``tracker_list_count`` holds one row per kind of record, status, variety (an
initiative's or a visit's kind, a challenge's category) and term of a relation (a
focus area, an organisation; relation ``''``, term 0: any), with how many
published records have them. Triggers move it on every write to the records and
to their links, whatever makes it: the ORM, ``update()``,
``COPY``, raw SQL, ``TRUNCATE``. So a list filtered by status, kind and one focus
area (or organisation) is counted by summing a few rows, in the same time at a million records as
at a hundred, and exactly: the count is written in the writer's transaction.
Other filters
(a search, dates, two focus areas, which overlap) are counted by
``COUNT(*)`` (``CachedCountPaginator``).

PostgreSQL runs one trigger per statement, reading its transition tables, and
always (``ENABLE ALWAYS``: also under ``session_replication_role = replica``, as
the bulk loader sets it); SQLite runs row-level triggers. A link written before its
record (deferred foreign keys), or a record deleted before its links, is counted
by whichever of the two comes second, which finds the other.
"""

from dataclasses import dataclass, field

from django.db import connection as default_connection
from django.db import transaction

from . import dates, summaries
from .models import DeadlineQuerySet
from .statement_triggers import planned_each_time

TABLE = "tracker_list_count"


@dataclass(frozen=True)
class Link:
    """A to-many relation whose terms the counts are kept by: the filter's name, the relation's."""

    filter: str
    relation: str  # the record's many-to-many field
    term: str  # the link table's column of the term

    def table(self, model):
        return f"tracker_{model}_{self.relation}"


@dataclass(frozen=True)
class Counted:
    model: str  # the model's name
    status: str | None  # column of the status (``None``: no status)
    variety: str | None  # column counted as the list's kind or category
    filters: dict  # filter name of a column → "status" or "variety"
    links: tuple = field(default=())

    @property
    def table(self):
        return f"tracker_{self.model}"

    def status_of(self, row):
        return f"{row}.{self.status}" if self.status else "''"

    def variety_of(self, row):
        return f"{row}.{self.variety}" if self.variety else "''"

    def link(self, relation):
        return next(link for link in self.links if link.relation == relation)


FOCUS_AREAS = Link("focus_area", "focus_areas", "focusarea_id")
COUNTED = {
    "initiative": Counted(
        "initiative",
        "status",
        "kind",
        {"status": "status", "kind": "variety"},
        (FOCUS_AREAS, Link("organisation", "organisations", "organisation_id")),
    ),
    "challenge": Counted(
        "challenge", "status", "category", {"status": "status", "category": "variety"}, (FOCUS_AREAS,)
    ),
    # a recommendation's focus-area filter also matches its main focus area, a column: not counted here
    "recommendation": Counted("recommendation", "status", None, {"status": "status"}),
    # a visit's organisation filter also matches the visiting one, a column: not counted here
    "visit": Counted("visit", None, "kind", {"kind": "variety"}, (FOCUS_AREAS,)),
}

UPSERT = "ON CONFLICT (model, status, variety, relation, term_id) DO UPDATE SET n = {table}.n + excluded.n"
COLUMNS = "(model, status, variety, relation, term_id, n)"


def count(model, filterset):
    """How many published records of ``model`` the list filtered by ``filterset`` shows, from the
    counts the database keeps, or ``None`` where it keeps none for these filters (a search, a date,
    two terms of a relation or terms of two, whose records overlap). A deadline filter (``overdue``),
    alone or with statuses, is counted from the tally of planned ends (``summaries``, PostgreSQL)."""
    counted = COUNTED.get(model._meta.model_name)
    if counted is None:
        return None
    conditions, params = ["model = %s"], [counted.model]
    relation, term = "", 0
    deadline, statuses, by_variety = None, None, False
    links = {link.filter: link for link in counted.links}
    if filterset is not None and filterset.is_bound:
        if not filterset.is_valid():
            return None
        for name, value in filterset.form.cleaned_data.items():
            if (
                name == "sort"
                or value in (None, "", [], ())
                or getattr(value, "query", None)
                and value.query.is_empty()
            ):
                continue
            if name == "overdue":
                deadline = value
            elif name in links:
                ids = (
                    list(value.values_list("pk", flat=True)) if hasattr(value, "values_list") else [t.pk for t in value]
                )
                if relation or len(ids) > 1:
                    return None
                if ids:
                    relation, term = links[name].relation, ids[0]
            elif name in counted.filters:
                conditions.append(f"{counted.filters[name]} IN ({', '.join(['%s'] * len(value))})")
                params += list(value)
                if counted.filters[name] == "status":
                    statuses = list(value)
                else:
                    by_variety = True
            else:
                return None
    if deadline and (relation or by_variety or not summaries.kept()):
        return None  # the tally of planned ends is by status only
    if deadline in ("yes", "soon"):
        return deadline_counts(model, statuses, dates.today())[deadline]
    conditions.append("relation = %s AND term_id = %s")
    params += [relation, term]
    with default_connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(n), 0) FROM {TABLE} WHERE {' AND '.join(conditions)}", params)
        total = int(cursor.fetchone()[0])
    return total - deadline_counts(model, statuses, dates.today())["yes"] if deadline == "no" else total


def by_status(model):
    """``{status: how many published records of model}``, from the few rows of its kept counts by status and
    variety."""
    with default_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, SUM(n) FROM {TABLE} WHERE model = %s AND relation = '' AND term_id = 0 "
            "GROUP BY status HAVING SUM(n) <> 0",
            [COUNTED[model._meta.model_name].model],
        )
        return {status: int(n) for status, n in cursor.fetchall()}


def deadline_counts(model, statuses, today):
    """``{"yes": overdue, "soon": due soon}``: how many published records of ``model`` (in ``statuses``, unless
    ``None``) are overdue or due soon on ``today`` (``DeadlineQuerySet``), from the tally of planned ends
    (PostgreSQL)."""
    open_statuses = [status for status in model.OPEN_STATUSES if statuses is None or status in statuses]
    overdue, due_soon = summaries.deadlines(
        model._meta.model_name, open_statuses, today, DeadlineQuerySet.horizon(today)
    )
    return {"yes": overdue, "soon": due_soon}


def counted_rows(counted, records, sign="1", link=None, links=None, lateral=False):
    """``SELECT status, variety, relation, term, n`` of ``records`` (their rows and their links), or
    of ``links`` (rows of ``link``'s table) joined to the records they link (``records``, the table).

    ``lateral`` (PostgreSQL, in a trigger) looks each row's partners up by index, where the planner,
    which cannot tell how few rows a transition table holds, would hash the whole other table."""
    status, variety = counted.status_of("r"), counted.variety_of("r")
    if link is not None:
        other = f"(SELECT * FROM {records} WHERE id = l.{counted.model}_id)" if lateral else records
        join = f"CROSS JOIN LATERAL {other} r" if lateral else f"JOIN {records} r ON r.id = l.{counted.model}_id"
        return (
            f"SELECT {status} AS s, {variety} AS v, '{link.relation}' AS rel, l.{link.term} AS t, {sign} AS n "
            f"FROM {links} l {join} WHERE r.published"
        )
    selects = [
        f"SELECT {status} AS s, {variety} AS v, '' AS rel, 0 AS t, {sign} AS n FROM {records} r WHERE r.published"
    ]
    for each in counted.links:
        table, key = each.table(counted.model), f"{counted.model}_id"
        join = (
            f"CROSS JOIN LATERAL (SELECT {each.term} FROM {table} WHERE {key} = r.id) l"
            if lateral
            else f"JOIN {table} l ON l.{key} = r.id"
        )
        selects.append(
            f"SELECT {status}, {variety}, '{each.relation}', l.{each.term}, {sign} FROM {records} r {join} "
            "WHERE r.published"
        )
    return " UNION ALL ".join(selects)


def postgresql_add(counted, selects):
    """One statement adding the ``selects``' counts (their union) to the table, in key order, planned for
    the statement's rows each time (``planned_each_time``)."""
    return planned_each_time(
        f"INSERT INTO {TABLE} {COLUMNS} "
        f"SELECT '{counted.model}', s, v, rel, t, SUM(n) FROM ({' UNION ALL '.join(selects)}) d "
        f"GROUP BY s, v, rel, t HAVING SUM(n) <> 0 ORDER BY s, v, rel, t {UPSERT.format(table=TABLE)}"
    )


def function_name(counted, link):
    return f"tracker_list_count_{counted.model}" + (f"_{link.relation}" if link else "")


def postgresql_function(counted, link):
    """The trigger function of a record table (``link=None``) or of its ``link``'s table."""

    def rows(source, sign):
        if link:
            return counted_rows(counted, counted.table, sign, link, source, lateral=True)
        return counted_rows(counted, source, sign, lateral=True)

    truncated = f"relation = '{link.relation}'" if link else "TRUE"
    return f"""
CREATE OR REPLACE FUNCTION {function_name(counted, link)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE} WHERE model = '{counted.model}' AND {truncated};
    ELSIF TG_OP = 'INSERT' THEN
        {postgresql_add(counted, [rows("new_rows", "1")])};
    ELSIF TG_OP = 'DELETE' THEN
        {postgresql_add(counted, [rows("old_rows", "-1")])};
    ELSE
        {postgresql_add(counted, [rows("old_rows", "-1"), rows("new_rows", "1")])};
    END IF;
    RETURN NULL;
END $$
"""


def sqlite_triggers(counted, link):
    """``{trigger name: CREATE TRIGGER …}`` of a record table (``link=None``) or of its ``link``'s table."""
    upsert = UPSERT.format(table=TABLE)
    insert = f"INSERT INTO {TABLE} {COLUMNS}"
    model = counted.model
    if link:
        table = link.table(model)

        def statements(row, sign):
            return (
                f"{insert} SELECT '{model}', {counted.status_of('r')}, {counted.variety_of('r')}, '{link.relation}', "
                f"{row}.{link.term}, {sign} FROM {counted.table} r WHERE r.id = {row}.{model}_id AND r.published "
                f"{upsert};"
            )

        condition = {"insert": "", "delete": "", "update": ""}
    else:
        table = counted.table

        def statements(row, sign):
            status, variety = counted.status_of(row), counted.variety_of(row)
            body = f"{insert} SELECT '{model}', {status}, {variety}, '', 0, {sign} WHERE {row}.published {upsert};"
            for each in counted.links:
                body += (
                    f" {insert} SELECT '{model}', {status}, {variety}, '{each.relation}', {each.term}, {sign} "
                    f"FROM {each.table(model)} WHERE {model}_id = {row}.id AND {row}.published {upsert};"
                )
            return body

        changed = " OR ".join(
            f"OLD.{column} IS NOT NEW.{column}"
            for column in ("id", "published", counted.status, counted.variety)
            if column
        )
        condition = {"insert": "WHEN NEW.published", "delete": "WHEN OLD.published", "update": f"WHEN {changed}"}
    bodies = {
        "insert": statements("NEW", 1),
        "delete": statements("OLD", -1),
        "update": statements("OLD", -1) + " " + statements("NEW", 1),
    }
    return {
        f"{TABLE}_{table}_{operation}": (
            f'CREATE TRIGGER "{TABLE}_{table}_{operation}" AFTER {operation.upper()} ON "{table}" '
            f"{condition[operation]} BEGIN {body} END"
        )
        for operation, body in bodies.items()
    }


def sources(counted):
    """``[(table, link)]``: the tables whose writes move the counts of ``counted`` (``link=None``: its own)."""
    return [(counted.table, None)] + [(link.table(counted.model), link) for link in counted.links]


def install(connection):
    """Create the table if need be, (re)create every trigger, and count afresh."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (model varchar(20) NOT NULL, status varchar(20) NOT NULL, "
            "variety varchar(20) NOT NULL, relation varchar(30) NOT NULL, term_id integer NOT NULL, "
            "n bigint NOT NULL, PRIMARY KEY (model, status, variety, relation, term_id))"
        )
        for counted in COUNTED.values():
            for table, link in sources(counted):
                if connection.vendor == "postgresql":
                    name = function_name(counted, link)
                    cursor.execute(postgresql_function(counted, link))
                    for operation in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                        trigger = f"{TABLE}_{operation.lower()}"
                        cursor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"')
                        referencing = {
                            "INSERT": "REFERENCING NEW TABLE AS new_rows",
                            "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                            "DELETE": "REFERENCING OLD TABLE AS old_rows",
                            "TRUNCATE": "",
                        }[operation]
                        cursor.execute(
                            f'CREATE TRIGGER {trigger} AFTER {operation} ON "{table}" {referencing} '
                            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                        )
                        cursor.execute(f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER {trigger}')
                else:
                    for name, trigger in sqlite_triggers(counted, link).items():
                        cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                        cursor.execute(trigger)
        recount(connection)


def replace_functions(connection):
    """The triggers' functions as this module writes them now (PostgreSQL), the triggers and counts kept."""
    with connection.cursor() as cursor:
        for counted in COUNTED.values():
            for _table, link in sources(counted):
                cursor.execute(postgresql_function(counted, link))


def recount(connection):
    """Count every list afresh (after installing; the triggers keep the counts from then on)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        for counted in COUNTED.values():
            cursor.execute(
                f"INSERT INTO {TABLE} {COLUMNS} SELECT '{counted.model}', s, v, rel, t, SUM(n) "
                f"FROM ({counted_rows(counted, counted.table)}) d GROUP BY s, v, rel, t"
            )


def uninstall(connection):
    with connection.cursor() as cursor:
        for counted in COUNTED.values():
            for table, link in sources(counted):
                if connection.vendor == "postgresql":
                    for operation in ("insert", "update", "delete", "truncate"):
                        cursor.execute(f'DROP TRIGGER IF EXISTS {TABLE}_{operation} ON "{table}"')
                    cursor.execute(f"DROP FUNCTION IF EXISTS {function_name(counted, link)}()")
                else:
                    for name in sqlite_triggers(counted, link):
                        cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def install_after_migrate(sender, app_config=None, using="default", **kwargs):
    """After every ``migrate`` on SQLite, which drops a table's triggers when a migration rebuilds it:
    the triggers again, and the counts afresh. (On PostgreSQL, migration 0016 installed them once.)"""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        install(connection)
