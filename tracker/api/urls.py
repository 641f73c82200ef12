from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False  # the docs page is the index of the API
for prefix, viewset in [
    ("initiatives", views.InitiativeViewSet),
    ("challenges", views.ChallengeViewSet),
    ("recommendations", views.RecommendationViewSet),
    ("visits", views.VisitViewSet),
    ("status-updates", views.StatusUpdateViewSet),
    ("citations", views.CitationViewSet),
    ("sources", views.SourceViewSet),
    ("focus-areas", views.FocusAreaViewSet),
    ("organisations", views.OrganisationViewSet),
]:
    router.register(prefix, viewset, basename=viewset.serializer_class.Meta.model._meta.model_name)

urlpatterns = [
    path("", views.DocsView.as_view(), name="docs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
