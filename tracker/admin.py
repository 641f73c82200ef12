from django.contrib import admin

from .models import Challenge, Citation, FocusArea, Initiative, Milestone, Organisation, Recommendation, Source, Visit


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["date", "date_precision", "title", "description"]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "abbreviation", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "reliability", "publication_date", "published"]
    list_filter = ["kind", "reliability", "published"]
    search_fields = ["title", "publisher", "author", "document"]
    prepopulated_fields = {"slug": ["title"]}


class RecordAdmin(admin.ModelAdmin):
    inlines = [CitationInline]
    list_filter = ["published", "focus_areas"]
    search_fields = ["title", "summary", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["focus_areas"]
    readonly_fields = ["created", "updated"]


@admin.register(Initiative)
class InitiativeAdmin(RecordAdmin):
    inlines = [MilestoneInline, CitationInline]
    list_display = ["title", "short_name", "kind", "status", "start_date", "published"]
    list_filter = ["kind", "status", *RecordAdmin.list_filter]
    autocomplete_fields = ["focus_areas", "organisations", "challenges", "parent"]


@admin.register(Challenge)
class ChallengeAdmin(RecordAdmin):
    list_display = ["title", "category", "status", "published"]
    list_filter = ["category", "status", *RecordAdmin.list_filter]


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    list_display = ["title", "focus_area", "status", "target_date", "published"]
    list_filter = ["status", "focus_area", *RecordAdmin.list_filter]
    autocomplete_fields = ["focus_areas", "focus_area", "proposed_by", "visit", "challenges", "initiatives"]


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    list_display = ["title", "date", "city", "country", "visitor_role", "published"]
    list_filter = ["kind", *RecordAdmin.list_filter]
    date_hierarchy = "date"
    autocomplete_fields = ["focus_areas", "visitor_organisation", "hosts", "initiatives"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    inlines = [CitationInline]
    list_display = ["title", "initiative", "date", "date_precision"]
    search_fields = ["title", "initiative__title"]
    autocomplete_fields = ["initiative"]
