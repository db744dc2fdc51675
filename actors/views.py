"""The API of actors, addressed by slug: reads, and writes for curators (actors.services)."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse as url_of

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse

from actors import services
from actors.filters import ActorFilter
from actors.inputs import ActorInput
from actors.models import Actor, ActorFormerSlug
from actors.serializers import ActorSerializer
from config.schema import BAD_REQUEST, CONFLICT, LOOKUP_VALUE_REGEX, NOT_FOUND, WRITE_ERRORS
from config.writes import ConditionalWrites, check_if_match, refusals


@extend_schema_view(
    list=extend_schema(responses={200: ActorSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(
        responses={200: ActorSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        description="An actor by slug; the slug of an actor merged into another answers 301 to the one kept.",
    ),
    create=extend_schema(request=ActorInput, responses={201: ActorSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=ActorInput,
        description="Changes what the body names; `names` and `identifiers`, when given, are the whole new set. "
        "A new slug keeps the old one answering (301). If-Match (the ETag of your GET) guards against "
        "overwriting someone else's change (409).",
        responses={200: ActorSerializer, 404: NOT_FOUND, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Deletes an actor nothing refers to. One that statements, tags, roles or other actors name stays "
        "on the record (409): merge it into another in the admin.",
        responses={204: None, 404: NOT_FOUND, 409: CONFLICT},
    ),
)
class ActorViewSet(ConditionalWrites, viewsets.ModelViewSet):
    """States, organizations, government bodies and persons, with their names, identifiers and roles."""

    queryset = Actor.objects.with_related()
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_VALUE_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

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

    def save(self, actor, *, partial):
        body = ActorInput(data=self.request.data, partial=partial)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        names, identifiers = fields.pop("names", None), fields.pop("identifiers", None)
        with refusals():
            actor = services.save_actor(
                actor,
                user=self.request.user,
                names=[(name["name"], name["language"]) for name in names] if names is not None else None,
                identifiers=[(item["scheme"], item["value"]) for item in identifiers]
                if identifiers is not None
                else None,
                **fields,
            )
        return self.get_serializer(self.get_queryset().get(pk=actor.pk)).data

    def create(self, request, *args, **kwargs):
        data = self.save(Actor(), partial=False)
        location = url_of("actor-detail", kwargs={"slug": data["slug"]})
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        actor = self.get_object()
        check_if_match(request, self.get_serializer(actor).data)
        return Response(self.save(actor, partial=True))

    def destroy(self, request, *args, **kwargs):
        actor = self.get_object()
        check_if_match(request, self.get_serializer(actor).data)
        with refusals():
            services.delete_actor(actor, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
