"""What the OpenAPI document says of every endpoint: reads need no credentials, and the error shapes."""

from drf_spectacular.openapi import AutoSchema
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


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the Error component, and the answers every operation may give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in EVERY_OPERATION.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
    return result


# Slugs and codes in detail URLs: DRF's default also takes a NUL, which PostgreSQL refuses in a query (a 500).
LOOKUP_VALUE_REGEX = r"[^/.\x00]+"
