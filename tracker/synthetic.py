"""Realistic synthetic records at any scale, for benchmarks and load tests, never for the fixtures.

``generate(scale)`` adds ``scale`` initiatives with proportional challenges,
recommendations, visits and milestones, their focus areas, organisations and
links, about three citations per initiative, and two to four dated, cited status
updates for every initiative, challenge and recommendation (each in the status
its latest update sets). The same seed gives the same data. Rows are made in
batches of ``CHUNK`` records and each batch is written with PostgreSQL ``COPY``
(multi-row ``INSERT`` on SQLite) before the next is made, with explicit ids, so
memory stays flat and a million initiatives take minutes; the id sequences are
reset afterwards. Every synthetic slug starts with ``gen-``.
"""

import collections
import dataclasses
import datetime
import itertools
import random
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import summaries
from .bulk import insert_rows, link_fields
from .dates import Precision
from .models import (
    Challenge,
    Citation,
    FocusArea,
    Initiative,
    Milestone,
    Organisation,
    Recommendation,
    Source,
    StatusUpdate,
    Visit,
)

PREFIX = "gen-"

TOPICS = [
    "defence reform", "cyber defence", "crisis management", "demining", "interoperability",
    "military education", "integrity building", "civil emergency planning", "border security",
    "counter-terrorism", "women, peace and security", "public diplomacy", "logistics", "air defence",
    "disaster response", "defence planning", "security sector governance", "arms control",
    "ammunition disposal", "search and rescue", "strategic communications", "peace support",
]  # fmt: skip
ADJECTIVES = ["Joint", "Regional", "National", "Enhanced", "Advanced", "Integrated", "Sustained", "Tailored"]
NOUNS = {
    Initiative.Kind.PROGRAMME: "programme",
    Initiative.Kind.PACKAGE: "support package",
    Initiative.Kind.FRAMEWORK: "framework",
    Initiative.Kind.PROCESS: "review process",
    Initiative.Kind.OPERATION: "mission",
    Initiative.Kind.PROJECT: "project",
    Initiative.Kind.ASSISTANCE: "assistance",
    Initiative.Kind.EXERCISE: "exercise",
    Initiative.Kind.STRATEGY: "strategy",
}
PLACES = [
    ("Sarajevo", "Bosnia and Herzegovina"), ("Banja Luka", "Bosnia and Herzegovina"),
    ("Mostar", "Bosnia and Herzegovina"), ("Tuzla", "Bosnia and Herzegovina"), ("Brussels", "Belgium"),
    ("Naples", "Italy"), ("Mons", "Belgium"), ("Zagreb", "Croatia"),
]  # fmt: skip
SENTENCES = [
    "The {topic} effort supports the Armed Forces of Bosnia and Herzegovina in {year}.",
    "Allies and the Ministry of Defence agreed to expand {topic} cooperation.",
    "Progress on {topic} depends on political agreement and a sustained budget.",
    "Experts from NATO Headquarters Sarajevo advise the institutions on {topic}.",
    "The work brings {topic} closer to standards shared by Allies and partners.",
    "Training courses and exercises in {topic} took place across the country.",
]
FOCUS_AREAS = ["Defence reform", "Cyber defence", "Crisis management", "Demining", "Interoperability"]
ORGANISATIONS = ["NATO Headquarters Sarajevo", "Ministry of Defence", "Armed Forces", "European Union"]
SOURCES = 20


CHUNK = 10_000  # records of one kind per batch: what a load holds in memory at once, at any scale


@dataclasses.dataclass
class Table:
    """One table's rows of the current batch, tuples in the order of ``fields`` (``id`` first); ids are
    explicit, counted on from the table's highest id when the generator first wrote to it."""

    model: type
    fields: list
    first_id: int
    rows: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        self.ids = itertools.count(self.first_id)

    def add(self, *values):
        pk = next(self.ids)
        self.rows.append((pk, *values))
        return pk


def write(table, rows):
    """Insert ``rows`` of ``table``: ``COPY`` on PostgreSQL, multi-row ``INSERT`` elsewhere (``tracker.bulk``)."""
    insert_rows(table.model, [table.model._meta.get_field(name).column for name in table.fields], rows)


def skip_triggers():
    """On PostgreSQL, skip this transaction's per-row triggers if the user may (a superuser); returns
    whether they are skipped. Also lets the search indexes gather new entries in a large pending list
    instead of one insert per row.

    The load leaves what the triggers would (``tests/test_synthetic.py`` compares every table after a
    load with and without them): foreign keys point to rows the generator writes or found; every
    published record and every status update has a public citation, and each record's status is the
    one its latest update sets (``tracker/evidence.py``). The data versions the statement triggers would
    move are moved by ``restore_triggers``.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '512MB'")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def restore_triggers(models):
    """Triggers on again, and each statement trigger of ``models``' tables fired once (by a statement
    that writes nothing), so that their data versions move as after any write."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE false")


def drop_indexes(models):
    """Drop the indexes of ``models``' tables that back no constraint, returning the statements that create
    them again (``pg_get_indexdef``): building an index once over all the rows is much faster than adding
    each row to it, the search indexes above all. Same transaction, so no query sees a table without them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [[model._meta.db_table for model in models]],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def create_indexes(definitions):
    if not definitions:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


def next_id(model):
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


class Generator:
    """The synthetic rows, in batches of at most ``chunk`` records of a kind with their updates,
    citations, milestones and links. Every draw is made record by record, so the data depends on the
    seed, not on ``chunk``."""

    def __init__(self, scale, seed, now=None, chunk=CHUNK):
        self.scale, self.chunk = scale, chunk
        self.random = random.Random(seed)
        self.now = now or timezone.now()
        self.tables = {}
        # Texts are drawn from a pool: writing a fresh paragraph per record would dominate the run time.
        self.texts = {
            (topic, sentences): [self.text(topic, sentences) for _ in range(20)]
            for topic in TOPICS
            for sentences in (2, 5)
        }

    @staticmethod
    def models():
        """Every model the generator may write rows of."""
        records = [Challenge, Initiative, Visit, Recommendation]
        links = [field.remote_field.through for model in records for field in model._meta.many_to_many]
        return [Source, *records, Milestone, StatusUpdate, Citation, *links]

    def table(self, model, *fields):
        if model not in self.tables:
            self.tables[model] = Table(model, ["id", *fields], next_id(model))
        return self.tables[model]

    def batch(self):
        """The rows made since the last batch, as ``(table, rows)`` pairs, taken from the tables."""
        taken = [(table, table.rows) for table in self.tables.values() if table.rows]
        for table in self.tables.values():
            table.rows = []
        return taken

    def vocabulary(self, model, names, **extra):
        """The ids of the vocabulary in the database, adding a few terms if it is nearly empty."""
        for name in names:
            if model.objects.count() >= len(names):
                break
            model.objects.get_or_create(name=name, defaults=extra)
        return list(model.objects.values_list("pk", flat=True))

    def text(self, topic, sentences):
        year = self.random.randint(1995, 2035)
        return " ".join(self.random.choice(SENTENCES).format(topic=topic, year=year) for _ in range(sentences))

    def partial_date(self, first_year=1995, last_year=2035):
        precision = self.random.choice(Precision.values)
        date = datetime.date(self.random.randint(first_year, last_year), 1, 1)
        if precision == Precision.QUARTER:
            date = date.replace(month=self.random.choice([1, 4, 7, 10]))
        elif precision in (Precision.MONTH, Precision.DAY):
            date = date.replace(month=self.random.randint(1, 12))
        if precision == Precision.DAY:
            date = date.replace(day=self.random.randint(1, 28))
        return date, precision

    def record(self, kind, n, title):
        """The columns every record shares but its id: title, slug, summary, description, published,
        timestamps."""
        topic = self.random.choice(TOPICS)
        title = title.format(adjective=self.random.choice(ADJECTIVES), topic=topic.capitalize(), n=n)
        published = self.random.random() < 0.95
        summary, description = (self.random.choice(self.texts[topic, sentences]) for sentences in (2, 5))
        return (title, f"{PREFIX}{kind}-{n}", summary, description, published, self.now, self.now)

    def some(self, ids, most):
        return self.random.sample(ids, self.random.randint(0, min(most, len(ids))))

    def link(self, model, field, pk, others):
        through, own, other = link_fields(model._meta.get_field(field))
        links = self.table(through, own.name, other.name)
        for other_id in others:
            links.add(pk, other_id)

    def cite(self, field, pk, count):
        """``count`` citations of the record; the first from a published source, as a published record needs."""
        citations = self.table(Citation, "source", "quote", *Citation.CITED_FIELDS)
        for number in range(count):
            row = dict.fromkeys(Citation.CITED_FIELDS)
            row[field] = pk
            quote = f"Synthetic quote {self.random.randint(1, 10**6)} about this {field}."
            source = self.random.choice(self.published_source_ids if number == 0 else self.source_ids)
            citations.add(source, quote, *row.values())

    def status_of(self, field, pk, statuses):
        """The record's status, the one its latest of 2–4 dated, cited updates sets, and that update's date
        (``latest_update``: each update is cited by a published source, so publicly supported)."""
        updates = self.table(StatusUpdate, "date", "date_precision", "status", "completion", "note",
                             *StatusUpdate.UPDATED_FIELDS)  # fmt: skip
        status = when = None
        for when, precision in sorted(self.partial_date(2005, 2026) for _ in range(self.random.randint(2, 4))):
            status = self.random.choice(statuses)
            record = {name: pk if name == field else None for name in StatusUpdate.UPDATED_FIELDS}
            completion = self.random.choice(["", *StatusUpdate.Completion.values])
            update_id = updates.add(when, precision, status, completion, "", *record.values())
            self.cite("status_update", update_id, 1)
        return status, when

    def sources(self):
        sources = self.table(Source, "title", "slug", "publisher", "author", "kind", "publication_precision",
                             "url", "reliability", "reliability_note", "published", "created", "updated")  # fmt: skip
        self.source_ids, self.published_source_ids = [], []
        for n in range(SOURCES):
            published = n % 10 != 9
            pk = sources.add(
                f"Synthetic source {n + 1}", f"{PREFIX}source-{n + 1}", "Synthetic", "",
                self.random.choice(Source.Kind.values), Precision.DAY, "",
                self.random.choice(Source.Reliability.values), "", published, self.now, self.now,
            )  # fmt: skip
            self.source_ids.append(pk)
            if published:
                self.published_source_ids.append(pk)

    def batches(self):
        """Each batch's tables (``Table``), written before the next batch is made."""
        common = ["title", "slug", "summary", "description", "published", "created", "updated"]
        self.areas = self.vocabulary(FocusArea, FOCUS_AREAS)
        self.organisations = self.vocabulary(Organisation, ORGANISATIONS, kind=Organisation.Kind.NATO)
        self.sources()
        yield self.batch()
        kinds = [
            (Challenge, self.scale // 2, common + ["category", "status", "latest_update"], self.challenge),
            (Initiative, self.scale, common + ["short_name", "kind", "status", "latest_update", "start_date",
                                               "start_precision", "end_date", "end_precision", "amount", "currency",
                                               "parent"],
             self.initiative),
            (Visit, self.scale // 4, common + ["kind", "date", "date_precision", "city", "country", "visitor_name",
                                               "visitor_role", "visitor_organisation", "purpose", "topics",
                                               "outcomes"], self.visit),
            (Recommendation, self.scale // 2, common + ["focus_area", "strategic_action", "expected_outcome",
                                                        "status", "latest_update", "issued_date", "issued_precision",
                                                        "target_date", "target_precision", "target_ongoing",
                                                        "proposed_by", "proposed_by_detail", "visit"],
             self.recommendation),
        ]  # fmt: skip
        # every kind's ids are known before any is made, so a record may link to any of another kind
        self.ids = {}
        for model, count, fields, _make in kinds:
            table = self.table(model, *fields)
            self.ids[model] = range(table.first_id, table.first_id + max(1, count))
        for model, _count, _fields, make in kinds:
            for n, pk in enumerate(self.ids[model], 1):
                make(n, pk)
                if n % self.chunk == 0:
                    yield self.batch()
            yield self.batch()

    def challenge(self, n, pk):
        self.tables[Challenge].add(*self.record("challenge", n, "{topic} gap {n}"),
                                   self.random.choice(Challenge.Category.values),
                                   *self.status_of("challenge", pk, Challenge.Status.values))  # fmt: skip
        self.cite("challenge", pk, 1)
        self.link(Challenge, "focus_areas", pk, self.some(self.areas, 2))

    def initiative(self, n, pk):
        initiative_ids = self.ids[Initiative]
        kind = self.random.choice(Initiative.Kind.values)
        start, start_precision = self.partial_date()
        end, end_precision = self.partial_date(start.year + 1, start.year + 10) if self.random.random() < 0.6 else (
            None, Precision.DAY)  # fmt: skip
        amount = Decimal(self.random.randint(1, 5000) * 1000) if self.random.random() < 0.2 else None
        parent = self.random.choice(initiative_ids[: n - 1]) if n > 1 and self.random.random() < 0.1 else None
        self.tables[Initiative].add(
            *self.record("initiative", n, "{adjective} {topic} " + NOUNS[kind] + " {n}"),
            "", kind, *self.status_of("initiative", pk, Initiative.Status.values), start, start_precision,
            end, end_precision, amount, "EUR" if amount is not None else "", parent,
        )  # fmt: skip
        self.cite("initiative", pk, 3)
        milestones = self.table(Milestone, "initiative", "title", "date", "date_precision", "description")
        for step in range(self.random.randint(0, 2)):
            when, precision = self.partial_date(start.year, start.year + 5)
            self.cite("milestone", milestones.add(pk, f"Step {step + 1}", when, precision, ""), 1)
        self.link(Initiative, "focus_areas", pk, self.some(self.areas, 3))
        self.link(Initiative, "organisations", pk, self.some(self.organisations, 3))
        self.link(Initiative, "challenges", pk, self.some(self.ids[Challenge], 2))

    def visit(self, n, pk):
        city, country = self.random.choice(PLACES)
        date, precision = self.partial_date(2000, 2030)
        self.tables[Visit].add(
            *self.record("visit", n, "{topic} visit {n}"), self.random.choice(Visit.Kind.values),
            date, precision, city, country, "", "", self.random.choice(self.organisations), "", "", "",
        )  # fmt: skip
        self.cite("visit", pk, 1)
        self.link(Visit, "focus_areas", pk, self.some(self.areas, 2))
        self.link(Visit, "hosts", pk, self.some(self.organisations, 2))
        self.link(Visit, "initiatives", pk, self.some(self.ids[Initiative], 2))

    def recommendation(self, n, pk):
        target, target_precision = self.partial_date(2020, 2035)
        main_area = self.random.choice(self.areas)
        self.tables[Recommendation].add(
            *self.record("recommendation", n, "{adjective} {topic} measure {n}"),
            main_area, "", "", *self.status_of("recommendation", pk, Recommendation.Status.values),
            None, Precision.DAY, target, target_precision, False, self.random.choice(self.organisations), "",
            self.random.choice(self.ids[Visit]) if self.random.random() < 0.2 else None,
        )  # fmt: skip
        self.cite("recommendation", pk, 1)
        # tagged with its main focus area too, as in the fixtures
        self.link(Recommendation, "focus_areas", pk, sorted({*self.some(self.areas, 2), main_area}))
        self.link(Recommendation, "challenges", pk, self.some(self.ids[Challenge], 2))
        self.link(Recommendation, "initiatives", pk, self.some(self.ids[Initiative], 2))


def generate(scale, seed=2026, now=None, triggers=False):
    """Add synthetic records for ``scale`` initiatives; returns ``{table name: rows written}``.

    Each batch is written (``COPY``) before the next is made, so memory stays flat at any scale. All in
    one transaction; with ``triggers`` off (the default) a superuser's load skips the per-row triggers
    (``skip_triggers``) and builds the tables' indexes after the rows are in (``drop_indexes``); with it
    on every trigger runs as on any write.
    """
    if Initiative.objects.filter(slug__startswith=PREFIX).exists():
        raise ValueError("This database already holds synthetic records; start from an empty one.")
    written = collections.Counter()
    with transaction.atomic():
        skipped = not triggers and skip_triggers()
        indexes = drop_indexes(Generator.models()) if skipped else []
        generator = Generator(scale, seed, now)
        with summaries.bulk_load():  # the summaries PostgreSQL keeps, made once at the end, not row by row
            for batch in generator.batches():
                for table, rows in batch:
                    write(table, rows)
                    written[table.model._meta.db_table] += len(rows)
            create_indexes(indexes)
        models = [table.model for table in generator.tables.values()]
        if skipped:
            restore_triggers(models)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, or the planner guesses on empty tables
            cursor.execute("ANALYZE")
    return dict(written)
