"""No published record without a public citation, and no status update without a citation, enforced by
PostgreSQL itself.

The models refuse it on every ORM path (``Record.clean()``, ``Citation.delete()``,
``Source.save()``); these triggers refuse it on every other one: ``QuerySet.update()``,
raw SQL, another application. They are constraint triggers deferred to the end of
the transaction, so a record and its first citation may be written in either order
within one (as ``loaddata``, imports and the admin do), and deleting a record with
its citations is fine; what a transaction leaves behind is checked when it commits,
and a violation rolls it back (an ``IntegrityError``).

SQLite cannot defer a trigger, so there the models' checks are the rule.
"""

RECORDS = {  # record table: its column in tracker_citation
    "tracker_initiative": "initiative_id",
    "tracker_challenge": "challenge_id",
    "tracker_recommendation": "recommendation_id",
    "tracker_visit": "visit_id",
}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION tracker_require_evidence(record_table text, citation_column text, record_id bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    title text;
BEGIN
    EXECUTE format(
        'SELECT r.title FROM %I r WHERE r.id = $1 AND r.published AND NOT EXISTS ('
        '  SELECT 1 FROM tracker_citation c JOIN tracker_source s ON s.id = c.source_id'
        '  WHERE c.%I = r.id AND s.published)',
        record_table, citation_column
    ) INTO title USING record_id;
    IF title IS NOT NULL THEN
        RAISE EXCEPTION 'The published record "%" (%) would have no public citation.', title, record_table
            USING ERRCODE = 'check_violation';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tracker_require_evidence_of(citation tracker_citation) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    {record_checks}
END $$;

CREATE OR REPLACE FUNCTION tracker_record_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tracker_require_evidence(TG_TABLE_NAME, TG_ARGV[0], NEW.id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_citation_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tracker_require_evidence_of(OLD);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_source_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    citation tracker_citation;
BEGIN
    FOR citation IN SELECT * FROM tracker_citation WHERE source_id = OLD.id LOOP
        PERFORM tracker_require_evidence_of(citation);
    END LOOP;
    RETURN NULL;
END $$;
"""


def functions():
    """The functions, ``tracker_require_evidence_of(citation)`` checking the record the citation supports."""
    checks = "\n    ELS".join(
        f"IF citation.{column} IS NOT NULL THEN\n        "
        f"PERFORM tracker_require_evidence('{table}', '{column}', citation.{column});"
        for table, column in RECORDS.items()
    )
    return FUNCTIONS.replace("{record_checks}", checks + "\n    END IF;")


DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"


def triggers():
    """``(table, CREATE CONSTRAINT TRIGGER statement)`` of each trigger."""
    for table, column in RECORDS.items():
        yield (
            table,
            (
                f'CREATE CONSTRAINT TRIGGER tracker_evidence AFTER INSERT OR UPDATE OF published ON "{table}" '
                f"{DEFERRED} WHEN (NEW.published) EXECUTE FUNCTION tracker_record_evidence('{column}')"
            ),
        )
    yield (
        "tracker_citation",
        (
            "CREATE CONSTRAINT TRIGGER tracker_evidence AFTER DELETE OR UPDATE ON tracker_citation "
            f"{DEFERRED} EXECUTE FUNCTION tracker_citation_evidence()"
        ),
    )
    yield (
        "tracker_source",
        (
            "CREATE CONSTRAINT TRIGGER tracker_evidence AFTER UPDATE OF published ON tracker_source "
            f"{DEFERRED} WHEN (OLD.published AND NOT NEW.published) EXECUTE FUNCTION tracker_source_evidence()"
        ),
    )


def create(connection, function_definitions, trigger_name, statements):
    """Define the functions, then (again) each ``(table, statement)`` trigger named ``trigger_name``."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(function_definitions)
        for table, statement in statements:
            cursor.execute(f'DROP TRIGGER IF EXISTS {trigger_name} ON "{table}"')
            cursor.execute(statement)


def drop(connection, trigger_name, statements, function_signatures):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, _statement in statements:
            cursor.execute(f'DROP TRIGGER IF EXISTS {trigger_name} ON "{table}"')
        for function in function_signatures:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")


def install(connection):
    create(connection, functions(), "tracker_evidence", triggers())


def uninstall(connection):
    drop(connection, "tracker_evidence", triggers(), (
        "tracker_record_evidence()", "tracker_citation_evidence()", "tracker_source_evidence()",
        "tracker_require_evidence_of(tracker_citation)", "tracker_require_evidence(text, text, bigint)",
    ))  # fmt: skip


# No status update without a citation (migration 0013): an update is evidence of a status or nothing.

UPDATE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION tracker_require_update_evidence(update_id bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tracker_statusupdate u WHERE u.id = update_id)
       AND NOT EXISTS (SELECT 1 FROM tracker_citation c WHERE c.status_update_id = update_id) THEN
        RAISE EXCEPTION 'The status update % would have no citation.', update_id USING ERRCODE = 'check_violation';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tracker_status_update_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tracker_require_update_evidence(NEW.id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_citation_update_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status_update_id IS NOT NULL THEN
        PERFORM tracker_require_update_evidence(OLD.status_update_id);
    END IF;
    RETURN NULL;
END $$;
"""


def update_triggers():
    yield (
        "tracker_statusupdate",
        "CREATE CONSTRAINT TRIGGER tracker_update_evidence AFTER INSERT ON tracker_statusupdate "
        f"{DEFERRED} EXECUTE FUNCTION tracker_status_update_evidence()",
    )
    yield (
        "tracker_citation",
        "CREATE CONSTRAINT TRIGGER tracker_update_evidence AFTER DELETE OR UPDATE OF status_update_id "
        f"ON tracker_citation {DEFERRED} EXECUTE FUNCTION tracker_citation_update_evidence()",
    )


def install_update_rule(connection):
    create(connection, UPDATE_FUNCTIONS, "tracker_update_evidence", update_triggers())


def uninstall_update_rule(connection):
    drop(connection, "tracker_update_evidence", update_triggers(), (
        "tracker_status_update_evidence()", "tracker_citation_update_evidence()",
        "tracker_require_update_evidence(bigint)",
    ))  # fmt: skip


# A record's status is the one its latest publicly supported update sets (migration 0015), as
# ``models.sync_status`` does on the ORM's paths: a status update or citation written by raw SQL, or a
# source unpublished by ``QuerySet.update()``, re-sets the status at commit; a status edited directly
# against its updates is refused.

UPDATED_RECORDS = {  # record table: its column in tracker_statusupdate
    table: column for table, column in RECORDS.items() if table != "tracker_visit"
}

STATUS_FUNCTIONS = """
CREATE OR REPLACE FUNCTION tracker_latest_status(update_column text, record_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    latest text;
BEGIN
    EXECUTE format(
        'SELECT u.status FROM tracker_statusupdate u WHERE u.%I = $1 AND EXISTS ('
        '  SELECT 1 FROM tracker_citation c JOIN tracker_source s ON s.id = c.source_id'
        '  WHERE c.status_update_id = u.id AND s.published)'
        ' ORDER BY u.date DESC, u.id DESC LIMIT 1',
        update_column
    ) INTO latest USING record_id;
    RETURN latest;
END $$;

CREATE OR REPLACE FUNCTION tracker_sync_status(status_update tracker_statusupdate) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    latest text;
BEGIN
    {record_syncs}
END $$;

CREATE OR REPLACE FUNCTION tracker_sync_status_of_update_id(update_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    status_update tracker_statusupdate;
BEGIN
    SELECT * INTO status_update FROM tracker_statusupdate WHERE id = update_id;
    IF FOUND THEN
        PERFORM tracker_sync_status(status_update);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tracker_status_update_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tracker_sync_status(NEW);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM tracker_sync_status(OLD);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_citation_status_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.status_update_id IS NOT NULL THEN
        PERFORM tracker_sync_status_of_update_id(NEW.status_update_id);
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status_update_id IS NOT NULL THEN
        PERFORM tracker_sync_status_of_update_id(OLD.status_update_id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_source_status_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    update_id bigint;
BEGIN
    FOR update_id IN SELECT DISTINCT status_update_id FROM tracker_citation
                     WHERE source_id = NEW.id AND status_update_id IS NOT NULL LOOP
        PERFORM tracker_sync_status_of_update_id(update_id);
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_record_status_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current text;
    latest text := tracker_latest_status(TG_ARGV[0], NEW.id);
BEGIN
    EXECUTE format('SELECT status FROM %I WHERE id = $1', TG_TABLE_NAME) INTO current USING NEW.id;
    IF latest IS NOT NULL AND current IS NOT NULL AND current <> latest THEN
        RAISE EXCEPTION 'The status of % % is set by its latest status update (%), not "%".',
            TG_TABLE_NAME, NEW.id, latest, current USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""


def status_functions():
    """The functions, ``tracker_sync_status(update)`` re-setting the status of the update's record."""
    syncs = "\n    ".join(
        f"IF status_update.{column} IS NOT NULL THEN\n        "
        f"latest := tracker_latest_status('{column}', status_update.{column});\n        "
        f"UPDATE {table} SET status = latest, updated = now() "
        f"WHERE id = status_update.{column} AND latest IS NOT NULL AND status <> latest;\n    END IF;"
        for table, column in UPDATED_RECORDS.items()
    )
    return STATUS_FUNCTIONS.replace("{record_syncs}", syncs)


def status_triggers():
    for table, column in UPDATED_RECORDS.items():
        yield (
            table,
            f'CREATE CONSTRAINT TRIGGER tracker_status_sync AFTER UPDATE OF status ON "{table}" {DEFERRED} '
            f"WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION tracker_record_status_check('{column}')",
        )
    yield (
        "tracker_statusupdate",
        "CREATE CONSTRAINT TRIGGER tracker_status_sync AFTER INSERT OR UPDATE OR DELETE ON tracker_statusupdate "
        f"{DEFERRED} EXECUTE FUNCTION tracker_status_update_sync()",
    )
    yield (
        "tracker_citation",
        "CREATE CONSTRAINT TRIGGER tracker_status_sync AFTER INSERT OR UPDATE OR DELETE ON tracker_citation "
        f"{DEFERRED} EXECUTE FUNCTION tracker_citation_status_sync()",
    )
    yield (
        "tracker_source",
        "CREATE CONSTRAINT TRIGGER tracker_status_sync AFTER UPDATE OF published ON tracker_source "
        f"{DEFERRED} WHEN (OLD.published IS DISTINCT FROM NEW.published) EXECUTE FUNCTION tracker_source_status_sync()",
    )


def install_status_rule(connection):
    create(connection, status_functions(), "tracker_status_sync", status_triggers())


def uninstall_status_rule(connection):
    drop(connection, "tracker_status_sync", status_triggers(), (
        "tracker_status_update_sync()", "tracker_citation_status_sync()", "tracker_source_status_sync()",
        "tracker_record_status_check()", "tracker_sync_status_of_update_id(bigint)",
        "tracker_sync_status(tracker_statusupdate)", "tracker_latest_status(text, bigint)",
    ))  # fmt: skip
