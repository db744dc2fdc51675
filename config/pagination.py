"""One way to page every list: opaque cursors, stable while rows are added, cheap at any depth."""

import datetime
import functools
import json
import operator

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import _reverse_ordering


def in_utc(value):
    """A datetime as the database compares it; one with no UTC value (year 1 at +14:00) raises OverflowError."""
    if not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value.astimezone(datetime.UTC)


def position_text(value):
    """A cursor's text for an ordering value, as Django's `value_to_string` writes a date, a datetime or a number."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


class CursorPagination(pagination.CursorPagination):
    """Cursor paging that follows the ordering the filters chose, with `id` breaking ties.

    A cursor pages in the order of the queryset it is given (the view's default ordering, or the
    `ordering` filter's choice), so there is one place that decides order: the filterset.

    DRF's cursor keeps only the first ordering field and skips rows that share its value with an
    offset, which it caps at 1000: past a thousand statements on one date, pages repeat forever.
    Here the cursor holds every ordering field, id included, so each position is unique and the
    next page is a plain keyset condition, `(date, id) < (d, i)`, at any depth and with any ties.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Rows per page: 50 unless given, at most 500 (a larger number is capped)."
    cursor_query_description = "Opaque cursor from a `next` or `previous` link."
    invalid_page_size_message = "Give a whole number of rows per page, at least 1 (at most 500 are served)."

    def get_page_size(self, request):
        size = request.query_params.get(self.page_size_query_param, "")
        if size == "":
            return self.page_size
        if not (size.isascii() and size.isdigit()) or int(size) < 1:
            raise ValidationError({self.page_size_query_param: [self.invalid_page_size_message]})
        return min(int(size), self.max_page_size)

    def get_ordering(self, request, queryset, view):
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["-id"])
        if not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            descending = ordering[0].startswith("-")
            ordering.append("-id" if descending else "id")
        return tuple(ordering)

    def ordering_fields(self, queryset, ordering):
        """(name, field) of each name in `ordering`: local model fields or annotations, never null, not relations.

        A cursor stores their values, so each must have one per row and a text form to store it in.
        """
        fields = []
        for name in ordering:
            name = name.lstrip("-")
            if name in queryset.query.annotations:
                field = queryset.query.annotations[name].output_field
            else:
                field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
                if field.is_relation or field.null:
                    raise ImproperlyConfigured(f"Cursor paging cannot order {queryset.model.__name__} by {name!r}.")
                name = field.name
            fields.append((name, field))
        return fields

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's method, but with a keyset condition on every ordering field instead of the first one.
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.fields = self.ordering_fields(queryset, self.ordering)

        self.cursor = self.decode_cursor(request)
        if self.cursor is None:
            (offset, reverse, current_position) = (0, False, None)
        else:
            (offset, reverse, current_position) = self.cursor

        queryset = queryset.order_by(*(_reverse_ordering(self.ordering) if reverse else self.ordering))
        if current_position is not None:
            queryset = queryset.filter(self.after(self.position_values, reverse))

        # One more row than the page tells whether a following page exists.
        results = list(queryset[offset : offset + self.page_size + 1])
        self.page = list(results[: self.page_size])

        if len(results) > len(self.page):
            has_following_position = True
            following_position = self._get_position_from_instance(results[-1], self.ordering)
        else:
            has_following_position = False
            following_position = None

        if reverse:
            # The query ran in reverse order: put the page back in the order the client asked for.
            self.page = list(reversed(self.page))
            self.has_next = (current_position is not None) or (offset > 0)
            self.has_previous = has_following_position
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following_position
        else:
            self.has_next = has_following_position
            self.has_previous = (current_position is not None) or (offset > 0)
            if self.has_next:
                self.next_position = following_position
            if self.has_previous:
                self.previous_position = current_position

        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def after(self, values, reverse):
        """Rows strictly beyond the position `values`, in the ordering's direction (or against it)."""
        alternatives, equal_so_far = [], Q()
        for ordering_name, (name, _), value in zip(self.ordering, self.fields, values, strict=True):
            descending = ordering_name.startswith("-") != reverse
            alternatives.append(equal_so_far & Q(**{f"{name}__{'lt' if descending else 'gt'}": value}))
            equal_so_far &= Q(**{name: value})
        # The first field's bound again, not strict: with it an index on that field starts reading at
        # the position, instead of reading every earlier page and filtering it away (page 200 cost 1.3 x page 1).
        (first_name, _), first_value = self.fields[0], values[0]
        descending = self.ordering[0].startswith("-") != reverse
        bound = Q(**{f"{first_name}__{'lte' if descending else 'gte'}": first_value})
        return bound & functools.reduce(operator.or_, alternatives)

    def _get_position_from_instance(self, instance, ordering):
        # A row is a model instance or, from a values() queryset, a dict.
        values = [instance[name] if isinstance(instance, dict) else getattr(instance, name) for name, _ in self.fields]
        return json.dumps([position_text(value) for value in values], separators=(",", ":"))

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                values = json.loads(cursor.position)
                if not isinstance(values, list) or len(values) != len(self.fields):
                    raise ValueError("The cursor does not match the ordering.")
                # PostgreSQL refuses NUL in text, and no ordering field holds None: neither is a position.
                if not all(isinstance(value, str) and "\x00" not in value for value in values):
                    raise ValueError("A cursor position is made of strings.")
                # clean() also runs the range validators: an id too large for the column is refused here.
                pairs = zip(self.fields, values, strict=True)
                self.position_values = [in_utc(field.clean(value, None)) for (_, field), value in pairs]
        except Exception as error:
            # DRF answers a malformed cursor with 404; a bad parameter is a 400 naming it.
            raise ValidationError(
                {self.cursor_query_param: ["Malformed cursor: use a `next` or `previous` link as given."]}
            ) from error
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters
