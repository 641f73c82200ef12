"""A dumpdata → loaddata round trip (the portable backup) loses nothing."""

from django.core.management import call_command

from tracker.models import Initiative
from tracker.resources import RESOURCES

from .conftest import empty_the_tracker

MODELS = list(RESOURCES)  # every content model, parents before children


def contents():
    return {
        model.__name__: sorted(map(repr, model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])))
        for model in MODELS
    } | {
        "m2m": sorted(
            (model.__name__, field.name, obj.pk, tuple(sorted(getattr(obj, field.name).values_list("pk", flat=True))))
            for model in MODELS
            for field in model._meta.many_to_many
            for obj in model.objects.all()
        )
    }


def test_dumpdata_and_loaddata_round_trip_loses_nothing(seeded, tmp_path):
    before = contents()
    backup = tmp_path / "backup.json"
    call_command("dumpdata", "tracker", "--natural-foreign", "--output", str(backup), verbosity=0)

    empty_the_tracker()
    assert Initiative.objects.count() == 0

    call_command("loaddata", str(backup), verbosity=0)
    assert contents() == before
