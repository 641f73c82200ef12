"""Import a CSV, XLSX, ODS or JSON file the way the admin does: all rows or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tracker.resources import RESOURCES_BY_NAME
from tracker.resources.importing import (
    ENCODINGS,
    FORMATS_BY_NAME,
    ImportFileError,
    describe_errors,
    import_dataset,
    read_upload,
)


class Command(BaseCommand):
    help = "Import records from a file. Nothing is written unless every row is valid."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=sorted(RESOURCES_BY_NAME), help="what the file holds")
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=sorted(FORMATS_BY_NAME), help="default: from the file's extension")
        parser.add_argument(
            "--encoding", choices=list(ENCODINGS), default="auto", help="of a CSV file (default: detect)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--user", help="username recorded in the change history")

    def handle(self, model, file, format=None, encoding="auto", dry_run=False, user=None, **options):
        file_format = FORMATS_BY_NAME.get(format or file.suffix.lstrip(".").lower())
        if file_format is None:
            raise CommandError(
                f"Cannot tell the format of {file}: use --format ({', '.join(sorted(FORMATS_BY_NAME))})."
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            read = read_upload(data, file_format(), encoding=encoding)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        history_user = get_user_model().objects.filter(username=user).first() if user else None
        if user and history_user is None:
            raise CommandError(f"No user named {user!r}.")

        result = import_dataset(
            RESOURCES_BY_NAME[model](), read.dataset, dry_run=dry_run, user=history_user, file_name=file.name
        )

        problems = describe_errors(result)
        if problems:
            raise CommandError("Nothing was imported:\n" + "\n".join(problems))
        totals = result.totals
        verb = "Would import" if dry_run else "Imported"
        read_as = f" (read as {read.described})" if read.described else ""
        self.stdout.write(
            f"{verb} {file.name}: {totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged{read_as}."
        )
