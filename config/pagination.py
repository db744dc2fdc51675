"""One way to page every list: opaque cursors, stable while rows are added, cheap at any depth."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    """Cursor paging that follows the ordering the filters chose, with `id` breaking ties.

    A cursor pages in the order of the queryset it is given (the view's default ordering, or the
    `ordering` filter's choice), so there is one place that decides order: the filterset.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Rows per page: 50 unless given, at most 500 (a larger number is capped)."
    cursor_query_description = "Opaque cursor from a `next` or `previous` link."

    def get_ordering(self, request, queryset, view):
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["-id"])
        if not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            descending = ordering[0].startswith("-")
            ordering.append("-id" if descending else "id")
        return tuple(ordering)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except Exception as error:
            # DRF answers a malformed cursor with 404; a bad parameter is a 400 naming it.
            raise ValidationError(
                {self.cursor_query_param: ["Malformed cursor: use a `next` or `previous` link as given."]}
            ) from error
