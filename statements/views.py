"""The API of statements (by id), topics (by slug) and stance categories (by code): reads, and writes through
the curation workflow (statements.services), which alone decides what may be written."""

import datetime

from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse as url_of
from django.utils.http import http_date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.schema import BAD_REQUEST, CONFLICT, LOOKUP_VALUE_REGEX, NOT_FOUND, WRITE_ERRORS
from config.writes import ConditionalWrites, Conflict, check_if_match, refusals
from statements import changes, exchange, services, stats
from statements.annotations import agreement_of, visible_annotations
from statements.documents import STATEMENT_COLUMNS, statement_documents
from statements.filters import StanceCategoryFilter, StatementFilter, TopicFilter
from statements.inputs import StatementInput, StatementUpdateInput, TopicInput
from statements.models import Annotation, Revision, StanceCategory, Statement, Topic
from statements.serializers import (
    AgreementSerializer,
    AnnotationSerializer,
    ChangesPageSerializer,
    DyadStatsSerializer,
    RevisionProposedSerializer,
    RevisionSerializer,
    StanceCategorySerializer,
    StanceStatsSerializer,
    StatementSerializer,
    TopicSerializer,
)


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


def revision_document(revision):
    """A proposed edit as the API shows it to curators: who, when, why, and what it would change."""
    return {
        "id": revision.pk,
        "statement": revision.statement_id,
        "base_version": revision.base_version,
        "status": revision.status,
        "reason": revision.reason,
        "proposed_by": revision.proposed_by.get_username(),
        "proposed_at": revision.proposed_at,
        "reviewed_by": revision.reviewed_by.get_username() if revision.reviewed_by else None,
        "reviewed_at": revision.reviewed_at,
        "comment": revision.comment,
        "changes": [
            {"what": what, "current": current, "proposed": proposed}
            for what, current, proposed in services.revision_differences(revision)
        ],
        "admin_url": url_of("admin:statements_revision_change", args=[revision.pk]),
    }


def last_modified(response, rows):
    """`Last-Modified`: the latest `updated_at` of the statements served (with the ETag the middleware sets, a
    client asks again with If-None-Match and gets 304 when nothing changed)."""
    if rows:
        response["Last-Modified"] = http_date(max(row["updated_at"] for row in rows).timestamp())
    return response


WRITE_DESCRIPTION = """Writes go through the curation workflow, as the admin's do: a new statement is a draft unless
`status` says otherwise; publishing and retracting need a reviewer; a published statement needs a source.
PUT and PATCH need the `version` you read (or `If-Match` with the ETag of your GET): if someone saved the
statement since, the answer is 409 and nothing changes. A curator's edit of a published or retracted
statement is kept as a proposed revision for a reviewer: 202, with the revision and its address."""


@extend_schema_view(
    list=extend_schema(responses={200: StatementSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: StatementSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
    create=extend_schema(
        request=StatementInput,
        description=WRITE_DESCRIPTION,
        responses={201: StatementSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        request=StatementUpdateInput,
        description=WRITE_DESCRIPTION,
        responses={200: StatementSerializer, 202: RevisionProposedSerializer, 404: NOT_FOUND, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        request=StatementUpdateInput,
        description=WRITE_DESCRIPTION,
        responses={200: StatementSerializer, 202: RevisionProposedSerializer, 404: NOT_FOUND, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Deletes a draft or a statement in review. A published or retracted statement stays on the "
        "record (409): retract it instead.",
        responses={204: None, 404: NOT_FOUND, 409: CONFLICT},
    ),
)
class StatementViewSet(ConditionalWrites, viewsets.ModelViewSet):
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

    # Writes

    def document(self, pk):
        row = self.rows(self.get_queryset()).get(pk=pk)
        return statement_documents([row], usernames=self.sees_usernames())[0]

    def parsed(self, *, creating=False, partial=False):
        body = StatementInput(data=self.request.data, creating=creating, partial=partial, context={})
        body.is_valid(raise_exception=True)
        return body.validated_data

    def stored(self):
        """The statement addressed, if this client may see it (404 otherwise)."""
        return generics.get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def version_read(self, data, statement, *, required=True):
        """The version the client's change was made from: `version`, or the one its If-Match names."""
        current = self.document(statement.pk)
        matched = check_if_match(self.request, current)
        if data.get("version") is not None:
            return data["version"]
        if matched or not required:
            return current["version"]
        raise ValidationError(
            {"version": ["Required: send back the version you read, or If-Match with the ETag of your GET."]}
        )

    def workflow_arguments(self, data, *, whole, statement=None):
        """The keyword arguments of services.create_statement and edit_statement for a parsed body."""
        user = self.request.user
        arguments = {name: data[name] for name in services.FIELDS if name in data}
        for name in ("speakers", "recipients", "topics"):
            if name in data:
                arguments[name] = data[name]
        if "identifiers" in data:
            uuids = [item["value"] for item in data["identifiers"] if item["scheme"] == "uuid"]
            if statement is not None and uuids and uuids[0] != str(statement.uuid):
                raise ValidationError({"identifiers": [f"This statement's uuid is {statement.uuid}, for life."]})
            pairs = [(item["scheme"], item["value"]) for item in data["identifiers"] if item["scheme"] != "uuid"]
            arguments["identifiers"] = pairs
        if "sources" in data:
            arguments["citations"] = [services.cite(user=user, **source) for source in data["sources"]]
        if "stance_tags" in data:
            arguments["tags"] = [services.TagSpec(**tag) for tag in data["stance_tags"]]
        if whole:
            # PUT is the whole statement: what it leaves out is emptied or reset (its status stays).
            for name in ("text", "summary"):
                arguments.setdefault(name, "")
            arguments.setdefault("date_precision", "day")
            arguments.setdefault("is_direct_quote", False)
            arguments.setdefault("language", "en")
            for name in ("recipients", "topics", "identifiers", "citations", "tags"):
                arguments.setdefault(name, [])
        if data.get("reason"):
            arguments["reason"] = data["reason"]
        return arguments

    def create(self, request, *args, **kwargs):
        data = self.parsed(creating=True)
        new = Statement()
        uuids = [item["value"] for item in data.get("identifiers", ()) if item["scheme"] == "uuid"]
        if uuids:
            existing = Statement.objects.filter(uuid=uuids[0]).first()
            if existing is not None:
                where = url_of("statement-detail", kwargs={"pk": existing.pk})
                raise Conflict(f"A statement with uuid {uuids[0]} is recorded already: {where}", code="exists")
            new.uuid = uuids[0]
        with refusals(), transaction.atomic():
            statement = services.create_statement(
                user=request.user, statement=new, **self.workflow_arguments(data, whole=True)
            )
        location = url_of("statement-detail", kwargs={"pk": statement.pk})
        return Response(self.document(statement.pk), status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, partial=False, **kwargs):
        stored = self.stored()
        data = self.parsed(partial=partial)
        version = self.version_read(data, stored)
        with refusals(), transaction.atomic():
            arguments = self.workflow_arguments(data, whole=not partial, statement=stored)
            statement, revision = services.edit_statement(stored, user=request.user, version=version, **arguments)
        if revision is not None:
            body = RevisionProposedSerializer(
                {
                    "detail": "Your change to a public statement waits for a reviewer; the statement is unchanged.",
                    "revision": revision_document(revision),
                }
            ).data
            location = url_of("statement-revisions", kwargs={"pk": stored.pk})
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        return Response(self.document(statement.pk))

    def destroy(self, request, *args, **kwargs):
        stored = self.stored()
        check_if_match(request, self.document(stored.pk))
        with refusals():
            services.delete_statement(stored, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: AnnotationSerializer(many=True), 404: NOT_FOUND}, filters=False)
    @action(detail=True, url_path="annotations", pagination_class=None, filter_backends=[])
    def annotations(self, request, *args, **kwargs):
        """Each assigned curator's blind annotation of this statement (curators and reviewers only).

        Another curator's tags stay hidden (null) from a curator until that curator submits their own annotation
        of the statement; reviewers see every annotation.
        """
        if not request.user.has_perm("statements.view_annotation"):
            raise PermissionDenied("Annotations are for curators and reviewers.")
        statement = self.stored()
        rows = (
            Annotation.objects.filter(statement=statement)
            .select_related("curator")
            .prefetch_related("tags__category", "tags__target_actor", "tags__target_topic")
        )
        readable = set(visible_annotations(request.user, rows).values_list("pk", flat=True))
        documents = [
            {
                "curator": row.curator.get_username(),
                "assigned_at": row.assigned_at,
                "submitted_at": row.submitted_at,
                "tags": [
                    {
                        "category": tag.category.code,
                        "target_actor": tag.target_actor.slug if tag.target_actor else None,
                        "target_topic": tag.target_topic.slug if tag.target_topic else None,
                        "polarity": tag.polarity,
                        "intensity": tag.intensity,
                    }
                    for tag in row.tags.all()
                ]
                if row.pk in readable
                else None,
            }
            for row in rows
        ]
        return Response(AnnotationSerializer(documents, many=True).data)

    @extend_schema(responses={200: RevisionSerializer(many=True), 404: NOT_FOUND}, filters=False)
    @action(detail=True, url_path="revisions", pagination_class=None, filter_backends=[])
    def revisions(self, request, *args, **kwargs):
        """Edits of this statement proposed by curators, newest first: proposed, approved or rejected.

        Curators and reviewers only; a reviewer approves or rejects them in the admin.
        """
        if not request.user.has_perm("statements.view_revision"):
            raise PermissionDenied("Revisions are for curators and reviewers.")
        statement = self.stored()
        rows = Revision.objects.filter(statement=statement).select_related("proposed_by", "reviewed_by", "statement")
        return Response(RevisionSerializer([revision_document(row) for row in rows], many=True).data)

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
                description="One row per statement; one per stance tag with its statement's columns; or, for "
                "curators, one per tag of each curator's submitted blind annotation (with an opaque handle).",
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
        if shape == "annotations" and not request.user.has_perm("statements.view_annotation"):
            raise PermissionDenied("shape=annotations is for curators and reviewers.")
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
                {"type": "integer", "minimum": 1, "maximum": changes.MAX_PAGE_SIZE},
                description=f"Changes per page (default {changes.DEFAULT_PAGE_SIZE}, at most {changes.MAX_PAGE_SIZE}).",
            ),
        ],
        responses={200: ChangesPageSerializer, 400: BAD_REQUEST},
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
        size = request.query_params.get("page_size") or str(changes.DEFAULT_PAGE_SIZE)
        if not size.isdigit() or not 1 <= int(size) <= changes.MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [f"A whole number from 1 to {changes.MAX_PAGE_SIZE}."]})
        entries, following = changes.changes_page(
            self.get_queryset(),
            sees_everything=self.sees_usernames(),
            cursor=cursor,
            page_size=int(size),
            usernames=self.sees_usernames(),
        )
        following = following or given or changes.START
        next_url = None
        if following:
            next_url = request.build_absolute_uri(f"{request.path}?cursor={following}&page_size={size}")
        return Response({"results": entries, "next": next_url, "caught_up": len(entries) < int(size)})

    def choice(self, name, choices, default):
        value = self.request.query_params.get(name) or default  # empty: the default, as for every parameter
        if value not in choices:
            raise ValidationError({name: [f"'{value}' is not one of: {', '.join(choices)}."]})
        return value


@extend_schema_view(
    list=extend_schema(responses={200: TopicSerializer(many=True), 400: BAD_REQUEST}),
    retrieve=extend_schema(responses={200: TopicSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}),
    create=extend_schema(request=TopicInput, responses={201: TopicSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=TopicInput,
        description="Changes what the body names; `aliases`, when given, is the whole new set. If-Match (the ETag "
        "of your GET) guards against overwriting someone else's change (409).",
        responses={200: TopicSerializer, 404: NOT_FOUND, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        description="Deletes a topic no statement concerns and no tag targets; one in use stays (409).",
        responses={204: None, 404: NOT_FOUND, 409: CONFLICT},
    ),
)
class TopicViewSet(ConditionalWrites, viewsets.ModelViewSet):
    """What statements are about: issues, places and reported events, with their other names."""

    queryset = Topic.objects.prefetch_related("aliases")
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_VALUE_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def save(self, topic, *, partial):
        body = TopicInput(data=self.request.data, partial=partial)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        aliases = fields.pop("aliases", None)
        aliases = [(alias["name"], alias["language"]) for alias in aliases] if aliases is not None else None
        with refusals():
            topic = services.save_topic(topic, user=self.request.user, aliases=aliases, **fields)
        return self.get_serializer(self.get_queryset().get(pk=topic.pk)).data

    def create(self, request, *args, **kwargs):
        data = self.save(Topic(), partial=False)
        location = url_of("topic-detail", kwargs={"slug": data["slug"]})
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs):
        topic = self.get_object()
        check_if_match(request, self.get_serializer(topic).data)
        return Response(self.save(topic, partial=True))

    def destroy(self, request, *args, **kwargs):
        topic = self.get_object()
        check_if_match(request, self.get_serializer(topic).data)
        with refusals():
            services.delete_topic(topic, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


GROUPING = "(?:" + "|".join(stats.GROUPS) + ")"
GROUP_BY_PATTERN = f"^(?:{GROUPING}(?:,{GROUPING})?)?$"


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
            {"type": "string", "pattern": GROUP_BY_PATTERN},
            description="One or two of: " + ", ".join(stats.GROUPS) + " (comma-separated: month,family). "
            "Time groupings are zero-filled over date_after…date_before, or the range found. Without it, only "
            "the total.",
        ),
        OpenApiParameter("count", str, enum=list(stats.COUNTED), description="What is counted (default tags)."),
    ],
    filters=True,
    responses={200: StanceStatsSerializer, 400: BAD_REQUEST},
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
        counted = request.query_params.get("count") or "tags"
        if counted not in stats.COUNTED:
            raise ValidationError({"count": [f"'{counted}' is not one of: {', '.join(stats.COUNTED)}."]})
        statements, filterset = self.statements()
        data = filterset.form.cleaned_data
        date_range = (min(data["date_after"]) if data.get("date_after") else None, None)
        date_range = (date_range[0], max(data["date_before"]) if data.get("date_before") else None)
        results, total = stats.stance_counts(statements, filterset.tag_conditions(), group_by, counted, date_range)
        return Response({"group_by": group_by, "count": counted, "total": total, "results": results})


@extend_schema(filters=True, responses={200: DyadStatsSerializer, 400: BAD_REQUEST})
class DyadStatsView(StatsView):
    """Who addressed whom: per speaker and recipient, the statements, their tags, and the share of conflictual
    (quad class 3–4) and cooperative (1–2) tags; every statement filter applies first."""

    def get(self, request, *args, **kwargs):
        statements, _ = self.statements()
        return Response({"results": stats.dyads(statements)})


@extend_schema(filters=True, responses={200: AgreementSerializer, 400: BAD_REQUEST})
class AgreementStatsView(StatsView):
    """Agreement between curators who tagged the same statements blind (curators and reviewers only): per family
    and per act, observed agreement, Cohen's kappa per pair and Krippendorff's alpha (nominal for the act, ordinal
    for intensity, nominal for polarity), a confusion table per pair, and each curator against the gold set.
    Every statement filter applies first; statements two curators or more submitted are compared."""

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("statements.view_annotation"):
            raise PermissionDenied("Agreement figures are for curators and reviewers.")
        statements, _ = self.statements()
        return Response(AgreementSerializer(agreement_of(statements)).data)
