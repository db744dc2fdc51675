"""Read API for actors, addressed by slug."""

from django.http import Http404, HttpResponsePermanentRedirect

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.reverse import reverse

from actors.filters import ActorFilter
from actors.models import Actor, ActorFormerSlug
from actors.serializers import ActorSerializer
from config.schema import BAD_REQUEST, LOOKUP_VALUE_REGEX, NOT_FOUND


@extend_schema_view(
    list=extend_schema(responses={200: ActorSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(
        responses={200: ActorSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        description="An actor by slug; the slug of an actor merged into another answers 301 to the one kept.",
    ),
)
class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    """States, organizations, government bodies and persons, with their names, identifiers and roles."""

    queryset = Actor.objects.with_related()
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_VALUE_REGEX

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            # An actor merged into another: its old address leads to the one kept, for good.
            former = ActorFormerSlug.objects.filter(slug=kwargs["slug"]).select_related("actor").first()
            if former is None:
                raise
            url = reverse("actor-detail", kwargs={"slug": former.actor.slug}, request=request)
            return HttpResponsePermanentRedirect(url)
