"""Read shapes of statements, topics and stance categories.

The statement serializers document the shape the API serves (the OpenAPI schema is built from
them); the rows themselves are assembled by `statements.documents`, held to this shape by a test.
"""

from rest_framework import serializers

from actors.models import ActorKind
from statements import stats
from statements.models import (
    Channel,
    DatePrecision,
    Intensity,
    Plover,
    Polarity,
    RevisionStatus,
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
    curator = serializers.CharField(
        help_text="Who made the judgement: a stable opaque handle per curator (curators see the login name)."
    )


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


class RevisionChangeSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The field or part changed.")
    current = serializers.CharField(help_text="As the statement stands, in words.")
    proposed = serializers.CharField(help_text="As the revision would make it.")


class RevisionSerializer(serializers.Serializer):
    """A curator's edit of a published or retracted statement, kept for a reviewer (curators only)."""

    id = serializers.IntegerField()
    statement = serializers.IntegerField(help_text="The statement's id.")
    base_version = serializers.IntegerField(help_text="The statement's version the edit was made from.")
    status = serializers.ChoiceField(choices=RevisionStatus.choices)
    reason = serializers.CharField()
    proposed_by = serializers.CharField(help_text="The curator's login name.")
    proposed_at = serializers.DateTimeField()
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(help_text="The reviewer's word to the curator.")
    changes = RevisionChangeSerializer(many=True)
    admin_url = serializers.CharField(help_text="Where a reviewer approves or rejects it.")


class RevisionProposedSerializer(serializers.Serializer):
    """The answer to a curator's edit of a public statement: it waits, as this revision, for a reviewer."""

    detail = serializers.CharField()
    revision = RevisionSerializer()


# The read shapes of the counts (statements.stats) and of the sync feed (statements.changes).


class StanceCountSerializer(serializers.Serializer):
    """One row of stats/stances: a value of each grouping asked for (only those), and its count."""

    month = serializers.CharField(required=False, help_text="`YYYY-MM`.")
    week = serializers.DateField(required=False, help_text="The Monday the week starts on.")
    year = serializers.CharField(required=False, help_text="`YYYY`.")
    family = serializers.CharField(required=False, help_text="Code of the act's family (a family is its own).")
    category = serializers.CharField(required=False, help_text="Code of the stance category.")
    speaker = serializers.SlugField(required=False, allow_null=True, help_text="Slug of a speaker.")
    country = serializers.SlugField(
        required=False,
        allow_null=True,
        help_text="Slug of the speaker's state (the speaker itself if a state), or null for a speaker of none.",
    )
    target = serializers.SlugField(
        required=False, allow_null=True, help_text="Slug of the actor or topic the stance is toward, or null."
    )
    polarity = serializers.ChoiceField(choices=Polarity.choices, required=False)
    count = serializers.IntegerField(help_text="Tags (or statements, with count=statements).")


class StanceStatsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=stats.GROUPS))
    count = serializers.ChoiceField(choices=stats.COUNTED, help_text="What is counted.")
    total = serializers.IntegerField(help_text="Everything counted, whatever the grouping.")
    results = StanceCountSerializer(
        many=True, help_text="Ordered by the groupings; empty without group_by. Time is zero-filled."
    )


class DyadSerializer(serializers.Serializer):
    """A speaker and an actor it addressed: statements, their tags, and the conflictual and cooperative share."""

    speaker = serializers.SlugField()
    recipient = serializers.SlugField()
    statements = serializers.IntegerField()
    tags = serializers.IntegerField()
    conflictual_share = serializers.FloatField(
        allow_null=True, help_text="Share of the tags in quad class 3–4, from 0 to 1; null without tags."
    )
    cooperative_share = serializers.FloatField(
        allow_null=True, help_text="Share of the tags in quad class 1–2, from 0 to 1; null without tags."
    )


class DyadStatsSerializer(serializers.Serializer):
    results = DyadSerializer(many=True, help_text="Most statements first.")


class StatementChangeSerializer(serializers.Serializer):
    """What a client should now hold for one statement."""

    change = serializers.CharField(help_text="This change's place in the feed (a cursor).")
    uuid = serializers.UUIDField(help_text="The statement's `uuid` identifier.")
    kind = serializers.ChoiceField(
        choices=[
            ("upsert", "Hold the statement as given"),
            ("tombstone", "Drop it: deleted, or no longer visible to this client"),
        ]
    )
    statement = StatementSerializer(allow_null=True, help_text="The statement as it is now; null for a tombstone.")


class ChangesPageSerializer(serializers.Serializer):
    results = StatementChangeSerializer(many=True, help_text="In commit order.")
    next = serializers.URLField(
        allow_null=True, help_text="Where to ask from next, now or later; null while the feed has no change at all."
    )
    caught_up = serializers.BooleanField(help_text="The page was not full: there is nothing more for now.")


class AnnotationTagSerializer(serializers.Serializer):
    category = serializers.CharField()
    target_actor = serializers.SlugField(allow_null=True)
    target_topic = serializers.SlugField(allow_null=True)
    polarity = serializers.ChoiceField(choices=Polarity.choices)
    intensity = serializers.ChoiceField(choices=Intensity.choices)


class AnnotationSerializer(serializers.Serializer):
    """One assigned curator's blind tagging of a statement (curators and reviewers only)."""

    curator = serializers.CharField(help_text="The curator's login name.")
    assigned_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    tags = AnnotationTagSerializer(
        many=True,
        allow_null=True,
        help_text="Null while hidden from you: another curator's annotation, before you submit your own.",
    )


class KappaSerializer(serializers.Serializer):
    coders = serializers.ListField(child=serializers.CharField())
    kappa = serializers.FloatField(allow_null=True, help_text="Cohen's kappa; null when undefined.")
    units = serializers.IntegerField()


class AgreementRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["all", "family", "act"])
    code = serializers.CharField(allow_null=True, help_text="The family's or act's code; null for all.")
    units = serializers.IntegerField(help_text="(statement, target, family) places where someone tagged.")
    statements = serializers.IntegerField()
    pairs = serializers.IntegerField(help_text="Pairs of curators' judgements behind the observed agreement.")
    observed = serializers.FloatField(allow_null=True)
    kappa = KappaSerializer(many=True)
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's alpha, nominal.")
    intensity_alpha = serializers.FloatField(allow_null=True, help_text="Ordinal, on tags all applied.")
    polarity_alpha = serializers.FloatField(allow_null=True, help_text="Nominal, on tags all applied.")


class ConfusionCellSerializer(serializers.Serializer):
    first = serializers.CharField()
    second = serializers.CharField()
    count = serializers.IntegerField()


class ConfusionSerializer(serializers.Serializer):
    coders = serializers.ListField(child=serializers.CharField())
    cells = ConfusionCellSerializer(many=True)


class GoldAgreementSerializer(serializers.Serializer):
    coder = serializers.CharField()
    statements = serializers.IntegerField()
    units = serializers.IntegerField()
    observed = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(allow_null=True)


class AgreementSerializer(serializers.Serializer):
    statements = serializers.IntegerField(help_text="Statements two curators or more submitted annotations of.")
    coders = serializers.ListField(child=serializers.CharField())
    rows = AgreementRowSerializer(many=True)
    confusion = ConfusionSerializer(many=True)
    gold = GoldAgreementSerializer(many=True, help_text="Each curator against the adjudicated gold set.")
