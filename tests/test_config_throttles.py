"""Rate limits count in a cache every worker shares, trust X-Forwarded-For only behind configured proxies, and
answer 429 with Retry-After."""

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.urls import reverse

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

STATEMENTS = reverse("statement-list")


@pytest.fixture
def shared_cache(settings, db):
    """The project's own cache setting (the database), which the suite otherwise swaps for memory."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
    }
    caches["default"].clear()
    return caches["default"]


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"})


def test_the_default_cache_is_the_database_so_every_worker_counts_the_same_requests(api, shared_cache, three_a_minute):
    assert isinstance(shared_cache, DatabaseCache)
    for _ in range(3):
        assert api.get(STATEMENTS).status_code == 200
    # The history is in the table, where every worker and machine reads it, not in this process.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_cache")
        assert cursor.fetchone()[0] >= 1

    refused = api.get(STATEMENTS)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Request was throttled")


def test_a_client_cannot_walk_past_the_limit_with_its_own_forwarded_for_header(api, shared_cache, three_a_minute):
    for number in range(3):
        assert api.get(STATEMENTS, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code == 200

    assert api.get(STATEMENTS, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_a_configured_proxy_the_forwarded_address_is_the_client(api, shared_cache, three_a_minute, settings):
    monkeypatched = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.REST_FRAMEWORK = monkeypatched
    for _ in range(3):
        api.get(STATEMENTS, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert api.get(STATEMENTS, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert api.get(STATEMENTS, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
