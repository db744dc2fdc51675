"""Read API for statements (by id), topics (by slug) and stance categories (by code)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.response import Response

from config.schema import BAD_REQUEST, LOOKUP_VALUE_REGEX, NOT_FOUND
from statements.documents import STATEMENT_COLUMNS, statement_documents
from statements.filters import StanceCategoryFilter, StatementFilter, TopicFilter
from statements.models import StanceCategory, Statement, Topic
from statements.serializers import StanceCategorySerializer, StatementSerializer, TopicSerializer


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
    # Documents the shape; the rows are assembled by statement_documents, which a test holds to it.
    serializer_class = StatementSerializer
    filterset_class = StatementFilter

    def get_queryset(self):
        return Statement.objects.visible_to(self.request.user)

    def rows(self, queryset):
        # Annotations the filters made (a search rank) come along: the cursor may order by them.
        return queryset.values(*STATEMENT_COLUMNS, *queryset.query.annotations)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(statement_documents(page))

    def get_object(self):
        row = generics.get_object_or_404(self.rows(self.filter_queryset(self.get_queryset())), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, row)
        return row

    def retrieve(self, request, *args, **kwargs):
        return Response(statement_documents([self.get_object()])[0])


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
