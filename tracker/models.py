"""What NATO and Bosnia and Herzegovina do together, each fact traceable to its source.

Four kinds of record (initiatives, challenges, recommendations, visits) share
``Record``: a title, a stable slug, a summary, a published flag and
timestamps. Every record, and every initiative milestone, is backed by
``Citation`` rows quoting a ``Source``. Focus areas and organisations are
shared vocabularies, referred to by name. ``ImportJob`` is a big import on its way
through the task worker.
"""

import datetime
from functools import cache, reduce
from operator import or_

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import dates, quotes
from .dates import PartialDateAttribute, PrecisionField, validate_partial_dates
from .search import SEARCHED_TEXT_LENGTH, document

#: Fields that history does not copy: derived from others, rebuilt by the database.
UNVERSIONED = ["search_document"]
UPDATED_UNVERSIONED = [*UNVERSIONED, "latest_update"]  # and the kinds with status updates' latest_update_field


def latest_update_field():
    """The date of the record's latest publicly supported status update, kept by PostgreSQL
    (``tracker.summaries``) to sort by; empty on SQLite, where the lists compute it (``latest_update_date``)."""
    return models.DateField(_("latest status update"), null=True, blank=True, editable=False)


def search_document(*fields):
    """A stored, generated search document of ``fields`` (``(name, weight)``, weight A most relevant;
    ``tracker.search``)."""
    return models.GeneratedField(expression=document(*fields), output_field=SearchVectorField(), db_persist=True)


RECORD_DOCUMENT = (("title", "A"), ("summary", "B"), ("description", "C"))


def staff_permissions(model_name, plural, publish=False):
    """Import and export (and publish) permissions, checked by the admin and django-import-export."""
    permissions = [(f"import_{model_name}", f"Can import {plural}"), (f"export_{model_name}", f"Can export {plural}")]
    if publish:
        permissions.append((publish_codename(model_name), f"Can publish or unpublish {plural}"))
    return permissions


def publish_codename(model_name):
    """The codename of the permission to publish or unpublish records of a model."""
    return f"publish_{model_name}"


def may_publish(user, model):
    """Whether ``user`` may publish or unpublish records of ``model`` (in the admin or by import)."""
    return user.has_perm(f"{model._meta.app_label}.{publish_codename(model._meta.model_name)}")


class NameManager(models.Manager):
    """Vocabulary terms are referred to by name in fixtures and imported files."""

    def get_by_natural_key(self, name):
        return self.get(name=name)


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class MilestoneManager(models.Manager):
    def get_by_natural_key(self, initiative_slug, title):
        return self.get(initiative__slug=initiative_slug, title=title)


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class SourceQuerySet(PublishedQuerySet):
    def listed(self):
        """Without what a list of sources never shows, and which may be megabytes a source: the archived
        text, the original file and the search document."""
        return self.defer("text", "original", "search_document")

    def with_citation_count(self):
        """``citation_count``: how many public citations each source has (kept by the database)."""
        return self.annotate(citation_count=Coalesce("public_citations__public", 0))


class RecordQuerySet(PublishedQuerySet):
    """What the record kinds' query sets share: ``for_list()`` and ``for_detail()`` say whether each
    record's evidence is verified (``has_verified_evidence``)."""

    def with_evidence(self):
        return self.annotate(has_verified_evidence=verified_evidence(self.model))


def prefetch_published(model, lookup, to_attr=None):
    """Prefetch only the published side of a relation, so drafts never reach a public page."""
    return Prefetch(lookup, queryset=model.objects.published(), to_attr=to_attr)


def citations():
    """A record's public citations with their sources (but not the sources' texts: ``verified`` says enough)."""
    return Prefetch(
        "citations",
        queryset=Citation.objects.filter(source__published=True)
        .select_related("source")
        .defer("source__text", "source__original"),
    )


def publicly_supported():
    """Whether a status update (``OuterRef("pk")``) has a citation of a published source: only then is it
    shown, and does it set its record's status."""
    return Exists(Citation.objects.filter(source__published=True, status_update=OuterRef("pk")))


def status_updates():
    """A record's status updates that public evidence supports, oldest first, each with that evidence
    (``public_updates``)."""
    return Prefetch(
        "status_updates",
        queryset=StatusUpdate.objects.filter(publicly_supported()).prefetch_related(citations()),
        to_attr="public_updates",
    )


def public_updates_of(model):
    """The status updates of each record of ``model`` (``OuterRef("pk")``) that public evidence supports."""
    return StatusUpdate.objects.filter(publicly_supported(), **{model._meta.model_name: OuterRef("pk")})


def latest_status_of(model):
    """The status each record of ``model`` has from its latest publicly supported update (``None`` without one),
    read with the records as ``latest_supported_status`` where many are checked at once (``latest_status``)."""
    return models.Subquery(public_updates_of(model).order_by("-date", "-pk").values("status")[:1])


def latest_update_date(model):
    """The date of each record's latest publicly supported status update (``None`` without one)."""
    return models.Subquery(public_updates_of(model).order_by("-date").values("date")[:1])


def verified_evidence(model):
    """Whether a record has a public citation checked against an archived text of a source that is not
    of kind "unverified": without one, it carries a badge saying so."""
    return Exists(
        Citation.objects.filter(
            source__published=True, start__isnull=False, **{model._meta.model_name: OuterRef("pk")}
        ).exclude(source__kind=Source.Kind.UNVERIFIED)
    )


def filter_related(queryset, condition):
    """``queryset.filter(condition)`` for a condition across a to-many relation, as a semi-join
    (``pk IN (subquery)``): a record matched through several related rows appears once, with no
    ``DISTINCT`` over every row of the list."""
    return queryset.filter(pk__in=queryset.model._base_manager.filter(condition).values("pk"))


def public_citation(prefix=""):
    """A condition on citations of a published source that support a published record."""
    condition = Q(**{f"{prefix}milestone__initiative__published": True})
    for name in ("initiative", "challenge", "recommendation", "visit"):
        condition |= Q(**{f"{prefix}{name}__published": True})
    return condition & Q(**{f"{prefix}source__published": True})


def cited_record_published():
    """Whether a citation's record (a milestone's initiative) is published: ``public_citation()`` but for the
    source, as one correlated look-up per kind of record, made for each row read. A page of a source's citations
    read in its index's order so checks a few rows, where the joins of ``public_citation()`` take the planner
    longer to order (35–60 ms on PostgreSQL) than the page takes to read."""
    lookups = {
        "initiative_id": (Initiative, "published"),
        "milestone_id": (Milestone, "initiative__published"),
        "challenge_id": (Challenge, "published"),
        "recommendation_id": (Recommendation, "published"),
        "visit_id": (Visit, "published"),
    }
    checks = [
        Q(Coalesce(models.Subquery(model.objects.filter(pk=OuterRef(column)).values(field)), False))
        for column, (model, field) in lookups.items()
    ]
    return reduce(or_, checks)


class DeadlineQuerySet(RecordQuerySet):
    """Records with a planned end (``model.DEADLINE``: a recommendation's target, an initiative's end) are
    **overdue** once its whole period has passed while they are still open (``model.OPEN_STATUSES``), and
    **due soon** while it ends within ``DUE_SOON_DAYS``. "Ongoing" has no date, so it is never either."""

    DUE_SOON_DAYS = 90

    def ended_before(self, day):
        return dates.ended_before(*self.model.DEADLINE, day)

    def still_open(self):
        return Q(status__in=self.model.OPEN_STATUSES, **{f"{self.model.DEADLINE[0]}__isnull": False})

    def overdue_condition(self, today):
        return self.still_open() & self.ended_before(today)

    def not_ended_condition(self, today):
        """Still open, with a planned end whose period has not ended by ``today``. Such an end is dated this
        year or later (a year is the longest period), which the lists' index reads as a range: the first
        such deadlines without walking every past one."""
        this_year = dates.period_start(today, dates.Precision.YEAR)
        return self.still_open() & Q(**{f"{self.model.DEADLINE[0]}__gte": this_year}) & ~self.ended_before(today)

    @classmethod
    def horizon(cls, today):
        """The day after the last that a deadline due soon may end on: its period ends before this day."""
        return today + datetime.timedelta(days=cls.DUE_SOON_DAYS + 1)

    def due_soon_condition(self, today):
        """Not ended, and ending before the horizon; so dated before it too, which bounds the index range
        read to the window (the planner, guessing from this year on, walked the list's sort instead)."""
        horizon = self.horizon(today)
        dated_before = Q(**{f"{self.model.DEADLINE[0]}__lt": horizon})
        return self.not_ended_condition(today) & dated_before & self.ended_before(horizon)

    def overdue(self, today):
        return self.filter(self.overdue_condition(today))

    def due_soon(self, today):
        return self.filter(self.due_soon_condition(today))

    def upcoming(self, today):
        return self.filter(self.not_ended_condition(today))

    def with_deadline(self, today):
        """``deadline``: "overdue", "due_soon" or ``None``, for the badge on each row and page. A ``CASE``
        takes the first branch that holds, so "due soon" needs only an open record's end before the horizon
        (the filters' index bounds are no use here): half the SQL to build and compile for every list."""
        return self.annotate(
            deadline=models.Case(
                models.When(self.overdue_condition(today), then=models.Value("overdue")),
                models.When(self.still_open() & self.ended_before(self.horizon(today)), then=models.Value("due_soon")),
                default=None,
                output_field=models.CharField(),
            )
        )


class CitationQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_citation())

    def public_each(self):
        """``public()`` checked citation by citation as read (``cited_record_published``), the source too. For
        a search of the quotes: with ``public()``'s joins the planner may walk every citation in a join's
        order looking for a rare word's first matches, where this reads the matches the text index finds."""
        source = models.Subquery(Source.objects.filter(pk=OuterRef("source_id")).values("published"))
        return self.filter(cited_record_published(), Coalesce(source, False))

    def delete(self):
        refuse_to_leave_unsupported(citations=self)
        return super().delete()


class StatusUpdateQuerySet(models.QuerySet):
    def public(self):
        """The updates public evidence supports (``publicly_supported``) of published records."""
        of_published = Q(pk__in=[])
        for name in self.model.UPDATED_FIELDS:
            of_published |= Q(**{f"{name}__published": True})
        return self.filter(publicly_supported(), of_published)


class ChallengeQuerySet(RecordQuerySet):
    def for_list(self):
        return self.with_evidence().prefetch_related("focus_areas")

    def for_detail(self):
        return self.with_evidence().prefetch_related(
            "focus_areas",
            prefetch_published(Initiative, "initiatives"),
            prefetch_published(Recommendation, "recommendations"),
            citations(),
            status_updates(),
        )


class InitiativeQuerySet(DeadlineQuerySet):
    def for_list(self):
        # the tags the list shows
        return self.with_evidence().with_deadline(dates.today()).prefetch_related("focus_areas")

    def for_detail(self, visits=True):
        """``visits=False``: without the visits, which the public page reads apart (``InitiativeDetailView``)."""
        return (
            self.with_evidence()
            .with_deadline(dates.today())
            .prefetch_related(
                "focus_areas",
                "organisations",
                prefetch_published(Initiative, "parent"),
                prefetch_published(Initiative, "parts"),
                prefetch_published(Challenge, "challenges"),
                prefetch_published(Recommendation, "recommendations"),
                *([prefetch_published(Visit, "visits")] if visits else []),
                Prefetch("milestones", queryset=Milestone.objects.prefetch_related(citations())),
                citations(),
                status_updates(),
            )
        )


class RecommendationQuerySet(DeadlineQuerySet):
    def for_list(self):
        return self.with_evidence().with_deadline(dates.today()).select_related("focus_area", "proposed_by")

    def for_detail(self):
        return (
            self.with_evidence()
            .with_deadline(dates.today())
            .select_related("focus_area", "proposed_by")
            .prefetch_related(
                "focus_areas",
                prefetch_published(Visit, "visit"),
                prefetch_published(Challenge, "challenges"),
                prefetch_published(Initiative, "initiatives"),
                citations(),
                status_updates(),
            )
        )


class VisitQuerySet(RecordQuerySet):
    def for_list(self):
        return self.with_evidence().select_related("visitor_organisation").prefetch_related("hosts")

    def for_detail(self):
        return (
            self.with_evidence()
            .select_related("visitor_organisation")
            .prefetch_related(
                "hosts",
                "focus_areas",
                prefetch_published(Initiative, "initiatives"),
                prefetch_published(Recommendation, "recommendations"),
                citations(),
            )
        )


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def published_order_index(name, *ordering):
    """A partial index in a list's default order over published records, so page 1 and page 2,000 read
    only the rows they show and the public count is an index-only scan.

    (An ascending PostgreSQL index already puts nulls last, as the lists do; SQLite
    refuses ``NULLS LAST`` in an index.)
    """
    return models.Index(*ordering, name=name, condition=Q(published=True))


def published_ids_index(prefix):
    """The published records' ids, newest last: a search's part of records with a matching term walks its
    links newest first and checks each record is published here, without reading the records."""
    return published_order_index(f"{prefix}_published_ids", F("id"))


def sort_indexes(prefix, **fields):
    """A ``published_order_index`` per sort of a list (``{short name: field}``), ending with the id, so a
    page of it, ascending or descending (a backward scan), from the first row or a cursor's
    (``tracker.pagination.KeysetPaginator``), reads its rows only. A nullable field sorted descending
    keeps its nulls last, which PostgreSQL needs another index for (migration 0016)."""
    return [published_order_index(f"{prefix}_sort_{short}", F(field), F("id")) for short, field in fields.items()]


def slug_for(text):
    """The slug a title (or name) gives; empty for text without Latin letters or digits."""
    return slugify(text)[:80]


class SlugFromTitleMixin:
    """Derive a unique slug from the title (or name) when none is given."""

    slug_source_field = "title"

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slug_for(getattr(self, self.slug_source_field)) or "record"
            slug, suffix = base, 2
            others = type(self)._default_manager.exclude(pk=self.pk)
            while others.filter(slug=slug).exists():
                slug, suffix = f"{base}-{suffix}", suffix + 1
            self.slug = slug
        super().save(*args, **kwargs)


class FocusArea(SlugFromTitleMixin, models.Model):
    """A theme of cooperation: defence reform, cyber defence, crisis management…"""

    slug_source_field = "name"

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    search_document = search_document(("name", "A"), ("description", "C"))

    objects = NameManager()

    history = HistoricalRecords(excluded_fields=UNVERSIONED)

    class Meta:
        ordering = ["name"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        permissions = staff_permissions("focusarea", "focus areas")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    def get_absolute_url(self):
        return reverse("tracker:focusarea-detail", args=[self.slug])


class Organisation(SlugFromTitleMixin, models.Model):
    """A body that takes part: NATO HQ Sarajevo, the PCSC, the Ministry of Defence, EUFOR…"""

    class Kind(models.TextChoices):
        NATO = "nato", _("NATO body")
        BIH = "bih", _("Bosnia and Herzegovina institution")
        INTERNATIONAL = "international", _("International organisation")
        GOVERNMENT = "government", _("Other government")
        OTHER = "other", _("Other")

    slug_source_field = "name"

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    search_document = search_document(("name", "A"), ("abbreviation", "A"), ("description", "C"))

    objects = NameManager()

    history = HistoricalRecords(excluded_fields=UNVERSIONED)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = staff_permissions("organisation", "organisations")

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def natural_key(self):
        return (self.name,)

    def get_absolute_url(self):
        return reverse("tracker:organisation-detail", args=[self.slug])


class Source(SlugFromTitleMixin, TimeStampedModel):
    """A document that facts are taken from, with how far it can be trusted."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official")
        NEWS = "news", _("News")
        ANALYSIS = "analysis", _("Analysis")
        UNVERIFIED = "unverified", _("Unverified")

    class Reliability(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    publication_precision = PrecisionField(date_field="publication_date")
    url = models.URLField(_("URL"), max_length=500, blank=True)
    text = models.TextField(
        _("archived text"),
        blank=True,
        db_default="",
        help_text=_(
            "The document's full text as published, unedited. Every quote from this source must occur in it; "
            "leave it empty only for a document with no text to archive (its citations are shown as not verifiable)."
        ),
    )
    original = models.BinaryField(_("original file"), null=True, blank=True, editable=False)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True, db_default="")
    original_type = models.CharField(_("original file type"), max_length=100, blank=True, db_default="")
    reliability = models.CharField(_("reliability"), max_length=10, choices=Reliability.choices)
    reliability_note = models.TextField(_("reliability note"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    search_document = search_document(
        ("title", "A"), ("publisher", "B"), ("author", "B"), ("text", "D", SEARCHED_TEXT_LENGTH)
    )

    publication = PartialDateAttribute("publication_date", "publication_precision")

    objects = SlugManager.from_queryset(SourceQuerySet)()

    history = HistoricalRecords(
        excluded_fields=["original", *UNVERSIONED]
    )  # the text is versioned; the file is its origin

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        permissions = staff_permissions("source", "sources", publish=True)

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    @classmethod
    def from_db(cls, db, field_names, values):
        source = super().from_db(db, field_names, values)
        source.stored = {name: getattr(source, name) for name in ("text", "published") if name in field_names}
        return source

    stored = {}  # the text and published flag as read from the database, for what a save changes

    @property
    def verifiable(self):
        """Whether its citations can be checked against an archived text."""
        return bool(self.text)

    def text_changed(self):
        return self.pk is not None and "text" in self.stored and self.stored["text"] != self.text

    def being_unpublished(self):
        return self.pk is not None and self.stored.get("published") and not self.published

    def clean(self):
        errors = {}
        try:
            validate_partial_dates(self)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.text_changed():
            missing = [citation.quote for citation in self.citations.all() if not citation.locate_in(self)]
            if missing:
                errors.setdefault("text", []).append(
                    _("The new text no longer contains %(count)d of this source's quotes: %(quotes)s.")
                    % {"count": len(missing), "quotes": "; ".join(f"“{quote[:80]}”" for quote in missing[:5])}
                )
        if self.being_unpublished():
            try:
                refuse_to_leave_unsupported(sources=[self])
            except UnsupportedRecords as error:
                errors.setdefault("published", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Keep every citation's offsets right when the text changes; refuse a text that loses a quote,
        and an unpublishing that leaves a published record without a public citation."""
        if self.being_unpublished():
            refuse_to_leave_unsupported(sources=[self])
        citations = list(self.citations.all()) if self.text_changed() else []
        for citation in citations:
            citation.verify(self)
        publishing_changed = (
            self.pk is not None and "published" in self.stored and self.stored["published"] != self.published
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            Citation.objects.bulk_update(citations, ["start", "end"], batch_size=1000)
            if publishing_changed:  # the updates it supports count, or no longer count, for their records' status
                for update in StatusUpdate.objects.filter(citations__source=self).distinct():
                    sync_status(update.record)
        self.stored = {"text": self.text, "published": self.published}

    def get_absolute_url(self):
        return reverse("tracker:source-detail", args=[self.slug])


@cache
def choice_labels(field):
    """A field's choices as ``{value: label}``, the labels lazy (translated when shown)."""
    return dict(field.flatchoices)


class Record(SlugFromTitleMixin, TimeStampedModel):
    """What initiatives, challenges, recommendations and visits have in common."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="%(class)ss", verbose_name=_("focus areas")
    )
    published = models.BooleanField(_("published"), default=False, help_text=_("Drafts are visible to staff only."))
    search_document = search_document(*RECORD_DOCUMENT)

    objects = SlugManager.from_queryset(PublishedQuerySet)()

    #: The vocabulary a search matches by name besides the record's own text (``tracker.search``).
    search_tags = ("focus_areas",)

    def _get_FIELD_display(self, field):
        """Django's ``get_<field>_display``, without the dict of every choice it builds per call (each lazy
        label hashed, so translated): a list's rows call it twice each."""
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(value, value), strings_only=True)

    #: How many citations the record will have once saved, when they are saved with it
    #: (admin inlines, an import row); ``None`` means "look in the database".
    pending_citations = None

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def has_citations(self):
        if self.pending_citations is not None:
            return self.pending_citations > 0
        return self.pk is not None and self.citations.filter(source__published=True).exists()

    def clean(self):
        """Report every problem at once: partial dates, then ``problems()`` of each kind of record."""
        errors = {}
        try:
            validate_partial_dates(self)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field, message in self.problems():
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)

    def problems(self):
        if self.published and not self.has_citations():
            yield "published", _("A record needs at least one citation before it is published.")
        latest = latest_status(self)
        if latest is not None and latest != self.status:
            yield (
                "status",
                _(
                    "The status is the one its latest status update sets (%(status)s): to change it, add a dated "
                    "status update with its evidence."
                )
                % {"status": self.Status(latest).label},
            )

    def get_absolute_url(self):
        return reverse(f"tracker:{self._meta.model_name}-detail", args=[self.slug])

    @classmethod
    def list_url(cls):
        return reverse(f"tracker:{cls._meta.model_name}-list")

    def changes_url(self):
        return f"{reverse('tracker:changes')}?kind={self._meta.model_name}&record={self.slug}"


class Challenge(Record):
    """Something that holds reform or cooperation back."""

    class Category(models.TextChoices):
        POLITICAL = "political", _("Political and constitutional")
        INSTITUTIONAL = "institutional", _("Institutional and legal")
        RESOURCES = "resources", _("Budget and resources")
        INFRASTRUCTURE = "infrastructure", _("Property and infrastructure")
        SECURITY = "security", _("Security threat")
        SOCIETY = "society", _("Social and economic")
        INFORMATION = "information", _("Public information")
        EMERGENCY = "emergency", _("Emergencies and hazards")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        BEING_ADDRESSED = "being_addressed", _("Being addressed")
        RESOLVED = "resolved", _("Resolved")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    latest_update = latest_update_field()

    objects = SlugManager.from_queryset(ChallengeQuerySet)()

    history = HistoricalRecords(m2m_fields=["focus_areas"], excluded_fields=UPDATED_UNVERSIONED)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [
            published_order_index("challenge_published_order", F("title"), F("id")),
            *sort_indexes("challenge", category="category", status="status"),
            published_ids_index("challenge"),
        ]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        permissions = staff_permissions("challenge", "challenges", publish=True)


class Initiative(Record):
    """A programme, package, framework, mission or project of cooperation."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme")
        PACKAGE = "package", _("Package")
        FRAMEWORK = "framework", _("Framework")
        PROCESS = "process", _("Process")
        OPERATION = "operation", _("Mission or operation")
        PROJECT = "project", _("Project")
        ASSISTANCE = "assistance", _("Emergency assistance")
        EXERCISE = "exercise", _("Exercise")
        STRATEGY = "strategy", _("Strategy")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        SUSPENDED = "suspended", _("Suspended")

    OPEN_STATUSES = [Status.PLANNED, Status.ONGOING]  # past its planned end while still one of these: overdue
    DEADLINE = ("end_date", "end_precision")

    short_name = models.CharField(_("short name"), max_length=30, blank=True, help_text=_("e.g. PfP, MAP, DCB"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    latest_update = latest_update_field()
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_precision = PrecisionField(date_field="start_date")
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = PrecisionField(date_field="end_date")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. EUR"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="initiatives", verbose_name=_("organisations involved")
    )
    challenges = models.ManyToManyField(
        Challenge, blank=True, related_name="initiatives", verbose_name=_("challenges addressed")
    )

    search_document = search_document(("title", "A"), ("short_name", "A"), *RECORD_DOCUMENT[1:])
    search_tags = ("focus_areas", "organisations")

    start = PartialDateAttribute("start_date", "start_precision")
    end = PartialDateAttribute("end_date", "end_precision")

    objects = SlugManager.from_queryset(InitiativeQuerySet)()

    history = HistoricalRecords(
        m2m_fields=["focus_areas", "organisations", "challenges"], excluded_fields=UPDATED_UNVERSIONED
    )

    class Meta:
        ordering = [F("start_date").asc(nulls_last=True), "title", "pk"]
        indexes = [
            published_order_index("initiative_published_order", F("start_date"), F("title"), F("id")),
            *sort_indexes("initiative", title="title", start="start_date", status="status", kind="kind"),
            published_ids_index("initiative"),
        ]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        permissions = staff_permissions("initiative", "initiatives", publish=True)

    #: Set by an import, which checks the "part of" chain of a whole file at once (``parent_cycles``).
    parts_checked = False

    def problems(self):
        yield from super().problems()
        if self.parent_id is not None or Initiative.parent.is_cached(self):
            if not self.parts_checked and self.parent is not None and self.is_among_ancestors_of(self.parent):
                yield "parent", _("An initiative cannot be part of itself or of one of its own parts.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            yield "end_date", _("The end cannot be before the start.")
        if self.amount is not None and not self.currency:
            yield "currency", _("Give the currency of the amount.")

    def is_among_ancestors_of(self, initiative):
        """Whether this initiative is ``initiative`` or one of the initiatives it is part of, however deep."""
        seen = set()
        while initiative is not None and id(initiative) not in seen:
            if initiative is self or (self.pk is not None and initiative.pk == self.pk):
                return True
            seen.add(id(initiative))
            initiative = initiative.parent
        return False


def parent_cycles(parents):
    """The keys of ``parents`` (``{slug: parent slug or None}``) that are part of themselves through the chain."""
    cycles = set()
    for start in parents:
        seen, slug = set(), parents.get(start)
        while slug is not None and slug not in seen:
            if slug == start:
                cycles.add(start)
                break
            seen.add(slug)
            slug = parents.get(slug)
    return cycles


class Milestone(models.Model):
    """A dated step of an initiative: "invited to MAP", "package endorsed"."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("initiative")
    )
    title = models.CharField(_("title"), max_length=255)
    date = models.DateField(_("date"))
    date_precision = PrecisionField(date_field="date")
    description = models.TextField(_("description"), blank=True)

    when = PartialDateAttribute("date", "date_precision")

    objects = MilestoneManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "title"]
        # the timeline's order, ties included, so its first page reads only the rows it shows
        indexes = [models.Index(F("date"), F("title"), F("id"), name="milestone_timeline_order")]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        permissions = staff_permissions("milestone", "milestones")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "title"], name="unique_milestone_title"),
        ]

    def __str__(self):
        return f"{self.initiative.title}: {self.title} ({self.when})"

    def get_absolute_url(self):
        return self.initiative.get_absolute_url() + "#milestones-heading"

    def natural_key(self):
        return (*self.initiative.natural_key(), self.title)

    natural_key.dependencies = ["tracker.initiative"]

    def clean(self):
        validate_partial_dates(self)


class Visit(Record):
    """An official visit or high-level meeting."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Official visit")
        SUMMIT = "summit", _("Summit")
        MINISTERIAL = "ministerial", _("Ministerial meeting")
        MEETING = "meeting", _("Meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    date = models.DateField(_("date"))
    date_precision = PrecisionField(date_field="date")
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    visitor_name = models.CharField(
        _("visiting official"), max_length=150, blank=True, help_text=_("Leave empty if the source does not name them.")
    )
    visitor_role = models.CharField(_("role of the visiting official"), max_length=200, blank=True)
    visitor_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits_made",
        verbose_name=_("visiting organisation"),
    )
    hosts = models.ManyToManyField(Organisation, blank=True, related_name="visits_hosted", verbose_name=_("hosts"))
    purpose = models.TextField(_("purpose"), blank=True)
    topics = models.TextField(_("topics discussed"), blank=True, help_text=_("One topic per line."))
    outcomes = models.TextField(_("outcomes"), blank=True, help_text=_("One outcome per line."))
    initiatives = models.ManyToManyField(
        Initiative, blank=True, related_name="visits", verbose_name=_("initiatives discussed")
    )

    search_document = search_document(
        *RECORD_DOCUMENT, ("visitor_name", "B"), ("purpose", "C"), ("topics", "C"), ("outcomes", "C")
    )
    search_tags = ("focus_areas", "visitor_organisation", "hosts")

    when = PartialDateAttribute("date", "date_precision")

    objects = SlugManager.from_queryset(VisitQuerySet)()

    history = HistoricalRecords(m2m_fields=["focus_areas", "hosts", "initiatives"], excluded_fields=UNVERSIONED)

    class Meta:
        ordering = ["-date", "title", "pk"]
        indexes = [
            published_order_index("visit_published_order", F("date").desc(), F("title"), F("id")),
            *sort_indexes("visit", date="date", title="title", country="country"),
            published_order_index("visit_timeline_order", F("date"), F("title"), F("id")),  # the timeline's
            published_ids_index("visit"),
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        permissions = staff_permissions("visit", "visits", publish=True)

    @property
    def place(self):
        return ", ".join(part for part in (self.city, self.country) if part)

    @property
    def topic_list(self):
        return [line.strip() for line in self.topics.splitlines() if line.strip()]

    @property
    def outcome_list(self):
        return [line.strip() for line in self.outcomes.splitlines() if line.strip()]


class Recommendation(Record):
    """What should be done, by whom it was proposed, and by when."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    OPEN_STATUSES = [Status.PROPOSED, Status.ACCEPTED, Status.IN_PROGRESS]
    DEADLINE = ("target_date", "target_precision")

    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="main_recommendations",
        verbose_name=_("main focus area"),
    )
    strategic_action = models.TextField(_("strategic action"), blank=True)
    expected_outcome = models.TextField(_("expected outcome"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    latest_update = latest_update_field()
    issued_date = models.DateField(_("made on"), null=True, blank=True)
    issued_precision = PrecisionField(date_field="issued_date")
    target_date = models.DateField(_("target"), null=True, blank=True)
    target_precision = PrecisionField(date_field="target_date")
    target_ongoing = models.BooleanField(
        _("ongoing"), default=False, help_text=_("The source gives the timeline as ongoing rather than a date.")
    )
    proposed_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("proposed by"),
    )
    proposed_by_detail = models.CharField(
        _("proposed by (as the source says)"), max_length=255, blank=True, help_text=_('e.g. "NATO experts"')
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("made during"),
    )
    challenges = models.ManyToManyField(
        Challenge, blank=True, related_name="recommendations", verbose_name=_("challenges addressed")
    )
    initiatives = models.ManyToManyField(
        Initiative, blank=True, related_name="recommendations", verbose_name=_("related initiatives")
    )

    search_document = search_document(
        *RECORD_DOCUMENT, ("strategic_action", "C"), ("expected_outcome", "C"), ("proposed_by_detail", "C")
    )
    search_tags = ("focus_area", "focus_areas", "proposed_by")

    issued = PartialDateAttribute("issued_date", "issued_precision")
    target = PartialDateAttribute("target_date", "target_precision")

    objects = SlugManager.from_queryset(RecommendationQuerySet)()

    history = HistoricalRecords(
        m2m_fields=["focus_areas", "challenges", "initiatives"], excluded_fields=UPDATED_UNVERSIONED
    )

    class Meta:
        ordering = [F("target_date").asc(nulls_last=True), "title", "pk"]
        indexes = [
            published_order_index("recommendation_published_order", F("target_date"), F("title"), F("id")),
            *sort_indexes("recommendation", title="title", target="target_date", status="status"),
            published_ids_index("recommendation"),
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        permissions = staff_permissions("recommendation", "recommendations", publish=True)

    def problems(self):
        yield from super().problems()
        if self.target_ongoing and self.target_date:
            yield "target_ongoing", _("A target is either a date or ongoing, not both.")


#: The foreign keys of which a status update sets exactly one, and a citation.
UPDATED_FIELDS = ("initiative", "challenge", "recommendation")
CITED_FIELDS = ("initiative", "milestone", "challenge", "recommendation", "visit", "status_update")


def the_one_set(instance, fields):
    """The related object of the one foreign key of ``fields`` that is set (saved or not), or ``None``."""
    for name in fields:
        if getattr(instance, f"{name}_id") or getattr(instance, name, None) is not None:
            return getattr(instance, name)
    return None


def exactly_one(fields):
    """A condition that exactly one of the foreign keys ``fields`` is set."""
    condition = Q(pk__in=[])
    for chosen in fields:
        condition |= Q(**{f"{chosen}__isnull": False}, **{name: None for name in fields if name != chosen})
    return condition


class StatusUpdate(models.Model):
    """A dated step in a record's progress: the status it set, how complete the work was, and (as its
    citations) the evidence. The record's status is the one its latest update sets (``sync_status``).

    Completion follows the scale of the Open Government Partnership's reviews: not started, limited,
    substantial, complete; left empty when the source does not say."""

    UPDATED_FIELDS = UPDATED_FIELDS

    class Completion(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        LIMITED = "limited", _("Limited")
        SUBSTANTIAL = "substantial", _("Substantial")
        COMPLETE = "complete", _("Complete")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="status_updates"
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="status_updates"
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="status_updates"
    )
    date = models.DateField(_("date"))
    date_precision = PrecisionField(date_field="date")
    status = models.CharField(_("status"), max_length=20, help_text=_("One of the record's statuses."))
    completion = models.CharField(_("completion"), max_length=20, choices=Completion.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    when = PartialDateAttribute("date", "date_precision")

    objects = StatusUpdateQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        permissions = staff_permissions("statusupdate", "status updates")
        constraints = [
            models.CheckConstraint(name="status_update_of_exactly_one_record", condition=exactly_one(UPDATED_FIELDS)),
        ]

    def __str__(self):
        return f"{self.record}: {self.get_status_display()} ({self.when})"

    @property
    def record(self):
        return the_one_set(self, self.UPDATED_FIELDS)

    def get_status_display(self):
        record = self.record
        return dict(type(record).Status.choices).get(self.status, self.status) if record else self.status

    def get_absolute_url(self):
        return f"{self.record.get_absolute_url()}#update-{self.pk}"

    def clean(self):
        errors = {}
        if sum(1 for name in self.UPDATED_FIELDS if getattr(self, name) is not None) != 1:
            raise ValidationError(_("A status update belongs to exactly one initiative, challenge or recommendation."))
        statuses = type(self.record).Status
        if self.status not in statuses.values:
            errors["status"] = _("Choose one of: %(statuses)s.") % {
                "statuses": ", ".join(str(label) for label in statuses.labels)
            }
        try:
            validate_partial_dates(self)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            sync_status(self.record)

    def delete(self, *args, **kwargs):
        record = self.record
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            sync_status(record)
        return result


#: The reason a record's history gives when its latest status update set its status.
SYNC_REASON = "Status set by its latest update"


def latest_status(record):
    """The status set by ``record``'s latest update that public evidence supports, or ``None`` (no such update,
    the record is not saved yet, or its kind has no updates)."""
    if record.pk is None or not hasattr(record, "status_updates"):
        return None
    if hasattr(record, "latest_supported_status"):  # read with the record (``latest_status_of``)
        return record.latest_supported_status
    cited = record.status_updates.filter(publicly_supported())
    return cited.order_by("-date", "-pk").values_list("status", flat=True).first()


def sync_status(record):
    """Give ``record`` the status of its latest update that public evidence supports (it keeps its own when it
    has none): an update counts once its citation of a published source is saved, after the update itself.
    On PostgreSQL the database does the same at commit for any other writer (``tracker.evidence``)."""
    latest = latest_status(record)
    if latest is not None and latest != record.status:
        record.status = latest
        record._change_reason = SYNC_REASON
        record.save(update_fields=["status", "updated"])


class Citation(models.Model):
    """A short exact quote from a source that supports exactly one record, milestone or status update."""

    CITED_FIELDS = CITED_FIELDS

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("source"))
    quote = models.TextField(_("quote"), help_text=_("The exact sentence of the source that supports the record."))
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )

    #: Where the quote sits in its source's archived text (character offsets); empty when the source has none.
    start = models.PositiveIntegerField(_("start in the source's text"), null=True, blank=True, editable=False)
    end = models.PositiveIntegerField(_("end in the source's text"), null=True, blank=True, editable=False)
    search_document = search_document(("quote", "A"))

    objects = CitationQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=UNVERSIONED)

    class Meta:
        ordering = ["source__title", "pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        permissions = staff_permissions("citation", "citations")
        constraints = [
            models.CheckConstraint(name="citation_cites_exactly_one_record", condition=exactly_one(CITED_FIELDS)),
        ]
        indexes = [
            # the few verified citations, which every list reads to badge each row (``verified_evidence``):
            # without it, a seq scan of every citation on the first request of each list
            models.Index(fields=["source"], name="citation_verified", condition=Q(start__isnull=False)),
            # a source's page of citations, in its order, read from the index a page at a time (status
            # updates' citations are never on it)
            models.Index(
                fields=["source", "start", "id"],
                condition=Q(status_update__isnull=True),
                name="citation_source_page",
            ),
        ]

    def __str__(self):
        return f"{self.source}: “{self.quote[:60]}”"

    @property
    def cited(self):
        """The record, milestone or status update this citation supports."""
        return the_one_set(self, self.CITED_FIELDS)

    @property
    def cited_kind(self):
        return self.cited._meta.verbose_name

    @property
    def verified(self):
        """Checked against its source's archived text (which a source without text cannot be)."""
        return self.start is not None

    def locate_in(self, source):
        """``(start, end)`` of the quote in ``source``'s text, near where it was, or ``None``."""
        return quotes.locate(self.quote, source.text, near=self.start)

    def verify(self, source=None):
        """Find the quote in its source's archived text and remember where; a quote that is not there
        is refused, with the source's closest passage so a typo is easy to mend."""
        source = source or self.source
        if not source.verifiable:
            self.start = self.end = None
            return
        span = self.locate_in(source)
        if span is None:
            raise ValidationError({"quote": not_found_message(self.quote, source)})
        self.start, self.end = span

    def clean(self):
        # Related objects, not ids: in an admin inline the record may not be saved yet.
        if sum(1 for name in self.CITED_FIELDS if getattr(self, name) is not None) != 1:
            raise ValidationError(_("A citation supports exactly one record, milestone or status update."))
        if self.quote and (self.source_id is not None or Citation.source.is_cached(self)):
            self.verify()

    def save(self, *args, **kwargs):
        self.verify()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.status_update_id:
                sync_status(self.status_update.record)

    def delete(self, *args, **kwargs):
        refuse_to_leave_unsupported(citations=Citation.objects.filter(pk=self.pk))
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            if self.status_update_id:
                sync_status(self.status_update.record)
        return result


class SourceCitationCount(models.Model):
    """How many public citations a source has, kept by the database's triggers (``tracker.counts``):
    never written here."""

    source = models.OneToOneField(
        Source, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="public_citations"
    )
    public = models.IntegerField(default=0)  # not Positive: a negative difference is written as an upsert

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"{self.source_id}: {self.public}"


class TermCount(models.Model):
    """How many published records of a kind carry a focus area or organisation, kept by the database's
    triggers (``tracker.counts``): never written here."""

    vocabulary = models.CharField(max_length=20)  # the vocabulary's model name: "focusarea", "organisation"
    kind = models.CharField(max_length=20)  # the record's: "initiative", "challenge", "recommendation", "visit"
    term_id = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["vocabulary", "kind", "term_id"], name="term_count_unique")]

    def __str__(self):
        return f"{self.vocabulary} {self.term_id}: {self.n} {self.kind}"


def not_found_message(quote, source):
    passage = quotes.closest_passage(quote, quotes.normalised_text(source.text), source.text)
    shown = quote if len(quote) <= 120 else f"{quote[:117]}…"
    if passage is None or passage.similarity < quotes.SIMILAR_ENOUGH:
        return _("“%(quote)s” is not in the archived text of “%(source)s”, and nothing in it comes close.") % {
            "quote": shown,
            "source": source,
        }
    return _(
        "“%(quote)s” is not in the archived text of “%(source)s”. "
        "The closest passage (%(similarity)d%% alike) reads: “%(passage)s”."
    ) % {"quote": shown, "source": source, "similarity": passage.similarity, "passage": passage.text}


class UnsupportedRecords(ValidationError):
    """A change refused because it would leave published records without a public citation."""

    def __init__(self, records):
        self.records = records
        names = "; ".join(f"{record._meta.verbose_name} “{record}”" for record in records[:10])
        if len(records) > 10:
            names += "; …"
        super().__init__(
            _(
                "This would leave %(count)d published record(s) without a public citation: %(records)s. "
                "Cite another source for them first, or unpublish them."
            )
            % {"count": len(records), "records": names}
        )


def left_unsupported(citations=None, sources=()):
    """The published records whose every public citation is among ``citations`` (a queryset) or quotes
    one of ``sources``: what deleting those citations or unpublishing those sources would leave unsupported."""
    affected = Q(pk__in=citations.values("pk")) if citations is not None else Q(pk__in=[])
    if sources:
        affected |= Q(source__in=[source.pk for source in sources])
    records = []
    for model in (Initiative, Challenge, Recommendation, Visit):
        name = model._meta.model_name
        remaining = Citation.objects.filter(source__published=True, **{name: OuterRef("pk")}).exclude(affected)
        hit = Citation.objects.filter(affected, **{f"{name}__published": True}).values(name)
        records += model.objects.filter(pk__in=hit).exclude(Exists(remaining))
    return records


def refuse_to_leave_unsupported(citations=None, sources=()):
    records = left_unsupported(citations, sources)
    if records:
        raise UnsupportedRecords(records)


def verify_loaded(sender, instance, raw=False, **kwargs):
    """``loaddata`` saves rows raw, past ``save()``: a loaded citation is verified (and a loaded source's
    citations located) all the same, so a fixture cannot hold a quote its source does not contain. Statuses
    are loaded as they were dumped (a backup restores its records unchanged); the shipped fixtures give
    each record the status of its latest update, as a test checks."""
    if not raw:
        return
    citations = [instance] if isinstance(instance, Citation) else list(Citation.objects.filter(source=instance))
    for citation in citations:
        citation.verify()
    Citation.objects.bulk_update(citations, ["start", "end"])


class ImportJob(models.Model):
    """A file too big to check while a request waits: the task worker checks it (a dry run), and once staff
    confirm, imports it, all rows or none, as the admin's own import does (``tracker.jobs``)."""

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Ready to import")
        INVALID = "invalid", _("Cannot be imported")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (State.CHECKING, State.IMPORTING)

    resource = models.CharField(max_length=40, help_text="What the file holds: a model name (``RESOURCES_BY_NAME``).")
    file_format = models.CharField(max_length=10, help_text="``importing.FORMATS_BY_NAME``")
    file_name = models.CharField(max_length=255)
    read_as = models.CharField(max_length=100, blank=True)
    data = models.BinaryField(help_text="The checked file, as the format reads it; emptied once it is done with.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    rows = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0, help_text="Rows checked (or imported) so far.")
    totals = models.JSONField(default=dict, blank=True, help_text="New, updated, unchanged rows.")
    problems = models.JSONField(default=list, blank=True, help_text="One line per problem, in row order.")
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("import job")

    def __str__(self):
        return f"{self.file_name} ({self.resource})"

    @property
    def running(self):
        return self.state in self.RUNNING

    @property
    def percent(self):
        return round(100 * self.done / self.rows) if self.rows else 100
