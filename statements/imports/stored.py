"""What the database holds for the statements a chunk of the file names: found by key, read in a few queries.

`find_keys()` finds the stored statements a chunk's uuids and identifiers name (two queries);
`read_stored()` reads what an import compares of each (six queries, whatever the chunk's size):
the statement's own columns, speakers and recipients, topics, identifiers, citations with their
source's URL, and stance tags. Each part is kept as {what is compared: the row's id}, so a writer
can remove the rows that are no longer wanted by id.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import IntegerField, Value

import orjson

from config.db import AnyOf
from statements.models import (
    Citation,
    StanceTag,
    Statement,
    StatementIdentifier,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
)

# The statement's own columns an import compares: a change to any of them is a change of the statement.
COMPARED_COLUMNS = ("date", "date_precision", "channel", "text", "is_direct_quote", "language", "summary", "status")
TAG_COLUMNS = ("category_id", "target_actor_id", "target_topic_id", "polarity", "intensity", "curator_id")


class Among(AnyOf):
    """`column IN (values)` as AnyOf writes it, but on PostgreSQL the values travel as one JSON text.

    Django's psycopg cursors bind parameters on the client: a list of 5,000 URLs or UUIDs is quoted
    into SQL literals one by one in Python (30 ms a chunk, a second and a half per 100,000
    statements); one JSON array, unpacked by the server, costs a millisecond.
    """

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return super().as_sql(compiler, connection)
        column, params = compiler.compile(self.column)
        array_type = self.column.output_field.db_type(connection)
        values = orjson.dumps([str(value) for value in self.values]).decode()
        return f"{column} = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb))::{array_type}[])", (*params, values)


@dataclass(slots=True)
class Stored:
    """A stored statement as an import compares it; each part is {compared value(s): row id}."""

    id: int
    uuid: object
    columns: dict  # the COMPARED_COLUMNS
    created_at: object
    version: int
    speakers: dict = field(default_factory=dict)  # actor id -> row id
    recipients: dict = field(default_factory=dict)
    topics: dict = field(default_factory=dict)  # topic id -> row id
    identifiers: dict = field(default_factory=dict)  # (scheme, value) -> row id
    citations: dict = field(default_factory=dict)  # (url, attribution) -> row id
    tags: dict = field(default_factory=dict)  # (category, target actor, target topic, polarity, intensity, curator)


@dataclass(frozen=True)
class StoredKeys:
    """Which stored statements a chunk's keys name: {uuid: (id, uuid)} and {(scheme, value): (id, uuid)}."""

    by_uuid: dict
    by_identifier: dict


def find_keys(uuids, identifiers):
    """The stored statements that `uuids` and `identifiers` ((scheme, value) pairs) name, in two queries."""
    by_uuid = {}
    if uuids:
        for pk, key in Statement.objects.filter(Among("uuid", uuids)).values_list("pk", "uuid"):
            by_uuid[key] = (pk, key)
    by_identifier = {}
    if identifiers:
        # Both columns as arrays let the (scheme, value) unique index serve; pairs are matched here.
        rows = StatementIdentifier.objects.filter(
            Among("scheme", {scheme for scheme, _ in identifiers}), Among("value", {value for _, value in identifiers})
        ).values_list("scheme", "value", "statement_id", "statement__uuid")
        for scheme, value, statement_id, statement_uuid in rows:
            if (scheme, value) in identifiers:
                by_identifier[(scheme, value)] = (statement_id, statement_uuid)
    return StoredKeys(by_uuid, by_identifier)


def read_stored(ids):
    """{statement id: Stored} for the statements `ids`, in six queries."""
    if not ids:
        return {}
    columns = ("pk", "uuid", *COMPARED_COLUMNS, "created_at", "version")
    stored = {}
    for values in Statement.objects.filter(AnyOf("pk", ids)).order_by().values_list(*columns):
        pk, key, *compared, created_at, version = values
        stored[pk] = Stored(pk, key, dict(zip(COMPARED_COLUMNS, compared, strict=True)), created_at, version)

    link = ("part", "statement_id", "actor_id", "pk")
    spoken = StatementSpeaker.objects.filter(AnyOf("statement", ids)).annotate(part=Value(0, IntegerField()))
    addressed = StatementRecipient.objects.filter(AnyOf("statement", ids)).annotate(part=Value(1, IntegerField()))
    for part, statement_id, actor_id, pk in spoken.values_list(*link).union(addressed.values_list(*link), all=True):
        statement = stored[statement_id]
        (statement.recipients if part else statement.speakers)[actor_id] = pk
    for statement_id, topic_id, pk in StatementTopic.objects.filter(AnyOf("statement", ids)).values_list(
        "statement_id", "topic_id", "pk"
    ):
        stored[statement_id].topics[topic_id] = pk
    for statement_id, scheme, value, pk in (
        StatementIdentifier.objects.filter(AnyOf("statement", ids))
        .order_by()
        .values_list("statement_id", "scheme", "value", "pk")
    ):
        stored[statement_id].identifiers[(scheme, value)] = pk
    for statement_id, url, attribution, pk in (
        Citation.objects.filter(AnyOf("statement", ids))
        .order_by()
        .values_list("statement_id", "source__url", "attribution", "pk")
    ):
        stored[statement_id].citations[(url, attribution)] = pk
    tags = defaultdict(dict)
    for statement_id, *tag, pk in (
        StanceTag.objects.filter(AnyOf("statement", ids)).order_by().values_list("statement_id", *TAG_COLUMNS, "pk")
    ):
        tags[statement_id][tuple(tag)] = pk
    for statement_id, statement_tags in tags.items():
        stored[statement_id].tags = statement_tags
    return stored
