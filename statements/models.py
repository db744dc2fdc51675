"""What was said: statements, their sources and topics, the stance taxonomy, and stance tags."""

import datetime
import functools
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

import langcodes
from simple_history.models import HistoricalRecords

from actors.models import Actor, Role
from config.db import AnyOf
from config.models import LocalName, fold
from config.trees import sits_beneath_itself, subtree_ids

CAMEO_CODE = RegexValidator(r"^[0-9]{2,4}$", "A CAMEO code is two to four digits, kept as text: 010, not 10.")


class Channel(models.TextChoices):
    VIDEO_CALL = "video_call", "Video call"
    PHONE_CALL = "phone_call", "Phone call"
    IN_PERSON_MEETING = "in_person_meeting", "In-person meeting"
    PRESS_CONFERENCE = "press_conference", "Press conference"
    WRITTEN_STATEMENT = "written_statement", "Written statement or readout"
    JOINT_STATEMENT = "joint_statement", "Joint statement"
    INTERVIEW = "interview", "Interview"
    SPEECH = "speech", "Speech or remarks"
    SOCIAL_MEDIA_POST = "social_media_post", "Social media post"
    DEMARCHE = "demarche", "Démarche or summons"
    UNSPECIFIED = "unspecified", "Not stated in the source"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class Polarity(models.TextChoices):
    FAVOR = "favor", "Favor"
    AGAINST = "against", "Against"
    NEUTRAL = "neutral", "Neutral"
    UNCLEAR = "unclear", "Unclear"


class QuadClass(models.IntegerChoices):
    VERBAL_COOPERATION = 1, "Verbal cooperation"
    MATERIAL_COOPERATION = 2, "Material cooperation"
    VERBAL_CONFLICT = 3, "Verbal conflict"
    MATERIAL_CONFLICT = 4, "Material conflict"


class Plover(models.TextChoices):
    """PLOVER event types (v0.8 names)."""

    AGREE = "AGREE", "AGREE"
    CONSULT = "CONSULT", "CONSULT"
    SUPPORT = "SUPPORT", "SUPPORT"
    CONCEDE = "CONCEDE", "CONCEDE"
    COOPERATE = "COOPERATE", "COOPERATE"
    AID = "AID", "AID"
    RETREAT = "RETREAT", "RETREAT"
    REQUEST = "REQUEST", "REQUEST"
    ACCUSE = "ACCUSE", "ACCUSE"
    REJECT = "REJECT", "REJECT"
    THREATEN = "THREATEN", "THREATEN"
    PROTEST = "PROTEST", "PROTEST"
    SANCTION = "SANCTION", "SANCTION"
    MOBILIZE = "MOBILIZE", "MOBILIZE"
    COERCE = "COERCE", "COERCE"
    ASSAULT = "ASSAULT", "ASSAULT"


class Intensity(models.IntegerChoices):
    NEUTRAL = 0, "0 neutral"
    CONCERN = 1, "1 concern"
    SERIOUS = 2, "2 serious concern"
    GRAVE = 3, "3 grave concern / strongly oppose"
    CONDEMN = 4, "4 condemn / resolutely oppose"


# The latest time zone on Earth is UTC+14: a date after today there is after today everywhere.
LATEST_OFFSET = datetime.timezone(datetime.timedelta(hours=14))


def latest_today():
    return timezone.now().astimezone(LATEST_OFFSET).date()


def validate_not_future(date):
    if date > latest_today():
        raise ValidationError(f"{date.isoformat()} is after today: a statement is recorded once it was made.")


@functools.lru_cache(maxsize=1024)
def is_language_tag(text):
    return langcodes.tag_is_valid(text)


def validate_language(text):
    """A well-formed BCP 47 tag with registered subtags (langcodes): en, en-GB, ja, zh-Hans, ja-Latn."""
    if not is_language_tag(text):
        raise ValidationError(
            f"{text!r} is not a BCP 47 language tag: write en, en-GB, ja, zh-Hans (not a language's name)."
        )


def first_day(date, precision):
    """The date as stored for its precision: a month or a year keeps its first day, so ranges compare one way."""
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    return date


class TopicQuerySet(models.QuerySet):
    def search(self, query):
        folded = fold(query)
        if not folded:
            return self
        alias_match = TopicAlias.objects.filter(topic=OuterRef("pk"), folded__contains=folded)
        return self.filter(Q(name_folded__contains=folded) | Exists(alias_match))


class Topic(models.Model):
    """What statements are about: an issue, a place, or a reported event (the radar incident)."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    description = models.TextField(blank=True)
    occurred_on = models.DateField(null=True, blank=True, help_text="For a reported event: the day it happened.")

    history = HistoricalRecords()

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class TopicAlias(LocalName):
    """Another name of a topic: the Senkaku and the Diaoyu Islands are one topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="aliases")
    history = HistoricalRecords()

    class Meta:
        ordering = ["topic", "name"]
        verbose_name_plural = "topic aliases"
        constraints = [models.UniqueConstraint(fields=["topic", "name", "language"], name="topic_alias_unique")]

    def __str__(self):
        return self.name


class Taxonomy(models.Model):
    """A named, versioned set of stance categories (DST v1); exactly one is the default."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="The taxonomy the API serves and its stance filter reads codes from."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "version"]
        verbose_name_plural = "taxonomies"
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="taxonomy_name_version_unique"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="taxonomy_one_default"),
        ]

    def __str__(self):
        return f"{self.name} {self.version}"


class StanceCategoryQuerySet(models.QuerySet):
    def default_taxonomy(self):
        return self.filter(taxonomy__is_default=True)

    def with_descendants(self, categories):
        """`categories` and every category beneath them, as a set of ids, in one query."""
        return subtree_ids(StanceCategory.objects.filter(pk__in=[category.pk for category in categories]), within=self)


class StanceCategory(models.Model):
    """One act in a taxonomy (K1 "Express concern"), or a family of acts (K), mapped to CAMEO and PLOVER."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="categories")
    code = models.CharField(max_length=20)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    cameo = models.CharField("CAMEO code", max_length=4, blank=True, validators=[CAMEO_CODE])
    plover = models.CharField("PLOVER type", max_length=20, blank=True, choices=Plover.choices)
    plover_mode = models.CharField("PLOVER mode", max_length=40, blank=True)
    quad = models.PositiveSmallIntegerField("quad class", choices=QuadClass.choices)

    history = HistoricalRecords()

    objects = StanceCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["taxonomy", "code"]
        verbose_name_plural = "stance categories"
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="stance_category_code_unique"),
            models.CheckConstraint(condition=Q(quad__in=QuadClass.values), name="stance_category_quad_valid"),
            models.CheckConstraint(
                condition=Q(plover="") | Q(plover__in=Plover.values), name="stance_category_plover_valid"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="stance_category_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"

    def clean(self):
        if self.parent_id and self.taxonomy_id and self.parent.taxonomy_id != self.taxonomy_id:
            raise ValidationError({"parent": "The parent must belong to the same taxonomy."})
        # A family beneath its own act would drop out of the tree (the stance filter, the admin's choices).
        if sits_beneath_itself(self):
            raise ValidationError({"parent": "A category cannot sit beneath itself or one of its acts."})


class Source(models.Model):
    """A published document statements are cited from: a news report, a ministry readout, a transcript."""

    url = models.URLField("URL", max_length=1000, unique=True)
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "publisher"]

    def __str__(self):
        return f"{self.publisher}: {self.title or self.url}"


class StatementLink(models.Model):
    """A statement linked to an actor or a topic; the concrete table adds that protected foreign key.

    The statement's column is indexed by each table's unique constraint (statement first), the other
    by its index (the other column first): no single-column index is needed.
    """

    statement = models.ForeignKey("Statement", on_delete=models.CASCADE, db_index=False)

    class Meta:
        abstract = True


class StatementSpeaker(StatementLink):
    """An actor who made a statement. The actor is protected: someone who spoke cannot vanish."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["statement", "actor"], name="statement_speaker_unique")]
        indexes = [models.Index(fields=["actor", "statement"], name="statement_speaker_actor")]

    def __str__(self):
        return str(self.actor)


class StatementRecipient(StatementLink):
    """An actor a statement was addressed to, protected like a speaker."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["statement", "actor"], name="statement_recipient_unique")]
        indexes = [models.Index(fields=["actor", "statement"], name="statement_recipient_actor")]

    def __str__(self):
        return str(self.actor)


class StatementTopic(StatementLink):
    """A topic a statement concerns; a topic in use cannot be deleted."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["statement", "topic"], name="statement_topic_unique")]
        indexes = [models.Index(fields=["topic", "statement"], name="statement_topic_topic")]

    def __str__(self):
        return str(self.topic)


class StatementQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """Everything for those who may curate; published statements for everyone else."""
        if user is not None and user.has_perm("statements.view_statement"):
            return self
        return self.published()

    def spoken_by_members_of(self, *organizations, link=None):
        """Statements a speaker of which belonged to one of `organizations` on the statement's date
        (a recipient, with `link=StatementRecipient`).

        A speaker belongs when it is one of the organization's bodies (itself, anything beneath
        it, for a state anything of that country), or is a person holding a role in one of those
        bodies on the statement's date: never by today's role.
        """
        link = link or StatementSpeaker
        organization_ids = Actor.objects.organization_ids(*organizations)
        role_on_date = Role.objects.on(OuterRef(OuterRef("date"))).filter(
            AnyOf("organization", organization_ids), person=OuterRef("actor")
        )
        # One EXISTS with the OR inside: PostgreSQL probes the speakers of each statement it reads,
        # newest first. Two EXISTS OR-ed made it hash every statement any body of the state spoke
        # (150,000 for China at a million statements) before reading the first page.
        members = link.objects.filter(AnyOf("actor", organization_ids) | Exists(role_on_date))
        return self.filter(Exists(members.filter(statement=OuterRef("pk"))))

    def tagged(self, categories):
        """Statements tagged with any of `categories` or a category beneath one of them."""
        category_ids = StanceCategory.objects.with_descendants(categories)
        return self.filter(Exists(StanceTag.objects.filter(statement=OuterRef("pk"), category__in=category_ids)))


# Statement's history, named so the workflow (statements.services) can write one entry after a statement
# and its parts are saved together.
STATEMENT_HISTORY = HistoricalRecords(m2m_fields=["speakers", "recipients", "topics"])


class Statement(models.Model):
    """One act of speech or writing: who said it, to whom, when, how, in which words."""

    speakers = models.ManyToManyField(Actor, through=StatementSpeaker, related_name="statements_spoken")
    recipients = models.ManyToManyField(
        Actor, through=StatementRecipient, related_name="statements_received", blank=True
    )
    date = models.DateField(
        validators=[validate_not_future], help_text="For month or year precision, the first day of that month or year."
    )
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    channel = models.CharField(max_length=32, choices=Channel.choices)
    text = models.TextField(blank=True, help_text="The words, as quoted or paraphrased in the source.")
    is_direct_quote = models.BooleanField(default=False)
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language],
        help_text="BCP 47 tag of the text: en, ja, zh-Hans.",
    )
    summary = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, through=StatementTopic, related_name="statements", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The statement's name everywhere: given at creation, kept across databases, exports and imports.
    uuid = models.UUIDField("UUID", default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Raised by one on every save.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # When the statement was first recorded, anywhere: an import keeps it (auto_now_add would not).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = STATEMENT_HISTORY

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        permissions = [("publish_statement", "Can publish and retract statements")]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="statement_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="statement_status_valid"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values), name="statement_date_precision_valid"
            ),
            models.CheckConstraint(condition=~Q(language=""), name="statement_language_not_empty"),
        ]
        indexes = [
            models.Index(fields=["status", "date", "id"], name="statement_status_date"),
            models.Index(fields=["status", "updated_at", "id"], name="statement_status_updated"),
            models.Index(fields=["date"], name="statement_date"),
            models.Index(fields=["updated_at"], name="statement_updated"),
            models.Index(fields=["channel"], name="statement_channel"),
            models.Index(fields=["language"], name="statement_language"),
        ]

    def __str__(self):
        return f"{self.date.isoformat()} {self.summary or self.text}"[:120]

    def save(self, *args, **kwargs):
        self.date = first_day(self.date, self.date_precision)
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("statement-detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.is_direct_quote and not self.text.strip():
            raise ValidationError({"text": "A direct quote needs its words."})


class StatementChange(models.Model):
    """One row per write of a statement (insert, update, delete), made by a database trigger so that no path
    escapes it (the admin, the API, imports by COPY, merges): the sync feed (statements/changes/) reads it.

    `txid` is the writing transaction's id on PostgreSQL: the feed serves a change only once every
    transaction that began before it has ended, so a change committed late can never fall behind a
    client's cursor. `was_public` says whether the statement was published before or after the write,
    so that anonymous clients get tombstones only for statements they could have seen.
    """

    statement_id = models.BigIntegerField(db_index=True)
    uuid = models.UUIDField()
    # Null for a deletion: there is no status after it (an empty string would read as a status).
    status = models.CharField(max_length=10, null=True, help_text="The status after the write; null: deleted.")  # noqa: DJ001
    was_public = models.BooleanField()
    txid = models.BigIntegerField(null=True, help_text="The writing transaction (PostgreSQL); null elsewhere.")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["txid", "id"], name="statement_change_order")]

    def __str__(self):
        return f"{self.uuid} {self.status or 'deleted'}"


class RevisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Revision(models.Model):
    """A curator's edit of a published or retracted statement, waiting for a reviewer (statements.services).

    The public keeps seeing the statement as it is until a reviewer approves; `changes` holds what the
    curator's save would have written (the statement's fields and whole new sets of its parts, by id),
    made from `base_version`: approved later, it is refused if the statement moved on since.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="revisions")
    base_version = models.PositiveIntegerField(help_text="The statement's version the edit was made from.")
    changes = models.JSONField()
    reason = models.TextField(blank=True, help_text="Why the curator proposes it.")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PROPOSED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="The reviewer's word to the curator.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RevisionStatus.values), name="revision_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "statement"], name="revision_status_statement")]

    def __str__(self):
        return f"Revision {self.pk} of {self.statement}"[:120]


IDENTIFIER_SCHEME = RegexValidator(
    r"^[a-z][a-z0-9_-]{0,31}$", "A scheme is a short lower-case name: gdelt, icews, polecat, plover."
)
IDENTIFIER_VALUE = RegexValidator(
    r"^[^\s|]+$", "An identifier is one token: no spaces and no | (the CSV export joins identifiers with it)."
)


class StatementIdentifier(models.Model):
    """A statement's identifier in another system (gdelt:1234567, polecat:…): unique per scheme.

    The tracker's own identifier is the statement's `uuid`, shown as the scheme `uuid` and never
    stored here.
    """

    statement = models.ForeignKey("Statement", on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=32, validators=[IDENTIFIER_SCHEME], help_text="gdelt, icews, polecat, plover…")
    value = models.CharField(max_length=100, validators=[IDENTIFIER_VALUE])
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="statement_identifier_unique_per_scheme"),
            models.CheckConstraint(
                condition=~Q(scheme="uuid") & ~Q(scheme="") & ~Q(value=""), name="statement_identifier_valid"
            ),
        ]

    def __str__(self):
        return f"{self.scheme}:{self.value}"


class Citation(models.Model):
    """Where a statement is recorded: a source, and who in it attributes the words ("according to …")."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    attribution = models.CharField(
        max_length=300, blank=True, help_text="Who the source credits: “according to Japan's Defense Ministry”."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "source"], name="citation_unique")]

    def __str__(self):
        return f"{self.source} ({self.attribution})" if self.attribution else str(self.source)


class StanceTag(models.Model):
    """One curator's judgement: the statement performs this act toward this target, with this polarity."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="stance_tags")
    # Indexed by the composite indexes in Meta, which lead with each of these columns.
    category = models.ForeignKey(StanceCategory, on_delete=models.PROTECT, related_name="tags", db_index=False)
    target_actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="stance_tags_received", db_index=False
    )
    target_topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="stance_tags_received", db_index=False
    )
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.NEUTRAL)
    intensity = models.PositiveSmallIntegerField(choices=Intensity.choices, default=Intensity.NEUTRAL)
    # Curators are deactivated, not deleted: the record of who judged what must survive.
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stance_tags")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "category__code", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(polarity__in=Polarity.values), name="stance_tag_polarity_valid"),
            models.CheckConstraint(condition=Q(intensity__gte=0, intensity__lte=4), name="stance_tag_intensity_0_4"),
            models.CheckConstraint(
                condition=Q(target_actor__isnull=True) | Q(target_topic__isnull=True),
                name="stance_tag_one_target",
            ),
            # One tag per act and target on a statement; NULL targets need their own partial indexes.
            models.UniqueConstraint(
                fields=["statement", "category", "target_actor"],
                condition=Q(target_actor__isnull=False),
                name="stance_tag_unique_actor_target",
            ),
            models.UniqueConstraint(
                fields=["statement", "category", "target_topic"],
                condition=Q(target_topic__isnull=False),
                name="stance_tag_unique_topic_target",
            ),
            models.UniqueConstraint(
                fields=["statement", "category"],
                condition=Q(target_actor__isnull=True, target_topic__isnull=True),
                name="stance_tag_unique_untargeted",
            ),
        ]
        indexes = [
            # The tag-level filters (stance, polarity, target: one condition on the same tag) find a
            # rare target's or category's statements from these alone (index-only); for common ones
            # PostgreSQL probes each statement's tags through the unique constraints above instead.
            models.Index(fields=["target_actor", "category", "polarity", "statement"], name="stance_tag_target_actor"),
            models.Index(fields=["target_topic", "category", "polarity", "statement"], name="stance_tag_target_topic"),
            models.Index(fields=["category", "polarity", "statement"], name="stance_tag_category"),
            # The curators' dashboard counts the tags made this month.
            models.Index(fields=["created_at"], name="stance_tag_created"),
        ]

    def __str__(self):
        target = self.target_actor or self.target_topic
        return f"{self.category.code} {self.polarity}" + (f" → {target}" if target else "")

    @property
    def target(self):
        return self.target_actor or self.target_topic


# Several curators per statement: blind annotations, adjudicated into the statement's gold tags (its StanceTags)


class Annotation(models.Model):
    """One assigned curator's own tagging of a statement, hidden from the other curators assigned to it until
    they submit theirs. Once every annotation of a statement is submitted, a reviewer adjudicates them into
    the statement's stance tags (the gold set, the only tags the public sees)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="annotations")
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the curator is still tagging.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["statement", "curator", "id"]
        constraints = [models.UniqueConstraint(fields=["statement", "curator"], name="annotation_unique_curator")]
        # A curator's queue: assigned to me, not yet submitted.
        indexes = [models.Index(fields=["curator", "submitted_at"], name="annotation_curator_queue")]

    def __str__(self):
        return f"{self.curator} on statement {self.statement_id}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class AnnotationTag(models.Model):
    """A tag in one curator's annotation: the same judgement a stance tag records, kept apart until adjudicated."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="tags")
    category = models.ForeignKey(StanceCategory, on_delete=models.PROTECT, related_name="+")
    target_actor = models.ForeignKey(Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.NEUTRAL)
    intensity = models.PositiveSmallIntegerField(choices=Intensity.choices, default=Intensity.NEUTRAL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["annotation", "category__code", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(polarity__in=Polarity.values), name="annotation_tag_polarity_valid"),
            models.CheckConstraint(condition=Q(intensity__gte=0, intensity__lte=4), name="annotation_tag_intensity"),
            models.CheckConstraint(
                condition=Q(target_actor__isnull=True) | Q(target_topic__isnull=True), name="annotation_tag_one_target"
            ),
            models.UniqueConstraint(
                fields=["annotation", "category", "target_actor"],
                condition=Q(target_actor__isnull=False),
                name="annotation_tag_unique_actor_target",
            ),
            models.UniqueConstraint(
                fields=["annotation", "category", "target_topic"],
                condition=Q(target_topic__isnull=False),
                name="annotation_tag_unique_topic_target",
            ),
            models.UniqueConstraint(
                fields=["annotation", "category"],
                condition=Q(target_actor__isnull=True, target_topic__isnull=True),
                name="annotation_tag_unique_untargeted",
            ),
        ]

    def __str__(self):
        target = self.target_actor or self.target_topic
        return f"{self.category.code} {self.polarity} {self.intensity}" + (f" → {target}" if target else "")


class Adjudication(models.Model):
    """Who settled a statement's gold tags from its annotations, and when."""

    statement = models.OneToOneField(Statement, on_delete=models.CASCADE, related_name="adjudication")
    adjudicated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adjudicated_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, help_text="Why, where the annotations differed.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-adjudicated_at", "-id"]

    def __str__(self):
        return f"statement {self.statement_id} adjudicated by {self.adjudicated_by}"


class AssignmentRule(models.Model):
    """Double tagging by rule: every Nth statement recorded (in the admin or through the API) is assigned to
    these curators. An import assigns its statements with `import_statements --assign-to`."""

    name = models.CharField(max_length=200)
    curators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    every = models.PositiveIntegerField(default=1, help_text="Assign every Nth new statement (1: every one).")
    active = models.BooleanField(default=True)
    seen = models.PositiveBigIntegerField(default=0, editable=False, help_text="New statements counted so far.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(every__gte=1), name="assignment_rule_every_positive")]

    def __str__(self):
        return self.name
