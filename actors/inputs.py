"""What API clients send to write actors, and the actor references every write body shares.

An actor is named by slug, numeric id or identifier (`scheme:value`), or by the `{slug, …}` object a read
returns, so a document read can be sent back as it is. Unknown names are a 400 suggesting the closest actors.
"""

from django import forms

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.filters import ActorsField
from actors.models import ActorIdentifier, ActorKind, IdentifierScheme
from config.filters import MAX_VALUES
from config.models import LocalName
from config.writes import StrictSerializer

ACTOR_REFERENCE = {
    "type": ["string", "integer"],
    "maxLength": 200,
    "description": "An actor: its slug, its numeric id, or an identifier as scheme:value (iso3166_alpha3:JPN).",
}
MAX_ACTORS = MAX_VALUES


def reference(value):
    """The text naming an actor in a body item: a string, an id, or a read's {slug: …} object."""
    if isinstance(value, dict):
        value = value.get("slug")
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise serializers.ValidationError("An actor is named by its slug, numeric id or an identifier (scheme:value).")
    return str(value)


def resolve(references, kinds=None):
    """The actors named (one query, in order, each once); unknown or wrong-kind names raise a ValidationError."""
    try:
        return ActorsField(kinds=kinds).clean(references)
    except forms.ValidationError as error:
        raise serializers.ValidationError(error.messages) from None


@extend_schema_field(ACTOR_REFERENCE)
class ActorReferenceField(serializers.Field):
    """One actor (or null where allowed)."""

    def __init__(self, *, kinds=None, **kwargs):
        self.kinds = kinds
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if data == "" and self.allow_null:
            return None  # an empty reference, as a form sends it, is no actor
        return resolve([reference(data)], self.kinds)[0]

    def to_representation(self, value):
        return value.slug


@extend_schema_field({"type": "array", "items": ACTOR_REFERENCE, "maxItems": MAX_ACTORS})
class ActorReferencesField(serializers.Field):
    """A list of actors, looked up in one query."""

    def to_internal_value(self, data):
        return self.resolved(data)

    def resolved(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError("A list of actors (slugs, ids or scheme:value identifiers).")
        if len(data) > MAX_ACTORS:
            raise serializers.ValidationError(f"At most {MAX_ACTORS} actors.")
        return resolve([reference(item) for item in data]) if data else []

    def to_representation(self, value):
        return [actor.slug for actor in value]


class NameInput(StrictSerializer):
    name = serializers.CharField(max_length=LocalName._meta.get_field("name").max_length)
    language = serializers.CharField(max_length=35, allow_blank=True, required=False, default="")


class IdentifierInput(StrictSerializer):
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(max_length=ActorIdentifier._meta.get_field("value").max_length)


class ActorInput(StrictSerializer):
    """An actor as written: POST gives slug, name and kind at least; PATCH any of these. `names` and
    `identifiers`, when given, are the whole new set. Roles are curated in the admin."""

    ignored = frozenset({"id", "roles"})

    slug = serializers.SlugField(max_length=100)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    country = ActorReferenceField(
        kinds=[ActorKind.STATE], allow_null=True, required=False, help_text="The state it belongs to, or null."
    )
    parent = ActorReferenceField(allow_null=True, required=False, help_text="The organization it sits under, or null.")
    description = serializers.CharField(allow_blank=True, required=False)
    names = NameInput(many=True, required=False, help_text="Every other name, in its language (the whole set).")
    identifiers = IdentifierInput(many=True, required=False, help_text="Identifiers elsewhere (the whole set).")


@extend_schema_field({"type": "array", "items": ACTOR_REFERENCE, "minItems": 1, "maxItems": MAX_ACTORS})
class SpeakersField(ActorReferencesField):
    """Who spoke: one actor at least."""

    def to_internal_value(self, data):
        actors = self.resolved(data)
        if not actors:
            raise serializers.ValidationError("A statement needs at least one speaker.")
        return actors
