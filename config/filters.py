"""Filter building blocks every API filterset shares.

Every parameter may repeat, and repeated values mean OR (`?kind=state&kind=military`). A value
that cannot be understood (an unknown slug, a choice that does not exist, a date that is not a
date) fails form validation, which django-filter's DRF backend answers with a 400 whose body
names the parameter and the reason. A parameter is bounded: at most MAX_VALUES values (blank ones counted too)
of at most MAX_VALUE_LENGTH characters each, so no request can ask the database for a thousand searches.
"""

import copy
import datetime
import difflib
import functools
import operator

from django import forms
from django.db.models import Q
from django.http import QueryDict

import django_filters
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

# Ids are 64-bit; a longer run of digits can only be a slug (and must not reach the database as an int).
MAX_ID = 2**63 - 1
MAX_VALUES = 50
MAX_VALUE_LENGTH = 200
# Free text may hold anything but a NUL character.
NO_NUL_PATTERN = "^[^\\x00]*$"


def quoted(values):
    # Messages take user input only through `params`: django-filter %-formats every message.
    return ", ".join(f"'{value}'" for value in values)


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
        self.item_field = item_field or forms.CharField(required=False)
        super().__init__(**kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        # Counted as sent, blank values too: the OpenAPI document bounds the parameter (maxItems), not what is left.
        if len(values) > MAX_VALUES:
            message = "At most %(limit)s values are accepted for one parameter (%(count)s were given)."
            raise forms.ValidationError(message, code="too_many", params={"limit": MAX_VALUES, "count": len(values)})
        return [item for item in values if item not in EMPTY_VALUES]

    def validate(self, values):
        super().validate(values)
        too_long = [item for item in values if isinstance(item, str) and len(item) > MAX_VALUE_LENGTH]
        if too_long:
            message = "A value is at most %(limit)s characters long (one given has %(length)s)."
            params = {"limit": MAX_VALUE_LENGTH, "length": max(len(item) for item in too_long)}
            raise forms.ValidationError(message, code="too_long", params=params)

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
                # A value of only spaces says nothing: it is left out, as an absent one is.
                if item not in EMPTY_VALUES and item not in cleaned:
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
        items = {**(item_schema or self.item_schema), "maxLength": MAX_VALUE_LENGTH}
        if "enum" not in items and "format" not in items:
            # config.middleware.RejectNulCharactersMiddleware refuses a NUL in any value (PostgreSQL cannot take one).
            items["pattern"] = NO_NUL_PATTERN
        schema = {"type": "array", "items": items, "maxItems": MAX_VALUES}
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


class SlugsField(RepeatedField):
    """Rows of `queryset` named by `slug_field`, looked up in one query; unknown names are an error."""

    def __init__(self, *, queryset, slug_field="slug", noun="value", **kwargs):
        self.queryset = queryset
        self.slug_field = slug_field
        self.noun = noun
        super().__init__(**kwargs)

    def resolve(self, values):
        rows = self.queryset.filter(**{f"{self.slug_field}__in": values})
        found = {getattr(row, self.slug_field): row for row in rows}
        self.check_known(values, found)
        return [found[value] for value in values]

    def check_known(self, values, found):
        unknown = [value for value in values if value not in found]
        if unknown:
            message = "Unknown %(noun)s: %(values)s.%(hint)s"
            params = {"noun": self.noun, "values": quoted(unknown), "hint": self.suggestion(unknown)}
            raise forms.ValidationError(message, code="unknown", params=params)

    def suggestion(self, unknown):
        """' Did you mean K1?' from the names in `queryset` that look most alike (only when there is an error)."""
        names = list(self.queryset.order_by().values_list(self.slug_field, flat=True)[:20_000])
        by_fold = {}
        for name in names:
            by_fold.setdefault(name.casefold(), name)
        for value in unknown[:3]:
            # Short codes (K9) differ in one character from what was meant (K1): a lower bar for them.
            cutoff = 0.5 if len(value) <= 3 else 0.6
            close = difflib.get_close_matches(value.casefold(), list(by_fold), n=3, cutoff=cutoff)
            if close:
                return " Did you mean " + " or ".join(by_fold[name] for name in close) + "?"
        return ""


class CodesField(SlugsField):
    """Names checked to exist somewhere in `queryset`, kept as names (a code may recur across taxonomies)."""

    def resolve(self, values):
        super().resolve(values)
        return values


class SlugsFilter(RepeatedFilter):
    field_class = SlugsField

    def __init__(self, *args, queryset, slug_field="slug", noun="value", **kwargs):
        super().__init__(*args, queryset=queryset, slug_field=slug_field, noun=noun, **kwargs)

    def condition(self, rows):
        return Q(**{f"{self.field_name}__{self.lookup_expr}": rows})


class CodesFilter(SlugsFilter):
    field_class = CodesField


class ParametersForm(forms.Form):
    """A filterset's form, as the browsable API shows it: each field labelled by its query parameter, exactly
    as a client types it (no derived name, no colon), its help text beneath a full-width input."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, set up per request without deep copies.

    django-filter deep-copies every filter (with the querysets they hold) and builds a new form
    class for every request: over a millisecond on the statement list, more than its first page
    costs the database. The filters here keep no state between requests, so each request gets
    shallow copies, and the form class is built once per filterset (Django deep-copies the form's
    fields for each form anyway).

    The form is a ParametersForm: the browsable API's "Filters" labels every field by its parameter
    (`speaker`, `date_after`), where django-filter would derive one from the model ("Speakers is in").
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django_filters.filterset.BaseFilterSet.__init__, with copy.copy for copy.deepcopy.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in self.filters.items()}
            for name, field in fields.items():
                field.label = name
                # Bootstrap's (the browsable API's) full-width input, so that the help text falls beneath it.
                field.widget.attrs.setdefault("class", "form-control")
            cls._form_class = type(f"{cls.__name__}Form", (ParametersForm, self._meta.form), fields)
        return cls._form_class


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend that answers an unknown query parameter with a 400 naming it and listing the
    accepted ones: a guessed name (`intensity`, `page`, `search`) must not silently return everything.

    Accepted: the filterset's filters, the paginator's parameters, DRF's `format`, and what the view adds in
    `extra_query_parameters`.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            accepted = {*filterset_class.base_filters, *accepted_by(view), "format"}
            unknown = sorted(set(request.query_params) - accepted)
            if unknown:
                listed = ", ".join(sorted(accepted))
                raise ValidationError({name: [f"Unknown parameter. Accepted: {listed}."] for name in unknown})
        return super().filter_queryset(request, queryset, view)


def accepted_by(view):
    """The query parameters a view takes beyond its filters: its paginator's, and its own."""
    names = set(getattr(view, "extra_query_parameters", ()))
    paginator = getattr(view, "paginator", None)
    for attribute in ("cursor_query_param", "page_size_query_param", "page_query_param", "limit_query_param"):
        name = getattr(paginator, attribute, None)
        if name:
            names.add(name)
    return names
