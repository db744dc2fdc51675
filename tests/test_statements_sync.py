"""The sync feed (statements/changes/): replayed from any cursor it leaves a client with exactly the statements
it may see, through retractions, deletions and tag changes, and, on PostgreSQL, whatever order transactions
commit in."""

import threading
import time

from django.db import connection, transaction
from django.urls import reverse

import pytest

from statements import services
from statements.demo import load_demo
from statements.models import Source, Statement, Status
from statements.services import CitationSpec, TagSpec
from tests.answers import errors_of
from tests.factories import make_user

CHANGES = reverse("statement-changes")


def replay(api, held, cursor=None):
    """Apply the feed from `cursor` to `held` ({uuid: document}); return the cursor to go on from."""
    url = CHANGES + (f"?cursor={cursor}" if cursor else "")
    while True:
        body = api.get(url).json()
        for entry in body["results"]:
            if entry["kind"] == "upsert":
                held[entry["uuid"]] = entry["statement"]
            else:
                held.pop(entry["uuid"], None)
        url = body["next"]
        if body["caught_up"]:
            return url.split("cursor=")[1].split("&")[0] if url else cursor


def visible(api):
    uuids, url = {}, reverse("statement-list") + "?page_size=500"
    while url:
        body = api.get(url).json()
        uuids.update({row["identifiers"][0]["value"]: row for row in body["results"]})
        url = body["next"]
    return uuids


@pytest.fixture
def people(db):
    load_demo()
    return {"curator": make_user("curator", "curators"), "reviewer": make_user("reviewer", "curators", "reviewers")}


@pytest.mark.django_db
def test_replaying_the_feed_ends_with_exactly_the_published_statements(api, people):
    held = {}
    cursor = replay(api, held)
    assert held == visible(api) and len(held) == 8

    reviewer = people["reviewer"]
    retracted, changed, deleted = Statement.objects.order_by("pk")[:3]
    services.retract(retracted, user=reviewer, reason="misattributed")
    tags = [
        TagSpec(tag.category, tag.target_actor, tag.target_topic, tag.polarity, 4) for tag in changed.stance_tags.all()
    ]
    services.update_statement(changed, user=reviewer, version=changed.version, tags=tags)
    Statement.objects.filter(pk=deleted.pk).delete()
    draft = services.create_statement(
        user=people["curator"],
        speakers=[changed.speakers.first()],
        citations=[CitationSpec(Source.objects.first())],
        date="2025-12-20",
        channel="speech",
        summary="A draft",
    )
    cursor = replay(api, held, cursor)

    assert held == visible(api) and len(held) == 6
    assert str(draft.uuid) not in held
    assert {tag["intensity"] for tag in held[str(changed.uuid)]["stance_tags"]} == {4}

    services.publish(draft, user=reviewer)
    replay(api, held, cursor)
    assert held == visible(api) and str(draft.uuid) in held


@pytest.mark.django_db
def test_a_curator_follows_drafts_too_and_anonymous_clients_never_hear_of_them(api, people):
    draft = services.create_statement(
        user=people["curator"],
        speakers=[Statement.objects.first().speakers.first()],
        date="2025-12-20",
        channel="speech",
        summary="Never published",
    )
    anonymous = api.get(CHANGES, {"page_size": 500}).json()["results"]
    api.force_authenticate(people["curator"])
    curated = api.get(CHANGES, {"page_size": 500}).json()["results"]

    assert str(draft.uuid) not in {entry["uuid"] for entry in anonymous}
    assert str(draft.uuid) in {entry["uuid"] for entry in curated}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"cursor": "%%%"}, "cursor"), ({"page_size": "0"}, "page_size"), ({"since": "yesterday"}, "since")],
)
def test_bad_feed_parameters_are_a_400_naming_them(api, db, params, parameter):
    assert parameter in errors_of(api.get(CHANGES, params))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_that_commits_after_a_later_one_is_not_missed(api):
    load_demo()
    first, second = Statement.objects.filter(status=Status.PUBLISHED).order_by("pk")[:2]
    held = {}
    cursor = replay(api, held)
    earlier_wrote, later_committed, release = threading.Event(), threading.Event(), threading.Event()

    def earlier():
        try:
            with transaction.atomic():
                Statement.objects.filter(pk=first.pk).update(summary="Changed by the earlier transaction")
                earlier_wrote.set()
                release.wait(10)
        finally:
            connection.close()

    def later():
        try:
            earlier_wrote.wait(10)
            with transaction.atomic():
                Statement.objects.filter(pk=second.pk).update(summary="Changed by the later transaction")
            later_committed.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=earlier), threading.Thread(target=later)]
    for thread in threads:
        thread.start()
    later_committed.wait(10)
    # The later transaction has committed, the earlier not yet: the feed holds the later change back.
    cursor = replay(api, held, cursor)
    assert held[str(second.uuid)]["summary"] == second.summary
    release.set()
    for thread in threads:
        thread.join()

    # Both have committed: the feed serves them once no transaction older than theirs runs anywhere on the
    # server (another test suite's, say), so a client that asks again soon has them.
    deadline = time.monotonic() + 60
    while True:
        cursor = replay(api, held, cursor)
        served = held[str(first.uuid)]["summary"] == "Changed by the earlier transaction"
        if served or time.monotonic() > deadline:
            break
        time.sleep(0.2)

    assert held[str(first.uuid)]["summary"] == "Changed by the earlier transaction"
    assert held[str(second.uuid)]["summary"] == "Changed by the later transaction"
    assert held == visible(api)
