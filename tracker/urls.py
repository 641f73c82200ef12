from django.urls import path

from . import feeds, views

app_name = "tracker"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("feed/", feeds.ChangesFeed(), name="feed"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("sources/<slug:slug>/original", views.source_original, name="source-original"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("data/", views.DataDictionaryView.as_view(), name="data-dictionary"),
    path("focus-areas/", views.FocusAreaIndexView.as_view(), name="focusarea-list"),
    path("organisations/", views.OrganisationIndexView.as_view(), name="organisation-list"),
    path("focus-areas/<slug:slug>/", views.FocusAreaDetailView.as_view(), name="focusarea-detail"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
]

for prefix, list_view, detail_view in [
    ("initiatives", views.InitiativeListView, views.InitiativeDetailView),
    ("challenges", views.ChallengeListView, views.ChallengeDetailView),
    ("recommendations", views.RecommendationListView, views.RecommendationDetailView),
    ("visits", views.VisitListView, views.VisitDetailView),
]:
    name = list_view.model._meta.model_name
    urlpatterns += [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}.csv", list_view.as_view(export_csv=True), name=f"{name}-csv"),
        path(f"{prefix}/<slug:slug>/", detail_view.as_view(), name=f"{name}-detail"),
    ]
