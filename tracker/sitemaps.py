"""``/sitemap.xml``: every public page in every language, each with its alternates; drafts never.

One section per kind of page; each reads only what its URLs need (slugs, and when a record last
changed) in one query.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import views
from .models import Challenge, FocusArea, Initiative, Organisation, Recommendation, Source, Visit


class PublicSitemap(Sitemap):
    """Each page in every language of ``settings.LANGUAGES``, with ``hreflang`` alternates and x-default."""

    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(PublicSitemap):
    """The pages every visitor starts from: home, the lists, the timeline, the sources, the focus-area and
    organisation indexes, the changes, the data dictionary."""

    def items(self):
        lists = [f"tracker:{model._meta.model_name}-list" for model in (Initiative, Challenge, Recommendation, Visit)]
        indexes = ["tracker:focusarea-list", "tracker:organisation-list"]
        return [
            "tracker:home",
            *lists,
            "tracker:timeline",
            "tracker:source-list",
            *indexes,
            "tracker:changes",
            "tracker:data-dictionary",
        ]

    def location(self, item):
        return reverse(item)


class PublishedSitemap(PublicSitemap):
    """The published records of one model, with the time each last changed."""

    model = None

    def items(self):
        return self.model.objects.published().order_by("pk").only("slug", "updated")

    def lastmod(self, item):
        return item.updated


class VocabularySitemap(PublicSitemap):
    """The focus areas or organisations some published record carries (those that have a public page)."""

    model = None

    def items(self):
        return views.public_terms(self.model).order_by("pk").only("slug")


class InitiativeSitemap(PublishedSitemap):
    model = Initiative


class ChallengeSitemap(PublishedSitemap):
    model = Challenge


class RecommendationSitemap(PublishedSitemap):
    model = Recommendation


class VisitSitemap(PublishedSitemap):
    model = Visit


class SourceSitemap(PublishedSitemap):
    model = Source


class FocusAreaSitemap(VocabularySitemap):
    model = FocusArea


class OrganisationSitemap(VocabularySitemap):
    model = Organisation


#: The sections of ``/sitemap.xml`` (an index of ``/sitemap-<section>.xml``), by name.
SITEMAPS = {
    "pages": PagesSitemap,
    "initiatives": InitiativeSitemap,
    "challenges": ChallengeSitemap,
    "recommendations": RecommendationSitemap,
    "visits": VisitSitemap,
    "sources": SourceSitemap,
    "focus-areas": FocusAreaSitemap,
    "organisations": OrganisationSitemap,
}
