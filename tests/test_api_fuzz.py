"""Schemathesis throws generated requests at every read endpoint of the OpenAPI document.

Whatever it sends, the API must never answer with a 500, on SQLite and on PostgreSQL alike
(PostgreSQL refuses some text that SQLite takes, such as NUL).
"""

import io

from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application

# Loaded as the module is collected, before any test may touch the database: the rate limits then count in
# memory (as the suite's own fixture sets for every test), not in the database cache.
with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def demo(db):
    """The demo data, so that generated slugs and codes sometimes meet real rows."""
    call_command("load_demo", stdout=io.StringIO())
    # Requests go straight to the WSGI app, not through Django's test client, so keep the end of a
    # request from closing the connection that holds the test's transaction, as the client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_generated_requests_never_give_a_server_error(demo, case):
    cache.clear()  # each generated request starts with empty rate-limit counters
    response = case.call()

    assert response.status_code < 500, case.as_curl_command()
