"""The seed report as demo data: `demo.toml` beside this module, and the loader that creates what is missing.

`load_demo()` creates the demo's rows that are not there and leaves every existing row alone, so
running it again (as every `make run` does) never undoes a curator's work: an actor is known by
its slug, a topic by its slug, the source by its URL and a statement by its uuid. Parts are made
with their owner only (an actor's names, identifiers and roles; a topic's aliases; a statement's
speakers, recipients, topics, citation and tags): a part a curator removed stays removed.

Rows are created through the models, so every derived column is set as `save()` sets it, and their
history credits the demo curator.
"""

import tomllib
import uuid
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from actors.models import Actor, ActorIdentifier, ActorName, Role
from config.history import acting_as
from statements.models import (
    STATEMENT_HISTORY,
    Citation,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    StatementIdentifier,
    Status,
    Topic,
    TopicAlias,
    first_day,
)

DATA = Path(__file__).with_name("demo.toml")
CREATED, KEPT = "created", "left as they were"


class DemoError(Exception):
    """The demo cannot be loaded as it stands (nothing is written)."""


def demo_data():
    with DATA.open("rb") as file:
        return tomllib.load(file)


DEMO = demo_data()
DEMO_CURATOR_USERNAME = DEMO["curator"]
SOURCE_URL = DEMO["source"]["url"]


class Tally(Counter):
    """{(kind of row, created or left as they were): count}."""

    def total(self, outcome):
        return sum(count for (_, counted), count in self.items() if counted == outcome)

    def lines(self):
        kinds = dict.fromkeys(kind for kind, _ in self)
        for kind in kinds:
            yield f"{kind}: {self[kind, CREATED]} created, {self[kind, KEPT]} left as they were"
        yield f"Total: {self.total(CREATED)} created, {self.total(KEPT)} left as they were."


class DemoLoader:
    def __init__(self, data):
        self.data, self.tally = data, Tally()
        self.actors, self.topics = {}, {}

    def run(self):
        self.curator = self.load_curator()
        with acting_as(self.curator):
            self.load_everything()
        return self.tally

    def load_everything(self):
        self.categories = {
            category.code: category
            for category in StanceCategory.objects.default_taxonomy().filter(
                code__in={tag["category"] for statement in self.data["statements"] for tag in statement["tags"]}
            )
        }
        created_people = set()
        for actor in self.data["actors"]:
            if self.load_actor(actor):
                created_people.add(actor["slug"])
        for role in self.data["roles"]:
            # A role is the person's part: made with the person, never brought back once removed.
            if role["person"] in created_people:
                Role.objects.create(
                    person=self.actor(role["person"]),
                    organization=self.actor(role["organization"]),
                    title=role["title"],
                    start_date=role["start"],
                    end_date=role.get("end"),
                )
                self.count("roles", CREATED)
        for topic in self.data["topics"]:
            self.load_topic(topic)
        self.source = self.load_source(self.data["source"])
        for statement in self.data["statements"]:
            self.load_statement(statement)

    def count(self, kind, outcome, number=1):
        self.tally[kind, outcome] += number

    def actor(self, slug):
        if slug not in self.actors:
            actor = Actor.objects.filter(slug=slug).first()
            if actor is None:
                raise DemoError(f"demo.toml names the actor {slug!r}, which it does not list before.")
            self.actors[slug] = actor
        return self.actors[slug]

    def topic(self, slug):
        if slug not in self.topics:
            self.topics[slug] = Topic.objects.filter(slug=slug).first()
            if self.topics[slug] is None:
                raise DemoError(f"demo.toml names the topic {slug!r}, which it does not list.")
        return self.topics[slug]

    def load_curator(self):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: DEMO_CURATOR_USERNAME}).first()
        if user is not None:
            self.count("users", KEPT)
            return user
        # The demo curator can never log in: inactive, and no password that could match.
        user = User(**{User.USERNAME_FIELD: DEMO_CURATOR_USERNAME}, is_active=False)
        user.set_unusable_password()
        user.save()
        self.count("users", CREATED)
        return user

    def load_actor(self, data):
        """Create the actor with its names and identifiers if its slug is unknown; True if it was created."""
        if Actor.objects.filter(slug=data["slug"]).exists():
            self.count("actors", KEPT)
            return False
        actor = Actor.objects.create(
            slug=data["slug"],
            name=data["name"],
            kind=data["kind"],
            country=self.actor(data["country"]) if "country" in data else None,
            parent=self.actor(data["parent"]) if "parent" in data else None,
            description=data.get("description", ""),
        )
        self.actors[actor.slug] = actor
        for name, language in data.get("names", []):
            ActorName.objects.create(actor=actor, name=name, language=language)
        for identifier in data.get("identifiers", []):
            scheme, _, value = identifier.partition(":")
            holder = ActorIdentifier.objects.filter(scheme=scheme, value=value).first()
            if holder is not None:
                # Moving an identifier would rewrite a curator's record: stop instead.
                raise DemoError(f"{identifier} already identifies {holder.actor}, not the demo's {actor}.")
            ActorIdentifier.objects.create(actor=actor, scheme=scheme, value=value)
        self.count("actors", CREATED)
        return True

    def load_topic(self, data):
        if Topic.objects.filter(slug=data["slug"]).exists():
            self.count("topics", KEPT)
            return
        topic = Topic.objects.create(
            slug=data["slug"],
            name=data["name"],
            description=data.get("description", ""),
            occurred_on=data.get("occurred_on"),
        )
        for name, language in data.get("aliases", []):
            TopicAlias.objects.create(topic=topic, name=name, language=language)
        self.topics[topic.slug] = topic
        self.count("topics", CREATED)

    def load_source(self, data):
        source = Source.objects.filter(url=data["url"]).first()
        if source is not None:
            self.count("sources", KEPT)
            return source
        self.count("sources", CREATED)
        return Source.objects.create(
            url=data["url"], publisher=data["publisher"], title=data["title"], published_on=data["published_on"]
        )

    def exists(self, data):
        # A statement loaded before the demo gave it a uuid is known by its citation of the demo source and summary.
        known = Statement.objects.filter(uuid=uuid.UUID(data["uuid"]))
        legacy = Statement.objects.filter(citations__source=self.source, summary=data["summary"])
        return known.exists() or legacy.exists()

    def load_statement(self, data):
        if self.exists(data):
            self.count("statements", KEPT)
            return
        precision = data.get("date_precision", "day")
        if first_day(data["date"], precision) != data["date"]:
            raise DemoError(f"{data['summary']!r}: with {precision} precision, write the date as its first day.")
        statement = Statement(
            uuid=uuid.UUID(data["uuid"]),
            date=data["date"],
            date_precision=precision,
            channel=data["channel"],
            text=data["text"],
            is_direct_quote=data.get("is_direct_quote", False),
            language=data.get("language", "en"),
            summary=data["summary"],
            status=Status.PUBLISHED,
            created_by=self.curator,
        )
        # One history entry for the statement with all its parts, as the workflow writes it: none per link.
        statement.skip_history_when_saving = True
        statement.save()
        statement.speakers.set([self.actor(slug) for slug in data["speakers"]])
        statement.recipients.set([self.actor(slug) for slug in data.get("recipients", [])])
        statement.topics.set([self.topic(slug) for slug in data.get("topics", [])])
        for identifier in data.get("identifiers", []):
            scheme, _, value = identifier.partition(":")
            StatementIdentifier.objects.create(statement=statement, scheme=scheme, value=value)
        Citation.objects.create(statement=statement, source=self.source, attribution=data.get("attribution", ""))
        for tag in data["tags"]:
            category = self.categories.get(tag["category"])
            if category is None:
                raise DemoError(f"The default taxonomy has no category {tag['category']!r}.")
            StanceTag.objects.create(
                statement=statement,
                category=category,
                target_actor=self.actor(tag["target_actor"]) if "target_actor" in tag else None,
                target_topic=self.topic(tag["target_topic"]) if "target_topic" in tag else None,
                polarity=tag["polarity"],
                intensity=tag["intensity"],
                curator=self.curator,
            )
        del statement.skip_history_when_saving
        statement._change_reason = "demo data"
        STATEMENT_HISTORY.create_historical_record(statement, "+")
        self.count("statements", CREATED)
        self.count("stance tags", CREATED, len(data["tags"]))


def load_demo(data=None):
    """Create what is missing of the demo in one transaction and return the Tally of what was created or left."""
    with transaction.atomic():
        return DemoLoader(data or DEMO).run()
