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


BAD_REQUEST = OpenApiResponse(
    description="A parameter could not be understood: the body maps each such parameter to its reasons.",
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    examples=[
        OpenApiExample(
            "Unknown actor", value={"speaker": ["Unknown actor: 'no-such-actor' (give a slug or a numeric id)."]}
        )
    ],
)
NOT_FOUND = OpenApiResponse(
    description="No such row, or one this client may not see (a draft statement).",
    response={"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
)

# Slugs and codes in detail URLs: DRF's default also takes a NUL, which PostgreSQL refuses in a query (a 500).
LOOKUP_VALUE_REGEX = r"[^/.\x00]+"
