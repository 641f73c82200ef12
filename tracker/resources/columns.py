"""The columns of every file staff import and export: one resource per model, each a list of columns.

A column is declared with a factory from ``widgets`` (``text``, ``choice``,
``one`` for a related record by name or slug, ``many`` for a ``;``-separated
list, ``PartialDateField``, ...), and named in ``Meta.fields``, whose order is
the files' order. What the import does with the rows is in ``engine``; a new
resource goes in ``RESOURCES``, after the resources it refers to.
"""

from import_export import fields

from ..models import Challenge, Citation, FocusArea, Initiative, Milestone, Organisation, Recommendation, Source, Visit
from .engine import CitationRows, PartOfChecks, RecordResource, SlugFromTitleResource, TrackerResource
from .widgets import NumberWidget, PartialDateField, YesNoWidget, choice, many, one, text


class VocabularyResource(TrackerResource):
    required_columns = ("Name",)
    name = text("name", "Name")
    slug = text("slug", "Slug")
    description = text("description", "Description")

    class Meta(TrackerResource.Meta):
        import_id_fields = ("name",)
        fields = ("name", "slug", "description")


class FocusAreaResource(VocabularyResource):
    class Meta(VocabularyResource.Meta):
        model = FocusArea


class OrganisationResource(VocabularyResource):
    abbreviation = text("abbreviation", "Abbreviation")
    kind = choice("kind", "Kind", Organisation.Kind.choices)

    class Meta(VocabularyResource.Meta):
        model = Organisation
        fields = ("name", "slug", "abbreviation", "kind", "description")


class SourceResource(SlugFromTitleResource):
    required_columns = ("Title", "Kind", "Reliability")
    slug = text("slug", "Slug")
    title = text("title", "Title")
    publisher = text("publisher", "Publisher")
    author = text("author", "Author")
    kind = choice("kind", "Kind", Source.Kind.choices)
    publication = PartialDateField("publication_date", "publication_precision", "Published on")
    url = text("url", "URL")
    archived_text = text("text", "Archived text")
    original_name = text("original_name", "Original file name")
    reliability = choice("reliability", "Reliability", Source.Reliability.choices)
    reliability_note = text("reliability_note", "Reliability note")
    published = fields.Field(attribute="published", column_name="Published", widget=YesNoWidget())

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
    """The columns initiatives, challenges, recommendations and visits share ("Source" and "Quote" hold the
    record's citations, one per line: see ``RecordResource``)."""

    required_columns = ("Title",)
    export_prefetch = ("citations__source", "focus_areas")
    slug = text("slug", "Slug")
    title = text("title", "Title")
    summary = text("summary", "Summary")
    description = text("description", "Description")
    focus_areas = many("focus_areas", "Focus areas", FocusArea)
    source = fields.Field(column_name="Source", readonly=True)
    quote = fields.Field(column_name="Quote", readonly=True)
    published = fields.Field(attribute="published", column_name="Published", widget=YesNoWidget())

    class Meta(RecordResource.Meta):
        fields = record_fields()


class InitiativeResource(PartOfChecks, RecordColumns):
    required_columns = ("Title", "Kind", "Status")
    export_prefetch = ("citations__source", "focus_areas", "parent", "organisations", "challenges")
    short_name = text("short_name", "Short name")
    kind = choice("kind", "Kind", Initiative.Kind.choices)
    status = choice("status", "Status", Initiative.Status.choices)
    start = PartialDateField("start_date", "start_precision", "Start")
    end = PartialDateField("end_date", "end_precision", "End")
    amount = fields.Field(attribute="amount", column_name="Amount", widget=NumberWidget())
    currency = text("currency", "Currency")
    parent = one("parent", "Part of", Initiative, key="slug")
    organisations = many("organisations", "Organisations", Organisation)
    challenges = many("challenges", "Challenges addressed", Challenge, key="slug")

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
    category = choice("category", "Category", Challenge.Category.choices)
    status = choice("status", "Status", Challenge.Status.choices)

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
    focus_area = one("focus_area", "Focus area", FocusArea)
    strategic_action = text("strategic_action", "Strategic action")
    expected_outcome = text("expected_outcome", "Expected outcome")
    status = choice("status", "Status", Recommendation.Status.choices)
    issued = PartialDateField("issued_date", "issued_precision", "Made on")
    target = PartialDateField("target_date", "target_precision", "Target")
    target_ongoing = fields.Field(attribute="target_ongoing", column_name="Ongoing", widget=YesNoWidget())
    proposed_by = one("proposed_by", "Proposed by", Organisation)
    proposed_by_detail = text("proposed_by_detail", "Proposed by (as the source says)")
    visit = one("visit", "Made during (visit)", Visit, key="slug")
    challenges = many("challenges", "Challenges addressed", Challenge, key="slug")
    initiatives = many("initiatives", "Initiatives", Initiative, key="slug")

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
    kind = choice("kind", "Kind", Visit.Kind.choices)
    when = PartialDateField("date", "date_precision", "Date")
    city = text("city", "City")
    country = text("country", "Country")
    visitor_name = text("visitor_name", "Visiting official")
    visitor_role = text("visitor_role", "Role")
    visitor_organisation = one("visitor_organisation", "Visiting organisation", Organisation)
    hosts = many("hosts", "Hosts", Organisation)
    purpose = text("purpose", "Purpose")
    topics = text("topics", "Topics")
    outcomes = text("outcomes", "Outcomes")
    initiatives = many("initiatives", "Initiatives", Initiative, key="slug")

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
    initiative = one("initiative", "Initiative", Initiative, key="slug")
    title = text("title", "Title")
    when = PartialDateField("date", "date_precision", "Date")
    description = text("description", "Description")

    class Meta(TrackerResource.Meta):
        model = Milestone
        import_id_fields = ("initiative", "title")
        fields = ("initiative", "title", "when", "description")


class CitationResource(CitationRows, TrackerResource):
    required_columns = ("Source", "Quote")
    export_prefetch = ("source", "initiative", "milestone__initiative", "challenge", "recommendation", "visit")
    source = one("source", "Source", Source, key="slug")
    quote = text("quote", "Quote")
    initiative = one("initiative", "Initiative", Initiative, key="slug")
    milestone = fields.Field(column_name="Milestone", readonly=True)
    challenge = one("challenge", "Challenge", Challenge, key="slug")
    recommendation = one("recommendation", "Recommendation", Recommendation, key="slug")
    visit = one("visit", "Visit", Visit, key="slug")

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
        CitationResource,
    )
}
RESOURCES_BY_NAME = {model._meta.model_name: resource for model, resource in RESOURCES.items()}
