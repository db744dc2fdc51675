"""Statements as the API serves them, assembled from plain rows.

A page of statements is one query for the statements' own columns and six for what hangs off them
(speakers, the speakers' roles, recipients, topics, citations with their sources, stance tags),
whatever the page size. Each query selects only the columns served, as tuples: no model instance
and no serializer per row, which at 500 rows a page cost more than the database did. The shape is
documented by `statements.serializers.StatementSerializer` and pinned by a test.
"""

from collections import defaultdict, namedtuple

from actors.models import Role, role_held_on
from statements.models import Citation, StanceTag, StatementRecipient, StatementSpeaker, StatementTopic

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
    "created_at",
    "updated_at",
    "version",
]

RoleRow = namedtuple("RoleRow", "person_id pk title organization organization_name start_date end_date")


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


def participants(through, ids):
    """(statement id, actor id, slug, name, kind) of the actors `through` links to the statements, by name."""
    return (
        through.objects.filter(statement__in=ids)
        .order_by("actor__name", "actor_id")
        .values_list("statement_id", "actor_id", "actor__slug", "actor__name", "actor__kind")
    )


def roles_of(person_ids):
    """{person id: [RoleRow]}: every role the persons held, to pick the one held on each statement's date."""
    roles = defaultdict(list)
    rows = Role.objects.filter(person__in=person_ids).values_list(
        "person_id", "pk", "title", "organization__slug", "organization__name", "start_date", "end_date"
    )
    for row in rows.order_by():
        roles[row[0]].append(RoleRow(*row))
    return roles


def statement_documents(rows):
    """The API's representation of each statement row (a dict of STATEMENT_COLUMNS), in the rows' order."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    speakers = grouped(participants(StatementSpeaker, ids))
    roles = roles_of({actor_id for group in speakers.values() for actor_id, *_ in group})
    recipients = grouped(participants(StatementRecipient, ids))
    topics = grouped(
        StatementTopic.objects.filter(statement__in=ids)
        .order_by("topic__name", "topic_id")
        .values_list("statement_id", "topic__slug")
    )
    # Ordered by their own columns: sorting by the statement would join it for nothing.
    sources = grouped(
        Citation.objects.filter(statement__in=ids)
        .order_by("id")
        .values_list(
            "statement_id", "source__url", "source__publisher", "source__title", "source__published_on", "attribution"
        )
    )
    tags = grouped(
        StanceTag.objects.filter(statement__in=ids)
        .order_by("category__code", "id")
        .values_list(
            "statement_id",
            "category__code",
            "target_actor__slug",
            "target_topic__slug",
            "polarity",
            "intensity",
            "curator__username",
        )
    )

    documents = []
    for row in rows:
        statement_id, date = row["id"], row["date"]
        speaker_list = []
        for actor_id, slug, name, kind in speakers.get(statement_id, ()):
            role = role_held_on(roles.get(actor_id, ()), date)
            speaker_list.append(
                {
                    "slug": slug,
                    "name": name,
                    "kind": kind,
                    "role": (
                        {
                            "title": role.title,
                            "organization": role.organization,
                            "organization_name": role.organization_name,
                        }
                        if role
                        else None
                    ),
                }
            )
        documents.append(
            {
                "id": statement_id,
                "speakers": speaker_list,
                "recipients": [
                    {"slug": slug, "name": name, "kind": kind}
                    for _, slug, name, kind in recipients.get(statement_id, ())
                ],
                "date": date.isoformat(),
                "date_precision": row["date_precision"],
                "channel": row["channel"],
                "text": row["text"],
                "is_direct_quote": row["is_direct_quote"],
                "language": row["language"],
                "summary": row["summary"],
                "topics": [slug for (slug,) in topics.get(statement_id, ())],
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
                        "target_actor": target_actor,
                        "target_topic": target_topic,
                        "polarity": polarity,
                        "intensity": intensity,
                        "curator": curator,
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
