"""Realistic synthetic records at any scale, for benchmarks and load tests, never for the fixtures.

``generate(scale)`` adds ``scale`` initiatives with proportional challenges,
recommendations, visits and milestones, their focus areas, organisations and
links, about three citations per initiative, and two to four dated, cited status
updates for every initiative, challenge and recommendation (each in the status
its latest update sets). The same seed gives the same
data. Rows are written with PostgreSQL ``COPY`` (multi-row ``INSERT`` on SQLite)
and explicit ids, so 100,000 initiatives take seconds, not minutes; the id
sequences are reset afterwards. Every synthetic slug starts with ``gen-``.
"""

import dataclasses
import datetime
import itertools
import random
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

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


@dataclasses.dataclass
class Table:
    """Rows for one table, as tuples in the order of ``fields``."""

    model: type
    fields: list
    rows: list = dataclasses.field(default_factory=list)

    def column(self, name):
        """Every row's value of the field ``name``."""
        index = self.fields.index(name)
        return [row[index] for row in self.rows]


def write(table):
    """Insert ``table.rows``: ``COPY`` on PostgreSQL, multi-row ``INSERT`` elsewhere (``tracker.bulk``)."""
    insert_rows(table.model, [table.model._meta.get_field(name).column for name in table.fields], table.rows)


def prepare_bulk_load():
    """On PostgreSQL, make this transaction's bulk load cheaper.

    A superuser skips the per-row foreign-key triggers (the generator links only
    rows it writes or that exist, so every check would pass), and the search
    indexes gather new entries in a large pending list instead of one insert per row.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL gin_pending_list_limit = '512MB'")


def next_id(model):
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


class Generator:
    def __init__(self, scale, seed):
        self.scale = scale
        self.random = random.Random(seed)
        self.now = timezone.now()
        # Texts are drawn from a pool: writing a fresh paragraph per record would dominate the run time.
        self.texts = {
            (topic, sentences): [self.text(topic, sentences) for _ in range(20)]
            for topic in TOPICS
            for sentences in (2, 5)
        }

    def vocabulary(self, model, names, **extra):
        """The ids of the vocabulary in the database, adding a few terms if it is nearly empty."""
        for name in names:
            if model.objects.count() >= len(names):
                break
            model.objects.get_or_create(name=name, defaults=extra)
        return list(model.objects.values_list("pk", flat=True))

    def sources(self):
        first = next_id(Source)
        table = Table(Source, ["id", "title", "slug", "publisher", "author", "kind", "publication_precision",
                               "url", "reliability", "reliability_note", "published", "created",
                               "updated"])  # fmt: skip
        for n in range(SOURCES):
            table.rows.append((
                first + n, f"Synthetic source {n + 1}", f"{PREFIX}source-{n + 1}", "Synthetic", "",
                self.random.choice(Source.Kind.values), Precision.DAY, "",
                self.random.choice(Source.Reliability.values), "", n % 10 != 9, self.now, self.now,
            ))  # fmt: skip
        return table

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

    def record(self, pk, kind, n, title):
        """The columns every record shares: id, title, slug, summary, description, published, timestamps."""
        topic = self.random.choice(TOPICS)
        title = title.format(adjective=self.random.choice(ADJECTIVES), topic=topic.capitalize(), n=n)
        published = self.random.random() < 0.95
        summary, description = (self.random.choice(self.texts[topic, sentences]) for sentences in (2, 5))
        return (pk, title, f"{PREFIX}{kind}-{n}", summary, description, published, self.now, self.now)

    def some(self, ids, most):
        return self.random.sample(ids, self.random.randint(0, min(most, len(ids))))

    def generate(self):
        common = ["id", "title", "slug", "summary", "description", "published", "created", "updated"]
        areas = self.vocabulary(FocusArea, FOCUS_AREAS)
        organisations = self.vocabulary(Organisation, ORGANISATIONS, kind=Organisation.Kind.NATO)
        sources = self.sources()
        source_ids = sources.column("id")
        published_source_ids = [
            pk for pk, published in zip(source_ids, sources.column("published"), strict=True) if published
        ]
        tables = [sources]

        def m2m(model, field):
            through, own, other = link_fields(model._meta.get_field(field))
            table = Table(through, [own.name, other.name])
            tables.append(table)
            return table

        def link(model, record_ids, relations, always=None):
            """Each record linked to a few random ids of each ``(field, ids, most)`` relation, plus
            ``always(field, pk)`` where given."""
            for field, ids, most in relations:
                links = m2m(model, field)
                for pk in record_ids:
                    others = self.some(ids, most)
                    if always:
                        others = sorted({*others, *always(field, pk)})
                    links.rows += [(pk, other) for other in others]

        initiatives = Table(
            Initiative,
            common
            + [
                "short_name",
                "kind",
                "status",
                "start_date",
                "start_precision",
                "end_date",
                "end_precision",
                "amount",
                "currency",
                "parent",
            ],
        )
        challenges = Table(Challenge, common + ["category", "status"])
        recommendations = Table(
            Recommendation,
            common
            + [
                "focus_area",
                "strategic_action",
                "expected_outcome",
                "status",
                "issued_date",
                "issued_precision",
                "target_date",
                "target_precision",
                "target_ongoing",
                "proposed_by",
                "proposed_by_detail",
                "visit",
            ],
        )
        visits = Table(
            Visit,
            common
            + [
                "kind",
                "date",
                "date_precision",
                "city",
                "country",
                "visitor_name",
                "visitor_role",
                "visitor_organisation",
                "purpose",
                "topics",
                "outcomes",
            ],
        )
        milestones = Table(Milestone, ["id", "initiative", "title", "date", "date_precision", "description"])
        updates = Table(StatusUpdate, ["id", "date", "date_precision", "status", "completion", "note",
                                       *StatusUpdate.UPDATED_FIELDS])  # fmt: skip
        citations = Table(Citation, ["source", "quote", *Citation.CITED_FIELDS])
        tables += [initiatives, challenges, visits, recommendations, milestones, updates, citations]

        def cite(field, pk, count):
            """``count`` citations of the record; the first from a published source, as a published record needs."""
            for number in range(count):
                row = dict.fromkeys(Citation.CITED_FIELDS)
                row[field] = pk
                quote = f"Synthetic quote {self.random.randint(1, 10**6)} about this {field}."
                source = self.random.choice(published_source_ids if number == 0 else source_ids)
                citations.rows.append((source, quote, *row.values()))

        update_ids = itertools.count(next_id(StatusUpdate))

        def status_of(field, pk, statuses):
            """The record's status: the one its latest of 2–4 dated, cited updates sets."""
            status = None
            for when, precision in sorted(self.partial_date(2005, 2026) for _ in range(self.random.randint(2, 4))):
                status, update_id = self.random.choice(statuses), next(update_ids)
                record = {name: pk if name == field else None for name in StatusUpdate.UPDATED_FIELDS}
                completion = self.random.choice(["", *StatusUpdate.Completion.values])
                updates.rows.append((update_id, when, precision, status, completion, "", *record.values()))
                cite("status_update", update_id, 1)
            return status

        first = {model: next_id(model) for model in (Initiative, Challenge, Recommendation, Visit, Milestone)}
        initiative_ids = range(first[Initiative], first[Initiative] + self.scale)
        challenge_ids = range(first[Challenge], first[Challenge] + max(1, self.scale // 2))
        visit_ids = range(first[Visit], first[Visit] + max(1, self.scale // 4))
        recommendation_ids = range(first[Recommendation], first[Recommendation] + max(1, self.scale // 2))

        for n, pk in enumerate(challenge_ids, 1):
            challenges.rows.append((*self.record(pk, "challenge", n, "{topic} gap {n}"),
                                    self.random.choice(Challenge.Category.values),
                                    status_of("challenge", pk, Challenge.Status.values)))  # fmt: skip
            cite("challenge", pk, 1)
        challenge_areas = m2m(Challenge, "focus_areas")
        for pk in challenge_ids:
            challenge_areas.rows += [(pk, area) for area in self.some(areas, 2)]

        milestone_id = first[Milestone]
        for n, pk in enumerate(initiative_ids, 1):
            kind = self.random.choice(Initiative.Kind.values)
            start, start_precision = self.partial_date()
            end, end_precision = self.partial_date(start.year + 1, start.year + 10) if self.random.random() < 0.6 else (
                None, Precision.DAY)  # fmt: skip
            amount = Decimal(self.random.randint(1, 5000) * 1000) if self.random.random() < 0.2 else None
            parent = self.random.choice(initiative_ids[: n - 1]) if n > 1 and self.random.random() < 0.1 else None
            initiatives.rows.append((
                *self.record(pk, "initiative", n, "{adjective} {topic} " + NOUNS[kind] + " {n}"),
                "", kind, status_of("initiative", pk, Initiative.Status.values), start, start_precision,
                end, end_precision, amount, "EUR" if amount is not None else "", parent,
            ))  # fmt: skip
            cite("initiative", pk, 3)
            for step in range(self.random.randint(0, 2)):
                when, precision = self.partial_date(start.year, start.year + 5)
                milestones.rows.append((milestone_id, pk, f"Step {step + 1}", when, precision, ""))
                cite("milestone", milestone_id, 1)
                milestone_id += 1
        link(Initiative, initiative_ids, [("focus_areas", areas, 3), ("organisations", organisations, 3),
                                          ("challenges", challenge_ids, 2)])  # fmt: skip

        for n, pk in enumerate(visit_ids, 1):
            city, country = self.random.choice(PLACES)
            date, precision = self.partial_date(2000, 2030)
            visits.rows.append((
                *self.record(pk, "visit", n, "{topic} visit {n}"), self.random.choice(Visit.Kind.values),
                date, precision, city, country, "", "", self.random.choice(organisations), "", "", "",
            ))  # fmt: skip
            cite("visit", pk, 1)
        link(Visit, visit_ids, [("focus_areas", areas, 2), ("hosts", organisations, 2),
                                ("initiatives", initiative_ids, 2)])  # fmt: skip

        for n, pk in enumerate(recommendation_ids, 1):
            target, target_precision = self.partial_date(2020, 2035)
            recommendations.rows.append((
                *self.record(pk, "recommendation", n, "{adjective} {topic} measure {n}"),
                self.random.choice(areas), "", "", status_of("recommendation", pk, Recommendation.Status.values),
                None, Precision.DAY, target, target_precision, False, self.random.choice(organisations), "",
                self.random.choice(visit_ids) if self.random.random() < 0.2 else None,
            ))  # fmt: skip
            cite("recommendation", pk, 1)
        # tagged with its main focus area too, as in the fixtures
        main_area = dict(zip(recommendations.column("id"), recommendations.column("focus_area"), strict=True))
        link(Recommendation, recommendation_ids, [("focus_areas", areas, 2), ("challenges", challenge_ids, 2),
                                                  ("initiatives", initiative_ids, 2)],
             always=lambda field, pk: [main_area[pk]] if field == "focus_areas" else [])  # fmt: skip

        return tables


def generate(scale, seed=2026):
    """Add synthetic records for ``scale`` initiatives; returns ``{table name: rows written}``."""
    if Initiative.objects.filter(slug__startswith=PREFIX).exists():
        raise ValueError("This database already holds synthetic records; start from an empty one.")
    tables = Generator(scale, seed).generate()
    order = [Source, Initiative, Challenge, Visit, Recommendation, Milestone, StatusUpdate, Citation]
    tables.sort(key=lambda table: order.index(table.model) if table.model in order else len(order))
    with transaction.atomic():
        prepare_bulk_load()
        for table in tables:
            write(table)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [table.model for table in tables]):
                cursor.execute(statement)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, or the planner guesses on empty tables
            cursor.execute("ANALYZE")
    return {table.model._meta.db_table: len(table.rows) for table in tables}
