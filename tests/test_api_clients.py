"""Clients generated from the OpenAPI document, as a downstream developer generates them, accept what the API serves.

datamodel-code-generator (its default options) writes pydantic models and openapi-python-client writes an attrs
client, both from the document the app serves. Every JSON body of every read operation (the demo data, as an
anonymous client and as a curator who sees drafts, error bodies included) must parse with the model the document
names for it; the client's models must also give the body back unchanged.
"""

import datetime
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.urls import reverse

import pytest
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import spectacular_settings
from rest_framework.test import APIClient

from actors.models import Actor, ActorKind
from statements import annotations, services
from statements.demo import load_demo
from statements.models import Annotation, Source, StanceCategory, Statement, Topic
from statements.services import CitationSpec, TagSpec
from tests.factories import make_user

# pytest-django sets up the test database for marked tests only; the module-scoped `served` fixture needs it too.
pytestmark = pytest.mark.django_db

BIN = Path(sys.executable).parent
MODELS_MODULE = "tracker_models"
CLIENT_PACKAGE = "tracker_client"


def tool(name):
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed beside {sys.executable} (pip install -r requirements-dev.txt)")
    return str(path)


def run(*arguments):
    # openapi-python-client formats what it writes with ruff, which it looks for on the PATH.
    env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}
    result = subprocess.run(
        [str(argument) for argument in arguments], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory):
    """The OpenAPI document as /api/v1/schema/?format=json serves it (a test holds the two equal)."""
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    document = generator.get_schema(request=None, public=spectacular_settings.SERVE_PUBLIC)
    path = tmp_path_factory.mktemp("generated") / "openapi.json"
    path.write_bytes(OpenApiJsonRenderer().render(document))
    return path


@pytest.fixture(scope="module")
def document(schema_file):
    return json.loads(schema_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pydantic_models(schema_file):
    """The module `datamodel-codegen --input openapi.json --input-file-type openapi` writes, imported."""
    output = schema_file.parent / f"{MODELS_MODULE}.py"
    run(tool("datamodel-codegen"), "--input", schema_file, "--input-file-type", "openapi", "--output", output)
    spec = importlib.util.spec_from_file_location(MODELS_MODULE, output)
    module = importlib.util.module_from_spec(spec)
    # pydantic resolves the models' forward references through sys.modules.
    sys.modules[MODELS_MODULE] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[MODELS_MODULE]


@pytest.fixture(scope="module")
def client_package(schema_file):
    """The package `openapi-python-client generate --meta none` writes, imported."""
    output = run(
        tool("openapi-python-client"),
        "generate",
        "--path",
        schema_file,
        "--output-path",
        schema_file.parent / CLIENT_PACKAGE,
        "--meta",
        "none",
    )
    # A warning means a part of the document the client does without (an operation, a model): none may be.
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(schema_file.parent))
    try:
        yield importlib.import_module(f"{CLIENT_PACKAGE}.models")
    finally:
        sys.path.remove(str(schema_file.parent))
        for name in [name for name in sys.modules if name.split(".")[0] == CLIENT_PACKAGE]:
            del sys.modules[name]


@dataclass
class Served:
    """A JSON body the API served, and the operation of the document (GET `path`, `status`) it answers."""

    request: str
    path: str
    status: int
    body: object


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    """Every read operation's JSON answers over the demo data, nulls and errors included.

    Gathered once for the module's tests, in a transaction rolled back at the end.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        answers = serve_everything()
        transaction.set_rollback(True)
    return answers


def serve_everything():
    load_demo()
    curator = make_user("curator", "curators")
    reviewer = make_user("reviewer", "curators", "reviewers")
    # What only curators see: a draft by a speaker of no state and holding no role, addressed to a state
    # without a tag (a dyad without shares), and one tagged toward a topic, citing a source without a date.
    speaker = Actor.objects.filter(kind=ActorKind.INTERNATIONAL_ORGANIZATION, country=None).first()
    topic = Topic.objects.first()
    draft = services.create_statement(
        user=curator,
        speakers=[speaker],
        recipients=[Actor.objects.filter(kind=ActorKind.STATE).first()],
        topics=[topic],
        citations=[CitationSpec(Source.objects.create(url="https://example.org/undated", title="Undated"))],
        date="2025-12-20",
        channel="speech",
        text="An untagged draft.",
        summary="A draft",
    )
    services.create_statement(
        user=curator,
        speakers=[speaker],
        topics=[topic],
        citations=[CitationSpec(Source.objects.first())],
        tags=[TagSpec(StanceCategory.objects.default_taxonomy().get(code="D3"), target_topic=topic)],
        date="2025-12-21",
        channel="speech",
        text="A tagged draft.",
        summary="A draft about a topic",
    )
    # Edits of a published statement waiting for a reviewer, or reviewed (curators see them).
    revised = Statement.objects.published().order_by("pk").last()
    services.propose_revision(revised, user=curator, version=None, reason="Closer", summary="A closer summary")
    rejected = services.propose_revision(revised, user=curator, version=None, reason="Shorter", summary="Short")
    services.reject_revision(rejected, user=reviewer, comment="Too short")
    # Tombstones in the sync feed: a retracted statement (for anonymous clients), a deleted draft (for all).
    services.retract(Statement.objects.published().order_by("pk").first(), user=reviewer, reason="misattributed")
    deleted = services.create_statement(user=curator, speakers=[speaker], date="2025-12-22", channel="speech")
    Statement.objects.filter(pk=deleted.pk).delete()

    anonymous, curating = APIClient(), APIClient()
    curating.force_authenticate(curator)
    answers = []

    def get(client, name, path, status=200, kwargs=None, **query):
        url = reverse(name, kwargs=kwargs)
        response = client.get(url, query)
        assert response.status_code == status, (url, query, response.content)
        who = "curator" if client is curating else "anonymous"
        answers.append(Served(f"{who} GET {url} {query or ''}", path, status, response.json()))
        return response.json()

    for client in (anonymous, curating):
        statements = get(client, "statement-list", "/api/v1/statements/", page_size=500)["results"]
        for statement in statements:
            get(client, "statement-detail", "/api/v1/statements/{id}/", kwargs={"pk": statement["id"]})
        get(client, "statement-list", "/api/v1/statements/", page_size=2)
        feed = get(client, "statement-changes", "/api/v1/statements/changes/", page_size=500)
        assert {entry["kind"] for entry in feed["results"]} == {"upsert", "tombstone"}
        get(client, "statement-changes", "/api/v1/statements/changes/", page_size=2)
        get(client, "stats-dyads", "/api/v1/stats/dyads/")
        get(client, "stats-stances", "/api/v1/stats/stances/")
        for group_by in ("month,family", "week,speaker", "year,country", "category,target", "polarity"):
            get(client, "stats-stances", "/api/v1/stats/stances/", group_by=group_by)
        get(client, "stats-stances", "/api/v1/stats/stances/", group_by="month", count="statements")
    assert draft.pk in {statement["id"] for statement in statements}  # the curator's
    path = "/api/v1/statements/{id}/revisions/"
    assert len(get(curating, "statement-revisions", path, kwargs={"pk": revised.pk})) == 2
    # Blind annotations: the curator's submitted, the reviewer's still open (hidden from the curator).
    annotations.assign([revised], curators=[curator, reviewer], user=reviewer)
    mine = Annotation.objects.get(statement=revised, curator=curator)
    annotations.save_annotation(
        mine, user=curator, tags=[TagSpec(StanceCategory.objects.default_taxonomy().get(code="K1"))]
    )
    annotations.submit_annotation(mine, user=curator)
    path = "/api/v1/statements/{id}/annotations/"
    assert len(get(curating, "statement-annotations", path, kwargs={"pk": revised.pk})) == 2
    get(curating, "stats-agreement", "/api/v1/stats/agreement/")

    for actor in get(anonymous, "actor-list", "/api/v1/actors/", page_size=500)["results"]:
        get(anonymous, "actor-detail", "/api/v1/actors/{slug}/", kwargs={"slug": actor["slug"]})
    for topic in get(anonymous, "topic-list", "/api/v1/topics/", page_size=500)["results"]:
        get(anonymous, "topic-detail", "/api/v1/topics/{slug}/", kwargs={"slug": topic["slug"]})
    categories = get(anonymous, "stance-category-list", "/api/v1/stance-categories/", page_size=500)["results"]
    assert {category["parent"] is None for category in categories[:20]} == {True, False}  # families and acts
    assert {category["plover"] == "" for category in categories[:20]} == {True, False}
    for category in categories[:20]:
        get(anonymous, "stance-category-detail", "/api/v1/stance-categories/{code}/", kwargs={"code": category["code"]})

    # Error bodies: a parameter that cannot be understood, and rows that are not there (or not for this client).
    get(anonymous, "statement-list", "/api/v1/statements/", 400, date_after="yesterday")
    get(anonymous, "statement-detail", "/api/v1/statements/{id}/", 404, kwargs={"pk": draft.pk})
    get(anonymous, "actor-list", "/api/v1/actors/", 400, kind="planet")
    get(anonymous, "actor-detail", "/api/v1/actors/{slug}/", 404, kwargs={"slug": "no-such-actor"})
    get(anonymous, "stats-stances", "/api/v1/stats/stances/", 400, group_by="colour")
    get(anonymous, "statement-changes", "/api/v1/statements/changes/", 400, cursor="not-a-cursor")
    return answers


def instants(value):
    """The value with each date-time parsed: the client writes UTC as +00:00 where the API writes Z."""
    if isinstance(value, dict):
        return {key: instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [instants(item) for item in value]
    if isinstance(value, str) and "T" in value:
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


class Unnamed(Exception):
    """The document gives this answer no named schema, so a generated client has no model for it."""


def parts(models, document, answer):
    """(model, body) for the answer, or for each item of a list answer: the models generated from the component the
    document names for it."""
    schema = document["paths"][answer.path]["get"]["responses"][str(answer.status)]["content"]["application/json"]
    schema = schema["schema"]
    many = schema.get("type") == "array"
    reference = (schema["items"] if many else schema).get("$ref", "")
    if not reference.startswith("#/components/schemas/"):
        raise Unnamed(f"an unnamed schema: {schema}")
    model = getattr(models, reference.rsplit("/", 1)[1])
    return [(model, body) for body in answer.body] if many else [(model, answer.body)]


def test_the_generators_read_the_document_the_api_serves(api, document):
    assert api.get(reverse("schema"), {"format": "json"}).json() == document


def test_every_json_read_operation_is_checked(served, document):
    json_reads = {
        path
        for path, operations in document["paths"].items()
        if "application/json" in operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
    }

    assert json_reads - {answer.path for answer in served if answer.status == 200} == set()


def test_pydantic_models_from_datamodel_code_generator_accept_every_body(served, document, pydantic_models):
    from pydantic import ValidationError  # installed with datamodel-code-generator

    failures = []
    for answer in served:
        try:
            for model, body in parts(pydantic_models, document, answer):
                model.model_validate(body)
        except (Unnamed, ValidationError) as error:
            failures.append(f"{answer.request}: {error}")

    assert not failures, f"{len(failures)} bodies refused:\n" + "\n".join(failures)


def test_the_openapi_python_client_reads_every_body_and_gives_it_back(served, document, client_package):
    failures = []
    for answer in served:
        try:
            for model, body in parts(client_package, document, answer):
                given_back = model.from_dict(body).to_dict()
                if instants(given_back) != instants(body):
                    failures.append(f"{answer.request}: {given_back} != {body}")
        except (Unnamed, KeyError, TypeError, ValueError) as error:
            failures.append(f"{answer.request}: {error!r}")

    assert not failures, f"{len(failures)} bodies refused or changed:\n" + "\n".join(failures)
