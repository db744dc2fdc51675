"""The suite's fixtures; the factories they use are in tests/factories.py."""

from django.contrib.auth import get_user_model
from django.core.cache import cache

import pytest
from rest_framework.test import APIClient

from actors.models import ActorKind
from tests.factories import make_actor, make_role


@pytest.fixture
def curator_user(db):
    return get_user_model().objects.create_user("tagger", password="tagger-password-1")


@pytest.fixture(autouse=True)
def _plain_static_files_and_fresh_throttles(settings):
    """Tests render pages without `collectstatic`, and each test starts with empty rate-limit counters.

    The cache is the process's memory: query counts then pin what a request asks of the data, not of
    the shared cache (the database by default, which test_config_throttles tests on its own).
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def japan(db):
    """Japan's tree (state → government → defense ministry → joint staff) and its defense ministers.

    Roles as in the public record: Koizumi was Minister of the Environment 2019-09-11 to 2021-10-04
    and Minister of Defense from 2025-10-21, the day Nakatani's term (from 2024-10-01) ended.
    """
    from types import SimpleNamespace

    state = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY, parent=state, country=state)
    ministry = make_actor("Ministry of Defense", kind=ActorKind.GOVERNMENT_BODY, parent=government, country=state)
    joint_staff = make_actor("Japan Joint Staff", kind=ActorKind.MILITARY, parent=ministry, country=state)
    koizumi = make_actor("Shinjiro Koizumi", country=state, names=[("小泉進次郎", "ja")])
    nakatani = make_actor("Gen Nakatani", country=state)
    return SimpleNamespace(
        state=state,
        government=government,
        ministry=ministry,
        joint_staff=joint_staff,
        koizumi=koizumi,
        nakatani=nakatani,
        koizumi_environment=make_role(koizumi, government, "Minister of the Environment", "2019-09-11", "2021-10-04"),
        koizumi_defense=make_role(koizumi, government, "Minister of Defense", "2025-10-21"),
        nakatani_defense=make_role(nakatani, government, "Minister of Defense", "2024-10-01", "2025-10-21"),
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("admin", "admin@example.org", "admin-password-1")


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrations' rows (the taxonomy, the groups) when it ends.

    A transactional test empties every table when it ends. With serialized_rollback the rows the
    migrations wrote come back; without it Django recreates content types with new ids, on which the
    next test that restores them would collide. So the suite has one rule for all of them.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(f"{item.nodeid}: a transactional test needs serialized_rollback=True")
