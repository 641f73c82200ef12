"""Big imports, checked and written by the task worker instead of while a request waits.

A file of more than ``TRACKER_IMPORT_BACKGROUND_ROWS`` rows becomes an ``ImportJob``: the worker
(``manage.py db_worker``, django-tasks' database backend, so the queue is a table and no other
server is needed) checks every row as the admin's preview does, writing nothing; staff see the
progress, then the totals or each row's problems, and confirm; the worker then imports the file,
all rows or none, with the same messages. The admin's import page sends the file here
(``TrackerAdmin.import_action``); the job's page is ``ImportJobAdmin``.
"""

import datetime
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from .models import ImportJob
from .resources.importing import FORMATS_BY_NAME, describe_errors, import_dataset, read_upload

try:  # Django 6 has the tasks framework itself; django-tasks is its backport
    from django.tasks import task
except ImportError:
    from django_tasks import task

logger = logging.getLogger(__name__)

#: The most problems a job keeps to show: enough to mend a file, not a page of megabytes.
MAX_PROBLEMS = 1000


def start(resource_name, file_format, read, file_name, user):
    """Queue the check of a file read by ``importing.read_upload``; return its job."""
    forget_finished_files()
    job = ImportJob.objects.create(
        resource=resource_name,
        file_format=file_format.get_title().lower(),
        file_name=file_name[:255],
        read_as=read.described,
        data=read.normalised,
        user=user,
        rows=len(read.dataset),
    )
    check_import.enqueue(job.pk)
    return job


def confirm(job):
    """Queue the import of a checked file. ``False`` if its check is too old to be trusted."""
    if job.state != ImportJob.State.CHECKED:
        return False
    if expired(job):
        job.data = b""
        job.save(update_fields=["data"])
        return False
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.IMPORTING, done=0)
    write_import.enqueue(job.pk)
    return True


def expired(job):
    age = timezone.now() - (job.finished or job.created)
    return age > datetime.timedelta(seconds=settings.TRACKER_IMPORT_PREVIEW_SECONDS)


def forget_finished_files():
    """The files of jobs that are done with, or whose check has expired, are not kept."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.TRACKER_IMPORT_PREVIEW_SECONDS)
    ImportJob.objects.exclude(state__in=ImportJob.RUNNING).filter(finished__lt=cutoff).exclude(data=b"").update(
        data=b""
    )


@task()
def check_import(job_id):
    run(job_id, dry_run=True)


@task()
def write_import(job_id):
    run(job_id, dry_run=False)


def run(job_id, dry_run):
    """Check (``dry_run``) or import a job's file, recording progress as rows go and the outcome at the end."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not job.data:
        return
    if job.user is None or not job.user.is_active:  # whose permissions the import would run with
        job.state, job.problems = ImportJob.State.FAILED, ["The account that uploaded the file is gone."]
    else:
        check_or_import(job, dry_run)
    job.done, job.finished = job.rows, timezone.now()
    if job.state != ImportJob.State.CHECKED:
        job.data = b""
    job.save(update_fields=["state", "problems", "totals", "done", "finished", "data"])


def check_or_import(job, dry_run):
    """Run the import of ``job``'s file (a check if ``dry_run``), and set its state, totals and problems."""
    from .resources import RESOURCES_BY_NAME

    file_format = FORMATS_BY_NAME[job.file_format]()
    with Progress(job, dry_run) as progress:
        try:
            read = read_upload(bytes(job.data), file_format, encoding="utf-8")
            result = import_dataset(
                RESOURCES_BY_NAME[job.resource](),
                read.dataset,
                dry_run=dry_run,
                user=job.user,
                file_name=job.file_name,
                progress=progress,
            )
        except Exception as error:  # recorded for staff and logged; the worker itself goes on
            logger.exception("Import job %s stopped", job.pk)
            job.state, job.problems = ImportJob.State.FAILED, [f"The import stopped: {type(error).__name__}."]
            return
    job.problems = describe_errors(result)[:MAX_PROBLEMS]
    job.totals = {kind: result.totals[kind] for kind in ("new", "update", "skip")}
    if job.problems:
        job.state = ImportJob.State.INVALID
    else:
        job.state = ImportJob.State.CHECKED if dry_run else ImportJob.State.IMPORTED


class Progress:
    """Records how many rows are done, at most twice a second.

    The import runs in a transaction, so progress is written through a connection of its own that
    commits at once: on PostgreSQL always; on SQLite only for a check (a check reads only, and
    write-ahead logging lets another connection write meanwhile; an import holds SQLite's one write
    lock, so its progress appears when it ends). An in-memory database has no second connection."""

    INTERVAL = 0.5

    def __init__(self, job, dry_run):
        self.job_id, self.last = job.pk, 0.0
        default = connections["default"]
        separate = default.vendor == "postgresql" or (dry_run and not default.is_in_memory_db())
        self.connection = connections.create_connection("default") if separate else None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.connection is not None:
            self.connection.close()

    def __call__(self, done):
        now = time.monotonic()
        if now - self.last < self.INTERVAL:
            return
        self.last = now
        if self.connection is None:
            ImportJob.objects.filter(pk=self.job_id).update(done=done)
            return
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET done = %s WHERE id = %s", [done, self.job_id])
        except DatabaseError:  # progress is a courtesy: a busy database must not stop the import
            self.connection.close()
            self.connection = None
