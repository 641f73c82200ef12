"""The import engine: where these resources depart from django-import-export, and why.

The base classes the resources in ``columns`` build on, and each library method
they replace (django-import-export 4.4; names with a leading underscore are the
library's private API, the first to check on an upgrade):

``Resource.before_import``
    The header row is checked (missing and unknown columns, a wrong separator)
    before any row, and every related record the file names is looked up once
    per column (``CachedLookupMixin.preload``) instead of once per cell.
``Resource.before_import_row``
    Cells are trimmed, and the quote exports put before formula-like text is
    taken off again (``tracker.cells``).
``Resource.get_import_fields``
    Built once per resource; the library builds the list again at every call.
``Resource.import_instance``
    Each cell is set with the row alone (no widget reads the import options
    the library passes down), many-to-many cells are read before saving (into
    ``pending_m2m``) so their errors are reported with the others, and
    publishing by import needs the publish permission.
``Resource.validate_instance``
    ``Model.full_clean`` with every problem under its column's header, without
    looking up again a foreign key a cell has just found; record kinds skip
    the per-row uniqueness query (a slug used twice in a file is refused).
``Resource.import_row`` (record kinds)
    No delete step, no copy of a new record to compare with nothing, and the
    cells' differences worked out only for the preview. Uses
    ``Resource._is_dry_run`` and ``RowResult`` internals.
``Resource.get_queryset`` (record kinds)
    Existing records come with their links and citations, so unchanged rows
    are compared without a query each.
``Resource.get_instance`` (citations, ``CitationRows``)
    A citation has no key of its own: a row is the stored citation with the
    same source, quote and record.
``Resource.skip_row``
    A row whose citations changed is never skipped as unchanged.
``Resource.save_instance``, ``Resource.after_import`` (record kinds)
    Rows are collected, and written only once every row is valid: records,
    links, citations and their history in a few bulk statements
    (``tracker.bulk``) instead of several queries per row.
``Resource.get_diff_class`` / ``Diff``
    ``RowDiff``: the preview's cells as an export writes them (computed
    columns included), diffed only where they differ, without inline styles
    (the CSP drops them). Overrides the private ``Diff._read_field_values``.
``Resource.export_field``, ``Resource.filter_export``
    Formula-like cells are neutralised; related rows are prefetched.
``Resource.import_data``
    Runs with Python's cycle collector paused.
``Meta.instance_loader_class``
    ``KeyColumnLoader``: the records a file names, read in one query.
"""

import contextlib
import copy
import gc
import itertools
from collections import defaultdict

from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from import_export.instance_loaders import ModelInstanceLoader
from import_export.resources import Diff, ModelResource
from import_export.results import RowResult
from import_export.widgets import ManyToManyWidget

from .. import quotes
from ..bulk import insert_history, insert_m2m_history, insert_objects, insert_rows, link_fields
from ..cells import neutralise, restore
from ..models import (
    Citation,
    Initiative,
    Milestone,
    Source,
    StatusUpdate,
    latest_status_of,
    may_publish,
    parent_cycles,
    slug_for,
)
from .widgets import CachedLookupMixin, ManyField, NaturalKeyWidget, custom_field, describe, names_in, split_lines

MAX_NAMED = 10  # unknown columns named in a message; the others are counted
BATCH = 1000  # records per UPDATE when an import changes existing ones


@contextlib.contextmanager
def garbage_collection_paused():
    """Python's cycle collector off while a file is imported, back on after.

    An import keeps every row's record, result and preview cells until it ends, so
    each automatic collection would re-examine all of them, more often the longer
    the file. The import makes few reference cycles of its own.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class KeyColumnLoader(ModelInstanceLoader):
    """The records a file names by its one import-id column, read in one query.

    ``CachedInstanceLoader`` without its cost: it builds every row of the file as
    a dictionary three times over to read that one column.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.key = resource.fields[resource.get_import_id_fields()[0]]
        column = self.key.column_name
        keys = [self.key.clean({column: cell}) for cell in dataset[column]] if column in dataset.headers else []
        found = self.get_queryset().filter(**{f"{self.key.attribute}__in": keys}) if keys else []
        self.records = {self.key.get_value(record): record for record in found}

    def get_instance(self, row):
        return self.records.get(self.key.clean(row))


class RowDiff(Diff):
    """The preview's cells, as the library shows them, without its cost where nothing can differ:
    a new record's cells are all insertions, and only the changed cells of an update are diffed."""

    INSERTED = "<ins>{}</ins>"
    DELETED = "<del>{}</del>"
    UNCHANGED = "<span>{}</span>"

    def __init__(self, resource, instance, new):
        self.new = new
        self.left = [] if new else self._read_field_values(resource, instance)  # a new record's cells are all new
        self.right = []

    @classmethod
    def _read_field_values(cls, resource, instance):
        """Each cell as an export writes it, computed cells (``dehydrate_*``: Source, Quote) included;
        the library reads only the fields' attributes, so those cells showed blank."""
        return [ModelResource.export_field(resource, field, instance) for field in resource.get_import_fields()]

    def compare_with(self, resource, instance):
        self.right = self._read_field_values(resource, instance)

    def as_html(self):
        if self.new:
            return [self.cell_html(self.INSERTED, force_str(after)) for after in self.right]
        differ = diff_match_patch()
        cells = []
        for before, after in zip(self.left, self.right, strict=True):
            before, after = force_str(before), force_str(after)
            if before == after:
                cells.append(self.cell_html(self.UNCHANGED, after))
            else:
                diff = differ.diff_main(before, after)
                differ.diff_cleanupSemantic(diff)
                templates = {differ.DIFF_INSERT: self.INSERTED, differ.DIFF_DELETE: self.DELETED}
                parts = (self.cell_html(templates.get(op, self.UNCHANGED), text) for op, text in diff)
                cells.append(SafeString("".join(parts)))
        return cells

    @staticmethod
    def cell_html(template, text):
        """A cell, or a part of one, as diff-match-patch's ``diff_prettyHtml`` writes it, but without its
        inline ``style`` attributes (the strict CSP drops them: colours come from the admin's stylesheet)."""
        if not text:
            return SafeString("")
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "&para;<br>")
        return SafeString(template.format(escaped))


class TrackerResource(ModelResource):
    """What every resource shares: readable columns checked up front, safe cells, no partial imports."""

    required_columns = ()
    export_prefetch = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_diff_class(self):
        return RowDiff

    def import_data(self, *args, **kwargs):
        with garbage_collection_paused():
            return super().import_data(*args, **kwargs)

    @cached_property
    def import_fields(self):
        return super().get_import_fields()

    def get_import_fields(self):
        """The same list for every row (the library builds it again at each call, many times a row)."""
        return self.import_fields

    @cached_property
    def cell_fields(self):
        """The import fields that set an attribute from their cell. ``import_instance`` saves each with the
        row alone: the library's loop passes every import option down three calls per cell, and no widget
        here reads them."""
        return [
            field
            for field in self.import_fields
            if field.attribute and not field.readonly and not isinstance(field.widget, ManyToManyWidget)
        ]

    @cached_property
    def many_fields(self):
        return [field for field in self.import_fields if isinstance(field.widget, ManyToManyWidget)]

    def header_problem(self, headers):
        """What is wrong with a file's header row, in a sentence of bounded length, or ``None``."""
        headers = [str(header or "").strip() for header in headers or []]
        known = {field.column_name for field in self.get_import_fields()}
        missing = [column for column in self.required_columns if column not in headers]
        unknown = [header[:60] for header in headers if header not in known]
        if len(headers) == 1 and any(mark in headers[0] for mark in ";\t|"):
            return (
                f"The file has one column, “{headers[0][:60]}”: it seems to use another separator. "
                "Save it as comma-separated CSV."
            )
        problems = []
        if missing:
            problems.append(f"missing columns {describe(missing)}")
        if unknown:
            more = f" and {len(unknown) - MAX_NAMED} more" if len(unknown) > MAX_NAMED else ""
            problems.append(f"unknown columns {describe(unknown[:MAX_NAMED])}{more}")
        if problems:
            return f"The file's columns do not match: {'; '.join(problems)}. Expected {describe(sorted(known))}."
        return None

    def before_import(self, dataset, **kwargs):
        problem = self.header_problem(dataset.headers)
        if problem:
            raise ValueError(problem)
        dataset.headers = [str(header or "").strip() for header in dataset.headers]
        self.preload_related(dataset)

    def preload_related(self, dataset):
        """Look up every related record the file names, one query per column."""
        for field in self.get_import_fields():
            if isinstance(field.widget, CachedLookupMixin) and field.column_name in dataset.headers:
                field.widget.preload(names_in(dataset, field.column_name))

    def column_for(self, name):
        """The column a model field's error belongs to, so reports speak the file's language."""
        for field in self.get_import_fields():
            if name in (field.attribute, getattr(field, "precision_field", None)):
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name).capitalize()
        except Exception:
            return name

    @cached_property
    def foreign_keys(self):
        return [field for field in self._meta.model._meta.concrete_fields if field.many_to_one]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """``Model.full_clean``, with each problem under its column.

        A foreign key that has a value is not looked up again, as Django's field check would do with
        a query per row: an import sets one only from its column's lookup, or keeps the stored one.
        """
        errors = dict(import_validation_errors or {})
        known = {field.name for field in self.foreign_keys if getattr(instance, field.attname) is not None}
        checks = (  # in ``full_clean``'s order, each skipping the fields that already failed
            lambda failed: instance.clean_fields(exclude=failed | known),
            lambda failed: instance.clean(),
            lambda failed: validate_unique and instance.validate_unique(exclude=failed),
            lambda failed: instance.validate_constraints(exclude=failed),
        )
        for check in checks:
            try:
                check(errors.keys() - {NON_FIELD_ERRORS})
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(
                {key if key == NON_FIELD_ERRORS else self.column_for(key): messages for key, messages in errors.items()}
            )

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values, and read its many-to-many columns into ``pending_m2m`` (the library
        reads them only after saving, so their errors would come too late to report with the others)."""
        user = kwargs.get("user")
        instance._history_user = user
        instance.pending_m2m = {}
        was_published = bool(instance.pk) and getattr(instance, "published", False)
        errors = {}
        for field in self.cell_fields:
            if field.column_name in row:
                try:
                    field.save(instance, row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        for field in self.many_fields:
            if field.column_name in row:
                try:
                    instance.pending_m2m[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if getattr(instance, "published", False) != was_published and user is not None:
            if not may_publish(user, self._meta.model):
                errors["Published"] = [
                    f"You may not publish or unpublish {self._meta.model._meta.verbose_name_plural}."
                ]
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if kwargs.get("progress"):
            kwargs["progress"](kwargs["row_number"])

    def before_import_row(self, row, **kwargs):
        """Trim cells and undo the quote that exports put before formula-like text."""
        for column, value in row.items():
            if isinstance(value, str):
                row[column] = restore(value.strip())

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(*self.export_prefetch)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return neutralise(value) if isinstance(value, str) else value


class SlugFromTitleResource(TrackerResource):
    """Rows are matched by slug; a row without one gets the slug of its title.

    So a hand-made file without a Slug column imports, and importing it twice
    updates the same records rather than duplicating them.
    """

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        given = dataset["Slug"] if "Slug" in dataset.headers else [""] * len(dataset)
        slugs = [
            str(slug or "").strip() or slug_for(str(title or "").strip())
            for slug, title in zip(given, dataset["Title"], strict=True)
        ]
        if "Slug" in dataset.headers:
            del dataset["Slug"]
        dataset.append_col(slugs, header="Slug")  # before rows are matched, so a title's slug finds its record

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not row.get("Slug") and row.get("Title"):  # ``before_import`` gave every other row its title's slug
            raise ValueError("Slug: the title has no Latin letters to make a slug from; give one.")


class CitationCells(TrackerResource):
    """ "Source" and "Quote" hold a row's citations, one per line: each line of
    Quote is a quote, and Source has one source slug per line (or one slug for
    every quote). Exports write every citation; an import replaces the row's
    citations with those it gives (keeping unchanged ones as they are), and
    checks each new quote against its source's archived text.
    """

    source = custom_field("Source")
    quote = custom_field("Quote")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.sources = NaturalKeyWidget(Source, field="slug")
        self.sources.preload(names_in(dataset, "Source") if "Source" in dataset.headers else ())

    def import_instance(self, instance, row, **kwargs):
        """Also read the row's citations, reporting their problems together with the other columns' and those
        of ``row_problems``."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            self.read_citations(instance, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        errors.update(self.row_problems(instance, kwargs.get("row_number"), errors))
        if errors:
            raise ValidationError(errors)

    def row_problems(self, instance, row_number, errors):
        """``{column: [message, …]}`` of what else is wrong with the row, given the ``errors`` found so far."""
        return {}

    @staticmethod
    def citations_of(record):
        """The record's citations as the file has them: those a row will write, else those stored."""
        given = getattr(record, "citations_given", None)
        if given is not None:
            return given
        return sorted(record.citations.all(), key=lambda citation: citation.pk) if record.pk else []

    def dehydrate_source(self, record):
        return "\n".join(citation.source.slug for citation in self.citations_of(record))

    def dehydrate_quote(self, record):
        # one quote a line: a quote's own line breaks become spaces, which matching ignores
        return "\n".join(" ".join(citation.quote.splitlines()) for citation in self.citations_of(record))

    def read_citations(self, instance, row):
        """The Source and Quote cells give the record's citations, one per line: the Source cell one slug
        per line, or one slug for every quote. They replace the record's citations; an unchanged quote
        keeps its citation (and its history), and empty cells keep the citations as they are.

        Sets ``citations_given`` (``None`` for "as they are"), ``citations_removed`` and
        ``pending_citations``, the number of public citations the record will have."""
        existing = list(instance.citations.all()) if instance.pk else []
        instance.citations_given, instance.citations_removed = None, []
        instance.pending_citations = sum(1 for citation in existing if citation.source.published)
        slugs, lines = split_lines(row.get("Source")), split_lines(row.get("Quote"))
        if not slugs and not lines:
            return
        if not slugs or not lines:
            raise ValidationError({"Quote": ["Give both a Source and a Quote, or neither."]})
        if len(slugs) != 1 and len(slugs) != len(lines):
            raise ValidationError(
                {
                    "Source": [
                        f"{len(slugs)} source(s) for {len(lines)} quote(s): give one source for every quote, "
                        "or one source per line of quotes."
                    ]
                }
            )
        found = self.sources.find(slugs)
        unknown = [slug for slug in dict.fromkeys(slugs) if slug.lower() not in found]
        if unknown:
            instance.pending_citations += 1  # the unknown source is the row's problem, not a missing citation
            raise ValidationError({"Source": [f"unknown source {describe(unknown)}"]})
        unchanged = {(citation.source_id, quotes.normalise(citation.quote).text): citation for citation in existing}
        given, problems = [], []
        paired = slugs * len(lines) if len(slugs) == 1 else slugs
        for number, (slug, quote) in enumerate(zip(paired, lines, strict=True), 1):
            source = found[slug.lower()]
            citation = unchanged.pop((source.pk, quotes.normalise(quote).text), None)
            if citation is None:
                citation = Citation(source=source, quote=quote)
                try:
                    citation.verify(source)
                except ValidationError as error:
                    where = f"line {number}: " if len(lines) > 1 else ""
                    problems += [f"{where}{message}" for message in error.messages]
            given.append(citation)
        if problems:
            raise ValidationError({"Quote": problems})
        instance.citations_given = given
        instance.citations_removed = list(unchanged.values())
        instance.pending_citations = sum(1 for citation in given if citation.source.published)

    @staticmethod
    def citations_changed(instance):
        given = getattr(instance, "citations_given", None)
        return given is not None and (instance.citations_removed or any(c.pk is None for c in given))

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row whose cells are unchanged is still written when its citations are not."""
        if self.citations_changed(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)


class RecordResource(CitationCells, SlugFromTitleResource):
    """Initiatives, challenges, recommendations and visits: rows matched by slug, their citations in
    Source and Quote (``CitationCells``), every row read before any is written, then all written in bulk.
    Their columns are ``columns.RecordColumns``.
    """

    class Meta(TrackerResource.Meta):
        import_id_fields = ("slug",)
        instance_loader_class = KeyColumnLoader  # one query finds every record the file names
        use_bulk = True  # no savepoint per row: rows are only read until ``write`` saves them all

    def get_queryset(self):
        """Existing records with what an import compares and checks: their many-to-many links, citations and
        (for kinds with status updates) the status their latest update sets, so no row needs a query of its own."""
        links = [field.attribute for field in self.get_import_fields() if isinstance(field, ManyField)]
        citations = Prefetch("citations", queryset=Citation.objects.select_related("source"))
        records = super().get_queryset().prefetch_related(*links, citations)
        model = self._meta.model
        return (
            records.annotate(latest_supported_status=latest_status_of(model))
            if hasattr(model, "status_updates")
            else records
        )

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.to_create, self.to_update, self.rows_by_slug = [], [], {}
        self.slug_widgets = [  # widgets that may name a record created earlier in this file
            field.widget
            for field in self.get_import_fields()
            if isinstance(field.widget, CachedLookupMixin)
            and field.widget.model is self._meta.model
            and field.widget.cache is not None
        ]

    def row_problems(self, instance, row_number, errors):
        earlier = self.rows_by_slug.setdefault(instance.slug, row_number)
        if earlier != row_number:
            return {"Slug": [f"“{instance.slug}” is also the slug of row {earlier}: each row must be another record."]}
        return {}

    def import_row(self, row, instance_loader, **kwargs):
        """``Resource.import_row`` as records need it: no deletes; a new record is not copied to be
        compared with nothing; and the cells' differences,
        which only the preview shows, are not worked out again when the file is confirmed."""
        result = self.get_row_result_class()()
        if self._meta.store_row_values:
            result.row_values = row
        try:
            self.before_import_row(row, **kwargs)
            instance, new = self.get_or_init_instance(instance_loader, row)
            result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            original = None if new else copy.copy(instance)  # shares the prefetched links: a deep copy drops them
            diff = self.get_diff_class()(self, original, new) if self._is_dry_run(kwargs) else None
            errors = {}
            try:
                self.import_instance(instance, row, **kwargs)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            if self.skip_row(instance, original, row, errors):
                result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                self.validate_instance(instance, errors)
                self.save_instance(instance, new, row, **kwargs)
            result.add_instance_info(instance)
            if self._meta.store_instance or kwargs.get("retain_instance_in_row_result"):
                result.instance = instance  # the admin logs each row's record
            if diff:
                diff.compare_with(self, instance)
                result.diff = diff.as_html()
            if not new:
                result.original = original
            self.after_import_row(row, result, **kwargs)
        except ValidationError as error:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = error
        except Exception as error:
            result.import_type = RowResult.IMPORT_TYPE_ERROR
            result.errors.append(self.get_error_result_class()(error, row=row, number=kwargs["row_number"]))
        return result

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if original is None:  # a new record (``import_row`` makes no copy of nothing)
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Slugs are unique by construction: a row with a known slug updates that record, and
        ``import_instance`` refuses a slug used twice in the file; no query per row to check."""
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    # Saving: rows are collected and written in bulk once every row is valid (``after_import``).

    def save_instance(self, instance, is_create, row, **kwargs):
        (self.to_create if is_create else self.to_update).append(instance)
        if is_create:
            for widget in self.slug_widgets:
                widget.pending[instance.slug.lower()] = instance

    def after_import(self, dataset, result, **kwargs):
        """Write every row at once, if every row is valid; a preview (dry run) writes nothing."""
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        batches = insertion_batches(self.to_create)
        if not self._is_dry_run(kwargs):
            self.write(batches, kwargs.get("user"))

    def write(self, batches, user):
        """Insert and update the records, then their links, citations and the history of each (``tracker.bulk``)."""
        model = self._meta.model
        for batch in batches:
            insert_objects(model, batch)
        now = timezone.now()
        for record in self.to_update:
            record.updated = now
        writable = [
            f.name for f in model._meta.concrete_fields if not (f.primary_key or f.generated or f.name == "created")
        ]
        model.objects.bulk_update(self.to_update, writable, batch_size=BATCH)
        records = self.to_create + self.to_update
        history_ids = [
            *insert_history(model, self.to_create, user, "+"),
            *insert_history(model, self.to_update, user, "~"),
        ]
        links = self.write_links(model)
        for field in model.history.model._history_m2m_fields:
            insert_m2m_history(
                field,
                (
                    (history_id, *link)
                    for history_id, record in zip(history_ids, records, strict=True)
                    for link in links[field.name].get(record.pk, ())
                ),
            )
        self.write_citations(records, user)

    def write_citations(self, records, user):
        """New citations first, then the replaced ones go: a record is never left without its evidence."""
        name = self._meta.model._meta.model_name
        added = []
        for record in records:
            for citation in record.citations_given or ():
                if citation.pk is None:
                    setattr(citation, name, record)
                    added.append(citation)
        insert_objects(Citation, added)
        insert_history(Citation, added, user, "+")
        removed = [citation.pk for record in records for citation in record.citations_removed]
        if removed:
            for citation in Citation.objects.filter(pk__in=removed):
                citation._history_user = user
                citation.delete()  # one by one, with its history and the check that evidence remains

    def write_links(self, model):
        """Replace the many-to-many links the file gave, keep the others; for the history, every link of
        every record written: ``{field name: {record id: [(link id, record id, other id), …]}}``."""
        links = {}
        updated = {record.pk for record in self.to_update}
        for field in model._meta.many_to_many:
            through, own, other = link_fields(field)
            given = [record for record in self.to_create + self.to_update if field.name in record.pending_m2m]
            kept = [record.pk for record in self.to_update if field.name not in record.pending_m2m]
            through.objects.filter(**{f"{own.name}__in": [r.pk for r in given if r.pk in updated]}).delete()
            pairs = [(record.pk, item.pk) for record in given for item in record.pending_m2m[field.name]]
            new_ids = insert_rows(through, [own.column, other.column], pairs, new_ids=True)
            existing = through.objects.filter(**{f"{own.name}__in": kept}).values_list("pk", own.attname, other.attname)
            by_record = defaultdict(list)
            for link in itertools.chain(
                ((new_id, *pair) for new_id, pair in zip(new_ids, pairs, strict=True)), existing
            ):
                by_record[link[1]].append(link)
            links[field.name] = by_record
        return links


def insertion_batches(records):
    """New records in the order they can be inserted: a record "part of" another new one comes after it."""
    batches, inserted, remaining = [], set(), records
    while remaining:
        ready = [record for record in remaining if not (unsaved_parents(record) - inserted)]
        if not ready:
            raise ValueError("Some rows refer to each other in a circle (“Part of”).")
        batches.append(ready)
        inserted.update(map(id, ready))
        remaining = [record for record in remaining if id(record) not in inserted]
    return batches


def unsaved_parents(record):
    """The ``id()`` of each record not in the database yet that a foreign key of ``record`` points at."""
    related = (
        getattr(record, field.name)
        for field in record._meta.concrete_fields
        if field.is_relation and field.is_cached(record)
    )
    return {id(other) for other in related if other is not None and other.pk is None}


class PartOfChecks:
    """For initiatives: "Part of" chains are checked for the whole file at once, against the database."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.cycles = self.find_cycles(dataset) if "Part of" in dataset.headers else set()
        self.file_rows = {str(slug).strip().lower(): number for number, slug in enumerate(dataset["Slug"], 1)}

    @staticmethod
    def find_cycles(dataset):
        """The slugs of the file's rows whose "Part of" chain, the file's rows over the database's, leads
        back to them: one query, whatever the number of rows."""
        parents = {
            slug.lower(): parent.lower()
            for slug, parent in Initiative.objects.filter(parent__isnull=False).values_list("slug", "parent__slug")
        }
        for slug, parent in zip(dataset["Slug"], dataset["Part of"], strict=True):
            parents[str(slug).strip().lower()] = str(parent or "").strip().lower() or None
        return parent_cycles(parents)

    def import_instance(self, instance, row, **kwargs):
        instance.parts_checked = True  # ``find_cycles`` did it for the whole file
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        named = str(row.get("Part of") or "").strip().lower()
        if errors.get("parent") and named in self.file_rows:  # "unknown": its own row failed
            errors["parent"] = [
                f"“{row.get('Part of')}” is row {self.file_rows[named]} of this file, which has errors."
            ]
        if instance.slug.lower() in self.cycles:
            errors["Part of"] = [
                f"“{row.get('Part of')}” is, through its own “Part of”, part of this initiative: "
                "an initiative cannot be part of itself or of one of its own parts."
            ]
        if errors:
            raise ValidationError(errors)


class CitationRows:
    """A citation: its source, its quote, and the one record (or an initiative's milestone) it supports.

    Citations have no name of their own; a row is the same citation as one in the
    database when source, quote and record all match, so re-importing an export
    changes nothing.
    """

    def filter_export(self, queryset, **kwargs):
        """Status updates' citations are not rows of this file: it has no column to name an update by."""
        return super().filter_export(queryset.filter(status_update=None), **kwargs)

    def get_instance(self, instance_loader, row):
        citation = Citation()
        try:
            self.import_instance(citation, row)
        except ValidationError:
            return None  # reported when the row itself is imported
        return Citation.objects.filter(
            source=citation.source,
            quote=citation.quote,
            **{name: getattr(citation, name) for name in Citation.CITED_FIELDS},
        ).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        title = row.get("Milestone") or ""
        if title:
            if instance.initiative is None:
                raise ValidationError({"Milestone": "A milestone is named within its Initiative: fill in both."})
            try:
                instance.milestone = instance.initiative.milestones.get(title=title)
            except Milestone.DoesNotExist:
                raise ValidationError(
                    {"Milestone": f"unknown milestone {describe([title])} of “{instance.initiative.slug}”"}
                ) from None
            instance.initiative = None
        else:
            instance.milestone = None


class StatusUpdateRows:
    """A status update: a row is the same update as one in the database when its record, date and status
    match, so re-importing an export changes nothing; a new update needs its evidence (``CitationCells``),
    whose new citations are saved before the replaced ones go."""

    def get_instance(self, instance_loader, row):
        update = StatusUpdate()
        try:
            TrackerResource.import_instance(self, update, row)
        except ValidationError:
            return None  # reported when the row itself is imported
        if update.record is None or update.date is None:
            return None
        return (
            update.record.status_updates.filter(
                date=update.date, date_precision=update.date_precision, status=update.status
            )
            .prefetch_related(Prefetch("citations", queryset=Citation.objects.select_related("source")))
            .first()
        )

    def row_problems(self, instance, row_number, errors):
        if instance.pk is None and not instance.citations_given and not errors.keys() & {"Source", "Quote"}:
            return {"Quote": ["A status update needs its evidence: give the Source and the Quote."]}
        return {}

    def after_save_instance(self, instance, row, **kwargs):
        """The update's new citations, then the replaced ones go: the update keeps its evidence throughout."""
        super().after_save_instance(instance, row, **kwargs)
        for citation in instance.citations_given or ():
            if citation.pk is None:
                citation.status_update = instance
                citation._history_user = kwargs.get("user")
                citation.save()
        for citation in instance.citations_removed:
            citation._history_user = kwargs.get("user")
            citation.delete()
