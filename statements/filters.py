"""Query filters for statements, topics and stance categories.

All statement filters combine with AND; a repeated parameter means OR. The tag-level filters
(`stance`, `polarity`, `target`) are one question about a single stance tag: they are joined into
one EXISTS over the statement's tags, so `polarity=against&target=china` finds statements with a
tag against China, not statements against someone and favourable to China.
"""

import difflib
import functools
import operator
import uuid

from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef, Q

import django_filters
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from actors.filters import ActorsFilter, actors_named, closest_actors, did_you_mean
from actors.models import ActorKind
from config.db import AnyOf
from config.filters import (
    CodesFilter,
    FilterSet,
    RepeatedChoiceFilter,
    RepeatedDateFilter,
    RepeatedDateTimeFilter,
    RepeatedField,
    RepeatedFilter,
    SlugsField,
    SlugsFilter,
    quoted,
)
from config.trees import beneath
from statements import search
from statements.models import (
    Channel,
    Polarity,
    StanceCategory,
    StanceTag,
    Statement,
    StatementIdentifier,
    StatementRecipient,
    Status,
    Taxonomy,
    Topic,
)


def linked(relation, column, rows):
    """EXISTS a row of the many-to-many `relation` linking the statement to one of `rows`."""
    through = getattr(Statement, relation).through
    return Exists(through.objects.filter(statement=OuterRef("pk"), **{f"{column}__in": rows}))


class ParticipantFilter(ActorsFilter):
    """The statement was spoken by (or addressed to) one of the actors: an EXISTS per relation, no join."""

    def __init__(self, *args, relations, **kwargs):
        self.relations = relations
        super().__init__(*args, **kwargs)

    def condition(self, actors):
        return functools.reduce(operator.or_, (linked(relation, "actor", actors) for relation in self.relations))


class MembersFilter(ActorsFilter):
    """A speaker (or, with `link=StatementRecipient`, a recipient) belonged to one of the organizations on the
    statement's date (roles are dated)."""

    def __init__(self, *args, link=None, **kwargs):
        self.link = link
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.spoken_by_members_of(*value, link=self.link)


class TopicsFilter(SlugsFilter):
    def condition(self, topics):
        return linked("topics", "topic", topics)


class IdentifierField(forms.CharField):
    """`scheme:value`: the statement's `uuid`, or its identifier in another system (gdelt:1234567)."""

    def clean(self, value):
        value = super().clean(value)
        scheme, separator, identifier = value.partition(":")
        if not (separator and scheme and identifier):
            message = "'%(value)s' is not scheme:value (uuid:…, gdelt:1234567)."
            raise forms.ValidationError(message, code="invalid", params={"value": value})
        if scheme == "uuid":
            try:
                identifier = uuid.UUID(identifier)
            except ValueError:
                message = "'%(value)s' is not a UUID."
                raise forms.ValidationError(message, code="invalid", params={"value": identifier}) from None
        return scheme, identifier


class IdentifierFilter(RepeatedFilter):
    """Statements with any of the identifiers; one that no statement has matches nothing (it is not an error)."""

    def condition(self, identifiers):
        uuids = [value for scheme, value in identifiers if scheme == "uuid"]
        others = [Q(scheme=scheme, value=value) for scheme, value in identifiers if scheme != "uuid"]
        conditions = [AnyOf("uuid", uuids)] if uuids else []
        if others:
            held = StatementIdentifier.objects.filter(functools.reduce(operator.or_, others), statement=OuterRef("pk"))
            conditions.append(Exists(held))
        return functools.reduce(operator.or_, (Q(condition) for condition in conditions))


class StanceTagFilter:
    """A condition on one stance tag. The filterset joins all of them into a single EXISTS."""

    def tag_condition(self, value):
        return Q(**{f"{self.field_name}__{self.lookup_expr}": value})

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(Exists(StanceTag.objects.filter(self.tag_condition(value), statement=OuterRef("pk"))))


class StanceCategoriesField(SlugsField):
    """Codes of the default taxonomy, resolved to the ids of those categories and all beneath them, in one query.

    A code found anywhere in the subtree exists, so the subtree's codes also tell which codes are unknown.
    """

    def resolve(self, values):
        # Codes in any case: k1 is K1.
        named = functools.reduce(operator.or_, (Q(**{f"{self.slug_field}__iexact": value}) for value in values))
        roots = self.queryset.filter(named)
        subtree = dict(self.queryset.filter(pk__in=beneath(roots)).values_list(self.slug_field, "pk"))
        folded = {code.casefold() for code in subtree}
        self.check_known(values, {value for value in values if value.casefold() in folded})
        return set(subtree.values())


class StanceFilter(StanceTagFilter, SlugsFilter):
    field_class = StanceCategoriesField


class PolarityFilter(StanceTagFilter, RepeatedChoiceFilter):
    pass


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 4})
class IntensityFilter(StanceTagFilter, django_filters.Filter):
    """A bound on a stance tag's intensity (0 to 4); joins the same tag as `stance`, `polarity` and `target`."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=4, **kwargs)


class TargetsField(RepeatedField):
    """Stance targets: actors (slug or id) or topics (slug); a value naming both an actor and a topic takes both."""

    def resolve(self, values):
        actors = actors_named(values)
        topics = {topic.slug: topic for topic in Topic.objects.filter(slug__in=values).only("pk", "slug")}
        unknown = [value for value in values if value not in actors and value not in topics]
        if unknown:
            message = "Unknown actor or topic: %(values)s.%(hint)s"
            hint = did_you_mean(unknown, closest_targets)
            raise forms.ValidationError(message, code="unknown", params={"values": quoted(unknown), "hint": hint})
        return {"actors": list(actors.values()), "topics": list(topics.values())}


def closest_targets(value):
    """Actors, then topics, a mistyped target may have meant."""
    found = closest_actors(value)
    topics = list(Topic.objects.values_list("slug", flat=True)[:20_000])
    return found + [slug for slug in difflib.get_close_matches(value, topics, n=3) if slug not in found][:3]


class TargetFilter(StanceTagFilter, RepeatedFilter):
    field_class = TargetsField

    def tag_condition(self, targets):
        return Q(target_actor__in=targets["actors"]) | Q(target_topic__in=targets["topics"])


class TextSearchFilter(RepeatedFilter):
    """Words in the text or summary: `statements.search` says what matches on each database."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return search.matching(qs, value, on_postgresql=connections[qs.db].vendor == "postgresql")


class StatementFilter(FilterSet):
    speaker = ParticipantFilter(
        field_name="speakers",
        lookup_expr="in",
        relations=["speakers"],
        help_text="An actor (slug or numeric id) who spoke. Repeat for several actors (OR).",
    )
    recipient = ParticipantFilter(
        field_name="recipients",
        lookup_expr="in",
        relations=["recipients"],
        help_text="An actor (slug or numeric id) the statement was addressed to. Repeat for several (OR).",
    )
    actor = ParticipantFilter(
        field_name="speakers",
        lookup_expr="in",
        relations=["speakers", "recipients"],
        help_text="An actor (slug or numeric id) who spoke or was addressed. Repeat for several (OR).",
    )
    country = MembersFilter(
        field_name="speakers",
        lookup_expr="in",
        kinds=[ActorKind.STATE],
        help_text="A state (slug or id): a speaker is that state, one of its bodies, or a person holding a "
        "role in one of its bodies on the statement's date. Repeat for several states (OR).",
    )
    affiliation = MembersFilter(
        field_name="speakers",
        lookup_expr="in",
        excluded_kinds=[ActorKind.PERSON],
        help_text="An organization of any kind but person (slug or id; NATO, a ministry): a speaker is it, "
        "sits beneath it, or held a role in it or beneath it on the statement's date. Repeat for several (OR).",
    )
    recipient_country = MembersFilter(
        field_name="recipients",
        lookup_expr="in",
        kinds=[ActorKind.STATE],
        link=StatementRecipient,
        help_text="As `country`, for recipients: the statement was addressed to that state, one of its bodies, or "
        "a person holding a role in one of them on the statement's date. Repeat for several states (OR).",
    )
    recipient_affiliation = MembersFilter(
        field_name="recipients",
        lookup_expr="in",
        excluded_kinds=[ActorKind.PERSON],
        link=StatementRecipient,
        help_text="As `affiliation`, for recipients: the statement was addressed to the organization (NATO), "
        "something beneath it, or someone holding a role in it on the statement's date. Repeat for several (OR).",
    )
    stance = StanceFilter(
        field_name="category",
        lookup_expr="in",
        queryset=StanceCategory.objects.default_taxonomy(),
        slug_field="code",
        noun="stance category in the default taxonomy",
        help_text="A stance category code of the default taxonomy; a family matches every act beneath it "
        "(K matches K1 and K2). Applies to the same tag as `polarity` and `target`. Repeat for several (OR).",
    )
    polarity = PolarityFilter(
        field_name="polarity",
        lookup_expr="in",
        choices=Polarity.choices,
        help_text="Polarity of a stance tag; applies to the same tag as `stance` and `target`. Repeat (OR).",
    )
    target = TargetFilter(
        field_name="target_actor",
        lookup_expr="in",
        help_text="Target of a stance tag: an actor (slug or id) or a topic (slug); applies to the same tag as "
        "`stance` and `polarity`. Repeat for several (OR).",
    )
    intensity_min = IntensityFilter(
        field_name="intensity",
        lookup_expr="gte",
        help_text="Intensity of a stance tag at least this (0 neutral … 4 condemn); applies to the same tag as "
        "`stance`, `polarity` and `target`.",
    )
    intensity_max = IntensityFilter(
        field_name="intensity",
        lookup_expr="lte",
        help_text="Intensity of a stance tag at most this (0 … 4); applies to the same tag as `stance`, "
        "`polarity` and `target`.",
    )
    topic = TopicsFilter(
        field_name="topics",
        lookup_expr="in",
        queryset=Topic.objects.all(),
        noun="topic",
        help_text="A topic slug the statement concerns. Repeat for several (OR).",
    )
    identifier = IdentifierFilter(
        field_name="uuid",
        lookup_expr="exact",
        item_field=IdentifierField(),
        help_text="scheme:value of the statement: uuid:… (the tracker's own) or another system's (gdelt:1234567). "
        "Repeat for several (OR); one no statement has matches nothing.",
    )
    channel = RepeatedChoiceFilter(
        field_name="channel", lookup_expr="exact", choices=Channel.choices, help_text="How it was said. Repeat (OR)."
    )
    language = RepeatedFilter(
        field_name="language",
        lookup_expr="iexact",
        help_text="BCP 47 tag of the text (en, ja, zh-Hans), ignoring case. Repeat (OR).",
    )
    status = RepeatedChoiceFilter(
        field_name="status",
        lookup_expr="exact",
        choices=Status.choices,
        help_text="Curation status. Clients that may not curate only ever see published statements. Repeat (OR).",
    )
    date_after = RepeatedDateFilter(
        field_name="date", lookup_expr="gte", help_text="Statements on or after this ISO date (YYYY-MM-DD)."
    )
    date_before = RepeatedDateFilter(
        field_name="date", lookup_expr="lte", help_text="Statements on or before this ISO date (YYYY-MM-DD)."
    )
    updated_after = RepeatedDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Statements changed at or after this ISO 8601 date and time (no zone: UTC), for incremental "
        "sync: pass the largest `updated_at` already seen; that statement is sent again.",
    )
    q = TextSearchFilter(
        field_name="text",
        lookup_expr="icontains",
        help_text="Words of the text or summary. On PostgreSQL: full-text search with web-search syntax "
        '(`"grave concern" -russia`, `or`), English word forms matched (concerns, concerned: concern), ranked best '
        "first unless `ordering` is given; a query in a script written without spaces (Japanese, Chinese, Korean, "
        "Thai) matches each space-separated part as a substring. Elsewhere (SQLite): each part as a substring, "
        "ignoring case. Repeat for alternatives (OR).",
    )
    ordering = django_filters.OrderingFilter(
        fields=["date", "updated_at"],
        error_messages={"invalid_choice": "'%(value)s' is not one of: date, -date, updated_at, -updated_at."},
        help_text="Order of the results: date, -date (the default: newest first; with `q` on PostgreSQL, best "
        "match first), updated_at or -updated_at. "
        "Ties are broken by id.",
    )

    class Meta:
        model = Statement
        fields = []

    def tag_conditions(self):
        """The conditions of the tag-level filters (stance, polarity, target, intensity): all on the same tag."""
        return [
            self.filters[name].tag_condition(value)
            for name, value in self.form.cleaned_data.items()
            if isinstance(self.filters[name], StanceTagFilter) and value not in EMPTY_VALUES
        ]

    def filter_queryset(self, queryset):
        for name, value in self.form.cleaned_data.items():
            statement_filter = self.filters[name]
            if not isinstance(statement_filter, StanceTagFilter):
                queryset = statement_filter.filter(queryset, value)
        tag_conditions = self.tag_conditions()
        if tag_conditions:
            same_tag = StanceTag.objects.filter(*tag_conditions, statement=OuterRef("pk"))
            queryset = queryset.filter(Exists(same_tag))
        texts = self.form.cleaned_data.get("q")
        if texts and not self.form.cleaned_data.get("ordering"):
            # The best matches first; the newest first among equals.
            rank = search.rank(texts, on_postgresql=connections[queryset.db].vendor == "postgresql")
            if rank is not None:
                queryset = queryset.annotate(search_rank=rank).order_by("-search_rank", "-date", "-id")
        return queryset


class TopicSearchFilter(RepeatedFilter):
    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        matches = functools.reduce(operator.or_, (Topic.objects.search(text) for text in value))
        return qs.filter(pk__in=matches.values("pk"))


class TopicFilter(FilterSet):
    q = TopicSearchFilter(
        field_name="name",
        lookup_expr="icontains",
        help_text="Text that the topic's name or an alias contains, any script, ignoring case. Repeat (OR).",
    )

    class Meta:
        model = Topic
        fields = []


class StanceCategoryFilter(FilterSet):
    taxonomy = SlugsFilter(
        field_name="taxonomy",
        lookup_expr="in",
        queryset=Taxonomy.objects.all(),
        noun="taxonomy",
        help_text="Slug of a taxonomy to list instead of the default one (dst-v1). Repeat for several (OR).",
    )
    parent = CodesFilter(
        field_name="parent__code",
        lookup_expr="in",
        queryset=StanceCategory.objects.all(),
        slug_field="code",
        noun="stance category",
        help_text="Code of a family: only the categories directly beneath it. Repeat for several (OR).",
    )

    class Meta:
        model = StanceCategory
        fields = []

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("taxonomy"):
            queryset = queryset.default_taxonomy()
        return super().filter_queryset(queryset)
