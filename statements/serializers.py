"""Read shapes of statements, topics and stance categories.

The statement serializers document the shape the API serves (the OpenAPI schema is built from
them); the rows themselves are assembled by `statements.documents`, held to this shape by a test.
"""

from rest_framework import serializers

from actors.models import ActorKind
from statements.models import (
    Channel,
    DatePrecision,
    Intensity,
    Plover,
    Polarity,
    StanceCategory,
    Status,
    Topic,
    TopicAlias,
)

# The statement's read shape, declared on plain data: statement_documents builds the dicts.


class RoleOnDateSerializer(serializers.Serializer):
    """The title a speaker held on the statement's date, and where."""

    title = serializers.CharField()
    organization = serializers.SlugField(help_text="Slug of the organization.")
    organization_name = serializers.CharField()


class SpeakerSerializer(serializers.Serializer):
    """A speaker of a statement, with the role held on the statement's date."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    role = RoleOnDateSerializer(allow_null=True, help_text="The role held on the statement's date, or null.")


class RecipientSerializer(serializers.Serializer):
    """An actor the statement was addressed to."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ActorKind.choices)


class StatementIdentifierSerializer(serializers.Serializer):
    scheme = serializers.CharField(help_text="`uuid` (the tracker's own, first), or another system: gdelt, icews, …")
    value = serializers.CharField()


class CitationSerializer(serializers.Serializer):
    """A source the statement is cited from, with who the source credits for the words."""

    url = serializers.URLField()
    publisher = serializers.CharField()
    title = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    attribution = serializers.CharField()


class StanceTagSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="Stance category code.")
    target_actor = serializers.SlugField(allow_null=True, help_text="Slug of the actor the stance is toward.")
    target_topic = serializers.SlugField(allow_null=True, help_text="Slug of the topic the stance is toward.")
    polarity = serializers.ChoiceField(choices=Polarity.choices)
    intensity = serializers.ChoiceField(choices=Intensity.choices)
    curator = serializers.CharField(help_text="Username of the curator who made the judgement.")


class StatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    speakers = SpeakerSerializer(many=True, help_text="Who spoke, each with the role held on the statement's date.")
    recipients = RecipientSerializer(many=True)
    date = serializers.DateField(help_text="For month or year precision, the first day of that month or year.")
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    text = serializers.CharField(help_text="The words, as quoted or paraphrased in the source.")
    is_direct_quote = serializers.BooleanField()
    language = serializers.CharField(help_text="BCP 47 tag of the text: en, ja, zh-Hans.")
    summary = serializers.CharField()
    topics = serializers.ListField(child=serializers.SlugField(), help_text="Topic slugs.")
    identifiers = StatementIdentifierSerializer(many=True, help_text="`uuid` first, for life; then other systems'.")
    sources = CitationSerializer(many=True)
    stance_tags = StanceTagSerializer(many=True)
    status = serializers.ChoiceField(choices=Status.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="Raised by one on every save.")


class TopicAliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = TopicAlias
        fields = ["name", "language"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    aliases = TopicAliasSerializer(many=True, read_only=True, help_text="Other names of the topic.")

    class Meta:
        model = Topic
        fields = ["slug", "name", "description", "aliases", "occurred_on"]
        read_only_fields = fields


class StanceCategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Code of the family above, or null."
    )
    taxonomy = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Slug of the taxonomy.")
    # Declared so the schema says what families without a PLOVER type carry: an empty string.
    plover = serializers.ChoiceField(
        choices=Plover.choices, allow_blank=True, read_only=True, help_text="PLOVER event type, or empty."
    )

    class Meta:
        model = StanceCategory
        fields = ["code", "label", "parent", "cameo", "plover", "plover_mode", "quad", "description", "taxonomy"]
        read_only_fields = fields
