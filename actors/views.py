"""Read API for actors, addressed by slug."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS

from actors.filters import ActorFilter
from actors.models import Actor
from actors.serializers import ActorSerializer


class ReadSchema(AutoSchema):
    """Documents that reads need no credentials (anonymous clients read published data)."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


# Slugs and codes in detail URLs: DRF's default also takes a NUL, which PostgreSQL refuses in a query (a 500).
LOOKUP_VALUE_REGEX = r"[^/.\x00]+"

# Error shapes shared by every read endpoint (the statements views use them too).
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


@extend_schema_view(
    list=extend_schema(responses={200: ActorSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: ActorSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
)
class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    """States, organizations, government bodies and persons, with their names, identifiers and roles."""

    schema = ReadSchema()
    queryset = Actor.objects.with_related()
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_VALUE_REGEX
