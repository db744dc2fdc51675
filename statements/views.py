"""Read API for statements (by id), topics (by slug) and stance categories (by code)."""

import datetime

from django.http import StreamingHttpResponse
from django.utils.http import http_date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.schema import BAD_REQUEST, LOOKUP_VALUE_REGEX, NOT_FOUND
from statements import changes, exchange, stats
from statements.documents import STATEMENT_COLUMNS, statement_documents
from statements.filters import StanceCategoryFilter, StatementFilter, TopicFilter
from statements.models import StanceCategory, Statement, Topic
from statements.serializers import StanceCategorySerializer, StatementSerializer, TopicSerializer


def describe_columns(columns):
    return "\n".join(f"- `{column.name}`: {column.description}" for column in columns)


EXPORT_DESCRIPTION = f"""Every statement the filters match (the same filters as the list; anonymous clients get
published statements only), streamed as one file: a header row and UTF-8 for CSV, one JSON object a line for
NDJSON. No paging: the file holds them all. In CSV a list is its items joined by ` | `, and `sources` and
`stance_tags` are JSON arrays; in NDJSON the same keys hold arrays and objects. `python manage.py import_statements`
reads both back.

Columns of `shape=statements`:
{describe_columns(exchange.COLUMNS["statements"])}

`shape=tags` has the same statement columns but `stance_tags`, then one tag's:
{describe_columns(exchange.TAG_COLUMNS)}
"""


class JSONErrorsNegotiation(DefaultContentNegotiation):
    """The export's own `format` parameter names the file's format: errors are always JSON.

    DRF reads `?format=` to choose a renderer, and would answer `format=csv` with a 404 for want of one.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


def last_modified(response, rows):
    """`Last-Modified`: the latest `updated_at` of the statements served (with the ETag the middleware sets, a
    client asks again with If-None-Match and gets 304 when nothing changed)."""
    if rows:
        response["Last-Modified"] = http_date(max(row["updated_at"] for row in rows).timestamp())
    return response


@extend_schema_view(
    list=extend_schema(responses={200: StatementSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: StatementSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
)
class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Statements with speakers, recipients, sources, topics and stance tags, newest first.

    Anonymous clients and clients without the `statements.view_statement` permission see
    published statements only; any other statement answers 404.
    """

    queryset = Statement.objects.all()
    # Query parameters beyond the filters and the paginator's (the export adds its `shape`).
    extra_query_parameters = ()
    # Documents the shape; the rows are assembled by statement_documents, which a test holds to it.
    serializer_class = StatementSerializer
    filterset_class = StatementFilter

    def get_queryset(self):
        return Statement.objects.visible_to(self.request.user)

    def sees_usernames(self):
        """Curators see who tagged what by login name; everyone else an opaque handle per curator."""
        return self.request.user.has_perm("statements.view_statement")

    def rows(self, queryset):
        # Annotations the filters made (a search rank) come along: the cursor may order by them.
        return queryset.values(*STATEMENT_COLUMNS, *queryset.query.annotations)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.rows(self.filter_queryset(self.get_queryset())))
        documents = statement_documents(page, usernames=self.sees_usernames())
        return last_modified(self.get_paginated_response(documents), page)

    def get_object(self):
        row = generics.get_object_or_404(self.rows(self.filter_queryset(self.get_queryset())), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, row)
        return row

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        return last_modified(Response(statement_documents([row], usernames=self.sees_usernames())[0]), [row])

    @extend_schema(
        summary="Every matching statement as one CSV or NDJSON file",
        description=EXPORT_DESCRIPTION,
        filters=True,
        parameters=[
            OpenApiParameter("format", str, enum=[*exchange.FORMATS], default="csv", description="File format."),
            OpenApiParameter(
                "shape",
                str,
                enum=[*exchange.SHAPES],
                default="statements",
                description="One row per statement, or one per stance tag with its statement's columns.",
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV with a header row, UTF-8."),
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR, description="One JSON object a line."),
            400: BAD_REQUEST,
        },
    )
    @action(
        detail=False,
        url_path="export",
        content_negotiation_class=JSONErrorsNegotiation,
        pagination_class=None,
        extra_query_parameters=("shape",),
    )
    def export(self, request, *args, **kwargs):
        format = self.choice("format", exchange.FORMATS, "csv")
        shape = self.choice("shape", exchange.SHAPES, "statements")
        queryset = self.filter_queryset(self.get_queryset())
        name = exchange.file_name(format, shape, request.query_params, datetime.date.today())
        response = StreamingHttpResponse(
            exchange.export(queryset, format, shape, usernames=self.sees_usernames()),
            content_type=exchange.FORMATS[format],
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="Where to go on from: the `next` of the previous page."),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Changes per page (default {changes.DEFAULT_PAGE_SIZE}, at most {changes.MAX_PAGE_SIZE}).",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST},
    )
    @action(detail=False, url_path="changes", pagination_class=None, filter_backends=[])
    def changes(self, request, *args, **kwargs):
        """The sync feed: every change to the statements this client may see, in commit order.

        Each entry is an `upsert` (with the statement as it is now) or a `tombstone` (it left what this
        client may see: retracted, deleted, back to draft). Apply them in order; keep `next` and ask from
        it later: an empty page means nothing new yet (`next` is then the cursor you sent).
        """
        accepted = {"cursor", "page_size", "format"}
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            raise ValidationError(
                {name: [f"Unknown parameter. Accepted: {', '.join(sorted(accepted))}."] for name in unknown}
            )
        given = request.query_params.get("cursor")
        cursor = changes.decode_cursor(given) if given else None
        size = request.query_params.get("page_size", str(changes.DEFAULT_PAGE_SIZE))
        if not size.isdigit() or not 1 <= int(size) <= changes.MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [f"A whole number from 1 to {changes.MAX_PAGE_SIZE}."]})
        entries, following = changes.changes_page(
            self.get_queryset(),
            sees_everything=self.sees_usernames(),
            cursor=cursor,
            page_size=int(size),
            usernames=self.sees_usernames(),
        )
        following = following or given
        next_url = None
        if following:
            next_url = request.build_absolute_uri(f"{request.path}?cursor={following}&page_size={size}")
        return Response({"results": entries, "next": next_url, "caught_up": len(entries) < int(size)})

    def choice(self, name, choices, default):
        value = self.request.query_params.get(name, default)
        if value not in choices:
            raise ValidationError({name: [f"'{value}' is not one of: {', '.join(choices)}."]})
        return value


@extend_schema_view(
    list=extend_schema(responses={200: TopicSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: TopicSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
)
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    """What statements are about: issues, places and reported events, with their other names."""

    queryset = Topic.objects.prefetch_related("aliases")
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_VALUE_REGEX


@extend_schema_view(
    list=extend_schema(responses={200: StanceCategorySerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: StanceCategorySerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
)
class StanceCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The stance taxonomy tree (the default taxonomy unless `taxonomy` is given), by code."""

    # Paged by code; within one taxonomy a code is unique, and the id breaks ties across taxonomies.
    queryset = StanceCategory.objects.select_related("parent", "taxonomy").order_by("code", "id")
    serializer_class = StanceCategorySerializer
    filterset_class = StanceCategoryFilter
    lookup_field = "code"
    lookup_value_regex = LOOKUP_VALUE_REGEX


class StatsView(generics.GenericAPIView):
    """Counts under every statement filter of the list (published statements only for anonymous clients)."""

    filterset_class = StatementFilter
    pagination_class = None

    def get_queryset(self):
        return Statement.objects.visible_to(self.request.user)

    def statements(self):
        """The matching statements (unknown parameters refused), and the filterset that chose them."""
        statements = self.filter_queryset(self.get_queryset())
        filterset = StatementFilter(self.request.query_params, queryset=self.get_queryset(), request=self.request)
        filterset.is_valid()
        return statements, filterset


@extend_schema(
    parameters=[
        OpenApiParameter(
            "group_by",
            str,
            description="One or two of: " + ", ".join(stats.GROUPS) + " (comma-separated: month,family). "
            "Time groupings are zero-filled over date_after…date_before, or the range found. Without it, only "
            "the total.",
        ),
        OpenApiParameter("count", str, enum=list(stats.COUNTED), description="What is counted (default tags)."),
    ],
    responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST},
)
class StanceStatsView(StatsView):
    """Stance tags (or statements) counted by time, act, speaker, country, target or polarity.

    Every statement filter applies first; the tag-level ones (stance, polarity, target, intensity_min,
    intensity_max) also choose the tags counted. `total` counts them all, whatever the grouping.
    """

    extra_query_parameters = ("group_by", "count")

    def get(self, request, *args, **kwargs):
        group_by = [name.strip() for name in request.query_params.get("group_by", "").split(",") if name.strip()]
        unknown = [name for name in group_by if name not in stats.GROUPS]
        if unknown or len(group_by) > 2 or len(set(group_by)) != len(group_by):
            accepted = ", ".join(stats.GROUPS)
            raise ValidationError({"group_by": [f"One or two different groupings of: {accepted}."]})
        counted = request.query_params.get("count", "tags")
        if counted not in stats.COUNTED:
            raise ValidationError({"count": [f"'{counted}' is not one of: {', '.join(stats.COUNTED)}."]})
        statements, filterset = self.statements()
        data = filterset.form.cleaned_data
        date_range = (min(data["date_after"]) if data.get("date_after") else None, None)
        date_range = (date_range[0], max(data["date_before"]) if data.get("date_before") else None)
        results, total = stats.stance_counts(statements, filterset.tag_conditions(), group_by, counted, date_range)
        return Response({"group_by": group_by, "count": counted, "total": total, "results": results})


@extend_schema(responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST})
class DyadStatsView(StatsView):
    """Who addressed whom: per speaker and recipient, the statements, their tags, and the share of conflictual
    (quad class 3–4) and cooperative (1–2) tags; every statement filter applies first."""

    def get(self, request, *args, **kwargs):
        statements, _ = self.statements()
        return Response({"results": stats.dyads(statements)})
