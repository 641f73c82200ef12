"""The API's read-only viewsets. Every query starts from what the public pages show: ``published()`` records,
``public()`` citations and status updates, the vocabulary that published records carry."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets

from .. import filters
from ..models import (
    UPDATED_FIELDS,
    Challenge,
    Citation,
    FocusArea,
    Initiative,
    Organisation,
    Recommendation,
    Source,
    StatusUpdate,
    Visit,
    citations,
)
from ..views import public_terms
from . import serializers as api


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """A list (paginated, filtered) and a detail by slug; ``detail_serializer_class`` for the detail."""

    lookup_field = "slug"
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def filter_queryset(self, queryset):
        """The list's filters slice the list; a detail is found by its slug alone."""
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)


class RecordViewSet(PublicViewSet):
    """One kind of published record, filtered by the same ``FilterSet`` as its public list."""

    model = None
    list_prefetch = ()  # what the API's list shows beyond the HTML list's ``for_list()``

    def get_queryset(self):
        records = self.model.objects.published()
        if self.action == "retrieve":
            return records.for_detail()
        return records.for_list().prefetch_related(*self.list_prefetch)


class InitiativeViewSet(RecordViewSet):
    """Initiatives: programmes, packages, frameworks, missions and projects of cooperation."""

    model = Initiative
    filterset_class = filters.InitiativeFilterSet
    serializer_class = api.InitiativeSerializer
    detail_serializer_class = api.InitiativeDetailSerializer


class ChallengeViewSet(RecordViewSet):
    """Challenges: what holds reform or cooperation back."""

    model = Challenge
    filterset_class = filters.ChallengeFilterSet
    serializer_class = api.ChallengeSerializer
    detail_serializer_class = api.ChallengeDetailSerializer


class RecommendationViewSet(RecordViewSet):
    """Recommendations: what should be done, proposed by whom, by when."""

    model = Recommendation
    filterset_class = filters.RecommendationFilterSet
    serializer_class = api.RecommendationSerializer
    detail_serializer_class = api.RecommendationDetailSerializer
    list_prefetch = ("focus_areas",)


class VisitViewSet(RecordViewSet):
    """Official visits and high-level meetings."""

    model = Visit
    filterset_class = filters.VisitFilterSet
    serializer_class = api.VisitSerializer
    detail_serializer_class = api.VisitDetailSerializer
    list_prefetch = ("focus_areas",)


class SourceViewSet(PublicViewSet):
    """The published sources that facts are taken from."""

    serializer_class = api.SourceSerializer

    def get_queryset(self):
        return Source.objects.published().listed()


class CitationViewSet(PublicViewSet):
    """Public citations: quotes of published sources supporting published records and their milestones
    (the evidence of a status update is listed with the update)."""

    lookup_field = "pk"
    serializer_class = api.CitedCitationSerializer

    def get_queryset(self):
        return (
            Citation.objects.public()
            .select_related(*api.CITED_RELATIONS)
            .defer("source__text", "source__original")
            .order_by("pk")
        )


class StatusUpdateViewSet(PublicViewSet):
    """Dated status updates of published records that public evidence supports, oldest first."""

    lookup_field = "pk"
    serializer_class = api.StatusUpdateSerializer

    def get_queryset(self):
        return StatusUpdate.objects.public().select_related(*UPDATED_FIELDS).prefetch_related(citations())


class FocusAreaViewSet(PublicViewSet):
    """Themes of cooperation that published records carry."""

    serializer_class = api.FocusAreaSerializer
    queryset = FocusArea.objects.none()  # the model, for the schema; ``get_queryset`` reads the database

    def get_queryset(self):
        return public_terms(FocusArea)


class OrganisationViewSet(PublicViewSet):
    """Bodies that published records name."""

    serializer_class = api.OrganisationSerializer
    queryset = Organisation.objects.none()  # the model, for the schema; ``get_queryset`` reads the database

    def get_queryset(self):
        return public_terms(Organisation)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the app's own static files, its script a separate response: nothing inline for the CSP."""

    template_name = "api/docs.html"
    title = _("Open API of the Cooperation Tracker")
    url_name = "api:schema"
