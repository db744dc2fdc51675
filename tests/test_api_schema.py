"""The OpenAPI document describes the read API, and the docs page works without any CDN."""

import json
import re

from django.urls import reverse

import pytest
from drf_spectacular.validation import validate_schema

STATEMENT_FILTERS = {
    "speaker",
    "recipient",
    "actor",
    "country",
    "affiliation",
    "stance",
    "polarity",
    "target",
    "topic",
    "channel",
    "language",
    "status",
    "date_after",
    "date_before",
    "updated_after",
    "q",
    "ordering",
}


@pytest.fixture
def schema(api, db):
    response = api.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def parameters(schema, path):
    return {parameter["name"]: parameter for parameter in schema["paths"][path]["get"]["parameters"]}


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)
    assert schema["openapi"] == "3.1.0"


def test_a_null_is_a_json_schema_type_as_generators_expect(schema):
    """OpenAPI 3.1 has no `nullable` (3.0's keyword, which client generators drop by default): none is left."""
    components = schema["components"]["schemas"]

    assert '"nullable"' not in json.dumps(schema)
    assert components["PaginatedStatementList"]["properties"]["next"]["type"] == ["string", "null"]
    assert components["Actor"]["properties"]["country"]["type"] == ["string", "null"]


def test_schema_has_every_read_endpoint(schema):
    assert {
        "/api/v1/actors/",
        "/api/v1/actors/{slug}/",
        "/api/v1/statements/",
        "/api/v1/statements/{id}/",
        "/api/v1/stance-categories/",
        "/api/v1/stance-categories/{code}/",
        "/api/v1/topics/",
        "/api/v1/topics/{slug}/",
    } <= set(schema["paths"])


def test_schema_names_every_statement_filter_with_a_description(schema):
    statement_parameters = parameters(schema, "/api/v1/statements/")

    assert STATEMENT_FILTERS | {"cursor", "page_size"} <= set(statement_parameters)
    for name in STATEMENT_FILTERS:
        assert statement_parameters[name]["in"] == "query"
        assert statement_parameters[name].get("description"), name


def test_schema_types_the_statement_filters(schema):
    statement_parameters = parameters(schema, "/api/v1/statements/")

    # Bounded as the filters bound them: 50 values of 200 characters at most.
    assert statement_parameters["date_after"]["schema"] == {
        "type": "array",
        "items": {"type": "string", "format": "date", "maxLength": 200},
        "maxItems": 50,
    }
    assert statement_parameters["updated_after"]["schema"]["items"]["format"] == "date-time"
    assert statement_parameters["polarity"]["schema"]["items"]["enum"] == ["favor", "against", "neutral", "unclear"]
    assert set(statement_parameters["ordering"]["schema"]["items"]["enum"]) == {
        "date",
        "-date",
        "updated_at",
        "-updated_at",
    }
    # Repeated parameters (OR) are arrays sent as `?speaker=a&speaker=b`.
    assert statement_parameters["speaker"]["schema"]["type"] == "array"
    assert statement_parameters["speaker"].get("explode", True) is True


def test_schema_names_the_actor_topic_and_category_filters(schema):
    assert {"kind", "country", "q"} <= set(parameters(schema, "/api/v1/actors/"))
    assert {"q"} <= set(parameters(schema, "/api/v1/topics/"))
    assert {"taxonomy", "parent"} <= set(parameters(schema, "/api/v1/stance-categories/"))


def test_schema_describes_the_statement_fields_of_the_contract(schema):
    components = schema["components"]["schemas"]
    statement = components["Statement"]["properties"]
    speaker = components["Speaker"]["properties"]

    assert set(statement) == {
        "id",
        "speakers",
        "recipients",
        "date",
        "date_precision",
        "channel",
        "text",
        "is_direct_quote",
        "language",
        "summary",
        "topics",
        "identifiers",
        "sources",
        "stance_tags",
        "status",
        "created_at",
        "updated_at",
        "version",
    }
    assert statement["speakers"]["items"] == {"$ref": "#/components/schemas/Speaker"}
    assert set(components["StatementIdentifier"]["properties"]) == {"scheme", "value"}
    assert speaker["role"]["oneOf"] == [{"$ref": "#/components/schemas/RoleOnDate"}, {"type": "null"}]
    assert set(components["StanceTag"]["properties"]) == {
        "category",
        "target_actor",
        "target_topic",
        "polarity",
        "intensity",
        "curator",
    }
    assert components["StanceTag"]["properties"]["target_actor"]["type"] == ["string", "null"]
    assert set(components["Citation"]["properties"]) == {"url", "publisher", "title", "published_on", "attribution"}
    assert set(components["Actor"]["properties"]) == {
        "id",
        "slug",
        "name",
        "kind",
        "country",
        "parent",
        "names",
        "identifiers",
        "roles",
    }
    assert {"code", "label", "parent", "cameo", "plover", "quad"} <= set(components["StanceCategory"]["properties"])


def test_schema_documents_the_400_body_and_anonymous_reads(schema):
    listing = schema["paths"]["/api/v1/statements/"]["get"]

    assert "400" in listing["responses"]
    assert {} in listing["security"]


def test_docs_page_loads_its_assets_from_static_files_not_a_cdn(api, db):
    response = api.get(reverse("swagger-ui"))

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"cdn\.|unpkg|jsdelivr|googleapis", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        assert api.get(asset).status_code == 200, asset


def test_root_leads_to_the_api(api, db):
    response = api.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("api-root")


def test_the_api_root_lists_the_resources_and_links_to_the_docs(api, db):
    response = api.get(reverse("api-root"))

    assert response.status_code == 200
    assert response.json() == {
        "actors": "http://testserver/api/v1/actors/",
        "statements": "http://testserver/api/v1/statements/",
        "stance-categories": "http://testserver/api/v1/stance-categories/",
        "topics": "http://testserver/api/v1/topics/",
        "stats/stances": "http://testserver/api/v1/stats/stances/",
        "stats/dyads": "http://testserver/api/v1/stats/dyads/",
        "stats/agreement": "http://testserver/api/v1/stats/agreement/",
        "docs": "http://testserver/api/v1/docs/",
        "schema": "http://testserver/api/v1/schema/",
    }
