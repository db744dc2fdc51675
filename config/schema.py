"""What the OpenAPI document says of every endpoint: reads need no credentials, and the error shapes."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_jsonschema_compliant
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework.permissions import SAFE_METHODS


class ReadSchema(AutoSchema):
    """Documents that reads need no credentials (anonymous clients read published data)."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


# The one error shape of every answer under /api/ (config.errors).
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "code": {"type": "string", "description": "For programs: invalid, not_found, throttled, query_timeout, …"},
        "detail": {"type": "string", "description": "One sentence for people."},
        "errors": {
            "type": "object",
            "description": "Each parameter or field at fault, with its reasons; empty when none is.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["status", "code", "detail", "errors"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

BAD_REQUEST = OpenApiResponse(
    description="A parameter could not be understood: `errors` maps each such parameter to its reasons.",
    response=ERROR_SCHEMA,
    examples=[
        OpenApiExample(
            "Unknown actor",
            value={
                "status": 400,
                "code": "invalid",
                "detail": "speaker: Unknown actor: 'koizumi'. Did you mean shinjiro-koizumi?",
                "errors": {"speaker": ["Unknown actor: 'koizumi'. Did you mean shinjiro-koizumi?"]},
            },
        )
    ],
)
NOT_FOUND = OpenApiResponse(
    description="No such row, or one this client may not see (a draft statement).", response=ERROR_SCHEMA
)

# Answers any operation may give, in the same shape (added to every operation by add_error_responses).
EVERY_OPERATION = {
    "401": "The credentials given are wrong.",
    "403": "This client may not do that.",
    "405": "This address does not take that method.",
    "406": "No representation this client accepts (see the Accept header).",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "503": "The database stopped a query that ran too long, or cannot be reached: retry after Retry-After.",
}


# Answered by the HTTP server before the application sees the request, so not in the API's error shape: gunicorn
# refuses a request line (method, address, query) longer than 4,094 bytes, and a proxy in front has its own limit.
# Each parameter is bounded (config.filters: 50 values of 200 characters), the address as a whole is not.
URI_TOO_LONG = {
    "description": "The address is longer than the HTTP server takes (gunicorn: 4,094 bytes for the request line, "
    "a proxy may take less): send fewer or shorter values, or split the request. The body is the server's own page "
    "(HTML), not the API's error shape.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}

# An operation that reads a body reads JSON only (DRF's parser; config.writes bounds its size).
UNSUPPORTED_BODY = {
    "description": "The body is not JSON: send it with Content-Type: application/json.",
    "content": {"application/json": {"schema": ERROR_REF}},
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the Error component, and the answers every operation may give.

    Answers declared with ERROR_SCHEMA refer to the component, so a generated client has one Error model.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for response in responses.values():
                for media_type in response.get("content", {}).values():
                    if media_type.get("schema") == ERROR_SCHEMA:
                        media_type["schema"] = ERROR_REF
            for status, description in EVERY_OPERATION.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
            responses.setdefault("414", URI_TOO_LONG)
            if "requestBody" in operation:
                responses.setdefault("415", UNSUPPORTED_BODY)
            # An empty value is the same as leaving the parameter out: HTML forms (the browsable API's filters
            # among them) send every field, filled or not.
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter.setdefault("allowEmptyValue", True)
    return result


def nullable_as_type_lists(result, generator, request, public):
    """drf-spectacular post-processing hook: OpenAPI 3.1 has no `nullable`, which DRF's paginators still write.

    A null is a JSON Schema type (`"type": ["string", "null"]`), or else a `oneOf` with `{"type": "null"}`.
    """

    def convert(node):
        if isinstance(node, list):
            for item in node:
                convert(item)
        if not isinstance(node, dict):
            return
        # Only the keyword: a schema's `properties` may hold a field named nullable (a dict, not True).
        if node.get("nullable") is True:
            del node["nullable"]
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            elif isinstance(node.get("type"), list):
                node["type"] = [*node["type"], *(["null"] if "null" not in node["type"] else [])]
            else:
                schema = dict(node)
                node.clear()
                node["oneOf"] = [schema, {"type": "null"}]
        for value in node.values():
            convert(value)

    if is_jsonschema_compliant():
        convert(result)
    return result


# Slugs and codes in detail URLs: DRF's default also takes a NUL, which PostgreSQL refuses in a query (a 500).
LOOKUP_VALUE_REGEX = r"[^/.\x00]+"

CONFLICT = OpenApiResponse(
    description="Refused in the resource's present state: someone saved it since the version or ETag you sent "
    "(`stale_version`), it is published (`public_delete`), or other records use it (`in_use`). Nothing changed.",
    response=ERROR_SCHEMA,
)
# What a write may answer besides its success.
WRITE_ERRORS = {
    400: OpenApiResponse(
        description="The body could not be understood or breaks a rule: `errors` names each field at fault.",
        response=ERROR_SCHEMA,
    ),
    409: CONFLICT,
    413: OpenApiResponse(description="The body is larger than the server accepts.", response=ERROR_SCHEMA),
}


def require_version_on_update(result, generator, request, public):
    """drf-spectacular post-processing hook: a statement's PUT and PATCH bodies name the `version` they were made
    from (the server also takes If-Match with the ETag instead; a body without either is a 400)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in ("StatementUpdateInputRequest", "PatchedStatementUpdateInputRequest"):
        if name in schemas:
            required = schemas[name].setdefault("required", [])
            if "version" not in required:
                required.append("version")
    return result
