"""Export records to CSV, XLSX or JSON with the same columns the admin uses."""

import sys

from django.core.management.base import BaseCommand

from tracker.resources import RESOURCES_BY_NAME
from tracker.resources.importing import FORMATS_BY_NAME


class Command(BaseCommand):
    help = "Export every record of one kind, as staff see them, to a file or standard output."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=sorted(RESOURCES_BY_NAME))
        parser.add_argument("--format", choices=sorted(FORMATS_BY_NAME), default="csv")
        parser.add_argument("--output", "-o", help="file to write; default: standard output")

    def handle(self, model, format, output=None, **options):
        file_format = FORMATS_BY_NAME[format]()
        data = file_format.export_data(RESOURCES_BY_NAME[model]().export())
        if output:
            mode = "wb" if file_format.is_binary() else "w"
            with open(output, mode, **({} if file_format.is_binary() else {"encoding": "utf-8", "newline": ""})) as f:
                f.write(data)
        elif file_format.is_binary():
            sys.stdout.buffer.write(data)
        else:
            self.stdout.write(data, ending="")
