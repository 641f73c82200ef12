"""Writing many rows at once for imports: ``COPY`` on PostgreSQL, ``INSERT`` elsewhere.

An import writes many rows for each of its own: the records, their links,
their citations and the history of each. ``bulk_create`` spends most of its
time building model instances and binding parameters, so these helpers take
plain tuples. On PostgreSQL new ids come from the table's
sequence up front (one query), so ``COPY``, which returns nothing, can write them.
"""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from simple_history.models import HistoricalRecords


def insert_rows(model, columns, rows, new_ids=False):
    """Insert ``rows`` (tuples of database values for ``columns``) into ``model``'s table.

    With ``new_ids``, each row gets a new primary key, and the keys are returned in the rows' order.
    """
    rows = list(rows)
    if not rows:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    ids = []
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor != "postgresql":
            return insert_in_batches(cursor, table, columns, rows, returning=pk if new_ids else None)
        if new_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(rows)]
            )
            ids = [new_id for (new_id,) in cursor.fetchall()]
            columns, rows = [pk, *columns], [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
        statement = f"COPY {connection.ops.quote_name(table)} ({quoted(columns)}) FROM STDIN"
        with copy_through(cursor, statement) as copy:
            for row in rows:
                copy.write_row(row)
    return ids


@contextlib.contextmanager
def copy_through(cursor, statement, params=None):
    """psycopg's ``COPY`` on a Django cursor, logged like any query when queries are (DEBUG, tests):
    ``COPY`` goes past Django's cursor wrapper, which would otherwise log it."""
    logged = cursor.debug_sql(statement, params) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
    with logged, cursor.cursor.copy(statement, params) as copy:
        yield copy


def quoted(columns):
    return ", ".join(map(connection.ops.quote_name, columns))


def insert_in_batches(cursor, table, columns, rows, returning=None):
    """Multi-row ``INSERT`` statements, as many rows each as the database takes parameters for."""
    size = connection.ops.bulk_batch_size(columns, rows)
    row_placeholders = f"({', '.join(['%s'] * len(columns))})"
    ids = []
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        statement = (
            f"INSERT INTO {connection.ops.quote_name(table)} ({quoted(columns)}) "
            f"VALUES {', '.join([row_placeholders] * len(batch))}"
        )
        if returning:
            statement += f" RETURNING {connection.ops.quote_name(returning)}"
        cursor.execute(statement, [value for row in batch for value in row])
        if returning:
            ids += [new_id for (new_id,) in cursor.fetchall()]
    return ids


def database_values(fields, objects):
    """Each object's values of ``fields``, as the database takes them."""
    database = connections[DEFAULT_DB_ALIAS]  # not the ``connection`` proxy: a thread-local lookup per use
    return [tuple(field.get_db_prep_save(getattr(obj, field.attname), database) for field in fields) for obj in objects]


def insert_objects(model, objects):
    """Insert new model instances, giving each its primary key; like ``bulk_create``, foreign keys are read
    from related objects saved since they were set, and ``auto_now`` fields are set."""
    fields = [field for field in model._meta.concrete_fields if not (field.primary_key or field.generated)]
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="insert_objects")
        for field in fields:
            field.pre_save(obj, add=True)
    rows = database_values(fields, objects)
    for obj, pk in zip(
        objects, insert_rows(model, [field.column for field in fields], rows, new_ids=True), strict=True
    ):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def insert_history(model, objects, user, history_type):
    """What django-simple-history's ``bulk_history_create`` writes (``"+"`` created, ``"~"`` changed),
    as tuples; returns the history ids in the objects' order."""
    history = model.history.model
    tracked = history.tracked_fields
    when = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    user_id = user.pk if user is not None else None
    columns = [field.column for field in tracked]
    columns += ["history_date", "history_user_id", "history_change_reason", "history_type"]
    rows = [values + (when, user_id, "", history_type) for values in database_values(tracked, objects)]
    return insert_rows(history, columns, rows, new_ids=True)


def link_fields(field):
    """``(through model, its field to the record, its field to the other side)`` of a many-to-many ``field``."""
    through = field.remote_field.through
    return (
        through,
        through._meta.get_field(field.m2m_field_name()),
        through._meta.get_field(field.m2m_reverse_field_name()),
    )


def insert_m2m_history(field, links):
    """The links of each history row, as django-simple-history stores them: ``(history id, link id, own id,
    other id)`` for each link of ``field`` (a many-to-many field) the record had when the history row was made."""
    _through, own, other = link_fields(field)
    insert_rows(HistoricalRecords.m2m_models[field], ["history_id", "id", own.column, other.column], links)
