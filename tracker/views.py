"""Public pages. Every query starts from ``published()``: drafts never reach the public."""

import hashlib
import itertools
from collections import Counter
from functools import cached_property, reduce
from operator import or_

from django import forms
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Value,
)
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from . import caching, changes, charts, data_dictionary, dates, exports, list_counts, passages, search, summaries
from .caching import remember
from .dates import PartialDate
from .filters import (
    ChallengeFilterSet,
    InitiativeFilterSet,
    RecommendationFilterSet,
    TimelineFilterSet,
    VisitFilterSet,
    used_by_published,
)
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
    TermCount,
    Visit,
    cited_record_published,
    filter_related,
    publicly_supported,
)
from .pagination import CachedCountPaginator, KeysetPaginator


class RememberedPage:
    """A page whose remembered parts (``{% cache … data_version %}`` fragments, counts, other answers) are
    kept under the versions of the tables it shows: those of the models in ``depends_on``, each with its
    many-to-many links (``tracker.caching``), so an edit of anything else keeps them. A page that shows a
    model's rows, or filters or counts by them, names it; ``()`` (the default) is every tracker table.

    The whole page is remembered too (``caching.remembered_response``), under the versions of the tables
    of ``depends_on`` and of ``shown_apart``: the models whose rows the page shows but remembers apart, under
    their own versions, so that an edit of one re-reads them alone."""

    depends_on = ()
    shown_apart = ()

    def dispatch(self, request, *args, **kwargs):
        respond = super().dispatch
        if request.method not in ("GET", "HEAD"):
            return respond(request, *args, **kwargs)
        models = (*self.depends_on, *self.shown_apart) if self.depends_on else ()
        return caching.remembered_response(request, lambda: respond(request, *args, **kwargs), models)

    def data_version(self):
        return caching.data_version(*self.depends_on)

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        paginator.depends_on = self.depends_on
        return paginator

    def get_context_data(self, **kwargs):
        return super().get_context_data(data_version=self.data_version, **kwargs)


#: What a record's evidence badge and citations read, and what its status history reads besides.
EVIDENCE = (Citation, Source)
UPDATES = (StatusUpdate, *EVIDENCE)


class NearestPageMixin:
    """Pagination where a bad or out-of-range page shows the nearest page, with the query its links keep."""

    #: The parameters that name a page rather than filter the list.
    page_params = ("page",)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = self.get_page(paginator)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_page(self, paginator):
        return paginator.get_page(self.request.GET.get(self.page_kwarg))

    def query_without_page(self):
        query = self.request.GET.copy()
        for name in (self.page_kwarg, *self.page_params):
            query.pop(name, None)
        return query

    def get_context_data(self, **kwargs):
        return super().get_context_data(query_without_page=self.query_without_page().urlencode(), **kwargs)


class KeysetPagesMixin(NearestPageMixin):
    """Pages reached from the row before them (``?after=``) or after them (``?before=``), the first pages and
    the last by number (``KeysetPaginator``): a deep page costs what page 1 costs."""

    paginator_class = KeysetPaginator
    page_params = ("page", "after", "before")

    def get_page(self, paginator):
        """``?after=`` or ``?before=`` a row (the links from page to page), else ``?page=N``."""
        if after := self.request.GET.get("after"):
            return paginator.page_after(after)
        if before := self.request.GET.get("before"):
            return paginator.page_before(before)
        if self.request.GET.get(self.page_kwarg) == "last":  # as Django's ListView allows
            return paginator.last_page()
        return super().get_page(paginator)


class FilteredListView(NearestPageMixin, FilterView):
    """A paginated ``FilterView`` whose filters see the query without its page number: page 2,000 of
    the whole list is as unfiltered as page 1, with the same unbound form (no validation to run)."""

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "data": self.query_without_page() or None}


class RecordListView(RememberedPage, KeysetPagesMixin, FilteredListView):
    """A filtered, sorted, paginated list of one kind of record, or all of it as CSV.

    Subclasses name the model, the filterset, the CSV columns and what the rows show or are filtered,
    searched and sorted by (``depends_on``: its focus areas, organisations, status updates…). With
    ``export_csv=True`` the same filtered and sorted rows stream as CSV.
    """

    paginate_by = 20
    export_csv = False
    csv_columns = ()
    template_name_suffix = "_list"

    def get_queryset(self):
        return self.listed.all()

    @cached_property
    def listed(self):
        """The published records with what the rows show, built once a request (its annotations are most of
        the cost of building a list's query): the filters start from it, and the page's rows are read by id
        from it."""
        return self.model.objects.published().for_list()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            csv_url=reverse(f"tracker:{self.model._meta.model_name}-csv"),
            verbose_name_plural=self.model._meta.verbose_name_plural,
            **kwargs,
        )

    @classmethod
    def csv_file_columns(cls, request):
        """The CSV's columns: the list's own, then the record's page in the request's language."""
        return [
            *cls.csv_columns,
            exports.link_column("url", _("Link"), request.build_absolute_uri(cls.model.list_url())),
        ]

    def render_to_response(self, context, **response_kwargs):
        if self.export_csv:
            with translation.override(settings.LANGUAGE_CODE):
                kind = str(self.model._meta.verbose_name_plural)  # the file's name is the same in every language
            columns = self.csv_file_columns(self.request)
            return exports.list_csv(self.request, kind, self.filterset, self.object_list, columns)
        return super().render_to_response(context, **response_kwargs)

    def get_paginate_by(self, queryset):
        return None if self.export_csv else self.paginate_by

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.depends_on = self.depends_on
        return filterset

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.more_than, paginator.parts = self.filterset.more_than, self.filterset.parts
        paginator.known_count = lambda: list_counts.count(self.model, self.filterset)
        paginator.count_key = self.count_key()
        paginator.rows_from = self.get_queryset  # published, with what the rows show
        return paginator

    def count_key(self):
        """The list's count named by what decides it: the kind of record, the filters' query and today (the
        deadline filters' day), so that a remembered count is found without compiling the list's SQL."""
        query = sorted(self.query_without_page().lists())
        return hashlib.sha256(repr((self.model._meta.label, dates.today(), query)).encode()).hexdigest()


class RecordDetailView(RememberedPage, DetailView):
    """A published record. Its body is rendered once per language and version of the data, so the view
    reads only the record's row (is it public? its title); ``record``, the record with everything the
    body shows, is read when the body is rendered."""

    def get_queryset(self):
        return self.model.objects.published()

    def get_record(self):
        return self.model.objects.for_detail().get(pk=self.object.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            record=SimpleLazyObject(self.get_record),
            verbose_name=self.model._meta.verbose_name,
            verbose_name_plural=self.model._meta.verbose_name_plural,
            **kwargs,
        )


class InitiativeListView(RecordListView):
    model = Initiative
    filterset_class = InitiativeFilterSet
    csv_columns = exports.INITIATIVE_COLUMNS
    depends_on = (Initiative, FocusArea, Organisation, *UPDATES)


class ChallengeListView(RecordListView):
    model = Challenge
    filterset_class = ChallengeFilterSet
    csv_columns = exports.CHALLENGE_COLUMNS
    depends_on = (Challenge, FocusArea, *UPDATES)


class RecommendationListView(RecordListView):
    model = Recommendation
    filterset_class = RecommendationFilterSet
    csv_columns = exports.RECOMMENDATION_COLUMNS
    depends_on = (Recommendation, FocusArea, Organisation, *UPDATES)


class VisitListView(RecordListView):
    model = Visit
    filterset_class = VisitFilterSet
    csv_columns = exports.VISIT_COLUMNS
    depends_on = (Visit, FocusArea, Organisation, *EVIDENCE)


# A detail page shows the titles of the records it links to, so it depends on their kinds too.
class InitiativeDetailView(RecordDetailView):
    """An initiative's visits are remembered apart (``visits``), under the visits' version: an edit of a visit
    re-reads them alone, and the rest of the page is kept."""

    model = Initiative
    depends_on = (Initiative, Milestone, FocusArea, Organisation, Challenge, Recommendation, *UPDATES)
    shown_apart = (Visit,)

    def get_record(self):
        return Initiative.objects.for_detail(visits=False).get(pk=self.object.pk)

    def get_context_data(self, **kwargs):
        visits = SimpleLazyObject(lambda: list(Visit.objects.published().filter(initiatives=self.object)))
        return super().get_context_data(visits=visits, visits_version=lambda: caching.data_version(Visit), **kwargs)


class ChallengeDetailView(RecordDetailView):
    model = Challenge
    depends_on = (Challenge, FocusArea, Initiative, Recommendation, *UPDATES)


class RecommendationDetailView(RecordDetailView):
    model = Recommendation
    depends_on = (Recommendation, FocusArea, Organisation, Visit, Challenge, Initiative, *UPDATES)


class VisitDetailView(RecordDetailView):
    model = Visit
    depends_on = (Visit, FocusArea, Organisation, Initiative, Recommendation, *EVIDENCE)


class HomeView(RememberedPage, TemplateView):
    """Figures of every kind of record: remembered under the version of every table (``depends_on = ()``)."""

    template_name = "tracker/home.html"

    def get_context_data(self, **kwargs):
        """The figures and lists of the home page, remembered until the data changes (or the day does)."""
        initiatives_by_status = status_counts(Initiative)
        recommendations_by_status = status_counts(Recommendation)
        today = dates.today()
        return super().get_context_data(
            initiatives_by_status=initiatives_by_status,
            initiatives_chart=charts.bar_chart(initiatives_by_status),
            recommendations_by_status=recommendations_by_status,
            recommendations_chart=charts.bar_chart(recommendations_by_status),
            open_challenges=remember(
                "open-challenges",
                lambda: sum(
                    n for status, n in list_counts.by_status(Challenge).items() if status != Challenge.Status.RESOLVED
                ),
            ),
            latest_visits=Visit.objects.published().for_list()[:5],  # read only when the dashboard is rendered
            next_deadlines=remember(
                f"next-deadlines:{today}",
                lambda: list(
                    Recommendation.objects.published().for_list().upcoming(today).order_by("target_date", "title")[:5]
                ),
            ),
            deadlines=remember(f"deadlines:{today}", lambda: deadline_counts(today)),
            progress=remember(f"progress:{today}", lambda: [progress_chart(model, today) for model in TRACKED]),
            today=today,
            **kwargs,
        )


TRACKED = (Recommendation, Initiative)  # the kinds of record with targets or planned ends, and dated updates


def progress_chart(model, today):
    """``(kind, chart)``: how the published records of ``model`` stood, quarter by quarter, by their dated
    status updates (``charts.status_by_quarter``; ``None`` while none is dated). Where the database keeps
    the quarters' net changes (``tracker.summaries``) it sums those instead of reading every update."""
    name = model._meta.model_name
    if summaries.kept(connection):
        columns = charts.standing_from_changes(summaries.status_quarters(name), today)
    else:
        updates = (
            StatusUpdate.objects.filter(publicly_supported(), **{f"{name}__published": True})
            .order_by("date", "pk")
            .values_list(f"{name}_id", "date", "status")
        )
        columns = charts.standing_by_quarter(list(updates), today)
    return model._meta.verbose_name_plural, charts.status_chart(model.Status.choices, columns, model.list_url())


def deadline_counts(today):
    """``[(kind, overdue, due soon, list URL)]`` of the published records that have planned ends."""
    counts = []
    for model in TRACKED:
        if summaries.kept(connection):  # from the records' tally: open, with a deadline whose period ended
            figures = list_counts.deadline_counts(model, None, today)
            overdue, due_soon = figures["yes"], figures["soon"]
        else:
            records = model.objects.published()
            figures = records.aggregate(
                overdue=Count("pk", filter=records.overdue_condition(today)),
                due_soon=Count("pk", filter=records.due_soon_condition(today)),
            )
            overdue, due_soon = figures["overdue"], figures["due_soon"]
        counts.append((model._meta.verbose_name_plural, overdue, due_soon, model.list_url()))
    return counts


def status_counts(model):
    """``[(label, count, url)]`` for every status, in the order the model declares them."""
    counts = remember(f"status-counts:{model._meta.label}", lambda: list_counts.by_status(model))
    list_url = model.list_url()
    return [(label, counts.get(value, 0), f"{list_url}?status={value}") for value, label in model.Status.choices]


TIMELINE_RECORD_URLS = {"milestone": "tracker:initiative-detail", "visit": "tracker:visit-detail"}


def timeline_rows(milestones, visits, limit=None):
    """Milestones and visits as the rows of one ``UNION ALL`` query, by date then title (ties: milestones
    first, then by id). With ``limit`` (where the database can), each kind reads only its first ``limit``
    rows, in the order of its index, which ends with the id so that ties stop the read too: enough for any
    page that ends by then."""
    columns = ("id", "date", "date_precision", "title")
    milestone_rows = milestones.order_by().values(
        *columns, event_kind=Value("milestone"), record_title=F("initiative__title"), record_slug=F("initiative__slug")
    )
    visit_rows = visits.order_by().values(
        *columns, event_kind=Value("visit"), record_title=F("title"), record_slug=F("slug")
    )
    # a union of one (an empty kind, or a slice of nothing: ``[:0]`` empties a query) takes no slices
    empty = milestones.query.is_empty() or visits.query.is_empty() or limit == 0
    if limit is not None and connection.features.supports_slicing_ordering_in_compound and not empty:
        milestone_rows = milestone_rows.order_by("date", "title", "id")[:limit]
        visit_rows = visit_rows.order_by("date", "title", "id")[:limit]
    return milestone_rows.union(visit_rows, all=True).order_by("date", "title", "event_kind", "id")


class TimelineRows:
    """The timeline's rows for its paginator: a page reads each kind up to the page's last row
    (``timeline_rows``' ``limit``), not the whole sorted union; the count (and its name, ``query``) is
    the union's."""

    def __init__(self, milestones, visits, everything=False):
        self.milestones, self.visits, self.everything = milestones, visits, everything
        self.query = timeline_rows(milestones, visits).query

    def count(self):
        if self.everything and summaries.kept(connection):  # unfiltered: the tallies the database keeps
            return sum(n for _status, _ends, n in summaries.tally("milestone", "visit"))
        narrow = [rows.order_by().values("pk") for rows in (self.milestones, self.visits)]
        return narrow[0].union(narrow[1], all=True).count()

    def __getitem__(self, bounds):  # read when rendered (a remembered page reads none)
        return SimpleLazyObject(lambda: list(timeline_rows(self.milestones, self.visits, limit=bounds.stop)[bounds]))


def timeline_event(row):
    """One row of ``timeline_rows`` as the template shows it."""
    return {
        "when": PartialDate(row["date"], row["date_precision"]),
        "title": row["title"],
        "kind": row["event_kind"],
        "record_title": row["record_title"],
        "url": reverse(TIMELINE_RECORD_URLS[row["event_kind"]], args=[row["record_slug"]]),
    }


def events_by_year(rows):
    """``[(year, [event, …]), …]`` of the rows of ``timeline_rows``."""
    events = [timeline_event(row) for row in rows]
    return [(year, list(items)) for year, items in itertools.groupby(events, lambda event: event["when"].year)]


class TimelineView(RememberedPage, FilteredListView):
    """Milestones of initiatives and visits in one chronology, a page at a time, grouped by year."""

    template_name = "tracker/timeline.html"
    filterset_class = TimelineFilterSet
    model = Milestone
    paginate_by = 100
    paginator_class = CachedCountPaginator
    depends_on = (Milestone, Initiative, Visit, FocusArea)

    def get_queryset(self):
        return Milestone.objects.filter(initiative__published=True)

    def get_context_data(self, *, object_list, **kwargs):
        visits = self.filterset.filter_visits(Visit.objects.published())
        filtered = self.filterset.is_bound and not (
            self.filterset.is_valid() and not self.filterset.form.cleaned_data.get("focus_area")
        )
        rows = TimelineRows(object_list, visits, everything=not filtered)
        context = super().get_context_data(object_list=rows, **kwargs)
        context["years"] = SimpleLazyObject(lambda: events_by_year(context["object_list"]))  # read when rendered
        return context


class ChangesForm(forms.Form):
    """The filters of ``/changes/``: kind of record, a period, one record (its slug, from its page)."""

    kind = forms.ChoiceField(label=_("Kind of record"), choices=[("", _("All"))] + changes.KIND_CHOICES, required=False)
    since = forms.DateField(label=_("Since (YYYY-MM-DD)"), required=False)
    until = forms.DateField(label=_("Until (YYYY-MM-DD)"), required=False)
    record = forms.SlugField(widget=forms.HiddenInput, required=False)


class ChangesListing:
    """The page of changes a request asks for, worked out only when the page's list is rendered: a remembered
    list builds no query (``tracker.changes``' union of every history table takes longer to build than the
    remembered list takes to read)."""

    per_page = 30

    def __init__(self, form, page_number):
        self.form, self.page_number = form, page_number

    @cached_property
    def paginator(self):
        if self.form.is_bound and not self.form.is_valid():
            paginator = CachedCountPaginator(changes.change_rows().none(), self.per_page)
            paginator.count_key = "changes:none"
            return paginator
        chosen = {
            name: value for name, value in (self.form.cleaned_data if self.form.is_bound else {}).items() if value
        }
        rows = changes.change_rows(
            kind=chosen.get("kind"), since=chosen.get("since"), until=chosen.get("until"), slug=chosen.get("record")
        )
        paginator = CachedCountPaginator(rows, self.per_page)
        paginator.count_key = f"changes:{urlencode(sorted((name, str(value)) for name, value in chosen.items()))}"
        return paginator

    @cached_property
    def page(self):
        return self.paginator.get_page(self.page_number)  # a bad or out-of-range number: the nearest page

    @cached_property
    def changes(self):
        return changes.changes(list(self.page.object_list))


class ChangesView(NearestPageMixin, TemplateView):
    """What changed in published records, newest first (``tracker.changes``), a page at a time."""

    template_name = "tracker/changes.html"
    page_kwarg = "page"

    def get_context_data(self, **kwargs):
        form = ChangesForm(self.request.GET or None)
        listing = ChangesListing(form, self.request.GET.get(self.page_kwarg))
        return super().get_context_data(form=form, listing=listing, **kwargs)


#: The kinds of row a citation supports: a citation is public while its record (a milestone's initiative) is
#: published, and a page listing citations shows their records' titles.
CITED = (Initiative, Milestone, Challenge, Recommendation, Visit)


class SourceListView(RememberedPage, ListView):
    """The published sources, each with how many public facts cite it (a count the database keeps:
    ``tracker.counts``, which moves with the tables of what the citations support)."""

    depends_on = (Source, Citation, *CITED)

    def get_queryset(self):
        return Source.objects.published().listed().with_citation_count()


class SourceDetailView(RememberedPage, KeysetPagesMixin, SingleObjectMixin, ListView):
    """A published source: its archived text with the passages public records cite marked and linked
    to them, and those citations a page at a time. Both are read only when the page body is rendered."""

    template_name = "tracker/source_detail.html"
    paginate_by = 50
    depends_on = (Source, Citation, *CITED)

    def get(self, request, *args, **kwargs):
        sources = Source.objects.published().listed().with_citation_count()
        self.object = self.get_object(
            queryset=sources.annotate(
                has_text=ExpressionWrapper(~Q(text=""), output_field=BooleanField()),
                has_original=ExpressionWrapper(Q(original__isnull=False), output_field=BooleanField()),
            )
        )
        return super().get(request, *args, **kwargs)

    @staticmethod
    def shown_citations():
        """Citations with what the page shows of them: their quotes and the records they cite (read after, by id)."""
        return Citation.objects.defer("search_document").prefetch_related(*cited_titles())

    def get_queryset(self):
        # in the order of the index citation_source_page (which leaves out status updates': never public),
        # each checked as read (``cited_record_published``)
        return (
            self.shown_citations()
            .filter(cited_record_published(), source=self.object, status_update=None)
            .order_by(F("start").asc(nulls_last=True), "pk")
        )

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        paginator.count = self.object.citation_count  # the count the database keeps: no query
        paginator.rows_from = self.shown_citations  # a page's rows, read by id: their ids met the conditions
        return paginator

    def get_context_data(self, **kwargs):
        return super().get_context_data(paragraphs=SimpleLazyObject(self.archived_text), **kwargs)

    def archived_text(self):
        """The text's paragraphs with every public citation's passage marked (see ``tracker.passages``)."""
        if not self.object.has_text:
            return []
        text = Source.objects.filter(pk=self.object.pk).values_list("text", flat=True).get()
        return passages.paragraphs(text, self.get_queryset().filter(start__isnull=False))


def cited_titles():
    """What a source's page shows of the records its citations support: their titles and addresses."""
    titles = ("title", "slug")
    return [
        *(Prefetch(name, model.objects.only(*titles)) for name, model in RECORD_FIELDS),
        Prefetch("milestone", Milestone.objects.only("title", "date", "date_precision", "initiative")),
        Prefetch("milestone__initiative", Initiative.objects.only(*titles)),
    ]


RECORD_FIELDS = [
    ("initiative", Initiative),
    ("challenge", Challenge),
    ("recommendation", Recommendation),
    ("visit", Visit),
]


def source_original(request, slug):
    """The original file of a published source, always as a download (an HTML original never runs as a page)."""
    source = get_object_or_404(Source.objects.published().exclude(original=None), slug=slug)
    response = HttpResponse(bytes(source.original), content_type=source.original_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, source.original_name or f"{source.slug}")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


#: For each vocabulary, the kinds of record that carry its terms: ``(model, relations from a record to the term,
#: the filter of the model's public list)``. The detail and index pages count what the filtered lists show.
CARRIERS = {
    FocusArea: [
        (Initiative, ["focus_areas"], "focus_area"),
        (Challenge, ["focus_areas"], "focus_area"),
        (Recommendation, ["focus_area", "focus_areas"], "focus_area"),
        (Visit, ["focus_areas"], "focus_area"),
    ],
    Organisation: [
        (Initiative, ["organisations"], "organisation"),
        (Recommendation, ["proposed_by"], "proposed_by"),
        (Visit, ["visitor_organisation", "hosts"], "organisation"),
    ],
}


def carrying(relations, term):
    """The condition on records that carry ``term`` through any of ``relations``."""
    return reduce(or_, (Q(**{relation: term}) for relation in relations))


def filtered_list_url(model, list_filter, term):
    return f"{model.list_url()}?{urlencode({list_filter: term.slug})}"


def public_terms(vocabulary):
    """The terms of ``vocabulary`` some published record carries: a draft's vocabulary has no public page."""
    return used_by_published(*carriers_of(vocabulary))


def carriers_of(vocabulary):
    """What a vocabulary's pages show: its terms and the records that carry them."""
    return (vocabulary, *(model for model, _r, _f in CARRIERS[vocabulary]))


class VocabularyDetailView(RememberedPage, DetailView):
    """A focus area or organisation with the first published records of each kind that carry it."""

    template_name = "tracker/vocabulary_detail.html"
    records_per_group = 20

    def get_queryset(self):
        return public_terms(self.model)

    def get_context_data(self, **kwargs):
        groups = SimpleLazyObject(self.groups)  # read only when the page body is rendered
        return super().get_context_data(groups=groups, kind=self.model._meta.verbose_name.capitalize(), **kwargs)

    def groups(self):
        totals = dict(kept_term_counts(self.model).filter(term_id=self.object.pk).values_list("kind", "n"))
        return [
            self.group(model, relations, list_filter, totals) for model, relations, list_filter in CARRIERS[self.model]
        ]

    def group(self, model, relations, list_filter, totals):
        """The first records of ``model`` that carry the term, their total, and the list of them all when longer.

        The records come in their list's order, so "See all" continues where they
        stop; as a semi-join (``filter_related``), the first 20 come straight from
        the list's index. The totals are those the database keeps (``tracker.counts``).
        """
        records = filter_related(model.objects.published(), carrying(relations, self.object))
        total = totals.get(model._meta.model_name, 0)
        more_url = filtered_list_url(model, list_filter, self.object) if total > self.records_per_group else None
        return {
            "name": model._meta.verbose_name_plural,
            "records": records[: self.records_per_group],
            "total": total,
            "more_url": more_url,
        }


def kept_term_counts(vocabulary):
    """The counts the database keeps of the published records of each kind carrying each term (``tracker.counts``)."""
    return TermCount.objects.filter(vocabulary=vocabulary._meta.model_name)


class FocusAreaDetailView(VocabularyDetailView):
    model = FocusArea
    depends_on = carriers_of(FocusArea)


class OrganisationDetailView(VocabularyDetailView):
    model = Organisation
    depends_on = carriers_of(Organisation)


def term_counts(vocabulary):
    """The terms in use and, for each kind of record, ``{term id: count}``: two queries, however many terms."""
    terms = list(public_terms(vocabulary).defer("description", "search_document"))
    counts = {model._meta.model_name: Counter() for model, _r, _f in CARRIERS[vocabulary]}
    for kind, term, n in kept_term_counts(vocabulary).values_list("kind", "term_id", "n"):
        counts[kind][term] = n
    return terms, list(counts.values())


class VocabularyIndexView(RememberedPage, TemplateView):
    """Every focus area or organisation that published records carry, with how many of each kind do."""

    template_name = "tracker/vocabulary_index.html"
    model = None

    def get_context_data(self, **kwargs):
        """``terms``: ``[(term, [(count, URL of the list filtered by the term), …]), …]``."""
        carriers = CARRIERS[self.model]
        terms, counts = term_counts(self.model)
        rows = [
            (
                term,
                [
                    (carried[term.pk], filtered_list_url(model, list_filter, term))
                    for carried, (model, _r, list_filter) in zip(counts, carriers, strict=True)
                ],
            )
            for term in terms
        ]
        return super().get_context_data(
            heading=self.model._meta.verbose_name_plural.capitalize(),
            kinds=[model._meta.verbose_name_plural for model, _r, _f in carriers],
            terms=rows,
            **kwargs,
        )


class FocusAreaIndexView(VocabularyIndexView):
    model = FocusArea
    depends_on = carriers_of(FocusArea)


class OrganisationIndexView(VocabularyIndexView):
    model = Organisation
    depends_on = carriers_of(Organisation)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)


class SearchGroup:
    """One kind of result of ``/search/``: the first matches, most relevant first, and how many match in all
    (one query, read when the page body is rendered)."""

    shown = 5
    counted = 200  # a group counts (and ranks) its first 200 matches: "200+" beyond, the list has the rest

    def __init__(self, name, queryset, text, describe, more_url=None, select_related=(), named=None, walked=None):
        self.name, self.queryset, self.text, self.describe, self.more_url = name, queryset, text, describe, more_url
        self.select_related, self.named, self.walked = select_related, named, walked

    @cached_property
    def rows(self):
        queryset = self.queryset.defer("search_document")
        return search.best(
            queryset, self.text, self.shown, self.counted + 1, self.select_related, self.named, self.walked
        )

    @property
    def results(self):
        return [self.describe(row) for row in self.rows[: self.counted]]

    @property
    def total(self):
        return min(self.rows[0].matching, self.counted) if self.rows else 0

    @property
    def more(self):
        """Whether more match than are counted."""
        return bool(self.rows) and self.rows[0].matching > self.counted


def record_result(record):
    return {"title": record.title, "url": record.get_absolute_url(), "text": record.summary}


def term_result(term):
    return {"title": str(term), "url": term.get_absolute_url(), "text": term.description}


def source_result(source):
    return {"title": source.title, "url": source.get_absolute_url(), "text": source.publisher}


def quote_result(citation):
    """A quote links to its passage in the source's text, where it was found there."""
    url = citation.source.get_absolute_url()
    return {
        "title": f"“{Truncator(citation.quote).words(40)}”",
        "url": f"{url}#c{citation.pk}" if citation.verified else url,
        "text": citation.source.title,
    }


def search_groups(text):
    """The groups of ``/search/`` for ``text`` (already cut by ``search.words_of``)."""
    kinds = (Initiative, Challenge, Recommendation, Visit)
    # the terms whose names match, read once for every kind (on PostgreSQL), when the first group is read
    named = SimpleLazyObject(lambda: search.terms_named(search.tag_vocabularies(kinds), search.full_text_query(text)))
    records = [
        SearchGroup(
            model._meta.verbose_name_plural,
            model.objects.published(),
            text,
            record_result,
            f"{model.list_url()}?{urlencode({'q': text})}",
            named=named,
            walked=search.WALKED,  # the newest first: each kind has an index of its published ids
        )
        for model in kinds
    ]
    return [
        *records,
        SearchGroup(
            Source._meta.verbose_name_plural, Source.objects.published().defer("text", "original"), text, source_result
        ),
        SearchGroup(
            _("quotes"),
            Citation.objects.public_each().defer("source__text", "source__original", "source__search_document"),
            text,
            quote_result,
            select_related=["source"],
        ),
        *[
            SearchGroup(
                vocabulary._meta.verbose_name_plural, public_terms(vocabulary), text, term_result, reverse(url_name)
            )
            for vocabulary, url_name in (
                (FocusArea, "tracker:focusarea-list"),
                (Organisation, "tracker:organisation-list"),
            )
        ],
    ]


class SearchView(RememberedPage, TemplateView):
    """Everything public that matches ``?q=``, grouped by kind, each group linking to its whole list:
    remembered under the version of every table (``depends_on = ()``)."""

    template_name = "tracker/search.html"

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET or None)
        text = search.words_of(form.cleaned_data["q"]) if form.is_valid() else ""
        context = self.get_context_data(form=form, query=text, groups=search_groups(text) if text else [])
        return self.render_to_response(context, status=400 if form.errors else 200)


class DataDictionaryView(TemplateView):
    """What every CSV column and API field holds (``tracker.data_dictionary``)."""

    template_name = "tracker/data_dictionary.html"
    list_views = (InitiativeListView, ChallengeListView, RecommendationListView, VisitListView)

    def get_context_data(self, **kwargs):
        csv_lists = [
            data_dictionary.CsvList(
                view.model._meta.verbose_name_plural,
                reverse(f"tracker:{view.model._meta.model_name}-csv"),
                view.csv_file_columns(self.request),
            )
            for view in self.list_views
        ]
        api_objects, api_lists = data_dictionary.api_schema(translation.get_language())
        return super().get_context_data(csv_lists=csv_lists, api_objects=api_objects, api_lists=api_lists, **kwargs)


def robots_txt(request):
    """Crawlers may read every public page (the sitemap lists them) but not the admin."""
    context = {"sitemap_url": request.build_absolute_uri(reverse("sitemap")), "admin_url": reverse("admin:index")}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


def favicon(request):
    """The site's icon where browsers look for it first, ``/favicon.ico``."""
    return redirect(static("favicon.svg"), permanent=True)


def healthz(request):
    """For load balancers: 200 after a database round trip, 503 when the database cannot answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
