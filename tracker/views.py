"""Public pages. Every query starts from ``published()``: drafts never reach the public."""

import itertools

from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from . import charts, exports
from .dates import PartialDate
from .filters import ChallengeFilterSet, InitiativeFilterSet, RecommendationFilterSet, TimelineFilterSet, VisitFilterSet
from .models import (
    Challenge,
    Citation,
    FocusArea,
    Initiative,
    Milestone,
    Organisation,
    Recommendation,
    Source,
    Visit,
    public_citation,
)


class RecordListView(FilterView):
    """A filtered, sorted, paginated list of one kind of record, or all of it as CSV.

    Subclasses name the model, the filterset and the CSV columns. With
    ``export_csv=True`` the same filtered and sorted rows stream as CSV.
    """

    paginate_by = 20
    export_csv = False
    csv_columns = ()
    template_name_suffix = "_list"

    def get_queryset(self):
        return self.model.objects.published().for_list()

    def paginate_queryset(self, queryset, page_size):
        """Like ``ListView``, but a bad or out-of-range page shows the nearest page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        return super().get_context_data(
            query_without_page=query.urlencode(),
            csv_url=reverse(f"tracker:{self.model._meta.model_name}-csv"),
            verbose_name_plural=self.model._meta.verbose_name_plural,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if self.export_csv:
            list_url = self.request.build_absolute_uri(self.model.list_url())
            link = exports.Column(_("Link"), ("slug",), lambda slug: f"{list_url}{slug}/")
            columns = [*self.csv_columns, link]
            rows = exports.csv_rows(self.object_list, columns)
            return exports.stream_csv(f"{self.model._meta.verbose_name_plural}.csv", [c.header for c in columns], rows)
        return super().render_to_response(context, **response_kwargs)

    def get_paginate_by(self, queryset):
        return None if self.export_csv else self.paginate_by


class RecordDetailView(DetailView):
    def get_queryset(self):
        return self.model.objects.published().for_detail()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            verbose_name=self.model._meta.verbose_name,
            verbose_name_plural=self.model._meta.verbose_name_plural,
            **kwargs,
        )


def amount(value, currency):
    return f"{value} {currency}" if value is not None else ""


def organisation(name, abbreviation, detail=""):
    """As ``str(Organisation)`` shows it ("Name (ABBR)"), or the source's own wording when there is none."""
    if not name:
        return detail
    return f"{name} ({abbreviation})" if abbreviation else name


def target(ongoing, date, precision):
    return str(_("Ongoing")) if ongoing else exports.text(date and PartialDate(date, precision))


class InitiativeListView(RecordListView):
    model = Initiative
    filterset_class = InitiativeFilterSet
    csv_columns = (
        exports.column(_("Title"), "title"),
        exports.column(_("Short name"), "short_name"),
        exports.choice_column(_("Kind"), Initiative, "kind"),
        exports.choice_column(_("Status"), Initiative, "status"),
        exports.partial_date_column(_("Start"), "start_date", "start_precision"),
        exports.partial_date_column(_("End"), "end_date", "end_precision"),
        exports.Column(_("Amount"), ("amount", "currency"), amount),
        exports.names_column(_("Focus areas"), "focus_areas"),
        exports.names_column(_("Organisations"), "organisations", exports.ORGANISATION_LABEL),
        exports.column(_("Summary"), "summary"),
    )


class ChallengeListView(RecordListView):
    model = Challenge
    filterset_class = ChallengeFilterSet
    csv_columns = (
        exports.column(_("Title"), "title"),
        exports.choice_column(_("Category"), Challenge, "category"),
        exports.choice_column(_("Status"), Challenge, "status"),
        exports.names_column(_("Focus areas"), "focus_areas"),
        exports.column(_("Summary"), "summary"),
    )


class RecommendationListView(RecordListView):
    model = Recommendation
    filterset_class = RecommendationFilterSet
    csv_columns = (
        exports.column(_("Title"), "title"),
        exports.column(_("Focus area"), "focus_area__name"),
        exports.column(_("Strategic action"), "strategic_action"),
        exports.column(_("Expected outcome"), "expected_outcome"),
        exports.choice_column(_("Status"), Recommendation, "status"),
        exports.Column(_("Target"), ("target_ongoing", "target_date", "target_precision"), target),
        exports.Column(
            _("Proposed by"), ("proposed_by__name", "proposed_by__abbreviation", "proposed_by_detail"), organisation
        ),
        exports.column(_("Summary"), "summary"),
    )


class VisitListView(RecordListView):
    model = Visit
    filterset_class = VisitFilterSet
    csv_columns = (
        exports.column(_("Title"), "title"),
        exports.choice_column(_("Kind"), Visit, "kind"),
        exports.partial_date_column(_("Date"), "date", "date_precision"),
        exports.column(_("City"), "city"),
        exports.column(_("Country"), "country"),
        exports.column(_("Visiting official"), "visitor_name"),
        exports.column(_("Role"), "visitor_role"),
        exports.Column(
            _("Visiting organisation"), ("visitor_organisation__name", "visitor_organisation__abbreviation"), organisation
        ),
        exports.names_column(_("Hosts"), "hosts", exports.ORGANISATION_LABEL),
        exports.column(_("Purpose"), "purpose"),
    )


class InitiativeDetailView(RecordDetailView):
    model = Initiative


class ChallengeDetailView(RecordDetailView):
    model = Challenge


class RecommendationDetailView(RecordDetailView):
    model = Recommendation


class VisitDetailView(RecordDetailView):
    model = Visit


class HomeView(TemplateView):
    template_name = "tracker/home.html"

    def get_context_data(self, **kwargs):
        initiatives_by_status = status_counts(Initiative)
        recommendations_by_status = status_counts(Recommendation)
        return super().get_context_data(
            initiatives_by_status=initiatives_by_status,
            initiatives_chart=charts.bar_chart(initiatives_by_status),
            recommendations_by_status=recommendations_by_status,
            recommendations_chart=charts.bar_chart(recommendations_by_status),
            open_challenges=Challenge.objects.published().exclude(status=Challenge.Status.RESOLVED).count(),
            latest_visits=Visit.objects.published().for_list()[:5],
            next_deadlines=Recommendation.objects.published()
            .for_list()
            .upcoming(timezone.localdate())
            .order_by("target_date", "title")[:5],
            **kwargs,
        )


def status_counts(model):
    """``[(label, count, url)]`` for every status, in the order the model declares them."""
    counts = dict(model.objects.published().values_list("status").annotate(n=Count("pk")).order_by())
    list_url = model.list_url()
    return [(label, counts.get(value, 0), f"{list_url}?status={value}") for value, label in model.Status.choices]


class TimelineView(FilterView):
    """Milestones of initiatives and visits, in one chronology grouped by year."""

    template_name = "tracker/timeline.html"
    filterset_class = TimelineFilterSet
    model = Milestone

    def get_queryset(self):
        return Milestone.objects.filter(initiative__published=True).select_related("initiative")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        milestones = context["object_list"]
        visits = self.filterset.filter_visits(Visit.objects.published())
        events = sorted(
            itertools.chain(
                ({"when": m.when, "title": m.title, "record": m.initiative, "kind": "milestone"} for m in milestones),
                ({"when": v.when, "title": v.title, "record": v, "kind": "visit"} for v in visits),
            ),
            key=lambda event: (event["when"].date, event["title"]),
        )
        context["years"] = [(year, list(items)) for year, items in itertools.groupby(events, lambda e: e["when"].year)]
        return context


class SourceListView(ListView):
    def get_queryset(self):
        return Source.objects.published().annotate(
            citation_count=Count("citations", filter=public_citation("citations__"))
        )


class SourceDetailView(DetailView):
    def get_queryset(self):
        return Source.objects.published()

    def get_context_data(self, **kwargs):
        citations = (
            Citation.objects.filter(source=self.object)
            .public()
            .select_related("initiative", "milestone__initiative", "challenge", "recommendation", "visit")
        )
        return super().get_context_data(citations=citations, **kwargs)


class VocabularyDetailView(DetailView):
    """A focus area or organisation with every published record that carries it."""

    template_name = "tracker/vocabulary_detail.html"

    def get_context_data(self, **kwargs):
        groups = [
            (model._meta.verbose_name_plural, model.objects.published().filter(lookup).distinct().order_by("title"))
            for model, lookup in self.get_related()
        ]
        return super().get_context_data(groups=groups, kind=self.model._meta.verbose_name.capitalize(), **kwargs)


class FocusAreaDetailView(VocabularyDetailView):
    model = FocusArea

    def get_related(self):
        area = self.object
        return [
            (Initiative, Q(focus_areas=area)),
            (Challenge, Q(focus_areas=area)),
            (Recommendation, Q(focus_area=area) | Q(focus_areas=area)),
            (Visit, Q(focus_areas=area)),
        ]


class OrganisationDetailView(VocabularyDetailView):
    model = Organisation

    def get_related(self):
        organisation = self.object
        return [
            (Initiative, Q(organisations=organisation)),
            (Recommendation, Q(proposed_by=organisation)),
            (Visit, Q(visitor_organisation=organisation) | Q(hosts=organisation)),
        ]


def healthz(request):
    """For load balancers: 200 after a database round trip, 503 when the database cannot answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
