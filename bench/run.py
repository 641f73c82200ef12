"""Benchmark of the public pages at several sizes of data, the CSV export and the admin import, with
baselines from the same run.

    .venv/bin/python bench/run.py --scales 10000,100000,1000000 --reuse   # what ``make bench`` runs
    .venv/bin/python bench/run.py --scale 2000 --repeat 5 --output -        # a quick run (what CI does)

Each scale has its own PostgreSQL database (``database_url``: ``BENCH_DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/tracker_bench``, for 100,000 or a single
scale, ``tracker_10k_bench`` and the like for the others; a name must end in
``_bench`` because it is dropped and recreated), with the fixtures plus
``generate_data --scale N``; ``--reuse`` keeps one that holds its scale, migrated.
Each scale is measured in its own process, in-process through Django's test client
with production settings (``DJANGO_DEBUG`` off): the time is the server's time for
the whole request (middleware, queries, templates), without the network. Baselines
are measured in the same run so figures compare on a noisy machine: a one-query
view (the framework floor, with and without persistent connections), PostgreSQL
``COPY`` out of and into the initiatives table, and django-import-export with its
default settings. The report is ``bench/results.md``, its chart ``bench/growth.svg``.
"""

import argparse
import contextlib
import datetime
import gc
import io
import json
import os
import platform
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"

# The targets, as multiples of the floor: a first request with nothing remembered, a search's, a warm
# request; and the growth allowed from 100,000 to 1,000,000 initiatives (a search's).
COLD, COLD_SEARCH, WARM = 25, 50, 5
GROWTH, GROWTH_SEARCH = 1.5, 3
#: How many times each first request is timed (the median is reported): one sample of a cold request on a
#: shared 2-core machine varied up to 2 × from run to run, and three taken in a row fell in one slow spell.
FIRST_SAMPLES = 5
PROFILE_LINES = 15


class Page(NamedTuple):
    label: str
    url: str
    own: str | None  # the model whose edit is of this page's own kind
    unrelated: str | None  # one whose edit is not


class CopyRates(NamedTuple):
    rows: int
    out_per_second: float
    in_per_second: float


class DefaultRates(NamedTuple):
    """django-import-export with its defaults, rows/s."""

    export_per_second: float
    import_per_second: float


def configure():
    """Production settings on the benchmark database, before Django is imported, and Django set up by the
    server's entry point (``config.wsgi``)."""
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="ERROR",
    )
    import config.wsgi  # noqa: F401 -- Django set up as a server's process is, garbage collector included


def label(scale):
    """``10k``, ``1m``: a scale as a database name or a column heading says it."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if scale % size == 0:
            return f"{scale // size}{suffix}"
    return str(scale)


def database_url(scale, scales):
    """Each scale's own database: ``BENCH_DATABASE_URL``'s for a single scale and for 100,000 (so the default
    ``tracker_bench`` holds 100,000 as before), else its name with the scale before ``_bench``
    (``tracker_10k_bench``, ``tracker_1m_bench``)."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if len(scales) == 1 or scale == 100_000:
        return url
    head, name = url.rsplit("/", 1)
    return f"{head}/{name.removesuffix('_bench')}_{label(scale)}_bench"


def prepare_database(scale, reuse):
    """The database of ``scale``: with ``reuse``, the one of an earlier run if it holds ``scale`` synthetic
    initiatives, migrated so that new migrations apply; otherwise dropped, recreated and filled. Returns the
    seconds ``generate_data`` took, or None for a reused database."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import OperationalError

    if reuse:
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            call_command("migrate", verbosity=0)
        except OperationalError:  # no such database yet
            connection.close()
        else:
            from tracker.models import Initiative

            if Initiative.objects.filter(slug__startswith="gen-").count() == scale:
                if pending:  # a migration that rewrote rows leaves index-only scans reading the heap
                    with connection.cursor() as cursor:
                        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after
                call_command("collectstatic", interactive=False, verbosity=0)
                return None
    return create_database(scale)


def create_database(scale):
    """Drop and recreate the benchmark database, then fill it."""
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    params = connection.get_connection_params()
    name = params.pop("dbname")
    if not name.endswith("_bench"):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must end in _bench.")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    connection.close()
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed", verbosity=0)
    started = time.perf_counter()
    call_command("generate_data", scale=scale, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does to a real database soon after a load
    return seconds


def timed_get(client, url):
    """Milliseconds to answer ``url`` in full (a streamed body read to its end)."""
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)
    return (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def edited(model_name):
    """One committed edit of a record of ``model_name`` through the ORM, as staff make one (its ``save()``,
    history and all): the first record's title, name or note gets " (edited)". Undone on leaving: the row's
    columns restored as they were and the history rows the edit made deleted, so that reruns find the
    same data."""
    from django.apps import apps
    from django.db import transaction
    from django.utils import timezone

    model = apps.get_model("tracker", model_name)
    record = model.objects.order_by("pk").first()
    field = next(name for name in ("title", "name", "note") if hasattr(record, name))
    columns = [f.attname for f in model._meta.concrete_fields if not (f.primary_key or f.generated)]
    before = model.objects.filter(pk=record.pk).values(*columns).get()
    since = timezone.now()
    setattr(record, field, f"{getattr(record, field)} (edited)")
    with transaction.atomic():
        record.save()
    try:
        yield
    finally:
        with transaction.atomic():
            model.objects.filter(pk=record.pk).update(**before)
            if hasattr(model, "history"):
                model.history.filter(id=record.pk, history_date__gte=since).delete()


def cold_rounds(client, urls):
    """The median time of each URL's first request with nothing remembered (``forget_answers()``, as in a new
    process or, before answers were kept per table, after any edit), of ``FIRST_SAMPLES`` taken in rounds
    (every URL once per round), so that a slow spell of the machine falls on every page alike. Each round
    takes the pages in its own order: in one order, the garbage collector's full pass (about 28 ms) fell
    on the same page in four rounds of five."""
    from tracker.caching import forget_answers

    times = {url: [] for url in urls}
    for round_number in range(FIRST_SAMPLES):
        for url in random.Random(round_number).sample(urls, len(urls)):
            forget_answers()
            times[url].append(timed_get(client, url))
    return {url: statistics.median(values) for url, values in times.items()}


def first_requests(client, page):
    """The times of a page's first request after an edit of an unrelated kind and after an edit of the
    page's own kind (each after the page was remembered), each the median of ``FIRST_SAMPLES``; then the
    queries of a warm GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def after_edit(model_name):
        timed_get(client, page.url)
        with edited(model_name):
            return timed_get(client, page.url)

    figures = {}
    for case, model_name in (("unrelated", page.unrelated), ("own", page.own)):
        figures[case] = None
        if model_name:
            figures[case] = statistics.median(after_edit(model_name) for _ in range(FIRST_SAMPLES))
    timed_get(client, page.url)
    with CaptureQueriesContext(connection) as queries:
        timed_get(client, page.url)
    # counted now: the captured list is read lazily from a log the next request clears
    figures["queries"] = len(queries)
    return figures


def timed_rounds(client, urls, repeat):
    """Median and p95 (ms) of ``repeat`` GETs of each URL, taken in rounds (every URL once per round), so a
    slow spell of a shared machine falls on every page alike rather than on whichever ran then."""
    times = {url: [] for url in urls}
    for url in urls:  # warm-up: each first request emptied what the pages before it had remembered
        timed_get(client, url)
    for _ in range(repeat):
        for url in urls:
            times[url].append(timed_get(client, url))
    figures = {}
    for url, values in times.items():
        values.sort()
        figures[url] = {
            "median": statistics.median(values),
            "p95": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))],
        }
    return figures


def page_urls():
    """The pages, each with the kind of record whose edit is its own and one whose edit is unrelated."""
    from tracker.models import Challenge, Initiative, Recommendation, Visit

    def with_updates(model):
        return model.objects.published().filter(slug__startswith="gen-", status_updates__isnull=False)[0].slug

    def middle(model):
        slugs = model.objects.published().filter(slug__startswith="gen-").order_by("pk")
        return slugs.values_list("slug", flat=True)[slugs.count() // 2]

    pages = [
        ("Initiatives, page 1", "/initiatives/", "Initiative"),
        ("Initiatives, search `q`", "/initiatives/?q=cyber+defence", "Initiative"),
        (
            "Initiatives, 3 filters",
            "/initiatives/?status=ongoing&kind=programme&focus_area=cyber-defence",
            "Initiative",
        ),
        ("Initiatives, sorted by start (desc)", "/initiatives/?sort=-start", "Initiative"),
        ("Initiatives, page 2000", "/initiatives/?page=2000", "Initiative"),
        (
            "Initiatives, search + filters + sort + page 20",
            "/initiatives/?q=training&status=ongoing&sort=title&page=20",
            "Initiative",
        ),
        ("Challenges, page 1", "/challenges/", "Challenge"),
        ("Recommendations, page 1", "/recommendations/", "Recommendation"),
        ("Visits, page 1", "/visits/", "Visit"),
        ("Timeline", "/timeline/", "Milestone"),
        ("What changed", "/changes/", "StatusUpdate"),
        ("What changed, status updates of initiatives", "/changes/?kind=initiative", "StatusUpdate"),
        ("Initiatives, overdue", "/initiatives/?overdue=yes", "Initiative"),
        ("Initiatives, sorted by latest update", "/initiatives/?sort=-updated", "Initiative"),
        ("Home", "/", "Initiative"),
        ("Sources", "/sources/", "Source"),
        ("Source detail", "/sources/gen-source-1/", "Source"),
        ("Focus area detail", "/focus-areas/cyber-defence/", "FocusArea"),
        ("Organisation detail", "/organisations/nato/", "Organisation"),
        ("Search everything", "/search/?q=cyber+defence", "Initiative"),
        ("Search everything, one word", "/search/?q=defence", "Initiative"),  # in many records, few quotes
        ("Initiative detail", f"/initiatives/{middle(Initiative)}/", "Initiative"),
        ("Initiative detail, with status history", f"/initiatives/{with_updates(Initiative)}/", "Initiative"),
        ("Challenge detail", f"/challenges/{middle(Challenge)}/", "Challenge"),
        ("Recommendation detail", f"/recommendations/{middle(Recommendation)}/", "Recommendation"),
        ("Visit detail", f"/visits/{middle(Visit)}/", "Visit"),
    ]
    # an edit of a visit is unrelated to most pages; to those that show visits, one of an initiative
    return [
        Page(label, url, own, "Initiative" if own in ("Visit", "Milestone") else "Visit") for label, url, own in pages
    ]


def floor_urlconf():
    """The site's URLs plus ``/bench/floor/``: a view that runs one query and returns a few bytes."""
    from django.http import HttpResponse
    from django.urls import path

    from config.urls import urlpatterns
    from tracker.models import Initiative

    def floor(request):
        return HttpResponse(Initiative.objects.filter(pk=1).values_list("title", flat=True).first() or "")

    module = type(sys)("bench_urls")
    module.urlpatterns = [path("bench/floor/", floor), *urlpatterns]  # i18n_patterns cannot be include()d
    sys.modules["bench_urls"] = module
    return "bench_urls"


def is_search(url):
    return "q=" in url


def meets(ms, floor, url, cold):
    """Whether a page's time meets its target: cold ≤ 25 × the floor (search 50 ×), warm ≤ 5 ×."""
    if cold:
        return ms <= floor * (COLD_SEARCH if is_search(url) else COLD)
    return ms <= floor * WARM


def measure_pages(repeat):
    """The floor, then every page: first requests, warm median and p95, queries; for each page whose first
    request with nothing remembered misses its target, a diagnosis of that request (``diagnose``)."""
    from django.db import connection
    from django.test import Client, override_settings

    client = Client()
    floor = Page("**Floor**: one-query view, persistent connection", "/bench/floor/", None, None)
    with override_settings(ROOT_URLCONF=floor_urlconf()):
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 0
        without_persistence = {"nothing": cold_rounds(client, [floor.url])[floor.url], **first_requests(client, floor)}
        timing_without = timed_rounds(client, [floor.url], repeat)[floor.url]
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 60
        pages = [floor, *page_urls()]
        for page in pages:  # the process's own first requests (templates loaded, URLs compiled) are not timed
            timed_get(client, page.url)
        colds = cold_rounds(client, [page.url for page in pages])
        firsts = {page.url: {"nothing": colds[page.url], **first_requests(client, page)} for page in pages}
        timed = timed_rounds(client, [page.url for page in pages], repeat)
        floor_ms = timed[floor.url]["median"]
        rows = [{"label": page.label, "url": page.url, **timed[page.url], **firsts[page.url]} for page in pages]
        for row in rows[1:]:
            if not meets(row["nothing"], floor_ms, row["url"], cold=True):
                row["diagnosis"] = diagnose(client, row["url"])
    rows.insert(
        1,
        {"label": "Floor, new connection per request", "url": floor.url, **timing_without, **without_persistence},
    )
    return floor_ms, rows


def diagnose(client, url):
    """Why a first request with nothing remembered is slow: its queries (count, SQL time), the plan of the
    slowest ``SELECT`` (``EXPLAIN (ANALYZE, BUFFERS)``, run again after the request) and the functions of
    the request: the project's with the most cumulative time, and any with the most time of its own
    (cProfile)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.caching import forget_answers

    forget_answers()
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as captured:
        profiler.runcall(timed_get, client, url)
    queries = [(float(query["time"]) * 1000, query["sql"]) for query in captured.captured_queries]
    selects = [query for query in queries if query[1].lstrip().upper().startswith(("SELECT", "WITH"))]
    slowest_ms, slowest = max(selects) if selects else (0.0, "")
    plan = ""
    if slowest:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
    own, anywhere = io.StringIO(), io.StringIO()
    pstats.Stats(profiler, stream=own).sort_stats("cumulative").print_stats(
        re.escape(str(ROOT)) + r"/(tracker|config)/", PROFILE_LINES
    )
    pstats.Stats(profiler, stream=anywhere).sort_stats("tottime").print_stats(PROFILE_LINES)
    return {
        "queries": len(queries),
        "sql_ms": sum(ms for ms, _sql in queries),
        "slowest_ms": slowest_ms,
        "slowest_sql": slowest,
        "plan": plan,
        "profile": profile_table(own.getvalue()),
        "own_time": profile_table(anywhere.getvalue()),
    }


def profile_table(printed):
    """pstats' printed table, from its heading on, paths shortened to the project or the package."""
    lines = printed.splitlines()
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    site = re.compile(r"\S*/(?:site-packages|lib/python3\.\d+)/")
    return "\n".join(site.sub("", line.replace(str(ROOT) + "/", "")) for line in lines[start:] if line.strip())


def search_plan():
    """PostgreSQL's plan for the first page of a search, to show the GIN index at work."""
    from django.db import connection

    from tracker.models import Initiative
    from tracker.search import search

    queryset = search(Initiative.objects.published(), "cyber defence")[:20]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def csv_child(url):
    """Run in a subprocess: stream one CSV export, report rows, seconds and memory growth."""
    configure()
    from django.test import Client

    client = Client()
    client.get("/initiatives.csv?q=nothing-matches-this")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(url)
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"rows": lines - 1, "seconds": seconds, "growth_mb": (peak - before) / 1024, "peak_mb": peak / 1024})
    )


def measure_csv():
    results = []
    for label, url in (
        ("CSV, one kind (~11k rows)", "/initiatives.csv?kind=programme"),
        ("CSV, all", "/initiatives.csv"),
    ):
        output = subprocess.run(
            [sys.executable, __file__, "--csv-child", url], capture_output=True, text=True, check=True, env=os.environ
        ).stdout
        results.append({"label": label, "url": url, **json.loads(output.strip().splitlines()[-1])})
    return results


def copy_baseline():
    """PostgreSQL COPY of the initiatives table out, and into an empty copy of it: rows/s."""
    from django.db import connection, transaction

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy("COPY tracker_initiative TO STDOUT") as copy:
            for data in copy:
                buffer.write(data)
        out_seconds = time.perf_counter() - started
        rows = buffer.getvalue().count(b"\n")
        with transaction.atomic():
            cursor.execute("CREATE TEMP TABLE bench_copy (LIKE tracker_initiative INCLUDING ALL) ON COMMIT DROP")
            started = time.perf_counter()
            with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            in_seconds = time.perf_counter() - started
    return CopyRates(rows, rows / out_seconds, rows / in_seconds)


def import_rows(count):
    """A spreadsheet of ``count`` new initiatives as staff would write it: names, slugs, a citation each."""
    import random

    from tracker.models import Challenge, FocusArea, Organisation, Source
    from tracker.resources.columns import InitiativeResource

    chooser = random.Random(1)
    areas = list(FocusArea.objects.values_list("name", flat=True))
    organisations = list(Organisation.objects.values_list("name", flat=True))
    challenges = list(Challenge.objects.order_by("pk").values_list("slug", flat=True)[:500])
    # each row quotes a sentence of its source's archived text (checked as any import checks it), or for a
    # source without text, a sentence of its own
    sentences = {
        slug: [line for line in re.split(r"(?<=[.!?])\s+", text) if len(line) > 40]
        for slug, text in Source.objects.published().values_list("slug", "text")
    }
    sources = list(sentences)
    headers = [field.column_name for field in InitiativeResource().get_import_fields()]
    lines = [headers]
    for n in range(count):
        row = {
            "Slug": f"imported-{n}",
            "Title": f"Imported initiative {n}",
            "Summary": "An initiative from a staff spreadsheet.",
            "Description": "",
            "Focus areas": "; ".join(chooser.sample(areas, 2)),
            "Short name": "",
            "Kind": "Programme",
            "Status": chooser.choice(["Ongoing", "Planned", "Completed"]),
            "Start": f"{chooser.randint(2000, 2030)}-0{chooser.randint(1, 9)}",
            "End": "",
            "Amount": "",
            "Currency": "",
            "Part of": "",
            "Organisations": "; ".join(chooser.sample(organisations, 2)),
            "Challenges addressed": chooser.choice(challenges),
            "Source": (source := chooser.choice(sources)),
            "Quote": chooser.choice(sentences[source]) if sentences[source] else f"Quote {n} from the source.",
            "Published": "yes",
        }
        lines.append([row[header] for header in headers])
    return lines


def measure_import(count, repeat):
    """The admin's path: ``read_upload`` then ``import_dataset`` as preview (dry run), then commit; the
    median of ``repeat`` previews and commits (each commit's rows deleted before the next)."""
    import csv

    from django.contrib.auth import get_user_model
    from import_export.formats.base_formats import CSV

    from tracker.models import Initiative
    from tracker.resources.columns import InitiativeResource
    from tracker.resources.importing import import_dataset, read_upload

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    text = io.StringIO()
    csv.writer(text).writerows(import_rows(count))
    data = text.getvalue().encode()
    rates = {"preview": [], "commit": []}
    for _ in range(repeat):
        for step, dry_run in (("preview", True), ("commit", False)):
            started = time.perf_counter()
            dataset = read_upload(data, CSV()).dataset
            result = import_dataset(InitiativeResource(), dataset, dry_run=dry_run, user=user, file_name="bench.csv")
            seconds = time.perf_counter() - started
            assert not result.has_errors() and not result.has_validation_errors(), "the benchmark file should import"
            rates[step].append(count / seconds)
        landed = Initiative.objects.filter(slug__startswith="imported-").count()
        assert landed == count, f"{landed} of {count} rows landed"
        forget_imports()
    return {step: statistics.median(values) for step, values in rates.items()}


def forget_imports():
    """Delete the imported initiatives and the history their import and deletion wrote (the records'
    rows, their links' and their citations'), so that reruns find the same data; then vacuum, so that they
    find it as it was, too. The deleted rows leave pages that index-only scans must check in the heap
    (5,858 heap fetches in a list's plan at 100,000, 13 ms against 6), too few for autovacuum to come."""
    from django.db import connection, transaction

    from tracker.models import Citation, Initiative

    with transaction.atomic():
        ids = list(Initiative.objects.filter(slug__startswith="imported-").values_list("pk", flat=True))
        Initiative.objects.filter(pk__in=ids).delete()
        Initiative.history.filter(id__in=ids).delete()
        Citation.history.filter(initiative_id__in=ids).delete()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def library_defaults(count):
    """django-import-export untuned: a plain ``ModelResource`` importing and exporting initiatives."""
    from import_export import resources

    from tracker.models import Initiative

    class DefaultResource(resources.ModelResource):
        class Meta:
            model = Initiative

    queryset = Initiative.objects.order_by("pk")[:count]
    started = time.perf_counter()
    dataset = DefaultResource().export(queryset)
    export_rate = count / (time.perf_counter() - started)
    dataset.df = None
    for row in dataset.dict:
        row["id"], row["slug"] = "", f"default-{row['slug']}"
    started = time.perf_counter()
    result = DefaultResource().import_data(dataset, dry_run=True, use_transactions=True)
    import_rate = count / (time.perf_counter() - started)
    assert not result.has_errors() and not result.has_validation_errors(), list(result.row_errors())[:1]
    return DefaultRates(export_rate, import_rate)


def measure_scale(args, scale, diagnosed, main):
    """Run in a subprocess per scale: the pages (with ``diagnosed`` misses), and at the ``main`` scale the
    CSV export, the import and the baselines; printed as JSON."""
    # stopped, it still undoes the edit it is in (``edited``)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    configure()
    from django.db import connection

    from tracker.models import Citation, Initiative

    generate_seconds = prepare_database(scale, args.reuse)
    gc.collect()  # what migrating left behind, which a server's process never loads (``config.wsgi``)
    gc.freeze()
    floor, pages = measure_pages(args.repeat)
    if not diagnosed:
        for page in pages:
            page.pop("diagnosis", None)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    result = {
        "scale": scale,
        "database": connection.settings_dict["NAME"],
        "generate_seconds": generate_seconds,
        "initiatives": Initiative.objects.count(),
        "citations": Citation.objects.count(),
        "postgres": postgres,
        "floor": floor,
        "pages": pages,
    }
    if main:
        result.update(
            csv=measure_csv(),
            copy=copy_baseline()._asdict(),
            imports=measure_import(args.import_rows, args.import_repeat),
            defaults=library_defaults(args.default_rows)._asdict(),
            search_plan=search_plan(),
        )
    print(json.dumps(result))


def growth_pair(scales):
    """The two scales growth is reported between: 100,000 and 1,000,000 when both were run, else the two
    largest."""
    if 100_000 in scales and 1_000_000 in scales:
        return 100_000, 1_000_000
    return tuple(sorted(scales)[-2:]) if len(scales) > 1 else None


def page_rows(results):
    """``{label: {scale: page figures}}``, in the pages' order."""
    rows = {}
    for result in results:
        for page in result["pages"]:
            rows.setdefault(page["label"], {})[result["scale"]] = page
    return rows


def mark(ok):
    return "✓" if ok else "✗"


def over(ms, limit):
    """How far a time is from its limit: ✓, or ✗ with the factor it is over by."""
    return "✓" if ms <= limit else f"✗ {ms / limit:.1f} × over"


def ms(value):
    return "—" if value is None else f"{value:,.1f}"


def growth_section(results):
    """Each page's warm and cold time at each scale, and the growth between the ``growth_pair``."""
    scales = [result["scale"] for result in results]
    floors = {result["scale"]: result["floor"] for result in results}
    pair = growth_pair(scales)
    heads = [f"Warm {label(scale)}" for scale in scales] + [f"Cold {label(scale)}" for scale in scales]
    if pair:
        heads += [f"Warm × {label(pair[0])}→{label(pair[1])}", f"Cold × {label(pair[0])}→{label(pair[1])}"]
    lines = [
        "| Page | " + " | ".join(heads) + " | Targets |",
        "|---|" + "---:|" * len(heads) + "---|",
    ]
    for page_label, by_scale in page_rows(results).items():
        if page_label.startswith(("**Floor", "Floor")):
            continue
        url = next(iter(by_scale.values()))["url"]
        cells = [ms(by_scale[scale]["median"]) for scale in scales]
        cells += [ms(by_scale[scale]["nothing"]) for scale in scales]
        verdicts = []
        for scale in scales:
            page = by_scale[scale]
            warm_ok = meets(page["median"], floors[scale], url, cold=False)
            cold_ok = meets(page["nothing"], floors[scale], url, cold=True)
            verdicts.append(f"{label(scale)} warm {mark(warm_ok)} cold {mark(cold_ok)}")
        if pair:
            limit = GROWTH_SEARCH if is_search(url) else GROWTH
            for key in ("median", "nothing"):
                ratio = by_scale[pair[1]][key] / by_scale[pair[0]][key]
                cells.append(f"{ratio:.2f}")
                verdicts.append(f"{'warm' if key == 'median' else 'cold'} growth {over(ratio, limit)}")
        lines.append(f"| {page_label} | " + " | ".join(cells) + " | " + "; ".join(verdicts) + " |")
    return lines


def pages_section(result):
    floor = result["floor"]
    lines = [
        f"## Pages at {result['scale']:,} initiatives (floor {floor:.1f} ms)",
        "",
        "| Page | URL | Median ms | p95 ms | × floor | First request ms: nothing remembered | after an unrelated "
        "edit | after an edit of this kind | Queries | Cold target | Warm target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for page in result["pages"]:
        url, median = page["url"], page["median"]
        cold_limit = floor * (COLD_SEARCH if is_search(url) else COLD)
        targets = "" if page["label"].startswith(("**Floor", "Floor")) else (
            f"| {over(page['nothing'], cold_limit)} | {over(median, floor * WARM)} "
        )  # fmt: skip
        lines.append(
            f"| {page['label']} | `{url}` | {median:.1f} | {page['p95']:.1f} | {median / floor:.1f} "
            f"| {ms(page['nothing'])} | {ms(page['unrelated'])} | {ms(page['own'])} | {page['queries']} "
            + (targets or "| | ")
            + "|"
        )
    return lines


def diagnoses_section(result):
    lines = []
    for page in result["pages"]:
        diagnosis = page.get("diagnosis")
        if not diagnosis:
            continue
        limit = result["floor"] * (COLD_SEARCH if is_search(page["url"]) else COLD)
        lines += [
            f"### {page['label']} at {result['scale']:,}: {page['nothing']:,.0f} ms, "
            f"{page['nothing'] / limit:.1f} × its cold target of {limit:.0f} ms",
            "",
            f"`{page['url']}`, nothing remembered: {diagnosis['queries']} queries, {diagnosis['sql_ms']:,.1f} ms "
            f"in SQL; the slowest took {diagnosis['slowest_ms']:,.1f} ms. Its plan, run again:",
            "",
            "```sql",
            diagnosis["slowest_sql"],
            "```",
            "",
            "```",
            diagnosis["plan"],
            "```",
            "",
            f"The request profiled (cProfile, which slows Python down): the project's top {PROFILE_LINES} "
            "functions by cumulative time,",
            "",
            "```",
            diagnosis["profile"],
            "```",
            "",
            f"and the top {PROFILE_LINES} of any code by time of their own:",
            "",
            "```",
            diagnosis["own_time"],
            "```",
            "",
        ]
    return lines


def report(args, results, chart_name):
    from_scale = {result["scale"]: result for result in results}
    main = next(result for result in results if "csv" in result)
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {main['postgres']}"
    data = "; ".join(
        f"{result['initiatives']:,} initiatives and {result['citations']:,} citations in `{result['database']}` ("
        + (
            "reused, migrated)"
            if result["generate_seconds"] is None
            else f"`generate_data --scale {result['scale']}` took {result['generate_seconds']:.1f} s)"
        )
        for result in results
    )
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.datetime.now():%Y-%m-%d %H:%M} with `{' '.join(['bench/run.py', *sys.argv[1:]])}`.",
        f"Machine: {machine}. Data: {data}.",
        "",
        "Server time is measured in-process through Django's test client with production settings: middleware, "
        f"queries and templates, no network; {args.repeat} requests per page after a warm-up, taken in rounds "
        "(every page once per round) so that a slow spell of the machine falls on all pages alike. Each scale runs "
        "in its own process on its own database. Counts, choice lists, filter forms and rendered pages are "
        "remembered until the data they come from change (`tracker/caching.py`). Each page's first request is "
        f"timed three ways, each the median of {FIRST_SAMPLES} samples: with nothing remembered "
        "(`forget_answers()`, as in a new process that has compiled its templates and written its search "
        "queries' SQL; taken in rounds like the warm requests), and, with the page "
        "remembered, after one committed edit through the ORM (`save()`, history and all) of a record of an "
        "unrelated kind (a visit; an initiative for the pages that show visits) or of the page's own kind (an "
        "initiative for the initiatives' pages and home, a status update for /changes/, a source for the "
        'sources\' pages…): the first record of that kind gets " (edited)" after its title, name or note. Each '
        "edit is undone after its request (the row's columns restored, the history rows it made deleted), so "
        "reruns find the same data.",
        "",
        f"Targets, as multiples of each scale's floor: warm (the median) ≤ {WARM} ×; cold (the first request with "
        f"nothing remembered) ≤ {COLD} ×, a search ≤ {COLD_SEARCH} ×; from 100,000 to 1,000,000 initiatives, "
        f"within {GROWTH} × (a search {GROWTH_SEARCH} ×), warm and cold.",
        "",
        "## Growth with the data",
        "",
        f"![Each page group's time against the number of initiatives]({chart_name})",
        "",
        "Median (warm) and first request with nothing remembered (cold), ms, at each scale:",
        "",
        *growth_section(results),
        "",
    ]
    pair = growth_pair(list(from_scale))
    if pair and pair != (100_000, 1_000_000):
        lines += [
            f"The growth is from {pair[0]:,} to {pair[1]:,} initiatives (the targets' is from 100,000 to "
            "1,000,000), judged against the same limits.",
            "",
        ]
    for result in results:
        lines += [*pages_section(result), ""]
    diagnosed = [line for result in results for line in diagnoses_section(result)]
    if diagnosed:
        lines += ["## Pages over their cold target: the slowest query and the profile", "", *diagnosed]
    lines += [f"## Public CSV export (streamed), at {main['scale']:,}", "",
              "| Export | Rows | Rows/s | Memory growth MB | Peak RSS MB |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    for figures in main["csv"]:
        lines.append(
            f"| {figures['label']} `{figures['url']}` | {figures['rows']:,} | "
            f"{figures['rows'] / figures['seconds']:,.0f} | {figures['growth_mb']:.1f} | {figures['peak_mb']:.0f} |"
        )
    imports, defaults, copy = main["imports"], main["defaults"], main["copy"]
    lines += [
        "",
        f"## Import and export against the baselines, at {main['scale']:,}",
        "",
        "| What | Rows/s |",
        "|---|---:|",
        f"| Admin import path, preview (dry run), {args.import_rows:,} rows, median of {args.import_repeat} "
        f"| {imports['preview']:,.0f} |",
        f"| Admin import path, commit, {args.import_rows:,} rows, median of {args.import_repeat} "
        f"| {imports['commit']:,.0f} |",
        f"| Baseline: django-import-export defaults, import (dry run), {args.default_rows:,} rows "
        f"| {defaults['import_per_second']:,.0f} |",
        f"| Baseline: django-import-export defaults, export, {args.default_rows:,} rows "
        f"| {defaults['export_per_second']:,.0f} |",
        f"| Baseline: PostgreSQL `COPY` out, {copy['rows']:,} rows | {copy['out_per_second']:,.0f} |",
        f"| Baseline: PostgreSQL `COPY` in, {copy['rows']:,} rows | {copy['in_per_second']:,.0f} |",
        "",
        f"## Search plan (first page of `q=cyber defence`), at {main['scale']:,}",
        "",
        "```",
        main["search_plan"],
        "```",
        "",
    ]
    return "\n".join(lines)


def chart(results):
    """The growth chart: the slowest page of each group, warm and cold, at each scale."""
    from bench.chart import growth_svg

    scales = [result["scale"] for result in results]
    rows = page_rows(results)
    series = []
    for group, labels in GROUPS.items():
        members = [rows[page_label] for page_label in labels if page_label in rows]
        for key, dashed in (("median", False), ("nothing", True)):
            values = [max(member[scale][key] for member in members) for scale in scales]
            series.append((f"{group}, {'cold' if dashed else 'warm'}", group, dashed, values))
    floors = [result["floor"] for result in results]
    series.append(("Floor", "Floor", False, floors))
    return growth_svg(
        scales,
        series,
        title="Slowest page of each group: cold (nothing remembered, dashed) and warm (median, solid)",
    )


GROUPS = {  # the chart's lines: pages of a kind
    "Lists": [
        "Initiatives, page 1", "Initiatives, 3 filters", "Initiatives, sorted by start (desc)",
        "Initiatives, page 2000", "Challenges, page 1", "Recommendations, page 1", "Visits, page 1",
        "Initiatives, overdue", "Initiatives, sorted by latest update",
    ],
    "Search": [
        "Initiatives, search `q`", "Initiatives, search + filters + sort + page 20", "Search everything",
        "Search everything, one word",
    ],
    "What changed": ["What changed", "What changed, status updates of initiatives"],
    "Home, timeline, sources, vocabularies": [
        "Home", "Timeline", "Sources", "Source detail", "Focus area detail", "Organisation detail",
    ],
    "Details": [
        "Initiative detail", "Initiative detail, with status history", "Challenge detail",
        "Recommendation detail", "Visit detail",
    ],
}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="initiatives to generate (default 100,000)")
    parser.add_argument("--scales", help="several scales, comma-separated (each in its own database)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows of the import file (default 10,000)")
    parser.add_argument("--import-repeat", type=int, default=3, help="imports to take the median of (default 3)")
    parser.add_argument("--default-rows", type=int, default=1_000, help="rows for the library-defaults baseline")
    parser.add_argument("--reuse", action="store_true", help="keep (and migrate) each database of an earlier run")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"), help="file to write, - for stdout")
    parser.add_argument("--chart", help="the SVG chart to write (default: growth.svg beside the output)")
    parser.add_argument("--csv-child", help=argparse.SUPPRESS)
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--diagnose", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--main", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        return csv_child(args.csv_child)
    if args.scale_child:
        return measure_scale(args, args.scale_child, args.diagnose, args.main)
    scales = sorted({int(scale) for scale in args.scales.split(",")}) if args.scales else [args.scale]
    main_scale = 100_000 if 100_000 in scales else max(scales)
    options = ["--repeat", str(args.repeat), "--import-rows", str(args.import_rows)]
    options += ["--import-repeat", str(args.import_repeat), "--default-rows", str(args.default_rows)]
    results = []
    for scale in scales:
        child = [sys.executable, __file__, "--scale-child", str(scale), *options]
        child += ["--reuse"] * args.reuse + ["--main"] * (scale == main_scale)
        child += ["--diagnose"] * (scale in (main_scale, max(scales)))
        env = {**os.environ, "BENCH_DATABASE_URL": database_url(scale, scales)}
        output = subprocess.run(child, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    chart_path = Path(args.chart) if args.chart else None
    if chart_path is None and args.output != "-":
        chart_path = Path(args.output).with_name("growth.svg")
    results_text = report(args, results, chart_path.name if chart_path else "growth.svg")
    if chart_path:
        chart_path.write_text(chart(results))
    if args.output != "-":
        Path(args.output).write_text(results_text)
    print(results_text)


if __name__ == "__main__":
    main()
