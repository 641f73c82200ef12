"""Load the shipped fixtures, the facts of the four source documents, in the order they refer to each other."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the shipped fixtures (settings.TRACKER_FIXTURES). Loading them again changes nothing."

    def handle(self, **options):
        call_command("loaddata", *settings.TRACKER_FIXTURES, verbosity=options["verbosity"])
