"""A small run of the benchmark, so it cannot rot (the full run is ``make bench``)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark measures PostgreSQL")
def test_the_benchmark_runs_and_reports_every_section():
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/tracker_ci_bench"
    arguments = ["--scale", "200", "--repeat", "2", "--import-rows", "100", "--default-rows", "20", "--output", "-"]
    completed = subprocess.run(
        [sys.executable, str(BENCH), *arguments],
        env={**os.environ, "BENCH_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = completed.stdout
    for heading in ("## Pages", "## Public CSV export", "## Import and export against the baselines", "## Search plan"):
        assert heading in report
    # the plan itself; that search uses the GIN index is tested in test_search_postgres
    assert "Execution Time" in report
    assert "| Initiatives, page 1 |" in report and "| Admin import path, commit, 100 rows, median of 3 |" in report
