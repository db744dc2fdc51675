"""Query filters for actors, and the actor parameters statements share (slug or numeric id, repeatable)."""

import difflib
import functools
import operator

from django import forms
from django.db.models import Q

from django_filters.constants import EMPTY_VALUES

from actors.models import Actor, ActorFormerSlug, ActorIdentifier, ActorKind
from config.filters import MAX_ID, FilterSet, RepeatedChoiceFilter, RepeatedField, RepeatedFilter, quoted


def actors_named(values):
    """{value: actor} for the values that name an actor by slug or by numeric id, in one query."""
    ids = {int(value) for value in values if value.isascii() and value.isdigit() and int(value) <= MAX_ID}
    found = list(Actor.objects.filter(Q(slug__in=values) | Q(pk__in=ids)).only("pk", "slug", "kind"))
    by_slug = {actor.slug: actor for actor in found}
    by_id = {actor.pk: actor for actor in found}
    named = {}
    for value in values:
        # A slug wins over an id: a slug made of digits still names its own actor.
        actor = by_slug.get(value) or (by_id.get(int(value)) if value.isascii() and value.isdigit() else None)
        if actor is not None:
            named[value] = actor
    unnamed = [value for value in values if value not in named]
    if unnamed:
        # Only when a value is not a slug or an id (one query more): an identifier, scheme:value
        # (iso3166_alpha3:JPN, wikidata:Q17), or the slug of an actor merged into another.
        pairs = [value.partition(":")[::2] for value in unnamed if ":" in value]
        by_pair = Q()
        for scheme, identifier in pairs:
            by_pair |= Q(scheme=scheme, value=identifier)
        if pairs:
            for row in ActorIdentifier.objects.filter(by_pair).select_related("actor"):
                named[f"{row.scheme}:{row.value}"] = row.actor
        former = ActorFormerSlug.objects.filter(slug__in=unnamed).select_related("actor")
        named.update({row.slug: row.actor for row in former})
    return named


def closest_actors(value, limit=3):
    """Slugs a mistyped actor value may have meant: actors whose names hold it, then slugs that look alike."""
    words = [word for word in value.replace("-", " ").replace("_", " ").split() if len(word) > 1]
    named = Actor.objects.none()
    for word in words[:3]:
        named |= Actor.objects.search(word)
    found = list(named.order_by("name").values_list("slug", flat=True)[:limit])
    if len(found) < limit:
        slugs = list(Actor.objects.values_list("slug", flat=True)[:20_000])
        found += [slug for slug in difflib.get_close_matches(value, slugs, n=limit) if slug not in found]
    return found[:limit]


def did_you_mean(values, closest):
    """' Did you mean shinjiro-koizumi?' for the first value something close is found for, else ''."""
    for value in values[:3]:
        suggestions = closest(value)
        if suggestions:
            return " Did you mean " + " or ".join(suggestions) + "?"
    return ""


class ActorsField(RepeatedField):
    """Actors named by slug or numeric id, looked up in one query; unknown ones are a validation error.

    `kinds` restricts which kinds are accepted (only states for a `country` parameter), and
    `excluded_kinds` which are refused (no persons for `affiliation`).
    """

    def __init__(self, *, kinds=None, excluded_kinds=None, **kwargs):
        self.kinds = set(kinds or ())
        self.excluded_kinds = set(excluded_kinds or ())
        super().__init__(**kwargs)

    def resolve(self, values):
        named = actors_named(values)
        actors, unknown, wrong_kind = [], [], []
        for value in values:
            actor = named.get(value)
            if actor is None:
                unknown.append(value)
            elif (self.kinds and actor.kind not in self.kinds) or actor.kind in self.excluded_kinds:
                wrong_kind.append(f"'{value}' is of kind {actor.kind}")
            elif actor not in actors:
                actors.append(actor)
        errors = []
        if unknown:
            message = "Unknown actor: %(values)s (give a slug, a numeric id or an identifier, scheme:value).%(hint)s"
            params = {"values": quoted(unknown), "hint": did_you_mean(unknown, closest_actors)}
            errors.append(forms.ValidationError(message, code="unknown", params=params))
        if wrong_kind:
            message = "%(actors)s: %(rule)s."
            params = {"actors": "; ".join(wrong_kind), "rule": self.kind_rule()}
            errors.append(forms.ValidationError(message, code="wrong_kind", params=params))
        if errors:
            raise forms.ValidationError(errors)
        return actors

    def kind_rule(self):
        if self.kinds:
            return "expected kind " + " or ".join(sorted(self.kinds))
        return "kind " + ", ".join(sorted(self.excluded_kinds)) + " is not accepted here"


class ActorsFilter(RepeatedFilter):
    """An actor parameter: slug or numeric id, repeatable; the row matches any of the actors."""

    field_class = ActorsField

    def __init__(self, *args, kinds=None, excluded_kinds=None, **kwargs):
        super().__init__(*args, kinds=kinds, excluded_kinds=excluded_kinds, **kwargs)

    def condition(self, actors):
        return Q(**{f"{self.field_name}__{self.lookup_expr}": actors})


class CountryFilter(ActorsFilter):
    """Actors that are one of the states' bodies (the state, its organizations beneath it) or have it as country."""

    def condition(self, states):
        body_ids = Actor.objects.organization_ids(*states)
        return Q(pk__in=body_ids) | Q(**{f"{self.field_name}__{self.lookup_expr}": states})


class ActorSearchFilter(RepeatedFilter):
    """Any name or alias of the actor contains the text, in any script, ignoring case."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        if len(value) == 1:
            return qs.search(value[0])
        matches = functools.reduce(operator.or_, (Actor.objects.search(text) for text in value))
        return qs.filter(pk__in=matches.values("pk"))


class ActorFilter(FilterSet):
    kind = RepeatedChoiceFilter(
        field_name="kind",
        lookup_expr="exact",
        choices=ActorKind.choices,
        help_text="Kind of actor. Repeat for several kinds (OR).",
    )
    country = CountryFilter(
        field_name="country",
        lookup_expr="in",
        kinds=[ActorKind.STATE],
        help_text="A state (slug or id): the state itself, the bodies that belong to it (its government, "
        "ministries, military) and actors recorded with that country. Repeat for several states (OR).",
    )
    q = ActorSearchFilter(
        field_name="name",
        lookup_expr="icontains",
        help_text="Text that any name or alias of the actor contains, in any script and language, "
        "ignoring case (koizumi, 小泉). Repeat for alternatives (OR).",
    )

    class Meta:
        model = Actor
        fields = []
