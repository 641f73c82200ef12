import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import translation

from tracker.caching import forget_answers


@pytest.fixture(autouse=True)
def fresh_answers():
    """No test sees counts or choices remembered by another: each test's database starts afresh."""
    forget_answers()


@pytest.fixture(autouse=True)
def default_language():
    """A request in Bosnian leaves Bosnian active in the thread: no later test starts in it."""
    yield
    translation.deactivate()


@pytest.fixture
def seeded(db):
    """The database with the shipped fixtures loaded."""
    call_command("seed", verbosity=0)


@pytest.fixture
def editor(client, django_user_model, staff_groups):
    """A member of the Editors group, signed in."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


@pytest.fixture
def staff_groups(db):
    """The Editors and Viewers groups of the data migration (a transactional test's flush removes them)."""
    importlib.import_module("tracker.migrations.0003_staff_groups").set_up_groups(Group, Permission)


def empty_the_tracker():
    """Delete every record, citations with the records they support (deleting the citations of published
    records first is refused: it would leave them unsupported)."""
    from tracker.models import Citation
    from tracker.resources import RESOURCES

    for model in reversed(list(RESOURCES)):
        if model is not Citation:
            model.objects.all().delete()
