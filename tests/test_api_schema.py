"""Property-based requests against every operation of the API's schema as the app serves it (schemathesis), over
the shipped fixtures: no server error, and every response as the schema documents it.

The schema is loaded inside the test, once the fixtures are in the database (schemathesis' lazy
``from_fixture`` loader does not run under this pytest), and each operation is its own Hypothesis run.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

#: Small and repeatable: the same requests on every run, in well under a minute.
EXAMPLES = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def served(app):
    """``app`` as a server runs it: each response read, then closed, which ends Django's request (the test
    transport reads a response without closing it, which would leave the request open in the thread)."""

    def run(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()

    return run


@pytest.fixture
def api_schema(seeded, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})  # the throttle has its own test
    # As Django's test client does: the end of a request must not close the connection holding the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", served(application))
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_schema_says(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 18  # a list and a detail of each of nine kinds

    if mode == schemathesis.GenerationMode.NEGATIVE:  # a slug in the path can be any text: nothing to get wrong
        operations = [operation for operation in operations if len(operation.query)]
        assert len(operations) == 9

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @EXAMPLES
        def answers_as_documented(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_documented()
