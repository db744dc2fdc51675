"""Writes through the API: statements with their parts in one request, actors and topics, all through the
workflow (statements.services, actors.services) with its permissions, versions, revisions and history."""

import threading

from django.db import connection
from django.urls import reverse

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.models import Actor, ActorFormerSlug
from statements.demo import load_demo
from statements.models import Revision, Source, Statement, Status, Topic
from tests.answers import errors_of
from tests.factories import make_source, make_user

STATEMENTS = reverse("statement-list")
ACTORS = reverse("actor-list")
TOPICS = reverse("topic-list")


def detail(pk):
    return reverse("statement-detail", kwargs={"pk": pk})


def client_of(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def demo(db):
    load_demo()


@pytest.fixture
def curator(db):
    return make_user("api-writer", "curators")


@pytest.fixture
def reviewer(db):
    return make_user("api-reviewer", "curators", "reviewers")


@pytest.fixture
def as_curator(curator):
    return client_of(curator)


@pytest.fixture
def as_reviewer(reviewer):
    return client_of(reviewer)


def new_statement(**fields):
    body = {
        "speakers": ["shinjiro-koizumi"],
        "recipients": ["nato", "iso3166_alpha3:ITA"],
        "date": "2025-12-10",
        "channel": "video_call",
        "text": "Conveyed grave concerns about China's and Russia's joint flights.",
        "language": "en",
        "topics": ["taiwan"],
        "sources": [
            {
                "url": "https://example.org/reports/koizumi-rutte",
                "publisher": "Example Wire",
                "title": "Koizumi briefs Rutte",
                "published_on": "2025-12-11",
                "attribution": "according to Japan's Defense Ministry",
            }
        ],
        "stance_tags": [{"category": "k1", "target_actor": "china", "polarity": "against", "intensity": 3}],
        "identifiers": [{"scheme": "gdelt", "value": "1234567"}],
    }
    body.update(fields)
    return body


# Creating


def test_a_curator_records_a_draft_with_every_part_in_one_request(demo, as_curator, curator):
    response = as_curator.post(STATEMENTS, new_statement(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == detail(body["id"])
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert [speaker["slug"] for speaker in body["speakers"]] == ["shinjiro-koizumi"]
    assert {recipient["slug"] for recipient in body["recipients"]} == {"nato", "italy"}
    assert body["topics"] == ["taiwan"]
    assert body["sources"][0]["attribution"] == "according to Japan's Defense Ministry"
    assert body["stance_tags"] == [
        {
            "category": "K1",
            "target_actor": "china",
            "target_topic": None,
            "polarity": "against",
            "intensity": 3,
            "curator": "api-writer",
        }
    ]
    assert {"scheme": "gdelt", "value": "1234567"} in body["identifiers"]
    statement = Statement.objects.get(pk=body["id"])
    assert statement.created_by == curator
    assert statement.history.get().history_user == curator
    assert Source.objects.get(url="https://example.org/reports/koizumi-rutte").history.get().history_user == curator


def test_actors_are_named_by_slug_id_or_identifier_and_unknown_ones_get_a_suggestion(demo, as_curator):
    nato = Actor.objects.get(slug="nato")
    body = new_statement(speakers=[{"slug": "shinjiro-koizumi", "name": "ignored"}], recipients=[nato.pk])
    response = as_curator.post(STATEMENTS, body, format="json")
    assert response.status_code == 201, response.content
    assert [recipient["slug"] for recipient in response.json()["recipients"]] == ["nato"]

    errors = errors_of(as_curator.post(STATEMENTS, new_statement(speakers=["koizumi"]), format="json"))
    assert "Did you mean shinjiro-koizumi?" in errors["speakers"][0]
    tags = [{"category": "K9", "target_actor": "china"}]
    errors = errors_of(as_curator.post(STATEMENTS, new_statement(stance_tags=tags), format="json"))
    assert "Unknown stance category: 'K9'" in str(errors)
    assert not Statement.objects.filter(text__startswith="Conveyed").exclude(recipients=nato).exists()


def test_a_body_that_breaks_a_rule_is_a_400_naming_the_field_and_writes_nothing(demo, as_curator):
    before = (Statement.objects.count(), Source.objects.count())
    cases = {
        "speakers": new_statement(speakers=[]),
        "date": new_statement(date="2999-01-01"),
        "language": new_statement(language="English"),
        "channel": new_statement(channel="telepathy"),
        "stance_tags": new_statement(
            stance_tags=[{"category": "K1", "target_actor": "china", "target_topic": "taiwan"}]
        ),
        "wished": {**new_statement(), "wished": "field"},
    }
    for field, body in cases.items():
        assert field in errors_of(as_curator.post(STATEMENTS, body, format="json")), field
    # A new source needs its publisher; the statement it would have been cited by is not written either.
    unknown = [{"url": "https://example.org/never-recorded"}]
    assert "sources" in errors_of(as_curator.post(STATEMENTS, new_statement(sources=unknown), format="json"))
    assert (Statement.objects.count(), Source.objects.count()) == before


def test_read_only_names_are_ignored_never_applied(demo, as_curator, curator):
    body = {
        **new_statement(),
        "id": 999_999,
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
    }
    body["stance_tags"][0]["curator"] = "someone-else"
    response = as_curator.post(STATEMENTS, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id"] != 999_999 and not created["created_at"].startswith("2000")
    assert created["stance_tags"][0]["curator"] == curator.username
    # `version` on a POST says nothing: a new statement is version 1.
    response = as_curator.post(STATEMENTS, {**new_statement(identifiers=[]), "version": 7}, format="json")
    assert response.json()["version"] == 1


def test_a_recorded_source_is_cited_as_it_is_and_contradicting_it_is_refused(demo, as_curator):
    source = make_source("https://example.org/recorded", publisher="Kyodo", title="Recorded")
    cited = [{"url": source.url, "attribution": "Kyodo says"}]
    response = as_curator.post(STATEMENTS, new_statement(sources=cited, identifiers=[]), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["sources"][0]["publisher"] == "Kyodo"
    wrong = [{"url": source.url, "publisher": "Reuters"}]
    errors = errors_of(as_curator.post(STATEMENTS, new_statement(sources=wrong, identifiers=[]), format="json"))
    assert "Kyodo" in errors["sources"][0]


def test_a_uuid_given_on_create_names_the_statement_and_a_retry_is_a_409(demo, as_curator):
    body = new_statement(identifiers=[{"scheme": "uuid", "value": "6f1c3f5e-8a9b-4c1d-9e2f-0a1b2c3d4e5f"}])
    first = as_curator.post(STATEMENTS, body, format="json")
    assert first.status_code == 201, first.content
    assert {"scheme": "uuid", "value": "6f1c3f5e-8a9b-4c1d-9e2f-0a1b2c3d4e5f"} in first.json()["identifiers"]
    again = as_curator.post(STATEMENTS, body, format="json")
    errors_of(again, 409)
    assert again.json()["code"] == "exists"
    assert detail(first.json()["id"]) in again.json()["detail"]


# Who may write what


def test_permissions_per_group(demo, curator, reviewer):
    anonymous, no_group = client_of(None), client_of(make_user("no-group"))
    assert anonymous.post(STATEMENTS, new_statement(), format="json").status_code == 401
    assert no_group.post(STATEMENTS, new_statement(), format="json").status_code == 403
    # Only reviewers publish.
    published = new_statement(status="published", identifiers=[])
    refused = client_of(curator).post(STATEMENTS, published, format="json")
    assert refused.status_code == 403 and "reviewer" in refused.json()["detail"]
    assert client_of(reviewer).post(STATEMENTS, published, format="json").status_code == 201
    # A published statement needs a source.
    unsourced = new_statement(status="published", sources=[], identifiers=[])
    assert "sources" in errors_of(client_of(reviewer).post(STATEMENTS, unsourced, format="json"), 409)
    # Writes on actors and topics need the curators' permissions as well.
    assert no_group.post(TOPICS, {"slug": "x", "name": "X"}, format="json").status_code == 403
    assert anonymous.delete(reverse("actor-detail", kwargs={"slug": "nato"})).status_code == 401


# Changing


def created(client, **fields):
    response = client.post(STATEMENTS, new_statement(**fields), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_an_update_needs_the_version_read_and_a_stale_one_changes_nothing(demo, as_curator):
    statement = created(as_curator)
    url = detail(statement["id"])
    assert "version" in errors_of(as_curator.patch(url, {"summary": "New"}, format="json"))
    changed = as_curator.patch(url, {"summary": "New", "version": 1}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2 and changed.json()["summary"] == "New"
    history = Statement.objects.get(pk=statement["id"]).history.count()
    stale = as_curator.patch(url, {"summary": "Lost", "version": 1}, format="json")
    errors_of(stale, 409)
    assert stale.json()["code"] == "stale_version"
    stored = Statement.objects.get(pk=statement["id"])
    assert (stored.summary, stored.version, stored.history.count()) == ("New", 2, history)


def test_if_match_with_the_etag_guards_a_write(demo, as_curator):
    statement = created(as_curator)
    url = detail(statement["id"])
    etag = as_curator.get(url)["ETag"]
    assert as_curator.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    changed = as_curator.patch(url, {"summary": "By ETag"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    stale = as_curator.patch(url, {"summary": "Lost"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.json()["code"] == "stale_version"
    assert Statement.objects.get(pk=statement["id"]).summary == "By ETag"
    assert as_curator.get(url)["ETag"] != etag


def test_put_is_the_whole_statement_and_a_read_can_be_sent_back(demo, as_curator):
    statement = created(as_curator)
    url = detail(statement["id"])
    document = as_curator.get(url).json()
    document["summary"] = "Edited from what GET returned"
    response = as_curator.put(url, document, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Edited from what GET returned"
    assert response.json()["stance_tags"] == document["stance_tags"]
    # What PUT leaves out is emptied.
    whole = {key: document[key] for key in ("speakers", "date", "channel", "sources")}
    response = as_curator.put(url, {**whole, "version": response.json()["version"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stance_tags"] == [] and response.json()["recipients"] == []


def test_a_curators_edit_of_a_published_statement_waits_for_a_reviewer(demo, as_curator, curator, as_reviewer):
    statement = Statement.objects.filter(status=Status.PUBLISHED).first()
    url = detail(statement.pk)
    response = as_curator.patch(
        url, {"summary": "A curator's better summary", "version": statement.version}, format="json"
    )
    assert response.status_code == 202, response.content
    revision = response.json()["revision"]
    assert response["Location"] == reverse("statement-revisions", kwargs={"pk": statement.pk})
    assert revision["status"] == "proposed" and revision["proposed_by"] == curator.username
    assert any(change["proposed"] == "A curator's better summary" for change in revision["changes"])
    assert Statement.objects.get(pk=statement.pk).summary == statement.summary
    listed = as_curator.get(response["Location"])
    assert [row["id"] for row in listed.json()] == [revision["id"]]
    assert Revision.objects.get(pk=revision["id"]).proposed_by == curator
    # The public does not see revisions.
    assert client_of(None).get(response["Location"]).status_code in (401, 403)
    # A reviewer's own edit is applied at once.
    response = as_reviewer.patch(url, {"summary": "A reviewer's summary", "version": statement.version}, format="json")
    assert response.status_code == 200 and response.json()["summary"] == "A reviewer's summary"


def test_a_reviewer_publishes_and_retracts_with_a_reason_in_the_history(demo, as_curator, as_reviewer, reviewer):
    statement = created(as_curator)
    url = detail(statement["id"])
    assert as_curator.patch(url, {"status": "published", "version": 1}, format="json").status_code == 403
    published = as_reviewer.patch(url, {"status": "published", "version": 1}, format="json")
    assert published.json()["status"] == "published"
    retracted = as_reviewer.patch(
        url, {"status": "retracted", "version": 2, "reason": "the source withdrew the report"}, format="json"
    )
    assert retracted.json()["status"] == "retracted"
    entry = Statement.objects.get(pk=statement["id"]).history.first()
    assert entry.history_user == reviewer
    assert "the source withdrew the report" in entry.history_change_reason


def test_deleting_a_draft_works_and_deleting_a_published_statement_is_refused(demo, as_curator):
    draft = created(as_curator)
    assert as_curator.delete(detail(draft["id"])).status_code == 204
    assert not Statement.objects.filter(pk=draft["id"]).exists()
    published = Statement.objects.filter(status=Status.PUBLISHED).first()
    refused = as_curator.delete(detail(published.pk))
    errors_of(refused, 409)
    assert refused.json()["code"] == "public_delete" and "Retract it" in refused.json()["detail"]
    assert Statement.objects.filter(pk=published.pk).exists()


def test_a_body_past_the_limit_is_a_413(demo, as_curator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_curator.post(STATEMENTS, new_statement(text="x" * 2000), format="json")
    errors_of(response, 413)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_patches_of_one_version_exactly_one_wins():
    load_demo()
    user = make_user("racer", "curators")
    key = Token.objects.create(user=user).key
    statement = client_of(None)
    statement.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = statement.post(STATEMENTS, new_statement(), format="json").json()
    start, answers = threading.Barrier(2), []

    def patch(summary):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        try:
            start.wait(5)
            answers.append(client.patch(detail(body["id"]), {"summary": summary, "version": 1}, format="json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(summary,)) for summary in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    winner = next(answer for answer in answers if answer.status_code == 200).json()
    stored = Statement.objects.get(pk=body["id"])
    assert (stored.summary, stored.version) == (winner["summary"], 2)


# Actors and topics


def test_a_curator_creates_changes_and_deletes_an_actor(demo, as_curator, curator):
    body = {
        "slug": "japan-self-defense-fleet",
        "name": "Japan Maritime Self-Defense Force",
        "kind": "military",
        "country": "iso3166_alpha3:JPN",
        "parent": "japan-ministry-of-defense",
        "names": [{"name": "海上自衛隊", "language": "ja"}],
        "identifiers": [{"scheme": "wikidata", "value": "Q1132617"}],
    }
    response = as_curator.post(ACTORS, body, format="json")
    assert response.status_code == 201, response.content
    actor = response.json()
    assert (actor["country"], actor["parent"]) == ("japan", "japan-ministry-of-defense")
    url = response["Location"]
    etag = as_curator.get(url)["ETag"]
    changed = as_curator.patch(url, {"slug": "jmsdf", "names": []}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["names"] == [] and changed.json()["slug"] == "jmsdf"
    assert ActorFormerSlug.objects.get(slug="japan-self-defense-fleet").actor.slug == "jmsdf"
    assert as_curator.get(url).status_code == 301
    errors_of(as_curator.patch(url.replace("japan-self-defense-fleet", "jmsdf"), {}, HTTP_IF_MATCH=etag), 409)
    assert Actor.objects.get(slug="jmsdf").history.first().history_user == curator
    assert as_curator.delete(reverse("actor-detail", kwargs={"slug": "jmsdf"})).status_code == 204


def test_an_actor_on_the_record_stays_and_bad_actor_bodies_are_400(demo, as_curator):
    refused = as_curator.delete(reverse("actor-detail", kwargs={"slug": "shinjiro-koizumi"}))
    errors_of(refused, 409)
    assert refused.json()["code"] == "in_use" and "Merge it" in refused.json()["detail"]
    errors = errors_of(
        as_curator.post(ACTORS, {"slug": "x", "name": "X", "kind": "person", "country": "nato"}, format="json")
    )
    assert "country" in errors
    errors = errors_of(
        as_curator.post(ACTORS, {"slug": "japan", "name": "Japan again", "kind": "state"}, format="json"), 409
    )
    assert "slug" in errors
    taken = {"slug": "y", "name": "Y", "kind": "state", "identifiers": [{"scheme": "iso3166_alpha3", "value": "JPN"}]}
    assert "identifiers" in errors_of(as_curator.post(ACTORS, taken, format="json"), 409)
    assert not Actor.objects.filter(slug__in=["x", "y"]).exists()


def test_a_curator_creates_changes_and_deletes_a_topic(demo, as_curator):
    response = as_curator.post(
        TOPICS,
        {
            "slug": "joint-bomber-flights",
            "name": "Joint bomber flights",
            "aliases": [{"name": "共同飛行", "language": "ja"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["aliases"] == [{"name": "共同飛行", "language": "ja"}]
    url = response["Location"]
    assert as_curator.patch(url, {"description": "Over the Sea of Japan"}, format="json").json()["description"]
    assert as_curator.delete(url).status_code == 204
    assert not Topic.objects.filter(slug="joint-bomber-flights").exists()
    refused = as_curator.delete(reverse("topic-detail", kwargs={"slug": "taiwan"}))
    assert refused.status_code == 409 and refused.json()["code"] == "in_use"
    assert as_curator.put(reverse("topic-detail", kwargs={"slug": "taiwan"}), {}, format="json").status_code == 405


def test_the_schema_documents_every_write(api):
    schema = api.get(reverse("schema") + "?format=json").json()
    statement = schema["paths"]["/api/v1/statements/{id}/"]
    assert {"get", "put", "patch", "delete"} <= set(statement)
    assert {"200", "202", "400", "409", "413"} <= set(statement["patch"]["responses"])
    assert "post" in schema["paths"]["/api/v1/actors/"] and "delete" in schema["paths"]["/api/v1/topics/{slug}/"]


def test_a_patch_gives_whole_items_defaults_filled_and_required_fields_checked(demo, as_curator):
    statement = created(as_curator)
    url = detail(statement["id"])
    tags = [{"category": "w1", "target_actor": "russia"}]
    response = as_curator.patch(url, {"stance_tags": tags, "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stance_tags"][0] | {"curator": None} == {
        "category": "W1",
        "target_actor": "russia",
        "target_topic": None,
        "polarity": "neutral",
        "intensity": 0,
        "curator": None,
    }
    errors = errors_of(as_curator.patch(url, {"stance_tags": [{"target_actor": "china"}], "version": 2}, format="json"))
    assert "stance_tags" in errors
    errors = errors_of(as_curator.patch(url, {"sources": [{"publisher": "No URL"}], "version": 2}, format="json"))
    assert "sources" in errors
