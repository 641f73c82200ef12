import pytest
from django.core.management import call_command

FIXTURES = ["vocabulary", "sources", "challenges", "initiatives", "visits", "recommendations"]


@pytest.fixture
def seeded(db):
    """The database with the shipped fixtures loaded."""
    call_command("loaddata", *FIXTURES, verbosity=0)
