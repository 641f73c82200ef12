"""Answers to expensive public questions (counts, choice lists, rendered pages), kept until the data changes.

The database keeps a version of each tracker table (``tracker.data_versions``),
moved by every committed write however it is made. A request reads all the
versions once, in one query, when it first needs one; answers are kept in each
process's memory under the versions they were computed for, so a write on any
server makes every server compute afresh on its next request, and an
uncommitted or rolled-back write changes nothing for others. Outside a request
(a shell, a test, a command) the versions are read at each use.

``data_version()`` changes with any table; ``data_version(Visit, …)`` only with
the tables of the models named, so an answer that depends on visits alone can
outlive an edit to an initiative. Each page names the models it shows once
(``RememberedPage.depends_on`` in ``tracker.views``); its fragments, counts and
other answers are kept under their versions, and so is a copy of the whole page
(``remembered_response``): a second request for it runs no view code at all.
"""

import hashlib
import threading
import zlib

from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import connection
from django.http import HttpResponse
from django.utils import translation

from . import data_versions, dates

MISSING = object()

answers = caches["answers"]
_local = threading.local()


def versions():
    """``{table: version}``, read once per request."""
    if not getattr(_local, "in_request", False):
        return data_versions.read(connection)
    if getattr(_local, "versions", None) is None:
        _local.versions = data_versions.read(connection)
    return _local.versions


def tables_of(model):
    """A model's table and those of its many-to-many links."""
    return [model._meta.db_table, *(field.remote_field.through._meta.db_table for field in model._meta.many_to_many)]


def data_version(*models):
    """A token that changes whenever a table of ``models`` (by default, any tracker table) is written."""
    current = versions()
    if models:
        items = [(table, current.get(table, 0)) for model in models for table in tables_of(model)]
    else:
        items = sorted(current.items())
    return hashlib.blake2b(repr(items).encode(), digest_size=8).hexdigest()


def versioned(key, models):
    """``key`` under the version of the tables of ``models`` and the current language (an answer may hold
    translated labels: one in Bosnian must never reach an English page)."""
    return f"{data_version(*models)}:{translation.get_language()}:{key}"


def remember(key, compute, models=()):
    """``compute()``, or its answer from an earlier call under the same version of the tables of ``models``
    (by default, of every tracker table) and in the same language."""
    versioned_key = versioned(key, models)
    value = answers.get(versioned_key, MISSING)
    if value is MISSING:
        value = compute()
        answers.set(versioned_key, value)
    return value


def remembered_response(request, respond, models=()):
    """The response to a public ``GET`` or ``HEAD``: ``respond()``'s, or a copy of the one it gave for the same
    address (scheme, host, path and query) on the same day, in the same language and under the same version
    of the tables of ``models``. Only a complete page is copied: a ``200`` that sets no cookie, rendered in
    full (a stream, a CSV, is not); its headers beyond the view's own come from the middleware each time.

    Django's ``cache_page`` would also tell every cache on the way to keep the page for its timeout, where
    the site's pages must be checked with it before each use (``CacheControlMiddleware``: unpublishing
    takes effect at once), and it knows nothing of the data's versions.

    A copy is kept compressed (zlib's fastest level): a process keeps up to 5,000 of them, and a list page
    shrinks about six times for a fraction of a millisecond a request."""
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    key = versioned(f"page:{dates.today()}:{address}", models)
    copy = answers.get(key)
    if copy is not None:
        compressed, headers = copy
        return HttpResponse(zlib.decompress(compressed), headers=headers)
    response = respond()

    def keep(rendered):
        if rendered.status_code == 200 and not rendered.cookies and not rendered.streaming:
            answers.set(key, (zlib.compress(rendered.content, 1), dict(rendered.headers)))

    if getattr(response, "is_rendered", True):
        keep(response)
    else:
        response.add_post_render_callback(keep)
    return response


def start_request(**kwargs):
    _local.in_request, _local.versions = True, None


def finish_request(**kwargs):
    _local.in_request, _local.versions = False, None


def forget_answers():
    """Drop every remembered answer of this process (for tests that empty the database under it)."""
    _local.versions = None
    answers.clear()


def follow_requests():
    request_started.connect(start_request, dispatch_uid="tracker-versions-start")
    request_finished.connect(finish_request, dispatch_uid="tracker-versions-finish")
