"""Load the shipped fixtures, the facts of the four source documents, in the order they refer to each other."""

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

FIXTURES_REASON = "Loaded from the shipped fixtures"


class Command(BaseCommand):
    help = "Load the shipped fixtures (settings.TRACKER_FIXTURES). Loading them again changes nothing."

    def handle(self, **options):
        # loaddata's links would each add a version to the history; each row gets one, below, instead
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", *settings.TRACKER_FIXTURES, verbosity=options["verbosity"])
        start_histories()


def start_histories():
    """Give each loaded row without a history its first version, so ``/changes/`` and the admin's History
    start from the fixtures (rows that have a history already keep it)."""
    for model in apps.get_app_config("tracker").get_models():
        history = getattr(model, "history", None)
        if history is None or not hasattr(history, "bulk_history_create"):
            continue
        without = model.objects.exclude(pk__in=history.values("id"))
        if without.exists():
            history.bulk_history_create(list(without), default_change_reason=FIXTURES_REASON)
