"""Read API for actors, addressed by slug."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from actors.filters import ActorFilter
from actors.models import Actor
from actors.serializers import ActorSerializer
from config.schema import BAD_REQUEST, LOOKUP_VALUE_REGEX, NOT_FOUND


@extend_schema_view(
    list=extend_schema(responses={200: ActorSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: ActorSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
)
class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    """States, organizations, government bodies and persons, with their names, identifiers and roles."""

    queryset = Actor.objects.with_related()
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_VALUE_REGEX
