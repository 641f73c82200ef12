"""The benchmark: a small run of it, so it cannot rot (the full run is ``make bench``), and the parts that
decide what it reports."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from django.db import connection

from bench import run
from bench.chart import growth_svg
from tests.factories import InitiativeFactory
from tracker.models import Citation, Initiative

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark measures PostgreSQL")
def test_the_benchmark_runs_and_reports_every_section(tmp_path):
    settings = connection.settings_dict
    server = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    url = os.environ.get("TEST_BENCH_DATABASE_URL", f"{server}/tracker_ci_bench")
    chart = tmp_path / "growth.svg"
    arguments = ["--scale", "200", "--repeat", "2", "--import-rows", "100", "--default-rows", "20", "--output", "-"]
    completed = subprocess.run(
        [sys.executable, str(BENCH), *arguments, "--chart", str(chart)],
        env={**os.environ, "BENCH_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = completed.stdout
    for heading in (
        "## Growth with the data",
        "## Pages at 200 initiatives",
        "## Public CSV export",
        "## Import and export against the baselines",
        "## Search plan",
    ):
        assert heading in report
    assert "| after an unrelated edit | after an edit of this kind |" in report
    # the plan itself; that search uses the GIN index is tested in test_search_postgres
    assert "Execution Time" in report
    assert "| Initiatives, page 1 |" in report and "| Admin import path, commit, 100 rows, median of 3 |" in report
    assert ElementTree.parse(chart).getroot().tag.endswith("svg")


def test_each_scale_has_its_own_database(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://u@h:5432/tracker_bench")
    scales = [10_000, 100_000, 1_000_000]

    assert [run.database_url(scale, scales).rsplit("/", 1)[1] for scale in scales] == [
        "tracker_10k_bench",
        "tracker_bench",
        "tracker_1m_bench",
    ]
    assert run.database_url(200, [200]).endswith("/tracker_bench")


@pytest.mark.django_db
def test_an_edit_of_the_benchmark_is_committed_then_undone():
    initiative = InitiativeFactory(title="Border security")
    columns = [f.attname for f in Initiative._meta.concrete_fields if not f.generated]
    before = Initiative.objects.filter(pk=initiative.pk).values(*columns).get()
    history = initiative.history.count()

    with run.edited("Initiative"):
        assert Initiative.objects.get(pk=initiative.pk).title == "Border security (edited)"
        assert initiative.history.count() == history + 1

    assert Initiative.objects.filter(pk=initiative.pk).values(*columns).get() == before
    assert initiative.history.count() == history


def result(scale, floor, cold, warm, search_cold):
    page = {"p95": warm, "unrelated": cold, "own": cold, "queries": 1}
    return {
        "scale": scale,
        "floor": floor,
        "pages": [
            {"label": "Initiatives, page 1", "url": "/initiatives/", "median": warm, "nothing": cold, **page},
            {"label": "Initiatives, search `q`", "url": "/initiatives/?q=x", "median": warm, "nothing": search_cold,
             **page},
        ],
    }  # fmt: skip


def test_growth_is_judged_from_100k_to_1m_against_each_page_kind_s_target():
    results = [result(10_000, 2, 20, 4, 50), result(100_000, 2, 40, 5, 60), result(1_000_000, 2, 80, 6, 150)]

    lines = run.growth_section(results)

    assert lines[0].startswith("| Page | Warm 10k | Warm 100k | Warm 1m | Cold 10k | Cold 100k | Cold 1m")
    page, search = lines[2], lines[3]
    assert "| 2.00 |" in page and "cold growth ✗ 1.3 × over" in page  # 2 × against 1.5 ×
    assert "| 2.50 |" in search and "cold growth ✓" in search  # 2.5 × against a search's 3 ×
    assert "100k warm ✓ cold ✓" in page and "1m warm ✓ cold ✗" in page  # 80 ms > 25 × 2 ms


def test_the_chart_draws_a_line_per_series_on_log_axes():
    series = [("Lists, warm", "Lists", False, [5, 6, 7]), ("Lists, cold", "Lists", True, [50, 60, 900]),
              ("Floor", "Floor", False, [2, 2, 2])]  # fmt: skip

    svg = ElementTree.fromstring(growth_svg([10_000, 100_000, 1_000_000], series, title="Growth"))

    paths = svg.findall("{http://www.w3.org/2000/svg}path")
    assert [path.find("{http://www.w3.org/2000/svg}title").text for path in paths] == [
        "Lists, warm",
        "Lists, cold",
        "Floor",
    ]
    assert [path.get("stroke-dasharray") for path in paths] == [None, "6 4", None]
    texts = [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {"10k", "100k", "1M", "1 s", "100 ms", "Lists", "Floor"} <= set(texts)


@pytest.mark.django_db
def test_the_benchmark_s_imports_leave_no_history_behind():
    kept = InitiativeFactory(slug="kept")
    imported = InitiativeFactory(slug="imported-1")
    history = Initiative.history.count()

    run.forget_imports()

    assert list(Initiative.objects.all()) == [kept]
    assert not Initiative.history.filter(id=imported.pk).exists() and Initiative.history.count() < history
    assert not Citation.history.filter(initiative_id=imported.pk).exists()
