"""The staff interface: editing, two-step import with preview, export, history, publishing."""

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from . import jobs
from .extraction import ExtractionError, extract
from .models import (
    UPDATED_FIELDS,
    Challenge,
    Citation,
    FocusArea,
    ImportJob,
    Initiative,
    Milestone,
    Organisation,
    Recommendation,
    Source,
    StatusUpdate,
    UnsupportedRecords,
    Visit,
    latest_status,
    left_unsupported,
    may_publish,
)
from .resources import RESOURCES
from .resources.importing import ALL_OR_NOTHING, ENCODINGS, FORMATS, ImportFileError, max_upload_bytes, read_upload


class TrackerImportForm(ImportForm):
    """The upload step: the file is checked (size, encoding, format, rows, columns) before any preview."""

    encoding = forms.ChoiceField(
        label=_("Character encoding"),
        choices=list(ENCODINGS.items()),
        initial="auto",
        required=False,
        help_text=_("For CSV files. Excel set to Bosnian, Croatian or Serbian saves CSV as Windows-1250."),
    )

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.format_classes, self.resource_classes = formats, resources
        self.fields["import_file"].help_text = _(
            "CSV (separated by commas, semicolons or tabs), XLSX, ODS or JSON, with a header row; at most %(size)s."
        ) % {"size": filesizeformat(max_upload_bytes())}

    def clean(self):
        cleaned_data = super().clean()
        upload, file_format = cleaned_data.get("import_file"), cleaned_data.get("format")
        if upload and upload.size > max_upload_bytes():
            self.add_error(
                "import_file",
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_upload_bytes())},
            )
        elif upload and file_format not in (None, ""):
            try:
                read = read_upload(
                    upload.read(),
                    self.format_classes[int(file_format)](),
                    max_rows=settings.TRACKER_IMPORT_MAX_ROWS,
                    encoding=cleaned_data.get("encoding") or "auto",
                )
            except ImportFileError as error:
                self.add_error("import_file", str(error))
            else:
                upload.normalised, upload.read_as = read.normalised, read.described
                upload.checked = read
                upload.background = len(read.dataset) > settings.TRACKER_IMPORT_BACKGROUND_ROWS
                resource = self.resource_classes[int(cleaned_data.get("resource") or 0)]()
                problem = resource.header_problem(read.dataset.headers)
                if problem:
                    self.add_error("import_file", problem)
        return cleaned_data


class TrackerAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import (with preview), export, and history for every model staff edit."""

    import_form_class = TrackerImportForm
    import_template_name = "admin/tracker/import.html"
    export_template_name = "admin/tracker/export.html"
    formats = FORMATS

    def get_resource_classes(self, request):
        return [RESOURCES[self.model]]

    def tmp_storage(self, file_format, **kwargs):
        """Where the upload waits between preview and confirm, opened as ``file_format`` reads it."""
        return self.get_tmp_storage_class()(
            encoding=None if file_format.is_binary() else self.from_encoding,
            read_mode=file_format.get_read_mode(),
            **kwargs,
            **self.get_tmp_storage_class_kwargs(),
        )

    def write_to_tmp_storage(self, import_file, input_format):
        """Store the checked, UTF-8 form of the upload for the confirm step."""
        tmp_storage = self.tmp_storage(input_format)
        tmp_storage.save(import_file.normalised)
        return tmp_storage

    def create_import_form(self, request):
        """The upload's form, checked once a request (``import_action`` looks at it first)."""
        if not hasattr(request, "import_form"):
            request.import_form = super().create_import_form(request)
        return request.import_form

    def import_action(self, request, **kwargs):
        """A file too big to check while the request waits goes to the task worker (``tracker.jobs``),
        and its job's page shows the progress. A preview that cannot be confirmed (any error) leaves no
        file waiting in the cache."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            upload = form.cleaned_data.get("import_file") if form.is_valid() else None
            if getattr(upload, "background", False):
                file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
                job = jobs.start(self.opts.model_name, file_format, upload.checked, upload.name, request.user)
                return redirect("admin:tracker_importjob_change", job.pk)
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result, form = context.get("result"), context.get("form")
        if result is not None and (result.has_errors() or result.has_validation_errors()):
            name = getattr(form.cleaned_data.get("import_file"), "tmp_storage_name", None)
            if name:
                self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs()).remove()
        return response

    def process_import(self, request, **kwargs):
        """Confirm step: if the previewed file is gone (expired, or a forged name), say so instead of failing."""
        if self.has_import_permission(request) and not self.previewed_file_exists(request):
            self.message_user(request, _("The preview has expired: please upload the file again."), messages.ERROR)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        return super().process_import(request, **kwargs)

    def previewed_file_exists(self, request):
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return True  # the library reports an invalid form itself
        try:
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            storage = self.tmp_storage(file_format, name=form.cleaned_data["import_file_name"])
            return storage.read() is not None
        except (OSError, ValueError, IndexError):
            return False

    def get_import_data_kwargs(self, **kwargs):
        """Preview and confirm both run as one transaction that any bad row rolls back."""
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return {**kwargs, **ALL_OR_NOTHING}


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["date", "date_precision", "title", "description"]
    show_change_link = True


class StatusUpdateInlineForm(forms.ModelForm):
    """A status update written on its record's page, with its evidence: a new one needs a source and a
    quote, checked against the source's archived text before anything is saved (more citations can be
    added on the update's own page)."""

    status = forms.ChoiceField()
    source = forms.ModelChoiceField(
        Source.objects.all(),
        required=False,
        label=_("Source"),
        help_text=_("For a new update, its evidence; an update's saved citations are on its own page (Change)."),
    )
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Quote"), strip=True)

    class Meta:
        model = StatusUpdate
        fields = ["date", "date_precision", "status", "completion", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = self.record_model.Status.choices

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None and not cleaned_data.get("DELETE") and self.has_changed():
            source, quote = cleaned_data.get("source"), cleaned_data.get("quote")
            if not (source and quote):
                raise ValidationError(_("A status update needs its evidence: choose the source and give the quote."))
            self.citation = Citation(source=source, quote=quote)
            try:
                self.citation.verify()
            except ValidationError as error:
                self.add_error("quote", error.message_dict["quote"])
        return cleaned_data


def status_update_inline(record_model):
    """The inline of a record's status updates, its status offered from the record's own statuses."""
    form = type(f"{record_model.__name__}StatusUpdateForm", (StatusUpdateInlineForm,), {"record_model": record_model})
    return type(
        f"{record_model.__name__}StatusUpdateInline",
        (admin.StackedInline,),
        {
            "model": StatusUpdate,
            "form": form,
            "extra": 0,
            "fields": [("date", "date_precision"), ("status", "completion"), "note", ("source", "quote")],
            "show_change_link": True,
            "verbose_name_plural": _("status updates (the latest sets the record's status)"),
        },
    )


class RecordAdminForm(forms.ModelForm):
    """Lets the model's "published needs a citation" rule count the citations saved with the form; and
    takes the reason for a change, which the record's history keeps and ``/changes/`` shows."""

    citation_prefix = "citations"
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        required=False,
        help_text=_("Shown to the public with the change of a published record, e.g. “corrected the date”."),
    )

    def save(self, commit=True):
        if self.cleaned_data.get("change_reason"):
            self.instance._change_reason = self.cleaned_data["change_reason"]
        return super().save(commit)

    def clean(self):
        cleaned_data = super().clean()
        if self.data.get(f"{self.citation_prefix}-TOTAL_FORMS") is not None:
            total = int(self.data.get(f"{self.citation_prefix}-TOTAL_FORMS") or 0)
            self.instance.pending_citations = sum(
                1
                for index in range(total)
                if self.data.get(f"{self.citation_prefix}-{index}-quote", "").strip()
                and not self.data.get(f"{self.citation_prefix}-{index}-DELETE")
            )
        return cleaned_data

    def add_error(self, field, error):
        """An error about a field this user cannot edit (``published`` is read-only without the
        publish permission) is shown for the whole form instead of failing."""
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError(
                {key if key in self.fields else NON_FIELD_ERRORS: value for key, value in error.error_dict.items()}
            )
        super().add_error(field, error)


class PublishableAdmin(TrackerAdmin):
    """Publish and unpublish in bulk, for those allowed to; only cited records are published."""

    actions = ["publish", "unpublish"]

    def has_publish_permission(self, request):
        return may_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.has_publish_permission(request) else [*readonly, "published"]

    @admin.action(description=_("Publish selected"), permissions=["publish"])
    def publish(self, request, queryset):
        publishable = [obj for obj in queryset if not hasattr(obj, "has_citations") or obj.has_citations()]
        self.set_published(request, publishable, True)
        refused = queryset.count() - len(publishable)
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record has no citation and stays a draft.",
                    "%(count)d records have no citation and stay drafts.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish selected"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self.set_published(request, list(queryset), False)

    def set_published(self, request, objects, published):
        """Save one by one, so history and the admin log record who published what."""
        updated = 0
        for obj in objects:
            if obj.published != published:
                obj.published = published
                obj._change_reason = "Published" if published else "Unpublished"
                try:
                    obj.save(update_fields=["published", "updated"])
                except UnsupportedRecords as error:  # a source that is some records' only public evidence
                    self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
                    continue
                self.log_change(request, obj, [{"changed": {"fields": ["published"]}}])
            updated += 1
        self.message_user(
            request,
            ngettext("%(count)d record updated.", "%(count)d records updated.", updated) % {"count": updated},
            messages.SUCCESS,
        )


@admin.register(FocusArea)
class FocusAreaAdmin(TrackerAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(TrackerAdmin):
    list_display = ["name", "abbreviation", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "abbreviation", "description"]
    prepopulated_fields = {"slug": ["name"]}


class SourceAdminForm(forms.ModelForm):
    """A source's archived text, pasted or read from an uploaded file (kept as the original)."""

    upload = forms.FileField(
        label=_("Original file"),
        required=False,
        help_text=_("Plain text (UTF-8), HTML or PDF: its text becomes the archived text. Or paste the text below."),
    )

    text = forms.CharField(
        label=_("archived text"),
        required=False,
        strip=False,  # the text as published, to the last line break
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text=Source._meta.get_field("text").help_text,
    )

    class Meta:
        model = Source
        fields = ["text"]  # the admin adds the fieldsets' other fields, with its own widgets

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n")  # browsers send a textarea's lines as CRLF

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("upload")
        if not upload:
            return cleaned_data
        limit = settings.TRACKER_SOURCE_MAX_BYTES
        if upload.size > limit:
            self.add_error(
                "upload",
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        elif cleaned_data.get("text") != self.instance.text and cleaned_data.get("text"):
            self.add_error("upload", _("Upload a file or paste the text, not both."))
        else:
            data = upload.read()
            try:
                extracted = extract(data, upload.name)
            except ExtractionError as error:
                self.add_error("upload", str(error))
            else:
                cleaned_data["text"] = extracted.text
                self.instance.original, self.instance.original_type = data, extracted.content_type
                self.instance.original_name = upload.name[:200]
        return cleaned_data


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    form = SourceAdminForm
    list_display = ["title", "kind", "reliability", "publication_date", "verifiable", "published"]
    list_filter = ["kind", "reliability", "published"]
    search_fields = ["title", "publisher", "author", "original_name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["original_name", "original_type", "created", "updated"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "publisher", "author", "kind", "publication_date",
                           "publication_precision", "url", "reliability", "reliability_note", "published"]}),
        (_("Archived document"), {"fields": ["upload", "text", "original_name", "original_type"]}),
        (None, {"fields": ["created", "updated"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).defer("original")

    @admin.display(boolean=True, description=_("archived text"))
    def verifiable(self, source):
        return source.verifiable


class CitedMixin:
    """What records, milestones and status updates share: their citations saved so that evidence is never
    lost, and their citations' changes in their history."""

    object_history_template = "admin/tracker/cited_history.html"

    def save_formset(self, request, form, formset, change):
        """New and changed citations are saved before the removed ones are deleted, so the record
        keeps its evidence throughout (a citation's deletion checks that some remains); a new status
        update is saved with its citation."""
        if formset.model is StatusUpdate:
            super().save_formset(request, form, formset, change)
            for update_form in formset.forms:
                citation = getattr(update_form, "citation", None)
                if citation is not None and update_form.instance.pk:
                    citation.status_update = update_form.instance
                    citation.save()
            return
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        for citation in formset.save(commit=False):
            citation.save()
        for citation in formset.deleted_objects:
            citation.delete()

    def history_view(self, request, object_id, extra_context=None):
        citation_changes = (
            Citation.history.filter(**{f"{self.opts.model_name}_id": object_id})
            .select_related("source", "history_user")
            .order_by("-history_date", "-history_id")[:100]
        )
        return super().history_view(request, object_id, {"citation_changes": citation_changes, **(extra_context or {})})


class CitedAdmin(CitedMixin, TrackerAdmin):
    pass


class RecordAdmin(CitedAdmin, PublishableAdmin):
    form = RecordAdminForm
    inlines = [CitationInline]
    list_filter = ["published", "focus_areas"]
    list_per_page = 50
    search_fields = ["title", "slug", "summary", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["focus_areas"]
    readonly_fields = ["created", "updated"]

    def get_readonly_fields(self, request, obj=None):
        """A status set by dated updates changes by adding an update (inline), not by editing it."""
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "status"] if obj is not None and latest_status(obj) is not None else readonly


@admin.register(Initiative)
class InitiativeAdmin(RecordAdmin):
    inlines = [MilestoneInline, CitationInline, status_update_inline(Initiative)]
    list_display = ["title", "short_name", "kind", "status", "start_date", "published", "updated"]
    list_filter = ["kind", "status", *RecordAdmin.list_filter, "organisations"]
    search_fields = [*RecordAdmin.search_fields, "short_name"]
    date_hierarchy = "start_date"
    ordering = ["title"]
    autocomplete_fields = ["focus_areas", "organisations", "challenges", "parent"]


@admin.register(Challenge)
class ChallengeAdmin(RecordAdmin):
    inlines = [CitationInline, status_update_inline(Challenge)]
    list_display = ["title", "category", "status", "published", "updated"]
    list_filter = ["category", "status", *RecordAdmin.list_filter]
    ordering = ["title"]


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    inlines = [CitationInline, status_update_inline(Recommendation)]
    list_display = ["title", "focus_area", "status", "target_date", "target_ongoing", "published", "updated"]
    list_filter = ["status", "focus_area", "target_ongoing", *RecordAdmin.list_filter, "proposed_by"]
    date_hierarchy = "target_date"
    ordering = ["target_date", "title"]
    list_select_related = ["focus_area"]
    autocomplete_fields = ["focus_areas", "focus_area", "proposed_by", "visit", "challenges", "initiatives"]


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    list_display = ["title", "date", "city", "country", "visitor_role", "published", "updated"]
    list_filter = ["kind", "country", *RecordAdmin.list_filter]
    search_fields = [*RecordAdmin.search_fields, "city", "country", "visitor_name", "visitor_role"]
    date_hierarchy = "date"
    ordering = ["-date"]
    autocomplete_fields = ["focus_areas", "visitor_organisation", "hosts", "initiatives"]


@admin.register(Milestone)
class MilestoneAdmin(CitedAdmin):
    inlines = [CitationInline]
    list_display = ["title", "initiative", "date", "date_precision"]
    list_filter = ["date_precision"]
    list_select_related = ["initiative"]
    search_fields = ["title", "initiative__title"]
    date_hierarchy = "date"
    ordering = ["date"]
    autocomplete_fields = ["initiative"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("initiative")  # __str__ names the initiative


class StatusUpdateAdminForm(RecordAdminForm):
    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pending_citations == 0:
            raise ValidationError(_("A status update needs at least one citation."))
        return cleaned_data


@admin.register(StatusUpdate)
class StatusUpdateAdmin(CitedAdmin):
    """A status update's page: all its citations (its record's page adds an update with its first one)."""

    form = StatusUpdateAdminForm
    inlines = [CitationInline]
    list_display = ["__str__", "date", "date_precision", "status", "completion"]
    list_filter = ["status", "completion", "date_precision"]
    list_select_related = UPDATED_FIELDS
    search_fields = ["note", *(f"{name}__title" for name in UPDATED_FIELDS)]
    date_hierarchy = "date"
    autocomplete_fields = UPDATED_FIELDS
    fields = [*UPDATED_FIELDS, ("date", "date_precision"), ("status", "completion"), "note"]


@admin.register(Citation)
class CitationAdmin(TrackerAdmin):
    list_display = ["quote", "source", "cited_kind"]
    list_filter = ["source"]
    list_select_related = ["source", "initiative", "milestone", "challenge", "recommendation", "visit"]
    search_fields = ["quote", "source__title"]
    autocomplete_fields = ["source", "initiative", "milestone", "challenge", "recommendation", "visit"]
    readonly_fields = ["start", "end"]

    def get_deleted_objects(self, objs, request):
        """A citation that is the last public evidence of a published record is protected: the delete
        page names the records instead of deleting."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        records = left_unsupported(Citation.objects.filter(pk__in=[obj.pk for obj in objs]))
        protected = [*protected, *(_("%(kind)s “%(record)s”: its last public citation") % {
            "kind": record._meta.verbose_name.capitalize(), "record": record} for record in records)]  # fmt: skip
        return deleted, counts, perms_needed, protected


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Big imports on their way through the task worker (``tracker.jobs``): each job's page shows its
    progress, then its totals or its problems, and the button that confirms it. Staff see their own
    jobs (superusers every job); confirming needs the import permission of what the file holds."""

    list_display = ["file_name", "resource", "user", "state", "progress", "created"]
    list_filter = ["state", "resource"]
    change_form_template = "admin/tracker/import_job.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False  # a job is made by uploading a file on the import page of what it holds

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request) and (obj is None or not obj.running)

    @admin.display(description=_("Rows done"))
    def progress(self, job):
        return f"{number_format(job.done, force_grouping=True)} / {number_format(job.rows, force_grouping=True)}"

    def target_admin(self, job):
        return self.admin_site._registry[apps.get_model("tracker", job.resource)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404(_("No such import job."))
        target = self.target_admin(job)
        can_confirm = target.has_import_permission(request)
        if request.method == "POST":
            if not can_confirm:
                raise PermissionDenied
            if jobs.confirm(job):
                self.message_user(request, _("The import has started."), messages.SUCCESS)
            else:
                self.message_user(request, _("The check has expired: please upload the file again."), messages.ERROR)
            return redirect("admin:tracker_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import of %(name)s") % {"name": job.file_name},
            "job": job,
            "target_opts": target.opts,
            "done": number_format(job.done, force_grouping=True),
            "rows": number_format(job.rows, force_grouping=True),
            "can_confirm": can_confirm and job.state == ImportJob.State.CHECKED and not jobs.expired(job),
        }
        return TemplateResponse(request, self.change_form_template, context)
