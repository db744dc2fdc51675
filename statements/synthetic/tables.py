"""The tables the generator fills, and what it finds in them before it starts (`Base`).

Every row is a tuple in the order of its table's `columns`, so the two writers share one shape;
`read_base` is the only read of the database the row building depends on.
"""

from dataclasses import dataclass

from django.db.models import Max

from actors.models import Actor, ActorIdentifier, ActorName, Role
from statements.models import (
    Citation,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
    Topic,
    TopicAlias,
)


@dataclass(frozen=True)
class Table:
    """A table the generator fills, its rows as tuples in the order of `columns` (model attribute names)."""

    name: str
    model: type
    columns: tuple


TABLES = {
    table.name: table
    for table in (
        Table(
            "actors",
            Actor,
            ("id", "slug", "name", "name_folded", "kind", "country_id", "parent_id", "description")
            + ("created_at", "updated_at"),
        ),
        Table("actor names", ActorName, ("id", "actor_id", "name", "language", "folded")),
        Table("actor identifiers", ActorIdentifier, ("id", "actor_id", "scheme", "value")),
        Table("roles", Role, ("id", "person_id", "organization_id", "title", "start_date", "end_date")),
        Table("topics", Topic, ("id", "slug", "name", "name_folded", "description", "occurred_on")),
        Table("topic aliases", TopicAlias, ("id", "topic_id", "name", "language", "folded")),
        Table("sources", Source, ("id", "url", "publisher", "title", "published_on")),
        Table(
            "statements",
            Statement,
            ("id", "date", "date_precision", "channel", "text", "is_direct_quote", "language", "summary", "status")
            + ("uuid", "version", "created_by_id", "created_at", "updated_at"),
        ),
        Table("statement speakers", StatementSpeaker, ("id", "statement_id", "actor_id")),
        Table("statement recipients", StatementRecipient, ("id", "statement_id", "actor_id")),
        Table("statement topics", StatementTopic, ("id", "statement_id", "topic_id")),
        Table("citations", Citation, ("id", "statement_id", "source_id", "attribution")),
        Table(
            "stance tags",
            StanceTag,
            ("id", "statement_id", "category_id", "target_actor_id", "target_topic_id", "polarity", "intensity")
            + ("curator_id", "created_at"),
        ),
    )
}
REFERENCE_TABLES = ("actors", "actor names", "actor identifiers", "roles", "topics", "topic aliases")
STATEMENT_TABLES = tuple(name for name in TABLES if name not in REFERENCE_TABLES)


class GenerationRefused(Exception):
    """The database cannot take the synthetic data as it is (it holds them already, or lacks the taxonomy)."""


@dataclass(frozen=True)
class ExistingActor:
    id: int
    slug: str
    name: str
    kind: str
    country_id: int | None


@dataclass(frozen=True)
class Base:
    """What the generator builds on: the rows already in the database that it reuses or must not repeat."""

    actors: tuple  # ExistingActor, by id
    identifier_holders: dict  # (scheme, value) -> actor id
    topics: tuple  # (id, slug, name), by id
    categories: tuple  # (id, code) of the default taxonomy, by code
    curators: tuple  # user ids of the synthetic curators
    first_ids: dict  # table name -> the first id free in that table


def read_base(curators):
    """The `Base` the generator builds on, read from the database (after the tables were locked)."""
    first_ids = {
        name: (table.model.objects.aggregate(highest=Max("id"))["highest"] or 0) + 1 for name, table in TABLES.items()
    }
    return Base(
        actors=tuple(
            ExistingActor(*values)
            for values in Actor.objects.order_by("id").values_list("id", "slug", "name", "kind", "country_id")
        ),
        identifier_holders={
            (scheme, value): actor_id
            for scheme, value, actor_id in ActorIdentifier.objects.values_list("scheme", "value", "actor_id")
        },
        topics=tuple(Topic.objects.order_by("id").values_list("id", "slug", "name")),
        categories=tuple(StanceCategory.objects.default_taxonomy().order_by("code", "id").values_list("id", "code")),
        curators=tuple(curators),
        first_ids=first_ids,
    )
