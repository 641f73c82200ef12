"""How published records read in the API: related records as slug, name and URL; dates as precise as their sources.

Each kind has a list serializer (what its list reads in a few queries, ``for_list()``) and a
detail serializer adding what its page shows (``for_detail()``), related records included only
when published. Staff-only fields (the published flag, archived texts, original files, quote
offsets, search documents) are never named here.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dates import Precision
from ..models import (
    CITED_FIELDS,
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

RECORD_KINDS = (Initiative, Challenge, Recommendation, Visit)


def api_url(model, lookup_field="slug"):
    """The absolute API URL of each object of ``model``."""
    return serializers.HyperlinkedIdentityField(
        view_name=f"api:{model._meta.model_name}-detail", lookup_field=lookup_field
    )


@extend_schema_field(OpenApiTypes.URI)
class PageField(serializers.Field):
    """The absolute URL of the object's public page."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


class OptionalURLField(serializers.URLField):
    """An address that may be missing: ``null`` rather than an empty string, which is no URL."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class PartialDateSerializer(serializers.Serializer):
    """A date as precise as its source says: ``{"date": "2025-09-01", "precision": "month", "iso": "2025-09",
    "text": "Sep 2025"}``. ``date`` is the first day of the year, quarter, month or day; ``iso`` the shortest
    ISO-like form (``2006``, ``2026-Q2``, ``2023-02``, ``2025-09-25``); ``text`` as the site shows it."""

    date = serializers.DateField(help_text="The first day of the period.")
    precision = serializers.ChoiceField(choices=Precision.choices)
    iso = serializers.CharField(source="isoformat", help_text="2006, 2026-Q2, 2023-02 or 2025-09-25.")
    text = serializers.CharField(source="__str__", help_text="As the site shows it, in the request's language.")


def partial_date(attribute=None, help_text=None):
    """The partial date ``attribute`` (a ``PartialDateAttribute``; the field's own name by default)."""
    return PartialDateSerializer(source=attribute, read_only=True, allow_null=True, help_text=help_text)


def reference(model, name_field="title", lookup_field="slug"):
    """A serializer of a related ``model`` object as its slug, name and API URL."""
    fields = {
        lookup_field: serializers.SlugField(read_only=True),
        name_field: serializers.CharField(read_only=True),
        "url": api_url(model, lookup_field),
    }
    return type(f"{model.__name__}ReferenceSerializer", (serializers.Serializer,), fields)


FocusAreaReference = reference(FocusArea, "name")
OrganisationReference = reference(Organisation, "name")
SourceReference = reference(Source)
InitiativeReference = reference(Initiative)
ChallengeReference = reference(Challenge)
RecommendationReference = reference(Recommendation)
VisitReference = reference(Visit)


@extend_schema_field(OpenApiTypes.URI)
class RecordURLField(serializers.Field):
    """The API URL of a record of any kind."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        url = reverse(f"api:{record._meta.model_name}-detail", args=[record.slug])
        return self.context["request"].build_absolute_uri(url)


class RecordReferenceSerializer(serializers.Serializer):
    """A record of any kind: what it is, its slug, title and API URL."""

    kind = serializers.ChoiceField(
        source="_meta.model_name", choices=[model._meta.model_name for model in RECORD_KINDS], read_only=True
    )
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    url = RecordURLField()


class EvidenceSerializer(serializers.ModelSerializer):
    """A quote from a published source; ``verified`` when it was found in the source's archived text."""

    source = SourceReference(read_only=True)
    verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "source", "quote", "verified"]


class CitationSerializer(EvidenceSerializer):
    """A citation of a record or milestone, listed at ``/api/citations/`` too."""

    url = api_url(Citation, "pk")

    class Meta(EvidenceSerializer.Meta):
        fields = ["id", "url", "source", "quote", "verified"]


class CitedCitationSerializer(CitationSerializer):
    """A citation with what it supports: a record, or a milestone of an initiative (``milestone`` names it)."""

    record = serializers.SerializerMethodField()
    milestone = serializers.SerializerMethodField()

    class Meta(CitationSerializer.Meta):
        fields = [*CitationSerializer.Meta.fields, "record", "milestone"]

    @extend_schema_field(RecordReferenceSerializer)
    def get_record(self, citation):
        cited = citation.cited
        record = cited.initiative if isinstance(cited, Milestone) else cited
        return RecordReferenceSerializer(record, context=self.context).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_milestone(self, citation):
        return citation.milestone.title if citation.milestone_id else None


#: What ``CitedCitationSerializer`` reads with each citation.
CITED_RELATIONS = ("source", *(name for name in CITED_FIELDS if name != "status_update"), "milestone__initiative")


class UpdateOfRecordSerializer(serializers.ModelSerializer):
    """A dated status update of the record it is shown with, and the public evidence for it."""

    url = api_url(StatusUpdate, "pk")
    date = partial_date("when")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    citations = EvidenceSerializer(many=True, read_only=True, help_text="The evidence, shown with the update only.")

    class Meta:
        model = StatusUpdate
        fields = ["id", "url", "date", "status", "status_label", "completion", "note", "citations"]


class StatusUpdateSerializer(UpdateOfRecordSerializer):
    """A dated status update, the record it belongs to, and the public evidence for it."""

    record = RecordReferenceSerializer(read_only=True)

    class Meta(UpdateOfRecordSerializer.Meta):
        fields = ["id", "url", "record", *UpdateOfRecordSerializer.Meta.fields[2:]]


class MilestoneSerializer(serializers.ModelSerializer):
    date = partial_date("when")
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = Milestone
        fields = ["title", "date", "description", "citations"]


class RecordSerializer(serializers.ModelSerializer):
    """What every kind of record shows in its list."""

    page = PageField()
    focus_areas = FocusAreaReference(many=True, read_only=True)
    verified_evidence = serializers.BooleanField(
        source="has_verified_evidence",
        read_only=True,
        help_text="Whether a citation was checked against the archived text of a source that is not unverified.",
    )

    common_fields = ["url", "slug", "title", "page", "summary", "focus_areas", "verified_evidence", "updated"]


class RecordDetailSerializer(RecordSerializer):
    """What every kind of record adds on its own page: its description and the citations that support it."""

    citations = CitationSerializer(many=True, read_only=True)

    detail_fields = ["description", "citations"]


class UpdatedDetailSerializer(RecordDetailSerializer):
    status_updates = UpdateOfRecordSerializer(
        source="public_updates", many=True, read_only=True, help_text="Oldest first, each with its evidence."
    )


def deadline_field():
    return serializers.ChoiceField(
        choices=["overdue", "due_soon"],
        allow_null=True,
        read_only=True,
        help_text="Past its planned end while still open, or ending within 90 days.",
    )


class InitiativeSerializer(RecordSerializer):
    url = api_url(Initiative)
    start = partial_date()
    end = partial_date()
    deadline = deadline_field()

    class Meta:
        model = Initiative
        fields = [*RecordSerializer.common_fields, "short_name", "kind", "status", "start", "end", "deadline"]


class InitiativeDetailSerializer(InitiativeSerializer, UpdatedDetailSerializer):
    organisations = OrganisationReference(many=True, read_only=True)
    parent = InitiativeReference(read_only=True, allow_null=True)
    parts = InitiativeReference(many=True, read_only=True)
    challenges = ChallengeReference(many=True, read_only=True)
    recommendations = RecommendationReference(many=True, read_only=True)
    visits = VisitReference(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta(InitiativeSerializer.Meta):
        fields = [
            *InitiativeSerializer.Meta.fields,
            *RecordDetailSerializer.detail_fields,
            "amount",
            "currency",
            "organisations",
            "parent",
            "parts",
            "challenges",
            "recommendations",
            "visits",
            "milestones",
            "status_updates",
        ]


class ChallengeSerializer(RecordSerializer):
    url = api_url(Challenge)

    class Meta:
        model = Challenge
        fields = [*RecordSerializer.common_fields, "category", "status"]


class ChallengeDetailSerializer(ChallengeSerializer, UpdatedDetailSerializer):
    initiatives = InitiativeReference(many=True, read_only=True)
    recommendations = RecommendationReference(many=True, read_only=True)

    class Meta(ChallengeSerializer.Meta):
        fields = [
            *ChallengeSerializer.Meta.fields,
            *RecordDetailSerializer.detail_fields,
            "initiatives",
            "recommendations",
            "status_updates",
        ]


class RecommendationSerializer(RecordSerializer):
    url = api_url(Recommendation)
    issued = partial_date()
    target = partial_date()
    deadline = deadline_field()
    focus_area = FocusAreaReference(read_only=True, allow_null=True, help_text="The main focus area.")
    proposed_by = OrganisationReference(read_only=True, allow_null=True)

    class Meta:
        model = Recommendation
        fields = [
            *RecordSerializer.common_fields,
            "status",
            "issued",
            "target",
            "target_ongoing",
            "deadline",
            "focus_area",
            "proposed_by",
            "proposed_by_detail",
        ]


class RecommendationDetailSerializer(RecommendationSerializer, UpdatedDetailSerializer):
    visit = VisitReference(read_only=True, allow_null=True, help_text="The visit it was made during.")
    challenges = ChallengeReference(many=True, read_only=True)
    initiatives = InitiativeReference(many=True, read_only=True)

    class Meta(RecommendationSerializer.Meta):
        fields = [
            *RecommendationSerializer.Meta.fields,
            *RecordDetailSerializer.detail_fields,
            "strategic_action",
            "expected_outcome",
            "visit",
            "challenges",
            "initiatives",
            "status_updates",
        ]


class VisitSerializer(RecordSerializer):
    url = api_url(Visit)
    date = partial_date("when")
    visitor_organisation = OrganisationReference(read_only=True, allow_null=True)
    hosts = OrganisationReference(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            *RecordSerializer.common_fields,
            "kind",
            "date",
            "city",
            "country",
            "visitor_name",
            "visitor_role",
            "visitor_organisation",
            "hosts",
        ]


class VisitDetailSerializer(VisitSerializer, RecordDetailSerializer):
    topics = serializers.ListField(child=serializers.CharField(), source="topic_list", read_only=True)
    outcomes = serializers.ListField(child=serializers.CharField(), source="outcome_list", read_only=True)
    initiatives = InitiativeReference(many=True, read_only=True)
    recommendations = RecommendationReference(many=True, read_only=True)

    class Meta(VisitSerializer.Meta):
        fields = [
            *VisitSerializer.Meta.fields,
            *RecordDetailSerializer.detail_fields,
            "purpose",
            "topics",
            "outcomes",
            "initiatives",
            "recommendations",
        ]


class SourceSerializer(serializers.ModelSerializer):
    url = api_url(Source)
    page = PageField()
    publication = partial_date()
    document_url = OptionalURLField(source="url", help_text="Where the document was published.")

    class Meta:
        model = Source
        fields = [
            "url",
            "slug",
            "title",
            "page",
            "publisher",
            "author",
            "kind",
            "publication",
            "document_url",
            "reliability",
            "reliability_note",
        ]


class FocusAreaSerializer(serializers.ModelSerializer):
    url = api_url(FocusArea)
    page = PageField()

    class Meta:
        model = FocusArea
        fields = ["url", "slug", "name", "page", "description"]


class OrganisationSerializer(serializers.ModelSerializer):
    url = api_url(Organisation)
    page = PageField()

    class Meta:
        model = Organisation
        fields = ["url", "slug", "name", "page", "abbreviation", "kind", "description"]
