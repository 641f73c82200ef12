"""Reading public pages in tests: what a person sees, and what a view put in its template's context."""

import re

from tracker.caching import forget_answers


def rendered(client, path, data=None):
    """``client.get(path, data)`` answered by the view itself, with its context to look at, rather than by
    the copy of a page it rendered before (``caching.remembered_response``), which has none."""
    forget_answers()
    return client.get(path, data)


def heading(response):
    """What a list's results heading says ("12 results", "More than 1000 results")."""
    return re.search(r'<h2 id="results-heading"[^>]*>([^<]*)</h2>', response.text).group(1)


def results_count(response):
    """The number of results a list's heading shows ("12 results")."""
    return int(re.fullmatch(r"(\d+) results?", heading(response)).group(1))
