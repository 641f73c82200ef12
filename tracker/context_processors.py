from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from . import caching, dates

SECTIONS = [
    ("initiative", "tracker:initiative-list", _("Initiatives")),
    ("challenge", "tracker:challenge-list", _("Challenges")),
    ("recommendation", "tracker:recommendation-list", _("Recommendations")),
    ("visit", "tracker:visit-list", _("Visits")),
    ("focusarea", "tracker:focusarea-list", _("Focus areas")),
    ("organisation", "tracker:organisation-list", _("Organisations")),
    ("timeline", "tracker:timeline", _("Timeline")),
    ("source", "tracker:source-list", _("Sources")),
]


def navigation(request):
    """The main menu, with the section of the current page marked."""
    match = request.resolver_match
    current = match.url_name.split("-")[0] if match and match.url_name else ""
    return {
        "navigation": [
            {"url": reverse(url_name), "label": label, "current": section == current}
            for section, url_name, label in SECTIONS
        ]
    }


def data_version(request):
    """The version of the data and the site's date (deadlines pass with it), for the keys of remembered
    fragments (``{% cache … today data_version %}``).

    Functions: templates call them, so pages without remembered fragments never read them.
    """
    return {"data_version": caching.data_version, "today": dates.today}


def languages(request):
    """This page in each of the site's languages, for the switcher and the ``hreflang`` alternates:
    ``[{code, name, url, absolute_url, current}]``, each URL with the page's query. A page no URL
    names (an error page) offers each language's home page."""

    def versions():
        match = request.resolver_match
        query = request.META.get("QUERY_STRING", "")
        current = translation.get_language()
        pages = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                if match and match.url_name:
                    url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
                else:
                    url, query = reverse("tracker:home"), ""
            url = f"{url}?{query}" if query else url
            pages.append(
                {
                    "code": code,
                    "name": name,
                    "url": url,
                    "absolute_url": request.build_absolute_uri(url),
                    "current": code == current,
                }
            )
        return pages

    return {"page_languages": SimpleLazyObject(versions)}
