"""Benchmark of the public pages, the CSV export and the admin import, with baselines from the same run.

    .venv/bin/python bench/run.py                  # 100,000 initiatives, writes bench/results.md
    .venv/bin/python bench/run.py --scale 2000 --repeat 5 --output -   # a quick run (what CI does)

It builds its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/tracker_bench``; the name must end in
``_bench`` because it is dropped and recreated), loads the fixtures plus
``generate_data --scale N``, and measures in-process through Django's test
client with production settings (``DJANGO_DEBUG`` off): the time is the
server's time for the whole request (middleware, queries, templates), without
the network. Baselines are measured in the same run so figures compare on a
noisy machine: a one-query view (the framework floor, with and without
persistent connections), PostgreSQL ``COPY`` out of and into the initiatives
table, and django-import-export with its default settings.
"""

import argparse
import datetime
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"


class Page(NamedTuple):
    label: str
    url: str


class Timing(NamedTuple):
    """Milliseconds over the timed rounds."""

    median: float
    p95: float


class FirstRequest(NamedTuple):
    ms: float  # with nothing remembered
    queries: int  # of a warm request


class PageResult(NamedTuple):
    """One row of the pages' table."""

    label: str
    url: str
    timing: Timing
    first: FirstRequest


class CsvResult(NamedTuple):
    label: str
    url: str
    figures: dict  # rows, seconds, growth_mb, peak_mb (from ``csv_child``)


class CopyRates(NamedTuple):
    rows: int
    out_per_second: float
    in_per_second: float


class DefaultRates(NamedTuple):
    """django-import-export with its defaults, rows/s."""

    export_per_second: float
    import_per_second: float


def configure():
    """Production settings on the benchmark database, before Django is imported."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()


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


def first_request(client, url):
    """The time of a GET with nothing remembered (as after any change to the data), then the queries of a
    warm GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.caching import forget_answers

    forget_answers()
    first = timed_get(client, url)
    timed_get(client, url)
    with CaptureQueriesContext(connection) as queries:
        timed_get(client, url)
    # counted now: the captured list is read lazily from a log the next request clears
    return FirstRequest(first, len(queries))


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
        figures[url] = Timing(statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))])
    return figures


def page_urls():
    from tracker.models import Challenge, Initiative, Recommendation, Visit

    def with_updates(model):
        return model.objects.published().filter(slug__startswith="gen-", status_updates__isnull=False)[0].slug

    def middle(model):
        slugs = model.objects.published().filter(slug__startswith="gen-").order_by("pk")
        return slugs.values_list("slug", flat=True)[slugs.count() // 2]

    pages = [
        ("Initiatives, page 1", "/initiatives/"),
        ("Initiatives, search `q`", "/initiatives/?q=cyber+defence"),
        ("Initiatives, 3 filters", "/initiatives/?status=ongoing&kind=programme&focus_area=cyber-defence"),
        ("Initiatives, sorted by start (desc)", "/initiatives/?sort=-start"),
        ("Initiatives, page 2000", "/initiatives/?page=2000"),
        (
            "Initiatives, search + filters + sort + page 20",
            "/initiatives/?q=training&status=ongoing&sort=title&page=20",
        ),
        ("Challenges, page 1", "/challenges/"),
        ("Recommendations, page 1", "/recommendations/"),
        ("Visits, page 1", "/visits/"),
        ("Timeline", "/timeline/"),
        ("What changed", "/changes/"),
        ("What changed, status updates of initiatives", "/changes/?kind=initiative"),
        ("Initiatives, overdue", "/initiatives/?overdue=yes"),
        ("Initiatives, sorted by latest update", "/initiatives/?sort=-updated"),
        ("Home", "/"),
        ("Sources", "/sources/"),
        ("Source detail", "/sources/gen-source-1/"),
        ("Focus area detail", "/focus-areas/cyber-defence/"),
        ("Initiative detail", f"/initiatives/{middle(Initiative)}/"),
        ("Initiative detail, with status history", f"/initiatives/{with_updates(Initiative)}/"),
        ("Challenge detail", f"/challenges/{middle(Challenge)}/"),
        ("Recommendation detail", f"/recommendations/{middle(Recommendation)}/"),
        ("Visit detail", f"/visits/{middle(Visit)}/"),
    ]
    return [Page(label, url) for label, url in pages]


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


def measure_pages(repeat):
    from django.db import connection
    from django.test import Client, override_settings

    client = Client()
    floor = Page("**Floor**: one-query view, persistent connection", "/bench/floor/")
    with override_settings(ROOT_URLCONF=floor_urlconf()):
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 0
        without_persistence = first_request(client, floor.url)
        timing_without = timed_rounds(client, [floor.url], repeat)[floor.url]
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 60
        pages = [floor, *page_urls()]
        firsts = {page.url: first_request(client, page.url) for page in pages}
        timed = timed_rounds(client, [page.url for page in pages], repeat)
    rows = [PageResult(page.label, page.url, timed[page.url], firsts[page.url]) for page in pages]
    rows.insert(1, PageResult("Floor, new connection per request", floor.url, timing_without, without_persistence))
    return timed[floor.url].median, rows


def search_plan():
    """PostgreSQL's plan for the first page of a search, to show the GIN index at work."""
    from django.db import connection

    from tracker.models import Initiative
    from tracker.search import search

    queryset = search(Initiative.objects.published(), "cyber defence")[:20]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
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
        results.append(CsvResult(label, url, json.loads(output.strip().splitlines()[-1])))
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
        Initiative.objects.filter(slug__startswith="imported-").delete()
    return {step: statistics.median(values) for step, values in rates.items()}


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


def report(args, generate_seconds, floor, pages, csvs, copy, imports, defaults, plan):
    from django.db import connection

    from tracker.models import Citation, Initiative

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {postgres}"
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.datetime.now():%Y-%m-%d %H:%M} with `{' '.join(['bench/run.py', *sys.argv[1:]])}`.",
        f"Machine: {machine}. Data: {Initiative.objects.count():,} initiatives, "
        f"{Citation.objects.count():,} citations ("
        + (
            "the database of an earlier run, `--reuse`)."
            if args.reuse
            else f"`generate_data --scale {args.scale}` took {generate_seconds:.1f} s)."
        ),
        "Server time is measured in-process through Django's test client with production settings: middleware, "
        f"queries and templates, no network; {args.repeat} requests per row after a warm-up, taken in rounds (every "
        "page once per round) so that a slow spell of the machine falls on all pages alike. Counts, choice lists, "
        "filter forms and rendered pages are remembered until the data changes (`tracker/caching.py`); the first "
        "request of each row is made with nothing remembered, as after any change.",
        "",
        "## Pages",
        "",
        "| Page | URL | Median ms | p95 ms | × floor | First request ms (nothing remembered) | Queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        median = page.timing.median
        lines.append(
            f"| {page.label} | `{page.url}` | {median:.1f} | {page.timing.p95:.1f} | {median / floor:.1f} "
            f"| {page.first.ms:.1f} | {page.first.queries} |"
        )
    lines += ["", "## Public CSV export (streamed)", "", "| Export | Rows | Rows/s | Memory growth MB | Peak RSS MB |",
              "|---|---:|---:|---:|---:|"]  # fmt: skip
    for label, url, figures in csvs:
        lines.append(
            f"| {label} `{url}` | {figures['rows']:,} | {figures['rows'] / figures['seconds']:,.0f} | "
            f"{figures['growth_mb']:.1f} | {figures['peak_mb']:.0f} |"
        )
    lines += [
        "",
        "## Import and export against the baselines",
        "",
        "| What | Rows/s |",
        "|---|---:|",
        f"| Admin import path, preview (dry run), {args.import_rows:,} rows, median of {args.import_repeat} "
        f"| {imports['preview']:,.0f} |",
        f"| Admin import path, commit, {args.import_rows:,} rows, median of {args.import_repeat} "
        f"| {imports['commit']:,.0f} |",
        f"| Baseline: django-import-export defaults, import (dry run), {args.default_rows:,} rows | {defaults.import_per_second:,.0f} |",
        f"| Baseline: django-import-export defaults, export, {args.default_rows:,} rows | {defaults.export_per_second:,.0f} |",
        f"| Baseline: PostgreSQL `COPY` out, {copy.rows:,} rows | {copy.out_per_second:,.0f} |",
        f"| Baseline: PostgreSQL `COPY` in, {copy.rows:,} rows | {copy.in_per_second:,.0f} |",
        "",
        "## Search plan (first page of `q=cyber defence`)",
        "",
        "```",
        plan,
        "```",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="initiatives to generate (default 100,000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows of the import file (default 10,000)")
    parser.add_argument("--import-repeat", type=int, default=3, help="imports to take the median of (default 3)")
    parser.add_argument("--default-rows", type=int, default=1_000, help="rows for the library-defaults baseline")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"), help="file to write, - for stdout")
    parser.add_argument("--csv-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        return csv_child(args.csv_child)
    configure()
    generate_seconds = 0.0 if args.reuse else create_database(args.scale)
    floor, pages = measure_pages(args.repeat)
    results = report(
        args,
        generate_seconds,
        floor,
        pages,
        measure_csv(),
        copy_baseline(),
        measure_import(args.import_rows, args.import_repeat),
        library_defaults(args.default_rows),
        search_plan(),
    )
    if args.output != "-":
        Path(args.output).write_text(results)
    print(results)


if __name__ == "__main__":
    main()
