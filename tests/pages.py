"""Reading public pages in tests: what a person sees, and what a view put in its template's context."""

import re

from tracker.caching import forget_answers


def rendered(client, path, data=None):
    """``client.get(path, data)`` answered by the view itself, with its context to look at, rather than by
    the copy of a page it rendered before (``caching.remembered_response``), which has none."""
    forget_answers()
    return client.get(path, data)


def results_count(response):
    """The number of results a list's heading shows ("12 results")."""
    return int(re.search(r'<h2 id="results-heading"[^>]*>(\d+) results?</h2>', response.text).group(1))
