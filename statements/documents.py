"""Statements as the API serves them, assembled from plain rows.

A page of statements is one query for the statements' own columns and seven for what hangs off them,
whatever the page size: who spoke and who was addressed (one query over both link tables), the
speakers' roles, the actors all of these name, topics, identifiers, citations with their sources,
and stance tags. Each selects only the columns served, as tuples: no model instance and no serializer per row.

Actors are read once, by id, for everything on the page. Joining them into each link query made
PostgreSQL hash the whole actor table three times a page (a millisecond each at 5,000 actors,
more as the table grows); by id it reads only the rows named. The database still decides their
order (by name, then id, in its own collation), as it did when each list was sorted in SQL.

The shape is documented by `statements.serializers.StatementSerializer` and pinned by a test.
"""

from collections import defaultdict, namedtuple

from django.conf import settings
from django.db.models import IntegerField, Value

from actors.models import Actor, Role, role_held_on
from config.db import AnyOf
from config.handles import curator_handle
from statements.models import (
    Citation,
    StanceTag,
    StatementIdentifier,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
)

# The statement's own columns, as `Statement.objects.values(*STATEMENT_COLUMNS)` gives them.
STATEMENT_COLUMNS = [
    "id",
    "date",
    "date_precision",
    "channel",
    "text",
    "is_direct_quote",
    "language",
    "summary",
    "status",
    "uuid",
    "created_at",
    "updated_at",
    "version",
]

SPEAKER, RECIPIENT = 0, 1

RoleRow = namedtuple("RoleRow", "pk title organization_id start_date end_date")
ActorRow = namedtuple("ActorRow", "position slug name kind")


def timestamp(moment):
    """A datetime as DRF writes it: ISO 8601, UTC as `Z`."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def grouped(rows):
    """{statement id: [the rest of each row]}, keeping the rows' order."""
    groups = defaultdict(list)
    for statement_id, *rest in rows:
        groups[statement_id].append(rest)
    return groups


def participants(ids):
    """({statement id: [speaker ids]}, {statement id: [recipient ids]}) of the statements, in one query."""
    spoken = StatementSpeaker.objects.filter(AnyOf("statement", ids)).annotate(part=Value(SPEAKER, IntegerField()))
    addressed = StatementRecipient.objects.filter(AnyOf("statement", ids)).annotate(
        part=Value(RECIPIENT, IntegerField())
    )
    columns = ("part", "statement_id", "actor_id")
    groups = (defaultdict(list), defaultdict(list))
    for part, statement_id, actor_id in spoken.values_list(*columns).union(addressed.values_list(*columns), all=True):
        groups[part][statement_id].append(actor_id)
    return groups


def roles_of(person_ids):
    """{person id: [RoleRow]}: every role the persons held, to pick the one held on each statement's date."""
    roles = defaultdict(list)
    rows = Role.objects.filter(AnyOf("person", person_ids)).order_by()
    for person_id, *role in rows.values_list("person_id", "pk", "title", "organization_id", "start_date", "end_date"):
        roles[person_id].append(RoleRow(*role))
    return roles


def actors_by_id(actor_ids):
    """{actor id: ActorRow}, each with its position in the database's order of actors (by name, then id)."""
    rows = Actor.objects.filter(AnyOf("pk", actor_ids)).order_by("name", "id").values_list("pk", "slug", "name", "kind")
    return {pk: ActorRow(position, slug, name, kind) for position, (pk, slug, name, kind) in enumerate(rows)}


def statement_documents(rows, *, usernames=False):
    """The API's representation of each statement row (a dict of STATEMENT_COLUMNS), in the rows' order.

    A tag's curator is its login name for `usernames` (curators, the operator's export), else a stable
    opaque handle (config.handles): the public never learns who logs in as what.
    """
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    speakers, recipients = participants(ids)
    speaker_ids = {actor_id for group in speakers.values() for actor_id in group}
    roles = roles_of(speaker_ids)
    topics = grouped(
        StatementTopic.objects.filter(AnyOf("statement", ids))
        .order_by("topic__name", "topic_id")
        .values_list("statement_id", "topic__slug")
    )
    identifiers = grouped(
        StatementIdentifier.objects.filter(AnyOf("statement", ids))
        .order_by("scheme", "value")
        .values_list("statement_id", "scheme", "value")
    )
    # Ordered by their own columns: sorting by the statement would join it for nothing.
    sources = grouped(
        Citation.objects.filter(AnyOf("statement", ids))
        .order_by("id")
        .values_list(
            "statement_id", "source__url", "source__publisher", "source__title", "source__published_on", "attribution"
        )
    )
    # Categories, topics and curators are small tables; the targeted actors are read with the others.
    tags = grouped(
        StanceTag.objects.filter(AnyOf("statement", ids))
        .order_by("category__code", "id")
        .values_list(
            "statement_id",
            "category__code",
            "target_actor_id",
            "target_topic__slug",
            "polarity",
            "intensity",
            "curator__username" if usernames else "curator_id",
        )
    )
    actors = actors_by_id(
        speaker_ids
        | {actor_id for group in recipients.values() for actor_id in group}
        | {role.organization_id for person_roles in roles.values() for role in person_roles}
        | {tag[1] for group in tags.values() for tag in group if tag[1] is not None}
    )

    def by_name(actor_ids):
        return sorted((actors[actor_id] for actor_id in actor_ids), key=lambda actor: actor.position)

    documents = []
    for row in rows:
        statement_id, date = row["id"], row["date"]
        speaker_list = []
        for actor_id in sorted(speakers.get(statement_id, ()), key=lambda actor_id: actors[actor_id].position):
            actor, role = actors[actor_id], role_held_on(roles.get(actor_id, ()), date)
            if role is not None:
                organization = actors[role.organization_id]
                role = {"title": role.title, "organization": organization.slug, "organization_name": organization.name}
            speaker_list.append({"slug": actor.slug, "name": actor.name, "kind": actor.kind, "role": role})
        documents.append(
            {
                "id": statement_id,
                "speakers": speaker_list,
                "recipients": [
                    {"slug": actor.slug, "name": actor.name, "kind": actor.kind}
                    for actor in by_name(recipients.get(statement_id, ()))
                ],
                "date": date.isoformat(),
                "date_precision": row["date_precision"],
                "channel": row["channel"],
                "text": row["text"],
                "is_direct_quote": row["is_direct_quote"],
                "language": row["language"],
                "summary": row["summary"],
                "topics": [slug for (slug,) in topics.get(statement_id, ())],
                # The tracker's own identifier first, then those of other systems.
                "identifiers": [
                    {"scheme": "uuid", "value": str(row["uuid"])},
                    *({"scheme": scheme, "value": value} for scheme, value in identifiers.get(statement_id, ())),
                ],
                "sources": [
                    {
                        "url": url,
                        "publisher": publisher,
                        "title": title,
                        "published_on": published_on.isoformat() if published_on else None,
                        "attribution": attribution,
                    }
                    for url, publisher, title, published_on, attribution in sources.get(statement_id, ())
                ],
                "stance_tags": [
                    {
                        "category": category,
                        "target_actor": actors[target_actor].slug if target_actor is not None else None,
                        "target_topic": target_topic,
                        "polarity": polarity,
                        "intensity": intensity,
                        "curator": curator if usernames else curator_handle(curator, settings.SECRET_KEY),
                    }
                    for category, target_actor, target_topic, polarity, intensity, curator in tags.get(statement_id, ())
                ],
                "status": row["status"],
                "created_at": timestamp(row["created_at"]),
                "updated_at": timestamp(row["updated_at"]),
                "version": row["version"],
            }
        )
    return documents
