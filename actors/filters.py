"""Query filters for actors, and the building blocks every API filter shares.

Every parameter may repeat, and repeated values mean OR (`?kind=state&kind=military`). A value
that cannot be understood (an unknown actor, a choice that does not exist, a date that is not a
date) fails form validation, which django-filter's DRF backend answers with a 400 whose body
names the parameter and the reason.
"""

import datetime
import functools
import operator

from django import forms
from django.db.models import Q

import django_filters
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from actors.models import Actor, ActorKind

# Ids are 64-bit; a longer run of digits can only be a slug (and must not reach the database as an int).
MAX_ID = 2**63 - 1


def quoted(values):
    # Messages take user input only through `params`: django-filter %-formats every message.
    return ", ".join(f"'{value}'" for value in values)


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
    return named


class RepeatableInput(forms.TextInput):
    """A text input that reads every occurrence of its parameter, not only the last one."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        return [data[name]] if name in data else []

    def format_value(self, value):
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        return super().format_value(value)


class RepeatedField(forms.Field):
    """All values of a repeatable parameter, each cleaned by `item_field`; blank values are ignored.

    Subclasses turn the cleaned values into what the filter needs in `resolve` (rows looked up in
    one query, for instance), and raise `forms.ValidationError` for values that name nothing.
    """

    widget = RepeatableInput

    def __init__(self, *, item_field=None, **kwargs):
        self.item_field = item_field or forms.CharField()
        super().__init__(**kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        return [item for item in values if item not in EMPTY_VALUES]

    def clean(self, value):
        values = self.to_python(value)
        self.validate(values)
        cleaned, errors = [], []
        for item in values:
            try:
                item = self.item_field.clean(item)
            except forms.ValidationError as error:
                errors.extend(error.error_list)
            else:
                if item not in cleaned:
                    cleaned.append(item)
        if errors:
            raise forms.ValidationError(errors)
        return self.resolve(cleaned) if cleaned else []

    def resolve(self, values):
        return values


class RepeatedFilter(django_filters.Filter):
    """A filter whose parameter may repeat: a row matches when it matches any of the values.

    The OpenAPI schema documents it as an array of `item_schema` sent as a repeated parameter
    (style form, explode true), with the filter's `help_text` as its description.
    """

    field_class = RepeatedField
    item_schema = {"type": "string"}

    def __init__(self, *args, item_schema=None, **kwargs):
        super().__init__(*args, **kwargs)
        schema = {"type": "array", "items": item_schema or self.item_schema}
        if self.extra.get("help_text"):
            schema["description"] = str(self.extra["help_text"])
        extend_schema_field(schema)(self)

    def condition(self, values):
        """The Q a row must satisfy for `values` (any of them)."""
        lookup = f"{self.field_name}__{self.lookup_expr}"
        return functools.reduce(operator.or_, (Q(**{lookup: value}) for value in values))

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return self.get_method(qs)(self.condition(value))


class RepeatedChoiceFilter(RepeatedFilter):
    def __init__(self, *args, choices, **kwargs):
        names = [str(value) for value, _ in choices]
        item_field = forms.ChoiceField(
            choices=choices,
            error_messages={"invalid_choice": f"'%(value)s' is not one of: {', '.join(names)}."},
        )
        super().__init__(*args, item_field=item_field, item_schema={"type": "string", "enum": names}, **kwargs)


class IsoDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            message = "'%(value)s' is not an ISO date (YYYY-MM-DD)."
            raise forms.ValidationError(message, code="invalid", params={"value": value}) from None


class IsoDateTimeValueField(IsoDateTimeField):
    def to_python(self, value):
        try:
            moment = super().to_python(value)
            # In UTC, as the database compares it: 0001-01-01T00:00+14:00 has no UTC value (a 500 on SQLite).
            return moment.astimezone(datetime.UTC) if moment is not None else None
        except (forms.ValidationError, OverflowError):
            message = "'%(value)s' is not an ISO 8601 date and time (2025-12-10T09:30:00Z)."
            raise forms.ValidationError(message, code="invalid", params={"value": value}) from None


class RepeatedDateFilter(RepeatedFilter):
    def __init__(self, *args, **kwargs):
        item_schema = {"type": "string", "format": "date"}
        super().__init__(*args, item_field=IsoDateField(), item_schema=item_schema, **kwargs)


class RepeatedDateTimeFilter(RepeatedFilter):
    def __init__(self, *args, **kwargs):
        item_schema = {"type": "string", "format": "date-time"}
        super().__init__(*args, item_field=IsoDateTimeValueField(), item_schema=item_schema, **kwargs)


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
            message = "Unknown actor: %(values)s (give a slug or a numeric id)."
            errors.append(forms.ValidationError(message, code="unknown", params={"values": quoted(unknown)}))
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


class ActorFilter(django_filters.FilterSet):
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
