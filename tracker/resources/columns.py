"""The columns of every file staff import and export: one resource per model, each a list of columns.

A column is declared by its header and the model attribute it fills, with a
factory from ``widgets`` (``text_field``, ``choice_field``, ``one_field`` for a
related record by name or slug, ``many_field`` for a ``;``-separated list,
``partial_date_field``, ...), and named in ``Meta.fields``, whose order is the
files' order. What the import does with the rows is in ``engine``.

A new resource subclasses ``TrackerResource`` (rows matched by ``Meta.import_id_fields``),
``SlugFromTitleResource`` (matched by slug, made from the title where a row has none) or
``RecordColumns`` (a record kind with citations), and goes in ``RESOURCES`` after the
resources it refers to.
"""

from ..models import (
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
from .engine import (
    CitationCells,
    CitationRows,
    PartOfChecks,
    RecordResource,
    SlugFromTitleResource,
    StatusUpdateRows,
    TrackerResource,
)
from .widgets import (
    choice_field,
    custom_field,
    many_field,
    number_field,
    one_field,
    partial_date_field,
    status_field,
    text_field,
    yes_no_field,
)


class VocabularyResource(TrackerResource):
    required_columns = ("Name",)
    name = text_field("Name", "name")
    slug = text_field("Slug", "slug")
    description = text_field("Description", "description")

    class Meta(TrackerResource.Meta):
        import_id_fields = ("name",)
        fields = ("name", "slug", "description")


class FocusAreaResource(VocabularyResource):
    class Meta(VocabularyResource.Meta):
        model = FocusArea


class OrganisationResource(VocabularyResource):
    abbreviation = text_field("Abbreviation", "abbreviation")
    kind = choice_field("Kind", "kind", Organisation.Kind.choices)

    class Meta(VocabularyResource.Meta):
        model = Organisation
        fields = ("name", "slug", "abbreviation", "kind", "description")


class SourceResource(SlugFromTitleResource):
    required_columns = ("Title", "Kind", "Reliability")
    slug = text_field("Slug", "slug")
    title = text_field("Title", "title")
    publisher = text_field("Publisher", "publisher")
    author = text_field("Author", "author")
    kind = choice_field("Kind", "kind", Source.Kind.choices)
    publication = partial_date_field("Published on", "publication_date", "publication_precision")
    url = text_field("URL", "url")
    archived_text = text_field("Archived text", "text")
    original_name = text_field("Original file name", "original_name")
    reliability = choice_field("Reliability", "reliability", Source.Reliability.choices)
    reliability_note = text_field("Reliability note", "reliability_note")
    published = yes_no_field("Published", "published")

    class Meta(TrackerResource.Meta):
        model = Source
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "title",
            "publisher",
            "author",
            "kind",
            "publication",
            "url",
            "archived_text",
            "original_name",
            "reliability",
            "reliability_note",
            "published",
        )


def record_fields(*own):
    """``Meta.fields`` of a record kind: the columns every record has, around the kind's ``own``."""
    return ("slug", "title", "summary", "description", "focus_areas", *own, "source", "quote", "published")


class RecordColumns(RecordResource):
    """The columns initiatives, challenges, recommendations and visits share (with "Source" and "Quote",
    which hold the record's citations: see ``engine.CitationCells``)."""

    required_columns = ("Title",)
    export_prefetch = ("citations__source", "focus_areas")
    slug = text_field("Slug", "slug")
    title = text_field("Title", "title")
    summary = text_field("Summary", "summary")
    description = text_field("Description", "description")
    focus_areas = many_field("Focus areas", "focus_areas", FocusArea)
    published = yes_no_field("Published", "published")

    class Meta(RecordResource.Meta):
        fields = record_fields()


class InitiativeResource(PartOfChecks, RecordColumns):
    required_columns = ("Title", "Kind", "Status")
    export_prefetch = ("citations__source", "focus_areas", "parent", "organisations", "challenges")
    short_name = text_field("Short name", "short_name")
    kind = choice_field("Kind", "kind", Initiative.Kind.choices)
    status = choice_field("Status", "status", Initiative.Status.choices)
    start = partial_date_field("Start", "start_date", "start_precision")
    end = partial_date_field("End", "end_date", "end_precision")
    amount = number_field("Amount", "amount")
    currency = text_field("Currency", "currency")
    parent = one_field("Part of", "parent", Initiative, key="slug")
    organisations = many_field("Organisations", "organisations", Organisation)
    challenges = many_field("Challenges addressed", "challenges", Challenge, key="slug")

    class Meta(RecordColumns.Meta):
        model = Initiative
        fields = record_fields(
            "short_name",
            "kind",
            "status",
            "start",
            "end",
            "amount",
            "currency",
            "parent",
            "organisations",
            "challenges",
        )


class ChallengeResource(RecordColumns):
    required_columns = ("Title", "Category")
    category = choice_field("Category", "category", Challenge.Category.choices)
    status = choice_field("Status", "status", Challenge.Status.choices)

    class Meta(RecordColumns.Meta):
        model = Challenge
        fields = record_fields("category", "status")


class RecommendationResource(RecordColumns):
    export_prefetch = (
        "citations__source",
        "focus_areas",
        "focus_area",
        "proposed_by",
        "visit",
        "challenges",
        "initiatives",
    )
    focus_area = one_field("Focus area", "focus_area", FocusArea)
    strategic_action = text_field("Strategic action", "strategic_action")
    expected_outcome = text_field("Expected outcome", "expected_outcome")
    status = choice_field("Status", "status", Recommendation.Status.choices)
    issued = partial_date_field("Made on", "issued_date", "issued_precision")
    target = partial_date_field("Target", "target_date", "target_precision")
    target_ongoing = yes_no_field("Ongoing", "target_ongoing")
    proposed_by = one_field("Proposed by", "proposed_by", Organisation)
    proposed_by_detail = text_field("Proposed by (as the source says)", "proposed_by_detail")
    visit = one_field("Made during (visit)", "visit", Visit, key="slug")
    challenges = many_field("Challenges addressed", "challenges", Challenge, key="slug")
    initiatives = many_field("Initiatives", "initiatives", Initiative, key="slug")

    class Meta(RecordColumns.Meta):
        model = Recommendation
        fields = record_fields(
            "focus_area",
            "strategic_action",
            "expected_outcome",
            "status",
            "issued",
            "target",
            "target_ongoing",
            "proposed_by",
            "proposed_by_detail",
            "visit",
            "challenges",
            "initiatives",
        )


class VisitResource(RecordColumns):
    required_columns = ("Title", "Date")
    export_prefetch = ("citations__source", "focus_areas", "visitor_organisation", "hosts", "initiatives")
    kind = choice_field("Kind", "kind", Visit.Kind.choices)
    when = partial_date_field("Date", "date", "date_precision")
    city = text_field("City", "city")
    country = text_field("Country", "country")
    visitor_name = text_field("Visiting official", "visitor_name")
    visitor_role = text_field("Role", "visitor_role")
    visitor_organisation = one_field("Visiting organisation", "visitor_organisation", Organisation)
    hosts = many_field("Hosts", "hosts", Organisation)
    purpose = text_field("Purpose", "purpose")
    topics = text_field("Topics", "topics")
    outcomes = text_field("Outcomes", "outcomes")
    initiatives = many_field("Initiatives", "initiatives", Initiative, key="slug")

    class Meta(RecordColumns.Meta):
        model = Visit
        fields = record_fields(
            "kind",
            "when",
            "city",
            "country",
            "visitor_name",
            "visitor_role",
            "visitor_organisation",
            "hosts",
            "purpose",
            "topics",
            "outcomes",
            "initiatives",
        )


class MilestoneResource(TrackerResource):
    required_columns = ("Initiative", "Title", "Date")
    export_prefetch = ("initiative",)
    initiative = one_field("Initiative", "initiative", Initiative, key="slug")
    title = text_field("Title", "title")
    when = partial_date_field("Date", "date", "date_precision")
    description = text_field("Description", "description")

    class Meta(TrackerResource.Meta):
        model = Milestone
        import_id_fields = ("initiative", "title")
        fields = ("initiative", "title", "when", "description")


class StatusUpdateResource(StatusUpdateRows, CitationCells):
    """A dated status update of one initiative, challenge or recommendation, with its evidence in Source and
    Quote; a new update needs both."""

    KINDS = {"Initiative": Initiative, "Challenge": Challenge, "Recommendation": Recommendation}

    required_columns = ("Date", "Status")
    export_prefetch = ("initiative", "challenge", "recommendation", "citations__source")
    initiative = one_field("Initiative", "initiative", Initiative, key="slug")
    challenge = one_field("Challenge", "challenge", Challenge, key="slug")
    recommendation = one_field("Recommendation", "recommendation", Recommendation, key="slug")
    when = partial_date_field("Date", "date", "date_precision")
    status = status_field("Status", "status", KINDS)
    completion = choice_field("Completion", "completion", StatusUpdate.Completion.choices)
    note = text_field("Note", "note")

    class Meta(TrackerResource.Meta):
        model = StatusUpdate
        import_id_fields = ()
        fields = (
            "initiative",
            "challenge",
            "recommendation",
            "when",
            "status",
            "completion",
            "note",
            "source",
            "quote",
        )

    def dehydrate_status(self, update):
        return str(update.get_status_display())  # the label of its record's kind, in the active language


class CitationResource(CitationRows, TrackerResource):
    required_columns = ("Source", "Quote")
    export_prefetch = ("source", "initiative", "milestone__initiative", "challenge", "recommendation", "visit")
    source = one_field("Source", "source", Source, key="slug")
    quote = text_field("Quote", "quote")
    initiative = one_field("Initiative", "initiative", Initiative, key="slug")
    milestone = custom_field("Milestone")
    challenge = one_field("Challenge", "challenge", Challenge, key="slug")
    recommendation = one_field("Recommendation", "recommendation", Recommendation, key="slug")
    visit = one_field("Visit", "visit", Visit, key="slug")

    class Meta(TrackerResource.Meta):
        model = Citation
        import_id_fields = ()
        fields = ("source", "quote", "initiative", "milestone", "challenge", "recommendation", "visit")

    def dehydrate_initiative(self, citation):
        initiative = citation.milestone.initiative if citation.milestone_id else citation.initiative
        return initiative.slug if initiative else ""

    def dehydrate_milestone(self, citation):
        return citation.milestone.title if citation.milestone_id else ""


#: Every resource, in the order a whole set must be imported (each refers only to those before it).
RESOURCES = {
    resource._meta.model: resource
    for resource in (
        FocusAreaResource,
        OrganisationResource,
        SourceResource,
        ChallengeResource,
        InitiativeResource,
        VisitResource,
        RecommendationResource,
        MilestoneResource,
        StatusUpdateResource,
        CitationResource,
    )
}
RESOURCES_BY_NAME = {model._meta.model_name: resource for model, resource in RESOURCES.items()}
