"""The database keeps the version of the tracker's data itself.

A trigger on every tracker table (history aside) moves that table's row of
``tracker_data_version`` on each write, whatever makes it: the ORM, a
``QuerySet.update()``, ``COPY``, raw SQL, a restore, another application. The
row is written in the writer's own transaction, so other connections see the new
version when, and only if, the write commits. Versions are microsecond
timestamps that only grow (``max(version + 1, now)``), so a version once seen
never comes back, even if the table of versions is emptied.

PostgreSQL runs one trigger per statement (``TRUNCATE`` included); SQLite has
only row-level triggers, which is fine for its single writer. Writers to one
table queue on its version row until they commit.
"""

from django.apps import apps

TABLE = "tracker_data_version"
UNTRACKED = {"tracker_importjob", "tracker_sourcecitationcount", "tracker_termcount"}

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tracker_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} AS current (name, version)
    VALUES (TG_TABLE_NAME, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
    ON CONFLICT (name) DO UPDATE SET version = GREATEST(current.version + 1, EXCLUDED.version);
    RETURN NULL;
END $$
"""
SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"


def tracked_tables(app_config=None):
    """Every table of the tracker's models and their links, but not their history, nor import jobs
    (their progress is no data of the tracker's), nor counts the database keeps (``tracker.counts``: they
    move only with the tables they count)."""
    app_config = app_config or apps.get_app_config("tracker")
    return sorted(
        model._meta.db_table
        for model in app_config.get_models(include_auto_created=True)
        if not model._meta.db_table.startswith("tracker_historical") and model._meta.db_table not in UNTRACKED
    )


def install(connection, tables):
    """Create the table of versions if need be, and (again) the triggers of ``tables``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (name text PRIMARY KEY, version bigint NOT NULL)")
            cursor.execute(POSTGRESQL_FUNCTION)
            for table in tables:
                cursor.execute(f'DROP TRIGGER IF EXISTS tracker_data_version ON "{table}"')
                cursor.execute(
                    f'CREATE TRIGGER tracker_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                    "FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version()"
                )
        else:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (name text PRIMARY KEY, version integer NOT NULL)")
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    trigger = f"tracker_data_version_{table}_{operation.lower()}"
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')
                    cursor.execute(
                        f'CREATE TRIGGER "{trigger}" AFTER {operation} ON "{table}" BEGIN '
                        f"INSERT INTO {TABLE} (name, version) VALUES ('{table}', {SQLITE_NOW}) "
                        "ON CONFLICT (name) DO UPDATE SET version = MAX(version + 1, excluded.version); END"
                    )


def uninstall(connection, tables):
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS tracker_data_version ON "{table}"')
            else:
                for operation in ("insert", "update", "delete"):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "tracker_data_version_{table}_{operation}"')
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS tracker_bump_data_version()")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def install_after_migrate(sender, app_config=None, using="default", **kwargs):
    """After every ``migrate``: the triggers of tables added since, and of tables a migration rebuilt
    (SQLite copies a table to alter it, dropping its triggers)."""
    from django.db import connections

    install(connections[using], tracked_tables(sender))


def read(connection):
    """``{table: version}`` of every table written since the versions were first kept."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, version FROM {TABLE}")
        return dict(cursor.fetchall())
