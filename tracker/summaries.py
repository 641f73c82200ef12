"""What the database keeps up to date so the public pages' first requests read only what they show.

Worked out per request, ``/changes/`` read every history table, the home page every status update and
``?sort=-updated`` every record's latest update: seconds each at 100,000 initiatives. On PostgreSQL,
triggers keep instead, in the writer's own transaction and whatever writes (the ORM,
``QuerySet.update()``, raw SQL, ``COPY``; the triggers fire ``ALWAYS``, so also in a bulk load that skips
the others with ``session_replication_role = replica``, as ``tracker.synthetic`` does):

- ``tracker_change``: one row per public change of ``/changes/`` (``tracker.changes`` says which), and
  ``tracker_change_count``, how many there are of each kind of record;
- ``latest_update`` of each initiative, challenge and recommendation: the date of its latest publicly
  supported status update, to sort by (a ``BEFORE`` trigger sets it on every write of the row, so a
  save carrying a stale value cannot keep it);
- ``tracker_update_quarter``: each published record's status at the end of every quarter in which one
  of its publicly supported updates is dated, with the status it had before; ``tracker_status_quarter``
  the net change those make to each quarter's count of each status, which the home page's chart sums
  (``charts.columns_from_changes``);
- ``tracker_record_tally``: how many published records stand in each status with each planned end
  (``ends``, the day after the deadline's whole period), for the home page's counts, overdue and due soon;
  and how many published visits and milestones of published initiatives the timeline shows.

Each statement's trigger rebuilds these for the records it touched, as one set (``tracker_refresh_*``);
a ``TRUNCATE`` rebuilds them all. SQLite has no statement triggers with transition tables: there the
pages compute the same answers from the records, which the PostgreSQL tests compare with.
"""

import contextlib

from django.db import connection as default_connection

from .dates import Precision
from .models import SYNC_REASON, Challenge, Initiative, Recommendation, StatusUpdate, Visit
from .statement_triggers import planned_each_time

RECORDS = {model._meta.model_name: model for model in (Initiative, Challenge, Recommendation, Visit)}
UPDATED = [name for name in RECORDS if name in StatusUpdate.UPDATED_FIELDS]
TALLIED = list(RECORDS)  # visits with no status (``''``), and milestones of published initiatives below
MILESTONE = "milestone"
UPDATE_KIND = "statusupdate"

TABLES = """
CREATE TABLE IF NOT EXISTS tracker_change (
    change_kind text NOT NULL, history_id integer NOT NULL, history_date timestamptz NOT NULL,
    record_kind text NOT NULL, record_id bigint NOT NULL, PRIMARY KEY (change_kind, history_id));
CREATE INDEX IF NOT EXISTS tracker_change_order ON tracker_change (history_date DESC, history_id DESC);
CREATE INDEX IF NOT EXISTS tracker_change_kind_order ON tracker_change (record_kind, history_date DESC, history_id DESC);
CREATE INDEX IF NOT EXISTS tracker_change_record ON tracker_change (record_kind, record_id);
CREATE TABLE IF NOT EXISTS tracker_change_count (record_kind text PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE IF NOT EXISTS tracker_update_quarter (
    record_kind text NOT NULL, record_id bigint NOT NULL, quarter date NOT NULL, status text NOT NULL,
    previous text);
CREATE INDEX IF NOT EXISTS tracker_update_quarter_record ON tracker_update_quarter (record_kind, record_id);
CREATE TABLE IF NOT EXISTS tracker_status_quarter (
    record_kind text NOT NULL, quarter date NOT NULL, status text NOT NULL, n bigint NOT NULL,
    PRIMARY KEY (record_kind, quarter, status));
CREATE TABLE IF NOT EXISTS tracker_record_tally (
    record_kind text NOT NULL, status text NOT NULL, ends date, n bigint NOT NULL,
    CONSTRAINT tracker_record_tally_key UNIQUE NULLS NOT DISTINCT (record_kind, status, ends) INCLUDE (n));
"""  # ``n`` in the key's index: the deadline sums read the index alone (a day's row each, 18,000 at 1,000,000)
SUMMARY_TABLES = ["tracker_change", "tracker_change_count", "tracker_update_quarter", "tracker_status_quarter",
                  "tracker_record_tally"]  # fmt: skip

MEMBERS = "IN (SELECT unnest(ids))"
SUPPORTED = (
    "EXISTS (SELECT 1 FROM tracker_citation c JOIN tracker_source s ON s.id = c.source_id "
    "WHERE c.status_update_id = u.id AND s.published)"
)  # ``models.publicly_supported``
PERIODS = {Precision.YEAR: "1 year", Precision.QUARTER: "3 months", Precision.MONTH: "1 month", Precision.DAY: "1 day"}
BULK_LOADING = "current_setting('tracker.bulk_load', true) = 'on'"  # ``bulk_load``, which rebuilds after
OPERATIONS = {"INSERT": ["new_rows"], "UPDATE": ["new_rows", "old_rows"], "DELETE": ["old_rows"]}
REFERENCING = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def kept(connection=None):
    """Whether the database keeps the summaries (PostgreSQL), or the pages compute them (SQLite)."""
    return (connection or default_connection).vendor == "postgresql"


def table(name):
    return RECORDS[name]._meta.db_table


def history_table(name):
    return RECORDS[name].history.model._meta.db_table


def ends(row, name):
    """The first day after the whole period of ``row``'s planned end (``NULL`` without one): a record is
    overdue from that day on (``dates.ended_before``)."""
    model = RECORDS[name]
    if not hasattr(model, "DEADLINE"):
        return "NULL::date"
    date, precision = model.DEADLINE
    units = " ".join(f"WHEN '{value}' THEN '{value}'" for value in PERIODS)
    periods = " ".join(f"WHEN '{value}' THEN interval '{period}'" for value, period in PERIODS.items())
    return (
        f"(date_trunc(CASE {row}.{precision} {units} END, {row}.{date}::timestamp) "
        f"+ CASE {row}.{precision} {periods} END)::date"
    )


def status_of(row, name):
    return f"{row}.status" if name in UPDATED else "''"


def by_operation(body):
    """A trigger's statements for each operation, ``body(transition tables)``."""
    branches = [
        f"{'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN\n{body(t)}" for i, (op, t) in enumerate(OPERATIONS.items())
    ]
    return "\n".join(branches) + "\nEND IF;"


def calls(function, *arguments):
    """A trigger's call of ``function`` with ``arguments`` (SQL over the statement's transition tables)."""
    call = f"SELECT {function}({', '.join(arguments)})"
    return f"{planned_each_time(call)};"


def ids_in(tables, column, where="TRUE"):
    parts = [f"SELECT {column} FROM {name} WHERE {column} IS NOT NULL AND {where}" for name in tables]
    return f"ARRAY({' UNION '.join(parts)})"


def shown_columns(name):
    from .changes import shown_fields

    return [field.column for field in shown_fields(RECORDS[name])]


def change_functions(name):
    """``tracker_refresh_changes_<kind>(record ids)``: the records' versions that are public changes."""
    history, records = history_table(name), table(name)
    same = " AND ".join(f"p.{column} IS NOT DISTINCT FROM h.{column}" for column in shown_columns(name))
    return f"""
CREATE OR REPLACE FUNCTION tracker_refresh_changes_{name}(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$  -- planned for these ids: one or 100,000
DECLARE
    gone bigint;
    fresh bigint;
BEGIN
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    DELETE FROM tracker_change WHERE change_kind = '{name}' AND record_id {MEMBERS};
    GET DIAGNOSTICS gone = ROW_COUNT;
    INSERT INTO tracker_change (change_kind, history_id, history_date, record_kind, record_id)
    SELECT '{name}', h.history_id, h.history_date, '{name}', h.id
    FROM {history} h JOIN {records} r ON r.id = h.id AND r.published
    WHERE h.id {MEMBERS} AND h.published AND h.history_change_reason IS DISTINCT FROM '{SYNC_REASON}'
      AND NOT EXISTS (
        SELECT 1 FROM {history} p
        WHERE p.history_id = (
            SELECT q.history_id FROM {history} q WHERE q.id = h.id AND q.history_date < h.history_date
            ORDER BY q.history_date DESC, q.history_id DESC LIMIT 1)
          AND p.published AND {same});
    GET DIAGNOSTICS fresh = ROW_COUNT;
    PERFORM tracker_count_changes('{name}', fresh - gone);
END $$;
"""


def update_functions(name):
    """``tracker_refresh_updates_<kind>(record ids)``: what the records' status updates make: their
    ``latest_update``, the changes of their public updates, their quarterly standing."""
    records, column = table(name), f"{name}_id"
    public = f"FROM tracker_statusupdate u JOIN {records} r ON r.id = u.{column} AND r.published"
    quarter = "date_trunc('quarter', u.date::timestamp)::date"
    counted = (
        "SELECT '{name}', quarter, status, sum(d) FROM ("
        "SELECT quarter, status, {sign} AS d FROM {rows} UNION ALL "
        "SELECT quarter, previous, -({sign}) FROM {rows} WHERE previous IS NOT NULL) x GROUP BY quarter, status "
        "ON CONFLICT (record_kind, quarter, status) DO UPDATE SET n = t.n + EXCLUDED.n"
    )
    return f"""
CREATE OR REPLACE FUNCTION tracker_latest_update_{name}(record_id bigint) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT max(u.date) FROM tracker_statusupdate u WHERE u.{column} = record_id AND {SUPPORTED}
$$;

CREATE OR REPLACE FUNCTION tracker_set_latest_update_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {BULK_LOADING} THEN RETURN NEW; END IF;
    NEW.latest_update := tracker_latest_update_{name}(NEW.id);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION tracker_refresh_updates_{name}(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$  -- planned for these ids: one or 100,000
DECLARE
    gone bigint;
    fresh bigint;
BEGIN
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    UPDATE {records} r SET latest_update = NULL  -- set by tracker_set_latest_update_{name}
    FROM (SELECT unnest(ids) AS id) x LEFT JOIN (
        SELECT u.{column} AS id, max(u.date) AS latest FROM tracker_statusupdate u
        WHERE u.{column} {MEMBERS} AND {SUPPORTED} GROUP BY u.{column}) l ON l.id = x.id
    WHERE r.id = x.id AND r.latest_update IS DISTINCT FROM l.latest;  -- as a set: also for every record at once

    DELETE FROM tracker_change WHERE change_kind = '{UPDATE_KIND}' AND record_kind = '{name}' AND record_id {MEMBERS};
    GET DIAGNOSTICS gone = ROW_COUNT;
    INSERT INTO tracker_change (change_kind, history_id, history_date, record_kind, record_id)
    SELECT '{UPDATE_KIND}', h.history_id, h.history_date, '{name}', u.{column}
    {public} JOIN tracker_historicalstatusupdate h ON h.id = u.id AND h.history_type = '+'
    WHERE u.{column} {MEMBERS} AND {SUPPORTED};
    GET DIAGNOSTICS fresh = ROW_COUNT;
    PERFORM tracker_count_changes('{name}', fresh - gone);

    WITH gone_rows AS (
        DELETE FROM tracker_update_quarter WHERE record_kind = '{name}' AND record_id {MEMBERS}
        RETURNING quarter, status, previous)
    INSERT INTO tracker_status_quarter AS t (record_kind, quarter, status, n)
    {counted.format(name=name, sign="-1", rows="gone_rows")};
    WITH fresh_rows AS (
        INSERT INTO tracker_update_quarter (record_kind, record_id, quarter, status, previous)
        SELECT '{name}', record_id, quarter, status, lag(status) OVER (PARTITION BY record_id ORDER BY quarter)
        FROM (
            SELECT DISTINCT ON (u.{column}, {quarter}) u.{column} AS record_id, {quarter} AS quarter, u.status
            {public} WHERE u.{column} {MEMBERS} AND {SUPPORTED}
            ORDER BY u.{column}, {quarter}, u.date DESC, u.id DESC) latest_of_quarter
        RETURNING quarter, status, previous)
    INSERT INTO tracker_status_quarter AS t (record_kind, quarter, status, n)
    {counted.format(name=name, sign="1", rows="fresh_rows")};
END $$;
"""


def updated_records(name, update_ids):
    """The ids of the records of kind ``name`` whose status updates are ``update_ids`` (SQL)."""
    column = f"{name}_id"
    return (
        f"ARRAY(SELECT u.{column} FROM tracker_statusupdate u WHERE u.id IN ({update_ids}) AND u.{column} IS NOT NULL)"
    )


def refresh_updates_of(update_ids):
    return "\n".join(calls(f"tracker_refresh_updates_{name}", updated_records(name, update_ids)) for name in UPDATED)


def trigger_function(name, body, declare=""):
    """A statement trigger's function ``name``: ``body``, but nothing in a ``bulk_load``."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
{declare}BEGIN
    IF {BULK_LOADING} THEN RETURN NULL; END IF;
{body}
    RETURN NULL;
END $$;
"""


def on_records(name, rows):
    """What a statement on the records of kind ``name`` moves, given its transition tables ``rows``."""
    if rows == ["new_rows", "old_rows"]:  # published, or no longer
        touched = (
            "ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
            "WHERE n.published IS DISTINCT FROM o.published)"
        )
    else:
        touched = ids_in(rows, "id", "published")
    statements = [
        f"{planned_each_time(f'SELECT {touched}')} INTO touched;",
        f"PERFORM tracker_refresh_changes_{name}(touched);",
    ]
    if name in UPDATED:
        statements.append(f"PERFORM tracker_refresh_updates_{name}(touched);")
    if name in TALLIED:
        signs = {"new_rows": 1, "old_rows": -1}
        counted = " UNION ALL ".join(
            f"SELECT {status_of('x', name)} AS status, {ends('x', name)} AS ends, {signs[rows_name]} AS d "
            f"FROM {rows_name} x WHERE x.published"
            for rows_name in rows
        )
        tally = (
            "INSERT INTO tracker_record_tally AS t (record_kind, status, ends, n) "
            f"SELECT '{name}', status, ends, sum(d) FROM ({counted}) y GROUP BY status, ends HAVING sum(d) <> 0 "
            "ON CONFLICT (record_kind, status, ends) DO UPDATE SET n = t.n + EXCLUDED.n"
        )
        statements.append(f"{planned_each_time(tally)};")
    if name == "initiative":  # its milestones count on the timeline while it is published
        if rows == ["new_rows", "old_rows"]:
            delta = (
                "SELECT coalesce(sum(CASE WHEN n.published THEN 1 ELSE -1 END), 0) FROM new_rows n "
                "JOIN old_rows o ON o.id = n.id JOIN tracker_milestone m ON m.initiative_id = n.id "
                "WHERE n.published IS DISTINCT FROM o.published"
            )
        else:
            sign = "" if rows == ["new_rows"] else "-"
            delta = (
                f"SELECT {sign}count(*) FROM {rows[0]} x JOIN tracker_milestone m ON m.initiative_id = x.id "
                "WHERE x.published"
            )
        statements.append(calls("tracker_count_events", f"'{MILESTONE}'", f"({delta})"))
    return "\n".join(statements)


def on_milestones(rows):
    published = " UNION ALL ".join(
        f"SELECT {1 if t == 'new_rows' else -1} AS d FROM {t} x "
        "JOIN tracker_initiative r ON r.id = x.initiative_id AND r.published"
        for t in rows
    )
    return calls("tracker_count_events", f"'{MILESTONE}'", f"(SELECT coalesce(sum(d), 0) FROM ({published}) y)")


def trigger_functions():
    """The functions the triggers run, one per table; each reads the statement's transition tables."""
    functions = []
    for name in RECORDS:
        functions.append(
            trigger_function(
                f"tracker_history_summaries_{name}",
                by_operation(lambda rows, name=name: calls(f"tracker_refresh_changes_{name}", ids_in(rows, "id"))),
            )
        )
        functions.append(
            trigger_function(
                f"tracker_record_summaries_{name}",
                by_operation(lambda rows, name=name: on_records(name, rows)),
                declare="DECLARE\n    touched bigint[];\n",
            )
        )
    functions += [
        trigger_function("tracker_milestone_summaries", by_operation(on_milestones)),
        trigger_function(
            "tracker_update_summaries",
            by_operation(
                lambda rows: "\n".join(
                    calls(f"tracker_refresh_updates_{name}", ids_in(rows, f"{name}_id")) for name in UPDATED
                )
            ),
        ),
        trigger_function(
            "tracker_update_history_summaries",
            by_operation(lambda rows: refresh_updates_of(" UNION ".join(f"SELECT id FROM {r}" for r in rows))),
        ),
        trigger_function(
            "tracker_citation_summaries",
            by_operation(
                lambda rows: refresh_updates_of(" UNION ".join(f"SELECT status_update_id FROM {r}" for r in rows))
            ),
        ),
        trigger_function(
            "tracker_source_summaries",
            refresh_updates_of(
                "SELECT c.status_update_id FROM tracker_citation c WHERE c.source_id IN (SELECT n.id FROM new_rows n "
                "JOIN old_rows o ON o.id = n.id WHERE n.published IS DISTINCT FROM o.published)"
            ),
        ),
        trigger_function("tracker_rebuild_summaries", "PERFORM tracker_rebuild_all_summaries();"),
    ]
    return "\n".join(functions)


def rebuild_function():
    statements = [f"DELETE FROM {name};" for name in SUMMARY_TABLES]
    for name in RECORDS:
        statements.append(f"PERFORM tracker_refresh_changes_{name}(ARRAY(SELECT id FROM {table(name)}));")
    for name in UPDATED:
        statements.append(f"PERFORM tracker_refresh_updates_{name}(ARRAY(SELECT id FROM {table(name)}));")
    for name in TALLIED:
        statements.append(
            f"INSERT INTO tracker_record_tally (record_kind, status, ends, n) SELECT '{name}', {status_of('x', name)}, "
            f"{ends('x', name)}, count(*) FROM {table(name)} x WHERE x.published GROUP BY 1, 2, 3;"
        )
    statements.append(
        "PERFORM tracker_count_events('milestone', (SELECT count(*) FROM tracker_milestone m "
        "JOIN tracker_initiative r ON r.id = m.initiative_id AND r.published));"
    )
    body = "\n    ".join(statements)
    return f"""
CREATE OR REPLACE FUNCTION tracker_count_changes(kind text, delta bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF delta <> 0 THEN
        INSERT INTO tracker_change_count AS t (record_kind, n) VALUES (kind, delta)
        ON CONFLICT (record_kind) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tracker_count_events(kind text, delta bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF delta <> 0 THEN
        INSERT INTO tracker_record_tally AS t (record_kind, status, ends, n) VALUES (kind, '', NULL, delta)
        ON CONFLICT (record_kind, status, ends) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tracker_rebuild_all_summaries() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    {body}
END $$;
"""


def triggers():
    """``(table, trigger name, CREATE TRIGGER statement)`` of each trigger."""

    def after(table_name, function, operations=OPERATIONS):
        for operation in operations:
            trigger = f"tracker_summaries_{operation.lower()}"
            yield (
                table_name,
                trigger,
                (
                    f'CREATE TRIGGER {trigger} AFTER {operation} ON "{table_name}" {REFERENCING[operation]} '
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                ),
            )
        yield (
            table_name,
            "tracker_summaries_truncate",
            (
                f'CREATE TRIGGER tracker_summaries_truncate AFTER TRUNCATE ON "{table_name}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION tracker_rebuild_summaries()"
            ),
        )

    for name in RECORDS:
        yield from after(history_table(name), f"tracker_history_summaries_{name}")
        yield from after(table(name), f"tracker_record_summaries_{name}")
        if name in UPDATED:
            yield (
                table(name),
                "tracker_latest_update",
                (
                    f'CREATE TRIGGER tracker_latest_update BEFORE INSERT OR UPDATE ON "{table(name)}" '
                    f"FOR EACH ROW EXECUTE FUNCTION tracker_set_latest_update_{name}()"
                ),
            )
    yield from after("tracker_milestone", "tracker_milestone_summaries")
    yield from after("tracker_statusupdate", "tracker_update_summaries")
    yield from after(StatusUpdate.history.model._meta.db_table, "tracker_update_history_summaries")
    yield from after("tracker_citation", "tracker_citation_summaries")
    yield from after("tracker_source", "tracker_source_summaries", ["UPDATE"])


def indexes():
    """Newest update first, as ``?sort=-updated`` reads (SQLite refuses ``NULLS LAST`` in an index, hence
    SQL of PostgreSQL's own rather than the models' ``Meta.indexes``)."""
    for name in UPDATED:
        yield (
            f"CREATE INDEX IF NOT EXISTS {name}_latest_update_order ON {table(name)} "
            "(latest_update DESC NULLS LAST, id DESC) WHERE published"
        )


def install(connection, rebuild=True):
    """Create the tables if need be, (again) the functions and triggers, and fill the tables afresh."""
    if not kept(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute(TABLES)
        for statement in indexes():
            cursor.execute(statement)
        cursor.execute(rebuild_function())
        for name in RECORDS:
            cursor.execute(change_functions(name))
        for name in UPDATED:
            cursor.execute(update_functions(name))
        cursor.execute(trigger_functions())
        for table_name, trigger, statement in triggers():
            cursor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table_name}"')
            cursor.execute(statement)
            cursor.execute(f'ALTER TABLE "{table_name}" ENABLE ALWAYS TRIGGER {trigger}')
        if rebuild:
            cursor.execute("SELECT tracker_rebuild_all_summaries()")


def uninstall(connection):
    if not kept(connection):
        return
    with connection.cursor() as cursor:
        for table_name, trigger, _statement in triggers():
            cursor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table_name}"')
        cursor.execute(
            "SELECT string_agg(oid::regprocedure::text, ', ') FROM pg_proc WHERE proname LIKE 'tracker\\_%%' AND ("
            "proname LIKE '%%summaries%%' OR proname LIKE 'tracker\\_refresh\\_%%' OR proname LIKE '%%latest\\_update%%' "
            "OR proname IN ('tracker_count_changes', 'tracker_count_events'))"
        )
        (functions,) = cursor.fetchone()
        if functions:
            cursor.execute(f"DROP FUNCTION {functions}")
        for name in UPDATED:
            cursor.execute(f"DROP INDEX IF EXISTS {name}_latest_update_order")
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(SUMMARY_TABLES)}")


@contextlib.contextmanager
def bulk_load(connection=None):
    """Write many rows at once, then rebuild the summaries in one pass (``tracker_rebuild_all_summaries``):
    row by row, the triggers' refreshes of a load of 100,000 initiatives' status updates and citations
    take far longer than the load. Only within a transaction (``SET LOCAL``): what it commits is rebuilt."""
    connection = connection or default_connection
    if not kept(connection):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL tracker.bulk_load = on")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL tracker.bulk_load = off")
        # Without statistics of what this transaction wrote, the rebuild's plans are guesses: at 10,000
        # initiatives it took minutes, not seconds.
        cursor.execute("ANALYZE")
        cursor.execute("SELECT tracker_rebuild_all_summaries()")


def install_after_migrate(sender, using="default", **kwargs):
    """After every ``migrate``: the functions again, following the models (a field shown on ``/changes/``
    added or removed), once the tables exist."""
    from django.db import connections

    connection = connections[using]
    if kept(connection) and "tracker_change" in connection.introspection.table_names():
        install(connection, rebuild=False)


def rows(sql, params):
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def status_quarters(name):
    """``[(quarter's first day, status, net change)]`` of the published records of kind ``name``, by quarter."""
    return rows(
        "SELECT quarter, status, n FROM tracker_status_quarter WHERE record_kind = %s AND n <> 0 ORDER BY quarter",
        [name],
    )


def tally(*names):
    """``[(status, day its deadline's period ends or None, how many)]`` of the published records of the kinds
    ``names`` (``"milestone"``: milestones of published initiatives)."""
    return rows(
        "SELECT status, ends, n FROM tracker_record_tally WHERE record_kind = ANY(%s) AND n <> 0", [list(names)]
    )


DEADLINES = (
    "SELECT coalesce(sum(n) FILTER (WHERE ends <= %s), 0)::bigint, coalesce(sum(n) FILTER (WHERE ends > %s), 0)::bigint "
    "FROM tracker_record_tally WHERE record_kind = %s AND status = ANY(%s) AND ends <= %s"
)


def deadlines(name, statuses, today, horizon):
    """``(overdue, due soon)``: how many published records of kind ``name`` in ``statuses`` have a deadline whose
    period ended by ``today``, or ends after it and by ``horizon`` (``DeadlineQuerySet``)."""
    ((overdue, due_soon),) = rows(DEADLINES, [today, today, name, list(statuses), horizon])
    return overdue, due_soon
