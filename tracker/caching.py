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
other answers are kept under their versions.
"""

import hashlib
import threading

from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import connection
from django.utils import translation

from . import data_versions

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


def remember(key, compute, models=()):
    """``compute()``, or its answer from an earlier call under the same version of the tables of ``models``
    (by default, of every tracker table) and in the same language (an answer may hold translated labels:
    one in Bosnian must never reach an English page)."""
    versioned_key = f"{data_version(*models)}:{translation.get_language()}:{key}"
    value = answers.get(versioned_key, MISSING)
    if value is MISSING:
        value = compute()
        answers.set(versioned_key, value)
    return value


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
