"""Read shapes of statements, topics and stance categories.

The statement serializers document the shape the API serves (the OpenAPI schema is built from
them); the rows themselves are assembled by `statements.documents`, held to this shape by a test.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.serializers import ActorSummarySerializer, RoleSerializer
from statements.models import Citation, Plover, StanceCategory, StanceTag, Statement, Topic, TopicAlias


class RoleOnDateSerializer(RoleSerializer):
    """The title a speaker held on the statement's date, and where."""

    class Meta(RoleSerializer.Meta):
        fields = ["title", "organization", "organization_name"]
        read_only_fields = fields


class SpeakerSerializer(ActorSummarySerializer):
    """A speaker of a statement, with the role held on the statement's date."""

    role = serializers.SerializerMethodField(help_text="The role held on the statement's date, or null.")

    class Meta(ActorSummarySerializer.Meta):
        fields = [*ActorSummarySerializer.Meta.fields, "role"]
        read_only_fields = fields

    @extend_schema_field(RoleOnDateSerializer(allow_null=True))
    def get_role(self, actor):
        # Reads the prefetched roles: Actor.role_on filters them in Python.
        role = actor.role_on(self.context["statement_date"])
        return RoleOnDateSerializer(role).data if role else None


class CitationSerializer(serializers.ModelSerializer):
    """A source the statement is cited from, with who the source credits for the words."""

    url = serializers.URLField(source="source.url", read_only=True)
    publisher = serializers.CharField(source="source.publisher", read_only=True)
    title = serializers.CharField(source="source.title", read_only=True)
    published_on = serializers.DateField(source="source.published_on", read_only=True, allow_null=True)

    class Meta:
        model = Citation
        fields = ["url", "publisher", "title", "published_on", "attribution"]
        read_only_fields = fields


class StanceTagSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Stance category code.")
    target_actor = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Slug of the actor the stance is toward."
    )
    target_topic = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Slug of the topic the stance is toward."
    )
    curator = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Username of the curator who made the judgement."
    )

    class Meta:
        model = StanceTag
        fields = ["category", "target_actor", "target_topic", "polarity", "intensity", "curator"]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    speakers = serializers.SerializerMethodField(
        help_text="Who spoke, each with the role held on the statement's date (or null)."
    )
    recipients = ActorSummarySerializer(many=True, read_only=True)
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True, help_text="Topic slugs.")
    sources = CitationSerializer(source="citations", many=True, read_only=True)
    stance_tags = StanceTagSerializer(many=True, read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "speakers",
            "recipients",
            "date",
            "date_precision",
            "channel",
            "text",
            "is_direct_quote",
            "language",
            "summary",
            "topics",
            "sources",
            "stance_tags",
            "status",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(SpeakerSerializer(many=True))
    def get_speakers(self, statement):
        context = {**self.context, "statement_date": statement.date}
        return SpeakerSerializer(statement.speakers.all(), many=True, context=context).data


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
