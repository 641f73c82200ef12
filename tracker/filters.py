"""The filters of the public list pages; each list's URL carries its whole state."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import dates, summaries
from .caching import remember
from .models import (
    Challenge,
    FocusArea,
    Initiative,
    Milestone,
    Organisation,
    Recommendation,
    Source,
    TermCount,
    Visit,
    filter_related,
    latest_update_date,
    public_updates_of,
)
from .search import searched_list

FIRST_YEAR, LAST_YEAR = 1900, 2100


class YearFilter(django_filters.NumberFilter):
    """A whole year within a sane range, so a huge or negative number is a form error, not a crash."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": FIRST_YEAR, "max": LAST_YEAR}))
        super().__init__(*args, **kwargs)


def multiple_choice(choices, label):
    """Any of several values of the record's own field (no join, so no ``DISTINCT``)."""
    return django_filters.MultipleChoiceFilter(
        choices=choices, label=label, distinct=False, widget=forms.CheckboxSelectMultiple
    )


class RelatedFilter(django_filters.ModelMultipleChoiceFilter):
    """Records related to any of the chosen terms (named in the URL by slug), each once (``filter_related``)."""

    def filter(self, queryset, value):
        if not chosen(value):
            return queryset
        return filter_related(queryset, Q(**{f"{self.field_name}__in": value}))


def chosen(terms):
    """Whether a form gave any terms. No choice is an empty queryset (``none()``), which ``bool()`` would
    compile and run as a query just to find it empty, on every page of every list with a query string."""
    if isinstance(terms, QuerySet):
        return not terms.query.is_empty() and terms.exists()
    return bool(terms)


def by_slug(queryset, relation, label):
    return RelatedFilter(
        queryset=queryset, field_name=relation, to_field_name="slug", label=label, widget=forms.CheckboxSelectMultiple
    )


def used_by_published(vocabulary, *kinds):
    """Only the terms some published record of ``kinds`` (models) carries: a draft's tags stay out of public
    choice lists. Read from the counts the database keeps (``TermCount``, ``tracker.counts``); remembered
    until the terms or those records change."""
    names = sorted(kind._meta.model_name for kind in kinds)

    def carried_ids():
        kept = TermCount.objects.filter(vocabulary=vocabulary._meta.model_name, kind__in=names, n__gt=0)
        return sorted(set(kept.values_list("term_id", flat=True)))

    key = f"used-by-published:{vocabulary._meta.label}:{','.join(names)}"
    ids = remember(key, carried_ids, models=[vocabulary, *kinds])
    return vocabulary.objects.filter(pk__in=ids)


class SortFilter(django_filters.OrderingFilter):
    """Sorts by the chosen fields, then by id (descending after a descending field), so rows with equal
    values keep one order from page to page and one index serves a sort both ways. Records without a
    value come last either way, on every database. ``computed`` names sort keys worked out per record
    (``{name: function of the model}``), computed only when chosen (a function that gives ``None`` sorts
    by the field itself, which the database keeps)."""

    def __init__(self, *args, computed=None, **kwargs):
        self.computed = computed or {}
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        """Each field ascending, then descending, labelled in the reader's language (django-filter's own
        "Title (descending)" is formatted once, at import, so always English)."""
        choices = []
        for field, param in fields.items():
            label = labels[field]
            choices += [(param, label), (f"-{param}", format_lazy(_("{field} (descending)"), field=label))]
        return choices

    def filter(self, queryset, value):
        if not value:
            return queryset
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            field = name.lstrip("-")
            descending = name.startswith("-")
            if field in self.computed:
                computed = self.computed[field](queryset.model)
                if computed is not None:
                    field = f"computed_{field}"
                    queryset = queryset.alias(**{field: computed})
                nullable = True
            else:
                nullable = queryset.model._meta.get_field(field).null
            # ``nulls_last`` only where there can be nulls: PostgreSQL reads "NULLS LAST" on a descending
            # key as another order than its index's, even of a column that holds none
            ordering.append(
                F(field).desc(nulls_last=True if nullable else None)
                if descending
                else F(field).asc(nulls_last=True if nullable else None)
            )
        return queryset.order_by(*ordering, "-pk" if ordering[-1].descending else "pk")


class RecordFilterSet(django_filters.FilterSet):
    """Search, focus area and source: what every kind of record can be sliced by."""

    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=200)
    focus_area = by_slug(FocusArea.objects.all(), "focus_areas", _("Focus area"))
    source = by_slug(Source.objects.published().listed(), "citations__source", _("Source"))
    vocabularies = {}  # filter name → the vocabulary it chooses terms of
    first_filters = ["q", "status", "kind", "category"]
    open_filters = ["status", "kind", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rank = {name: index for index, name in enumerate(self.first_filters)}
        self.filters = dict(sorted(self.filters.items(), key=lambda item: rank.get(item[0], len(rank))))
        for name, vocabulary in {"focus_area": FocusArea, **self.vocabularies}.items():
            self.filters[name].queryset = used_by_published(vocabulary, self._meta.model)

    #: The tables the list depends on (the view's ``depends_on``), under whose versions a search's first
    #: matches are remembered; ``()``: every tracker table.
    depends_on = ()
    #: ``None``, or how many matches a search counted, more of which there are, and ``None`` or the parts
    #: its list is paged through by (``search.SearchedList``).
    more_than = parts = None

    def filter_queryset(self, queryset):
        """The filters in turn, the search last but for the sort: it finds its matches among the records the
        other filters keep, and the sort replaces its relevance order."""
        last = ("q", "sort")
        data = self.form.cleaned_data
        for name in sorted(data, key=lambda name: last.index(name) + 1 if name in last else 0):
            queryset = self.filters[name].filter(queryset, data[name])
        return queryset

    def search(self, queryset, name, value):
        def remembered(key, compute):
            return remember(key, compute, self.depends_on)

        sorted_by = self.form.cleaned_data.get("sort")
        found = searched_list(queryset, value, ranked=not sorted_by, remember=remembered)
        self.more_than, self.parts = found.more_than, found.parts
        return found.records

    def filter_year_from(self, queryset, name, year):
        return queryset.filter(**{f"{name}__gte": datetime.date(year, 1, 1)})

    def filter_year_until(self, queryset, name, year):
        return queryset.filter(**{f"{name}__lte": datetime.date(year, 12, 31)})


class UpdatedFilterSet(RecordFilterSet):
    """Records with dated status updates: ``?updated_since=YYYY-MM-DD`` (an update dated then or later),
    and sorting by the latest update (``?sort=-updated``, newest first)."""

    updated_since = django_filters.DateFilter(
        method="filter_updated_since", label=_("Status updated since (YYYY-MM-DD)")
    )

    def filter_updated_since(self, queryset, name, day):
        return queryset.filter(Exists(public_updates_of(queryset.model).filter(date__gte=day)))


def latest_update_order(model):
    """The latest update's date, to sort by: on PostgreSQL the records' own ``latest_update``, which the
    database keeps (``None``: ``tracker.summaries``), so the first page reads 20 rows of its index; elsewhere
    computed per record."""
    return None if summaries.kept() else latest_update_date(model)


def sort_filter(fields, labels):
    """The lists' sort choices, with "latest status update" for the kinds of record that have updates."""
    return SortFilter(
        fields=[*fields, ("latest_update", "updated")],
        field_labels={**labels, "latest_update": _("Latest status update")},
        computed={"latest_update": latest_update_order},
        label=_("Sort by"),
    )


class DeadlineFilterSet(UpdatedFilterSet):
    """``?overdue=yes`` (past its planned end, still open), ``soon`` (ends within 90 days) or ``no``."""

    overdue = django_filters.ChoiceFilter(
        choices=[("yes", _("Overdue")), ("soon", _("Due within 90 days")), ("no", _("Not overdue"))],
        method="filter_overdue",
        label=_("Deadline"),
    )

    def filter_overdue(self, queryset, name, value):
        today = dates.today()
        if value == "yes":
            return queryset.overdue(today)
        if value == "soon":
            return queryset.due_soon(today)
        return queryset.exclude(queryset.overdue_condition(today))


class InitiativeFilterSet(DeadlineFilterSet):
    vocabularies = {"organisation": Organisation}
    kind = multiple_choice(Initiative.Kind.choices, _("Kind"))
    status = multiple_choice(Initiative.Status.choices, _("Status"))
    organisation = by_slug(Organisation.objects.all(), "organisations", _("Organisation"))
    active_from = YearFilter(method="filter_active_from", label=_("Active from (year)"))
    active_until = YearFilter(method="filter_active_until", label=_("Active until (year)"))
    sort = sort_filter(
        [("title", "title"), ("start_date", "start"), ("status", "status"), ("kind", "kind")],
        {"title": _("Title"), "start_date": _("Start"), "status": _("Status"), "kind": _("Kind")},
    )

    class Meta:
        model = Initiative
        fields = []

    def filter_active_from(self, queryset, name, year):
        return queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)))

    def filter_active_until(self, queryset, name, year):
        return queryset.filter(start_date__lte=datetime.date(year, 12, 31))


class ChallengeFilterSet(UpdatedFilterSet):
    category = multiple_choice(Challenge.Category.choices, _("Category"))
    status = multiple_choice(Challenge.Status.choices, _("Status"))
    sort = sort_filter(
        [("title", "title"), ("category", "category"), ("status", "status")],
        {"title": _("Title"), "category": _("Category"), "status": _("Status")},
    )

    class Meta:
        model = Challenge
        fields = []


class RecommendationFilterSet(DeadlineFilterSet):
    vocabularies = {"proposed_by": Organisation}
    focus_area = django_filters.ModelMultipleChoiceFilter(
        queryset=FocusArea.objects.all(),
        to_field_name="slug",
        method="filter_focus_area",
        label=_("Focus area"),
        widget=forms.CheckboxSelectMultiple,
    )
    status = multiple_choice(Recommendation.Status.choices, _("Status"))
    proposed_by = by_slug(Organisation.objects.all(), "proposed_by", _("Proposed by"))
    target_from = YearFilter(field_name="target_date", method="filter_year_from", label=_("Target from (year)"))
    target_until = YearFilter(field_name="target_date", method="filter_year_until", label=_("Target until (year)"))
    ongoing = django_filters.BooleanFilter(field_name="target_ongoing", label=_("Ongoing"))
    sort = sort_filter(
        [("title", "title"), ("target_date", "target"), ("status", "status")],
        {"title": _("Title"), "target_date": _("Target"), "status": _("Status")},
    )

    class Meta:
        model = Recommendation
        fields = []

    def filter_focus_area(self, queryset, name, areas):
        """Its main focus area or one of its others."""
        if not chosen(areas):
            return queryset
        return filter_related(queryset, Q(focus_area__in=areas) | Q(focus_areas__in=areas))


class VisitFilterSet(RecordFilterSet):
    vocabularies = {"organisation": Organisation}
    kind = multiple_choice(Visit.Kind.choices, _("Kind"))
    organisation = django_filters.ModelMultipleChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        method="filter_organisation",
        label=_("Organisation (visiting or host)"),
        widget=forms.CheckboxSelectMultiple,
    )
    year_from = YearFilter(field_name="date", method="filter_year_from", label=_("From (year)"))
    year_until = YearFilter(field_name="date", method="filter_year_until", label=_("Until (year)"))
    sort = SortFilter(
        fields=[("date", "date"), ("title", "title"), ("country", "country")],
        field_labels={"date": _("Date"), "title": _("Title"), "country": _("Country")},
        label=_("Sort by"),
    )

    class Meta:
        model = Visit
        fields = []

    @extend_schema_field(OpenApiTypes.STR)  # for the API's schema: each value is a slug
    def filter_organisation(self, queryset, name, organisations):
        if not organisations:
            return queryset
        return filter_related(queryset, Q(visitor_organisation__in=organisations) | Q(hosts__in=organisations))


class TimelineFilterSet(django_filters.FilterSet):
    """Filters the timeline's milestones, and its visits through ``filter_visits``."""

    focus_area = by_slug(FocusArea.objects.all(), "initiative__focus_areas", _("Focus area"))

    class Meta:
        model = Milestone
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["focus_area"].queryset = used_by_published(FocusArea, Initiative, Visit)

    def filter_visits(self, visits):
        if not self.is_bound:
            return visits
        if not self.is_valid():
            return visits.none()
        areas = self.form.cleaned_data.get("focus_area")
        return filter_related(visits, Q(focus_areas__in=areas)) if areas else visits
