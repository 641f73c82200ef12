"""Answers to expensive public questions (counts, choice lists), kept until the data changes.

Every change to the tracker's data gives it a new *version*, a random token in
the shared cache, once the change is committed. Answers are kept in each
process's memory under the version they were computed for, so a change on any
server makes every server compute afresh, and a page pays one shared-cache read
for the version however many answers it uses. The thread that made a change
sees it at once, before the commit.

Saves, deletions and many-to-many changes announce themselves through signals;
code that writes in bulk (``bulk_create``, ``QuerySet.update``, ``COPY``) calls
``data_changed()`` itself.
"""

import threading
import uuid

from django.core.cache import cache, caches
from django.core.signals import request_started
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalChanges

VERSION_KEY = "tracker:data-version"
MISSING = object()

answers = caches["answers"]
_local = threading.local()


def data_version():
    """The version of the data, read from the shared cache once per request."""
    version = getattr(_local, "version", None)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:  # the first request since the cache was emptied
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
        _local.version = version
    return version


def remember(key, compute):
    """``compute()``, or its answer from an earlier call under the same data version."""
    versioned_key = f"{data_version()}:{key}"
    value = answers.get(versioned_key, MISSING)
    if value is MISSING:
        value = compute()
        answers.set(versioned_key, value)
    return value


def publish_version():
    _local.unpublished = False
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def publishing_pending():
    """Whether this thread holds a change that will publish a new version when its transaction commits
    (a rolled-back transaction drops the callback)."""
    return getattr(_local, "unpublished", False) and any(
        callback is publish_version for _, callback, _ in connection.run_on_commit
    )


def data_changed(**kwargs):
    """Make remembered answers stale: at once for this thread, for every process once the change commits."""
    _local.version = uuid.uuid4().hex
    if not publishing_pending():
        _local.unpublished = True
        transaction.on_commit(publish_version)


def forget_version(**kwargs):
    """At the start of a request, read the version afresh, unless this thread holds uncommitted changes."""
    if not publishing_pending():
        _local.version = None


def forget_answers():
    """Drop every remembered answer of this process (for tests that empty the database under it)."""
    _local.version = None
    answers.clear()


def announce_changes(app_config):
    """Connect saves, deletions and many-to-many changes of the app's models (history aside) to ``data_changed``.

    Connected model by model: a receiver for every sender would stop Django's fast
    bulk deletes of every other model too.
    """
    request_started.connect(forget_version, dispatch_uid="tracker-forget-version")
    for model in app_config.get_models(include_auto_created=True):
        if not issubclass(model, HistoricalChanges):
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(data_changed, sender=model, dispatch_uid=f"tracker-data-changed-{model._meta.label}")
