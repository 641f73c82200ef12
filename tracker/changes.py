"""What changed in published records, for ``/changes/`` and the Atom feed.

Read from the history django-simple-history keeps of every save: a record's version counts when the
record was published then and is published now (drafts, and records since withdrawn, never show),
and it is compared with the version before it on the fields the public pages show; a record's first
published version is "published". Status updates (``StatusUpdate``) count once public evidence
supports them, with that evidence. The record's own status change that an update makes
(``sync_status``) is the update's entry, not a second one.

A page costs a fixed number of queries: its rows and their count, then, per kind on the page, its
versions, the versions before them, and the status updates with their evidence. On PostgreSQL the rows
are read from ``tracker_change``, which the database keeps with the history (``tracker.summaries``), in
the order of its index, and the count from its per-kind counts; elsewhere they are the ``UNION ALL`` of
every kind's changes (``computed_change_rows``), which defines them.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    SYNC_REASON,
    Challenge,
    Initiative,
    Recommendation,
    StatusUpdate,
    Visit,
    citations,
    publicly_supported,
)

RECORD_KINDS = {model._meta.model_name: model for model in (Initiative, Challenge, Recommendation, Visit)}
KIND_CHOICES = [(name, model._meta.verbose_name_plural) for name, model in RECORD_KINDS.items()]
#: Fields that are not shown as changes: staff's bookkeeping, the published flag (its changes are the
#: entries themselves), and relations (shown on the record's page).
UNSHOWN = {"id", "created", "updated", "published", "search_document", "slug", "latest_update"}
UPDATE = "statusupdate"


@dataclasses.dataclass
class Change:
    kind: str
    date: datetime.datetime
    title: str
    url: str
    published: bool = False  # the record's first public version
    fields: list = dataclasses.field(default_factory=list)  # [(label, before, after)]
    reason: str = ""
    update: StatusUpdate | None = None
    history_id: int = 0

    @property
    def kind_label(self):
        return _("status update") if self.update else RECORD_KINDS[self.kind]._meta.verbose_name


def shown_fields(model):
    return [field for field in model._meta.concrete_fields if field.name not in UNSHOWN and not field.is_relation]


def versions_before(history):
    """A history row's earlier versions, the latest first."""
    earlier = history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
    return earlier.order_by("-history_date", "-history_id")


def shows_something_new(model):
    """Whether a history row is the record's first published version or shows a field the version just
    before it showed otherwise (saves of links alone, and of staff's bookkeeping, show nothing new)."""
    history = model.history.model
    previous = history.objects.filter(history_id=OuterRef("previous_id"), published=True)
    for field in shown_fields(model):
        if field.null:  # NULL equals NULL here: both sides stand in for it with a value no field holds
            blank = Value(
                datetime.date.min if isinstance(field, models.DateField) else Decimal(-(10**15)), output_field=field
            )
            previous = previous.alias(**{f"_{field.attname}": Coalesce(field.attname, blank)}).filter(
                **{f"_{field.attname}": Coalesce(OuterRef(field.attname), blank)}
            )
        else:
            previous = previous.filter(**{field.attname: OuterRef(field.attname)})
    return ~Exists(previous)


def record_versions(model, since=None, until=None, slug=None):
    """The history rows of ``model`` that are public changes, as ``(kind, history_id, history_date)``."""
    rows = (
        model.history.filter(published=True, id__in=model.objects.published().values("pk"))
        .exclude(history_change_reason=SYNC_REASON)
        .annotate(previous_id=Subquery(versions_before(model.history.model).values("history_id")[:1]))
        .filter(shows_something_new(model))
    )
    if slug:
        rows = rows.filter(slug=slug)
    return (
        dated(rows, since, until)
        .order_by()
        .values("history_id", "history_date", change_kind=Value(model._meta.model_name))
    )


def update_versions(kinds, since=None, until=None, slug=None):
    """The status updates public evidence supports, of published records of ``kinds``, as when each was made."""
    of_published = Q(pk__in=[])
    for name in kinds:
        if name in StatusUpdate.UPDATED_FIELDS:
            of_published |= Q(**{f"{name}__published": True, **({f"{name}__slug": slug} if slug else {})})
    public = StatusUpdate.objects.filter(of_published).filter(publicly_supported())
    rows = StatusUpdate.history.filter(history_type="+", id__in=public.values("pk"))
    return dated(rows, since, until).order_by().values("history_id", "history_date", change_kind=Value(UPDATE))


def dated(rows, since, until):
    if since:
        rows = rows.filter(history_date__date__gte=since)
    if until:
        rows = rows.filter(history_date__date__lte=until)
    return rows


def change_rows(kind=None, since=None, until=None, slug=None):
    """Every public change (of ``kind`` only, if given), newest first, as ``{"change_kind", "history_id",
    "history_date"}``: to be counted and sliced."""
    from . import summaries

    if summaries.kept(connection):
        return KeptChanges(kind, since, until, slug)
    return computed_change_rows(kind, since, until, slug)


class KeptChanges:
    """``change_rows`` read from what PostgreSQL keeps (``tracker.summaries``): a slice reads its rows in
    the order of ``tracker_change``'s index, and the count, without dates, is the sum of its kinds' counts.

    Replaces, where the database keeps it, the union of every history table, which read every history
    row (seconds at 100,000 initiatives) to show 30."""

    def __init__(self, kind=None, since=None, until=None, slug=None, empty=False):
        self.kind, self.since, self.until, self.slug, self.empty = kind, since, until, slug, empty

    def none(self):
        return KeptChanges(empty=True)

    def where(self):
        conditions, params = [], []
        if self.kind:
            conditions.append("record_kind = %s")
            params.append(self.kind)
        zone = timezone.get_current_timezone_name()
        for bound, operator in ((self.since, ">="), (self.until, "<=")):
            if bound:  # the day in the site's time zone, as ``history_date__date`` reads it
                conditions.append(f"(history_date AT TIME ZONE %s)::date {operator} %s")
                params += [zone, bound]
        if self.slug:
            kinds = [self.kind] if self.kind else list(RECORD_KINDS)
            conditions.append(
                "("
                + " OR ".join(
                    f"(record_kind = %s AND record_id IN (SELECT id FROM {RECORD_KINDS[name]._meta.db_table} "
                    "WHERE slug = %s))"
                    for name in kinds
                )
                + ")"
            )
            params += [value for name in kinds for value in (name, self.slug)]
        return " AND ".join(conditions) or "TRUE", params

    def count(self):
        if self.empty:
            return 0
        with connection.cursor() as cursor:
            if self.since or self.until or self.slug:
                where, params = self.where()
                cursor.execute(f"SELECT count(*) FROM tracker_change WHERE {where}", params)
            else:
                kinds = [self.kind] if self.kind else list(RECORD_KINDS)
                cursor.execute(
                    "SELECT coalesce(sum(n), 0)::bigint FROM tracker_change_count WHERE record_kind = ANY(%s)", [kinds]
                )
            return cursor.fetchone()[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, bounds):
        if self.empty:
            return []
        start, stop = bounds.start or 0, bounds.stop
        where, params = self.where()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT change_kind, history_id, history_date FROM tracker_change "
                f"WHERE {where} ORDER BY history_date DESC, history_id DESC LIMIT %s OFFSET %s",
                [*params, stop - start, start],
            )
            return [
                {"change_kind": kind, "history_id": history_id, "history_date": date}
                for kind, history_id, date in cursor.fetchall()
            ]


def computed_change_rows(kind=None, since=None, until=None, slug=None):
    """One query: every public change (of ``kind`` only, if given), newest first."""
    kinds = [kind] if kind else list(RECORD_KINDS)
    branches = [record_versions(RECORD_KINDS[name], since, until, slug) for name in kinds]
    if any(name in StatusUpdate.UPDATED_FIELDS for name in kinds):
        branches.append(update_versions(kinds, since, until, slug))
    first, *others = branches
    return first.union(*others, all=True).order_by("-history_date", "-history_id")


def changes(rows):
    """The ``Change`` of each row of ``change_rows`` (a page of them), in the same order."""
    by_kind = {}
    for row in rows:
        by_kind.setdefault(row["change_kind"], []).append(row["history_id"])
    found = {}
    for kind, ids in by_kind.items():
        if kind == UPDATE:
            found.update(((UPDATE, change.history_id), change) for change in update_changes(ids))
        else:
            found.update(((kind, change.history_id), change) for change in record_changes(kind, ids))
    keys = [(row["change_kind"], row["history_id"]) for row in rows]
    return [found[key] for key in keys if key in found]


def record_changes(kind, history_ids):
    model = RECORD_KINDS[kind]
    history = model.history.model
    versions = list(
        history.objects.filter(history_id__in=history_ids).annotate(
            previous_id=Subquery(versions_before(history).values("history_id")[:1])
        )
    )
    previous = history.objects.in_bulk([v.previous_id for v in versions if v.previous_id])
    fields = shown_fields(model)
    for version in versions:
        earlier = previous.get(version.previous_id)
        change = Change(
            kind=kind,
            date=version.history_date,
            title=version.title,
            url=model(slug=version.slug).get_absolute_url(),
            reason=version.history_change_reason or "",
            history_id=version.history_id,
        )
        if earlier is None or not earlier.published:
            change.published = True
        else:
            change.fields = [
                (field.verbose_name, shown(earlier, field), shown(version, field))
                for field in fields
                if getattr(earlier, field.attname) != getattr(version, field.attname)
            ]
        yield change


def update_changes(history_ids):
    versions = StatusUpdate.history.filter(history_id__in=history_ids).only("history_id", "history_date", "id")
    dates = {version.id: version for version in versions}
    updates = StatusUpdate.objects.filter(pk__in=dates).select_related(*StatusUpdate.UPDATED_FIELDS)
    for update in updates.prefetch_related(citations()):
        record = update.record
        yield Change(
            kind=record._meta.model_name,
            date=dates[update.pk].history_date,
            title=record.title,
            url=update.get_absolute_url(),
            update=update,
            history_id=dates[update.pk].history_id,
        )


def shown(version, field):
    """A field's value as the public pages show it."""
    if field.choices:
        return getattr(version, f"get_{field.name}_display")()
    value = getattr(version, field.attname)
    if value is None or value == "":
        return "—"
    return str(value)


def describe(change):
    """One change in words, as the feed's entries say it."""
    if change.update:
        update = change.update
        parts = [_("Status: %(status)s, as of %(when)s") % {"status": update.get_status_display(), "when": update.when}]
        if update.completion:
            parts.append(_("Completion: %(level)s") % {"level": update.get_completion_display()})
        parts += [update.note] if update.note else []
        parts += [f"“{citation.quote}” — {citation.source.title}" for citation in update.citations.all()]
    elif change.published:
        parts = [_("Published.")]
    else:
        parts = [f"{str(label).capitalize()}: {before} → {after}" for label, before, after in change.fields]
    if change.reason:
        parts.append(_("Reason given: %(reason)s") % {"reason": change.reason})
    return " · ".join(str(part) for part in parts)
