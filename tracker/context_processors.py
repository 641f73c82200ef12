from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import caching

SECTIONS = [
    ("initiative", "tracker:initiative-list", _("Initiatives")),
    ("challenge", "tracker:challenge-list", _("Challenges")),
    ("recommendation", "tracker:recommendation-list", _("Recommendations")),
    ("visit", "tracker:visit-list", _("Visits")),
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
    """The version of the data, for the keys of remembered fragments (``{% cache … data_version %}``).

    A function: templates call it, so pages without remembered fragments never read it.
    """
    return {"data_version": caching.data_version}
