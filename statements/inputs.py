"""What API clients send to write statements and topics: bodies checked and turned into the workflow's arguments.

The workflow (statements.services) alone decides what may be written; these serializers only parse. Actors are
named as everywhere in the API (actors.inputs), topics by slug, categories by code in any case (k1 is K1), sources
by URL. A statement read (GET) can be sent back as it is: the names only a read carries (`id`, `curator`,
`created_at`, …) are accepted and dropped.
"""

import difflib
import uuid

from django import forms

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.inputs import ActorReferenceField, ActorReferencesField, SpeakersField
from config.filters import MAX_VALUES, SlugsField
from config.models import LocalName
from config.writes import StrictSerializer
from statements.models import (
    Channel,
    Citation,
    DatePrecision,
    Intensity,
    Polarity,
    Source,
    StanceCategory,
    Status,
    Topic,
)

TOPIC_REFERENCE = {"type": "string", "maxLength": 100, "description": "A topic's slug."}


def topics_named(slugs):
    try:
        return SlugsField(queryset=Topic.objects.all(), noun="topic").clean(slugs)
    except forms.ValidationError as error:
        raise serializers.ValidationError(error.messages) from None


@extend_schema_field(TOPIC_REFERENCE)
class TopicReferenceField(serializers.Field):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get("slug")
        if not isinstance(data, str) or not data:
            raise serializers.ValidationError("A topic is named by its slug.")
        return topics_named([data])[0]

    def to_representation(self, value):
        return value.slug


@extend_schema_field({"type": "array", "items": TOPIC_REFERENCE, "maxItems": MAX_VALUES})
class TopicReferencesField(serializers.Field):
    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise serializers.ValidationError("A list of topic slugs.")
        return topics_named(data) if data else []

    def to_representation(self, value):
        return [topic.slug for topic in value]


@extend_schema_field({"type": "string", "maxLength": 20, "description": "A stance category's code, in any case."})
class CategoryField(serializers.Field):
    """A code of the default taxonomy, in any case."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data:
            raise serializers.ValidationError("A stance category is named by its code (K1).")
        categories = self.parent.context_categories()
        category = categories.get(data.casefold())
        if category is None:
            close = difflib.get_close_matches(data.casefold(), list(categories), n=3, cutoff=0.5)
            hint = f" Did you mean {' or '.join(categories[code].code for code in close)}?" if close else ""
            raise serializers.ValidationError(f"Unknown stance category: '{data[:40]}'.{hint}")
        return category

    def to_representation(self, value):
        return value.code


class TagInput(StrictSerializer):
    """One stance tag: the act, toward one actor or one topic (or neither), its polarity and intensity."""

    ignored = frozenset({"curator"})

    category = CategoryField()
    target_actor = ActorReferenceField(allow_null=True, required=False, default=None)
    target_topic = TopicReferenceField(allow_null=True, required=False, default=None)
    polarity = serializers.ChoiceField(choices=Polarity.choices, default=Polarity.NEUTRAL)
    intensity = serializers.ChoiceField(choices=Intensity.choices, default=Intensity.NEUTRAL)

    def context_categories(self):
        cache = self.context.setdefault("categories", {})
        if not cache:
            for category in StanceCategory.objects.default_taxonomy():
                cache[category.code.casefold()] = category
        return cache

    def validate(self, data):
        if data.get("target_actor") is not None and data.get("target_topic") is not None:
            raise serializers.ValidationError("A tag has one target: an actor or a topic, not both.")
        # A PATCH parses its nested tags partially too, where DRF leaves defaults out: they are set here.
        data.setdefault("target_actor", None)
        data.setdefault("target_topic", None)
        data.setdefault("polarity", Polarity.NEUTRAL)
        data["intensity"] = int(data.get("intensity", Intensity.NEUTRAL))
        return data


def field_length(model, name):
    return model._meta.get_field(name).max_length


class SourceInput(StrictSerializer):
    """A citation: the source by URL (a new URL records a new source: give its publisher), and who in it speaks."""

    url = serializers.URLField(max_length=field_length(Source, "url"))
    publisher = serializers.CharField(max_length=field_length(Source, "publisher"), required=False)
    title = serializers.CharField(max_length=field_length(Source, "title"), allow_blank=True, required=False)
    published_on = serializers.DateField(allow_null=True, required=False)
    attribution = serializers.CharField(
        max_length=field_length(Citation, "attribution"), allow_blank=True, required=False, default=""
    )


class StatementIdentifierInput(StrictSerializer):
    scheme = serializers.CharField(max_length=32)
    value = serializers.CharField(max_length=100)


class StatementInput(StrictSerializer):
    """A statement as written. POST needs `speakers`, `date` and `channel`; PUT is the whole statement (what it
    leaves out is emptied or reset); PATCH changes what it names. `sources`, `stance_tags`, `identifiers`,
    `topics`, `recipients`, when given, are the whole new set. PUT and PATCH need `version` (or If-Match)."""

    ignored = frozenset({"id", "created_at", "updated_at"})
    # What POST and PUT must give.
    required_fields = ("speakers", "date", "channel")

    speakers = SpeakersField(help_text="Who spoke: actors by slug, id or scheme:value.")
    recipients = ActorReferencesField(required=False, help_text="Who it was addressed to.")
    date = serializers.DateField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices)
    text = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    is_direct_quote = serializers.BooleanField(required=False)
    language = serializers.CharField(max_length=35, required=False, help_text="BCP 47 tag: en, ja, zh-Hans.")
    summary = serializers.CharField(allow_blank=True, required=False)
    topics = TopicReferencesField(required=False, help_text="Topic slugs.")
    identifiers = StatementIdentifierInput(
        many=True,
        required=False,
        max_length=MAX_VALUES,
        help_text="Identifiers in other systems; `uuid` may be given on POST only.",
    )
    sources = SourceInput(
        many=True, required=False, max_length=MAX_VALUES, help_text="Citations; a published statement needs one."
    )
    stance_tags = TagInput(many=True, required=False, max_length=MAX_VALUES)
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Publishing and retracting need a reviewer."
    )
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version you read: required on PUT and PATCH (or If-Match)."
    )
    reason = serializers.CharField(
        max_length=500, allow_blank=True, required=False, write_only=True, help_text="Why: kept in the history."
    )

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = name in self.required_fields and (creating or not self.partial)

    def validate_identifiers(self, identifiers):
        seen = set()
        for identifier in identifiers:
            if identifier["scheme"] == "uuid":
                try:
                    uuid.UUID(identifier["value"])
                except ValueError:
                    raise serializers.ValidationError(f"'{identifier['value']}' is not a UUID.") from None
            pair = (identifier["scheme"], identifier["value"])
            if pair in seen:
                raise serializers.ValidationError(f"{pair[0]}:{pair[1]} is given twice.")
            seen.add(pair)
        if len([1 for scheme, _ in seen if scheme == "uuid"]) > 1:
            raise serializers.ValidationError("A statement has one uuid.")
        return identifiers


class StatementUpdateInput(StatementInput):
    """A statement as changed (PUT, PATCH): `version`, the one read, is required (or If-Match with the ETag)."""


class AliasInput(StrictSerializer):
    name = serializers.CharField(max_length=field_length(LocalName, "name"))
    language = serializers.CharField(max_length=35, allow_blank=True, required=False, default="")


class TopicInput(StrictSerializer):
    """A topic as written: POST gives slug and name at least; `aliases`, when given, is the whole new set."""

    slug = serializers.SlugField(max_length=100)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False)
    occurred_on = serializers.DateField(allow_null=True, required=False)
    aliases = AliasInput(many=True, required=False)
