"""Fill a database with synthetic records for benchmarks and load tests."""

import time

from django.core.management.base import BaseCommand, CommandError

from tracker.synthetic import generate


class Command(BaseCommand):
    help = (
        "Add N synthetic initiatives with proportional challenges (N/2), recommendations (N/2), visits (N/4), "
        "milestones and citations. Reproducible with --seed. Never run it on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1000, help="number of initiatives (default 1000)")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, scale, seed, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        started = time.perf_counter()
        try:
            written = generate(scale, seed)
        except ValueError as error:
            raise CommandError(error) from error
        for table, rows in written.items():
            self.stdout.write(f"{rows:>10,}  {table}")
        self.stdout.write(f"{sum(written.values()):,} rows in {time.perf_counter() - started:.1f} s")
