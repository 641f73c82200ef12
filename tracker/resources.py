"""Import and export of every model staff edit, as CSV, XLSX or JSON.

Columns have readable headers and refer to related records by natural key
(a focus area as "Cyber defence", organisations as a ``;``-separated list of
names, records by slug), never by database id, so a file made by hand in a
spreadsheet imports. Every problem is reported against its row and column,
and any error means nothing is written (see ``tracker.importing``).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models.functions import Lower
from import_export import fields, resources, widgets

from .dates import PartialDate, Precision, parse_partial_date
from .exports import FORMULA_PREFIXES, neutralise
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
    slug_for,
)

SEPARATOR = ";"


def lookup_ignoring_case(model, field, values):
    """``{lowercased value: object}`` for the objects of ``model`` whose ``field`` is among ``values``."""
    lowered = {str(value).lower() for value in values}
    objects = model.objects.annotate(_key=Lower(field)).filter(_key__in=lowered)
    return {getattr(obj, field).lower(): obj for obj in objects}


def describe(values):
    return ", ".join(f"“{value}”" for value in values)


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """One related record by name or slug; an unknown one is an error that names it."""

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        found = lookup_ignoring_case(self.model, self.field, [value]).get(value.lower())
        if found is None:
            raise ValueError(f"unknown {self.model._meta.verbose_name} {describe([value])}")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class NaturalKeyListWidget(widgets.ManyToManyWidget):
    """``"Cyber defence; Crisis management"``: every name must exist, or the row fails naming the unknown ones.

    (django-import-export's own widget silently drops names it does not know.)
    """

    def __init__(self, model, field="name"):
        super().__init__(model, separator=SEPARATOR, field=field)

    def clean(self, value, row=None, **kwargs):
        names = list(dict.fromkeys(name.strip() for name in str(value or "").split(SEPARATOR) if name.strip()))
        if not names:
            return []
        found = lookup_ignoring_case(self.model, self.field, names)
        unknown = [name for name in names if name.lower() not in found]
        if unknown:
            raise ValueError(f"unknown {self.model._meta.verbose_name_plural} {describe(unknown)}")
        return [found[name.lower()] for name in names]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{SEPARATOR} ".join(sorted(getattr(item, self.field) for item in value.all()))


class ChoiceWidget(widgets.Widget):
    """A choice by its label ("In progress") or its stored value ("in_progress"); exported as the label."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.by_text = {}
        for value, label in choices:
            self.by_text[str(value).lower()] = value
            self.by_text[str(label).lower()] = value

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        try:
            return self.by_text[text.lower()]
        except KeyError:
            raise ValueError(
                f"{describe([text])} is not one of {describe(label for _, label in self.choices)}"
            ) from None

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.Widget):
    TRUE = {"yes", "y", "true", "1", "da"}
    FALSE = {"no", "n", "false", "0", "ne", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"{describe([value])} is not yes or no")

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class PartialDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if hasattr(value, "year") and hasattr(value, "month"):  # a date cell from a spreadsheet
            return PartialDate(value if not hasattr(value, "date") else value.date(), Precision.DAY)
        text = str(value or "").strip()
        return parse_partial_date(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class PartialDateField(fields.Field):
    """One column for a date and its precision: "2006", "2026-Q2", "2023-02", "2025-09-25"."""

    def __init__(self, date_field, precision_field, column_name):
        super().__init__(attribute=date_field, column_name=column_name, widget=PartialDateWidget())
        self.precision_field = precision_field

    def get_value(self, instance):
        value = getattr(instance, self.attribute)
        return PartialDate(value, getattr(instance, self.precision_field)) if value else None

    def save(self, instance, row, is_m2m=False, **kwargs):
        value = self.clean(row, **kwargs)
        setattr(instance, self.attribute, value.date if value else None)
        setattr(instance, self.precision_field, value.precision if value else Precision.DAY)


class NumberWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except (ArithmeticError, ValueError):
            raise ValueError(f"{describe([value])} is not a number") from None


def text(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, widget=widgets.CharWidget(allow_blank=True))


def choice(attribute, column_name, choices):
    return fields.Field(attribute=attribute, column_name=column_name, widget=ChoiceWidget(choices))


def one(attribute, column_name, model, key="name"):
    return fields.Field(attribute=attribute, column_name=column_name, widget=NaturalKeyWidget(model, field=key))


def many(attribute, column_name, model, key="name"):
    return fields.Field(attribute=attribute, column_name=column_name, widget=NaturalKeyListWidget(model, field=key))


class TrackerResource(resources.ModelResource):
    """What every resource shares: readable columns checked up front, safe cells, no partial imports."""

    required_columns = ()
    export_prefetch = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        headers = [str(header or "").strip() for header in dataset.headers or []]
        known = {field.column_name for field in self.get_import_fields()}
        missing = [column for column in self.required_columns if column not in headers]
        unknown = [header for header in headers if header not in known]
        if len(headers) == 1 and any(mark in headers[0] for mark in ";\t|"):
            raise ValueError(
                f"The file has one column, “{headers[0][:60]}”: it seems to use another separator. "
                "Save it as comma-separated CSV."
            )
        problems = []
        if missing:
            problems.append(f"missing columns {describe(missing)}")
        if unknown:
            problems.append(f"unknown columns {describe(unknown)}")
        if problems:
            raise ValueError(
                f"The file's columns do not match: {'; '.join(problems)}. Expected {describe(sorted(known))}."
            )
        dataset.headers = headers

    def column_for(self, name):
        """The column a model field's error belongs to, so reports speak the file's language."""
        for field in self.get_import_fields():
            if name in (field.attribute, getattr(field, "precision_field", None)):
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name).capitalize()
        except Exception:
            return name

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise ValidationError(
                {
                    key if key == NON_FIELD_ERRORS else self.column_for(key): messages
                    for key, messages in error.message_dict.items()
                }
            ) from None

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values, checking many-to-many columns too (the library checks them only after saving)."""
        instance._history_user = kwargs.get("user")
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def before_import_row(self, row, **kwargs):
        """Trim cells and undo the quote that exports put before formula-like text."""
        for column, value in row.items():
            if isinstance(value, str):
                value = value.strip()
                if value[:1] == "'" and value[1:2] in FORMULA_PREFIXES and value[1:2]:
                    value = value[1:]
                row[column] = value

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
        if "Slug" not in dataset.headers:
            dataset.append_col([""] * len(dataset), header="Slug")

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not row.get("Slug"):
            row["Slug"] = slug_for(row.get("Title", ""))
            if not row["Slug"] and row.get("Title"):
                raise ValueError("Slug: the title has no Latin letters to make a slug from; give one.")


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
    document = text("document", "Document file")
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
            "document",
            "reliability",
            "reliability_note",
            "published",
        )


class RecordResource(SlugFromTitleResource):
    """Initiatives, challenges, recommendations and visits.

    "Source" (a source's slug) and "Quote" give a citation: exports fill them
    with the record's first citation, and an import adds the citation if the
    record does not have it yet, so a new record can arrive published.
    """

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

    class Meta(TrackerResource.Meta):
        import_id_fields = ("slug",)
        fields = ("slug", "title", "summary", "description", "focus_areas", "source", "quote", "published")

    def publish_permission(self):
        opts = self._meta.model._meta
        return f"{opts.app_label}.publish_{opts.model_name}"

    @staticmethod
    def first_citation(record):
        return min(record.citations.all(), key=lambda citation: citation.pk, default=None)

    def dehydrate_source(self, record):
        citation = self.first_citation(record)
        return citation.source.slug if citation else ""

    def dehydrate_quote(self, record):
        citation = self.first_citation(record)
        return citation.quote if citation else ""

    def import_instance(self, instance, row, **kwargs):
        """Also read the row's citation, reporting its problems together with the other columns'."""
        instance.new_citation = None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        user = kwargs.get("user")
        was_published = bool(instance.pk) and type(instance).objects.filter(pk=instance.pk, published=True).exists()
        if instance.published != was_published and user is not None and not user.has_perm(self.publish_permission()):
            errors["Published"] = ["You may not publish or unpublish records."]
        source_slug, quote = row.get("Source") or "", row.get("Quote") or ""
        if bool(source_slug) != bool(quote):
            errors["Quote"] = ["Give both a Source and a Quote, or neither."]
        elif quote:
            existing = instance.citations.all() if instance.pk else Citation.objects.none()
            instance.pending_citations = 1 + existing.count()
            try:
                source = NaturalKeyWidget(Source, field="slug").clean(source_slug)
            except ValueError as error:
                errors["Source"] = [str(error)]
            else:
                if not existing.filter(source=source, quote=quote).exists():
                    instance.new_citation = (source, quote)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.new_citation:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance.new_citation:
            source, quote = instance.new_citation
            citation = Citation(source=source, quote=quote, **{instance._meta.model_name: instance})
            citation._history_user = kwargs.get("user")
            citation.save()


class InitiativeResource(RecordResource):
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

    class Meta(RecordResource.Meta):
        model = Initiative
        fields = (
            "slug",
            "title",
            "summary",
            "description",
            "focus_areas",
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
            "source",
            "quote",
            "published",
        )


class ChallengeResource(RecordResource):
    required_columns = ("Title", "Category")
    category = choice("category", "Category", Challenge.Category.choices)
    status = choice("status", "Status", Challenge.Status.choices)

    class Meta(RecordResource.Meta):
        model = Challenge
        fields = (
            "slug",
            "title",
            "summary",
            "description",
            "focus_areas",
            "category",
            "status",
            "source",
            "quote",
            "published",
        )


class RecommendationResource(RecordResource):
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

    class Meta(RecordResource.Meta):
        model = Recommendation
        fields = (
            "slug",
            "title",
            "summary",
            "description",
            "focus_areas",
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
            "source",
            "quote",
            "published",
        )


class VisitResource(RecordResource):
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

    class Meta(RecordResource.Meta):
        model = Visit
        fields = (
            "slug",
            "title",
            "summary",
            "description",
            "focus_areas",
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
            "source",
            "quote",
            "published",
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


class CitationResource(TrackerResource):
    """A citation: its source, its quote, and the one record (or an initiative's milestone) it supports.

    Citations have no name of their own; a row is the same citation as one in the
    database when source, quote and record all match, so re-importing an export
    changes nothing.
    """

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
