"""Synthetic statements on top of the demo, for benchmarks at up to a million statements.

`generate(count=…, seed=…)` loads the demo (idempotent), then adds `count` statements and what
they need, in one transaction:

- actors, about clamp(count // 20, 400, 5,000) of them, of every kind: real states by their ISO
  3166 alpha-3 code (with the same three letters as CAMEO code, as the demo does; the demo's
  states are reused), their government bodies and military units (parent and country set), a
  tree of about 200 under `STATE_WITH_BODIES` four levels deep, international organizations,
  parties, media, and persons holding one to three dated roles. Japanese, Chinese and Korean
  persons and bodies also carry their name in ja, zh-Hans or ko;
- a few hundred topics with aliases, some in CJK scripts; sources shared by two or three
  statements each (URLs under example.org: nothing beyond the demo is real);
- statements over 2006–2025: Zipf-skewed speakers (the busiest, `BUSY_STATE_SLUG`, far above
  the median), recipients and stance targets, one citation each, one to four stance tags over the
  whole default taxonomy, texts drawn from an English diplomatic vocabulary (4% in Japanese or
  Chinese), about 5% not yet published.

Benchmarks search for `RARE_WORD` (in about 0.01% of statements), `COMMON_WORD` (about 4%) and
`CJK_WORD` (in most Japanese and Chinese texts).

The rows are a pure function of the seed and of what the database held before (`Base`):
`random.Random(seed)`, never the clock, nothing read in set order. They hold what `save()` would
set: folded names, dates at the first day of their precision, `version` 1, timestamps derived from
each statement's date and capped at `REFERENCE_TIME`. Curators are users like the demo curator:
inactive, with an unusable password (whose random suffix, Django's, is the one value no seed
fixes). No history rows (django-simple-history) are written: the synthetic data has no past.

Two writers take the same rows, so they cannot disagree: COPY on PostgreSQL, with ids taken
after locking the tables and the sequences set after (for a large run, the tables' secondary
indexes are dropped first and rebuilt from their saved definitions); `bulk_create` elsewhere.
"""

import bisect
import datetime
import functools
import random
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils.text import slugify

from actors.models import Actor, ActorIdentifier, ActorKind, ActorName, IdentifierScheme, Role, fold
from statements.demo import load_demo
from statements.models import (
    Channel,
    Citation,
    DatePrecision,
    Polarity,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
    Status,
    Topic,
    TopicAlias,
    first_day,
)

DATA = Path(__file__).with_name("synthetic_data")

RARE_WORD = "rapprochement"
RARE_SHARE = 0.0001
COMMON_WORD = "sovereignty"
COMMON_SHARE = 0.04
CJK_WORD = "中国"
# The state whose actors speak most; it also has the big tree of bodies that makes `country=` heavy.
BUSY_STATE_SLUG = "china"
STATE_WITH_BODIES = BUSY_STATE_SLUG
STATE_BODIES = 200

CURATOR_USERNAME_PREFIX = "synthetic-curator-"
CURATOR_COUNT = 12

FIRST_DAY = datetime.date(2006, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
# No timestamp is later: the same seed gives the same rows whenever it runs.
REFERENCE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# When the actors and topics were recorded: before the first statement.
RECORDED_AT = datetime.datetime(2005, 12, 1, tzinfo=datetime.UTC)
# Spelled out rather than strftime's %B, which follows the process's locale.
MONTHS = ("January", "February", "March", "April", "May", "June")
MONTHS += ("July", "August", "September", "October", "November", "December")

CHUNK_SIZE = 10_000
# Below this many statements, dropping and rebuilding the indexes costs more than it saves.
REBUILD_INDEXES_FROM = 50_000

STATE, PERSON = ActorKind.STATE, ActorKind.PERSON
ISO, CAMEO = IdentifierScheme.ISO3166_ALPHA3, IdentifierScheme.CAMEO

CHANNELS = {
    Channel.WRITTEN_STATEMENT: 25,
    Channel.PRESS_CONFERENCE: 18,
    Channel.IN_PERSON_MEETING: 12,
    Channel.PHONE_CALL: 8,
    Channel.SPEECH: 8,
    Channel.SOCIAL_MEDIA_POST: 8,
    Channel.VIDEO_CALL: 5,
    Channel.INTERVIEW: 5,
    Channel.UNSPECIFIED: 5,
    Channel.JOINT_STATEMENT: 4,
    Channel.DEMARCHE: 2,
}
STATUSES = {Status.PUBLISHED: 945, Status.DRAFT: 25, Status.IN_REVIEW: 25, Status.RETRACTED: 5}
PRECISIONS = {DatePrecision.DAY: 87, DatePrecision.MONTH: 10, DatePrecision.YEAR: 3}
LANGUAGES = {"en": 960, "ja": 25, "zh-Hans": 15}
SPEAKER_COUNTS = {1: 85, 2: 11, 3: 4}
RECIPIENT_COUNTS = {0: 40, 1: 35, 2: 15, 3: 10}
TOPIC_COUNTS = {0: 30, 1: 45, 2: 25}
TAG_COUNTS = {1: 15, 2: 35, 3: 35, 4: 15}  # mean 2.5
ROLE_COUNTS = {1: 50, 2: 35, 3: 15}

# How often each kind of actor speaks, is addressed, or is the target of a stance (times a Zipf rank).
SPEAKER_KINDS = {"state": 4, "government_body": 3, "person": 2, "international_organization": 2, "military": 1.5}
RECIPIENT_KINDS = {"state": 4, "international_organization": 3, "person": 2, "government_body": 1}
TARGET_KINDS = {"state": 4, "international_organization": 2, "person": 1, "government_body": 1, "military": 1}
OTHER_KIND_WEIGHT = 0.3

# How often each family of the taxonomy is tagged; a family itself is tagged a tenth as often as its first act.
FAMILIES = {"S": 20, "E": 14, "K": 12, "A": 10, "O": 9, "C": 8, "P": 8, "W": 7, "D": 5, "R": 5, "X": 4}
# Per family: weights of favor, against, neutral, unclear; then of intensity 1–4 when not neutral or unclear.
STANCES = {
    "S": ((10, 10, 60, 20), (80, 15, 5, 0)),
    "A": ((90, 0, 10, 0), (60, 30, 10, 0)),
    "C": ((90, 0, 10, 0), (60, 30, 10, 0)),
    "E": ((25, 0, 70, 5), (90, 10, 0, 0)),
    "P": ((70, 5, 25, 0), (60, 30, 10, 0)),
    "K": ((0, 95, 0, 5), (45, 35, 20, 0)),
    "O": ((0, 100, 0, 0), (0, 40, 35, 25)),
    "R": ((0, 95, 0, 5), (40, 40, 20, 0)),
    "D": ((0, 85, 10, 5), (30, 45, 25, 0)),
    "W": ((0, 100, 0, 0), (10, 40, 35, 15)),
    "X": ((20, 55, 20, 5), (60, 30, 10, 0)),
}
OTHER_STANCE = ((25, 25, 40, 10), (70, 20, 10, 0))
POLARITIES = (Polarity.FAVOR, Polarity.AGAINST, Polarity.NEUTRAL, Polarity.UNCLEAR)


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
            + ("version", "created_by_id", "created_at", "updated_at"),
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


# Data files ------------------------------------------------------------------------------------


@functools.cache
def read_table(name):
    """The rows of a tab-separated data file as dicts keyed by its header; `#` lines are comments."""
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    header = lines[0].split("\t")
    return tuple(dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:])


@functools.cache
def vocabulary():
    """The English words texts are drawn from, most frequent first, without any that a planted word would match."""
    text = (DATA / "vocabulary.txt").read_text(encoding="utf-8")
    return tuple(word for word in text.splitlines() if word and word[0] != "#" and not resembles_planted(word))


def resembles_planted(word):
    """Whether a search for a planted word could find `word` too: it holds it, or shares the start of its stem."""
    word = word.lower()
    return any(planted in word or word[:6] == planted[:6] for planted in (RARE_WORD, COMMON_WORD))


def rows_where(name, column, value):
    return [row for row in read_table(name) if row[column] == value]


def aliases(text):
    """`name@language|…` as (name, language) pairs."""
    return [tuple(part.rsplit("@", 1)) for part in text.split("|") if part]


# Drawing ---------------------------------------------------------------------------------------


class Draw:
    """Draws items with the given weights; `zipf` weighs the n-th item 1/n, times an optional weight."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum_weights, total = [], 0.0
        for weight in weights:
            total += weight
            self.cum_weights.append(total)
        self.total = total

    @classmethod
    def of(cls, weighted):
        return cls(weighted.keys(), weighted.values())

    @classmethod
    def zipf(cls, items, weights=None, exponent=1.0):
        items = list(items)
        weights = weights or [1.0] * len(items)
        return cls(items, [weight / (rank + 1) ** exponent for rank, weight in enumerate(weights)])

    def one(self, rng):
        # The same arithmetic as random.choices, one item without building a list.
        return self.items[bisect.bisect(self.cum_weights, rng.random() * self.total, 0, len(self.items) - 1)]

    def many(self, rng, count):
        return rng.choices(self.items, cum_weights=self.cum_weights, k=count)

    def distinct(self, rng, count, taken=()):
        """`count` different items, none of them in `taken` (fewer if the draws keep repeating)."""
        chosen = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            item = self.one(rng)
            if item not in chosen and item not in taken:
                chosen.append(item)
        return chosen


def capped(moment):
    return min(moment, REFERENCE_TIME)


def midnight(day):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def long_date(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


UNSAFE_IN_SLUG = re.compile(r"[^a-z0-9]+")


def quick_slug(text, length=60):
    """An ASCII slug of `text` for a URL (cheaper than slugify for text that is ASCII already)."""
    return UNSAFE_IN_SLUG.sub("-", text.lower())[:length].strip("-")


# What the database holds -------------------------------------------------------------------------


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


# Reference rows: actors, roles, topics ---------------------------------------------------------


@dataclass(frozen=True)
class State:
    id: int
    slug: str
    name: str
    adjective: str
    city: str
    language: str  # of its native names: ja, zh-Hans, ko, or "" for none
    native: str


@dataclass(frozen=True)
class Body:
    """A node of a state's tree: the state itself, a government body or a military unit."""

    id: int
    slug: str
    names: dict  # language ("en" and the state's CJK language, if any) -> name
    children: str  # the group of bodies.tsv that sits beneath it


class SyntheticData:
    """The rows of `count` statements and of the actors, topics and sources they need, built from `seed` over `base`.

    `reference_rows()` holds the actors, names, identifiers, roles, topics and aliases;
    `statement_chunks()` yields the rest a chunk of statements at a time, the same each time it is called.
    """

    def __init__(self, base, count, seed):
        if count < 1:
            raise ValueError("count must be at least 1")
        if not base.curators:
            raise ValueError("the generator needs curators")
        if not base.categories:
            raise GenerationRefused("there is no default taxonomy to tag statements with (migrate first).")
        self.base, self.count, self.seed = base, count, seed
        self.rng = random.Random(seed)
        self.next_ids = dict(base.first_ids)
        self.rows = {name: [] for name in REFERENCE_TABLES}
        self.slugs = {actor.slug for actor in base.actors}
        self.actor_names = {actor.id: actor.name for actor in base.actors}
        self.actor_kinds = {actor.id: actor.kind for actor in base.actors}
        self.actor_countries = {actor.id: actor.country_id for actor in base.actors}
        self.build_actors(actor_count(count))
        self.build_topics(topic_count(count))
        self.prepare_draws()

    def reference_rows(self):
        return self.rows

    def take_id(self, table):
        taken = self.next_ids[table]
        self.next_ids[table] = taken + 1
        return taken

    def unique_slug(self, text):
        slug = slugify(text)[:100].strip("-") or "actor"
        candidate, number = slug, 1
        while candidate in self.slugs:
            number += 1
            candidate = f"{slug[: 100 - len(str(number)) - 1]}-{number}"
        self.slugs.add(candidate)
        return candidate

    def add_actor(self, slug, name, kind, country=None, parent=None, names=()):
        actor_id = self.take_id("actors")
        self.rows["actors"].append(
            (actor_id, slug, name, fold(name), kind, country, parent, "", RECORDED_AT, RECORDED_AT)
        )
        written = set()
        for alias, language in names:
            if alias and (alias, language) not in written:
                written.add((alias, language))
                self.rows["actor names"].append((self.take_id("actor names"), actor_id, alias, language, fold(alias)))
        self.actor_names[actor_id] = name
        self.actor_kinds[actor_id] = kind
        self.actor_countries[actor_id] = country
        return actor_id

    # Actors

    def build_actors(self, total):
        """About `total` new actors: states, their bodies, organizations, parties, media, then persons."""
        existing = {actor.slug: actor for actor in self.base.actors}
        by_id = {actor.id: actor for actor in self.base.actors}
        created_before = len(self.rows["actors"])
        self.states = self.build_states(total // 5, existing, by_id)
        if not self.states or self.states[0].slug != BUSY_STATE_SLUG:
            raise GenerationRefused(f"the demo's state {BUSY_STATE_SLUG!r}, the busiest here, is missing.")
        # Where each state's persons hold roles: (organization id, group of titles.tsv), most prominent first.
        self.posts = {state.id: [(state.id, "state")] for state in self.states}
        for state, budget in zip(self.states, body_budgets(total, len(self.states)), strict=True):
            self.build_bodies(state, budget, existing)
        self.international = self.build_international(total // 40, existing)
        self.build_named_after_states("party", ActorKind.PARTY, total // 25)
        self.build_named_after_states("media", ActorKind.MEDIA, total // 25)
        persons = total - (len(self.rows["actors"]) - created_before)
        self.build_persons(max(persons, 0))

    def build_states(self, limit, existing, by_id):
        """States in order of prominence: those already recorded (by ISO code), and up to `limit` new ones."""
        states, created = [], 0
        for row in read_table("countries.tsv"):
            code = row["alpha3"]
            language, _, native = row["native"].partition(":")
            details = {"name": row["name"], "adjective": row["adjective"], "city": row["city"]}
            details |= {"language": language, "native": native}
            holder = by_id.get(self.base.identifier_holders.get((ISO, code)))
            if holder is None and slugify(row["name"]) in existing:
                holder = existing[slugify(row["name"])]
            if holder is not None:
                if holder.kind == STATE:
                    states.append(State(holder.id, holder.slug, **details))
                continue
            if created >= limit:
                continue
            created += 1
            slug = self.unique_slug(row["name"])
            state_id = self.add_actor(slug, row["name"], STATE, names=[(native, language)] if native else ())
            for scheme in (ISO, CAMEO):
                if (scheme, code) not in self.base.identifier_holders:
                    self.rows["actor identifiers"].append((self.take_id("actor identifiers"), state_id, scheme, code))
            states.append(State(state_id, slug, **details))
        return states

    def build_bodies(self, state, budget, existing):
        """Up to `budget` bodies under `state`, a level at a time, taking each parent's next child in turn."""
        root = Body(state.id, state.slug, {"en": state.name, state.language: state.native}, "root")
        level, made = [root], 0
        while level and made < budget:
            families = [(parent, rows_where("bodies.tsv", "group", parent.children)) for parent in level]
            widest = max(len(templates) for _, templates in families)
            next_level = []
            for turn in range(widest):
                for parent, templates in families:
                    if turn < len(templates) and made < budget:
                        next_level.append(self.add_body(state, parent, templates[turn], existing))
                        made += 1
            level = next_level

    def add_body(self, state, parent, template, existing):
        slug = template["slug"].format(slug=state.slug, parent=parent.slug)
        names = {"en": template["en"].format(state=state.name, adjective=state.adjective, parent=parent.names["en"])}
        if state.language:
            native = template[state.language].format(native=state.native, parent=parent.names[state.language])
            names[state.language] = native
        if slug in existing and existing[slug].kind in (ActorKind.GOVERNMENT_BODY, ActorKind.MILITARY):
            body_id = existing[slug].id  # the demo's, such as japan-ministry-of-defense: its children go beneath it
        else:
            slug = self.unique_slug(slug)
            native_names = [(names[state.language], state.language)] if state.language else ()
            body_id = self.add_actor(
                slug, names["en"], template["kind"], country=state.id, parent=parent.id, names=native_names
            )
        self.posts[state.id].append((body_id, template["titles"]))
        return Body(body_id, slug, names, template["children"])

    def build_international(self, limit, existing):
        organizations = []
        for row in rows_where("organizations.tsv", "kind", ActorKind.INTERNATIONAL_ORGANIZATION):
            if row["slug"] in existing:
                organizations.append(existing[row["slug"]].id)
            elif len(organizations) < limit:
                slug = self.unique_slug(row["slug"])
                organizations.append(
                    self.add_actor(slug, row["name"], ActorKind.INTERNATIONAL_ORGANIZATION, names=aliases(row["names"]))
                )
        return organizations

    def build_named_after_states(self, kind, actor_kind, count):
        """`count` parties or media outlets, named from templates after their state (prominent states get more)."""
        templates = [row["name"] for row in rows_where("organizations.tsv", "kind", kind)]
        states = Draw.zipf(self.states)
        taken = set()
        for _ in range(count):
            state = states.one(self.rng)
            name = self.rng.choice(templates).format(state=state.name, adjective=state.adjective, city=state.city)
            if name in taken:
                continue
            taken.add(name)
            actor_id = self.add_actor(self.unique_slug(name), name, actor_kind, country=state.id)
            self.posts[state.id].append((actor_id, kind))

    def build_persons(self, count):
        names = {}
        for row in read_table("names.tsv"):
            names.setdefault((row["script"], row["part"]), []).append((row["latin"], row["native"]))
        names = {key: Draw.zipf(pairs) for key, pairs in names.items()}
        scripts = {"ja": "ja", "zh-Hans": "zh", "ko": "ko"}
        titles = {}
        for row in read_table("titles.tsv"):
            titles.setdefault(row["group"], []).append(row["title"])
        titles = {group: Draw.zipf(items) for group, items in titles.items()}
        states = Draw.zipf(self.states)
        role_counts = Draw.of(ROLE_COUNTS)
        rng = self.rng
        for _ in range(count):
            state = states.one(rng)
            script = scripts.get(state.language, "latin")
            given, given_native = names[script, "given"].one(rng)
            family, family_native = names[script, "family"].one(rng)
            if script == "ja":
                # Given name first in English, as the demo writes Shinjiro Koizumi; family first in Japanese.
                name, other_names = (
                    f"{given} {family}",
                    [(family_native + given_native, "ja"), (f"{family} {given}", "ja-Latn")],
                )
            elif script in ("zh", "ko"):
                native = family_native + given_native
                name, other_names = f"{family} {given}", [(native, state.language), (f"{given} {family}", "en")]
            else:
                name, other_names = f"{given} {family}", []
            person_id = self.add_actor(self.unique_slug(name), name, PERSON, country=state.id, names=other_names)
            self.add_roles(person_id, state, role_counts.one(rng), titles)

    def add_roles(self, person_id, state, count, titles):
        """`count` roles one after the other (start dates differ, so each is unique), the last one maybe still held."""
        rng = self.rng
        posts = Draw.zipf(self.posts[state.id])
        start = datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(26 * 365))
        for number in range(count):
            if start > LAST_DAY:
                break
            if self.international and rng.random() < 0.12:
                organization, group = rng.choice(self.international), "io"
            else:
                organization, group = posts.one(rng)
            end = start + datetime.timedelta(days=rng.randrange(300, 8 * 365))
            if end > LAST_DAY or (number == count - 1 and rng.random() < 0.35):
                end = None
            title = titles[group].one(rng)
            self.rows["roles"].append((self.take_id("roles"), person_id, organization, title, start, end))
            if end is None:
                break
            start = end + datetime.timedelta(days=rng.randrange(1, 400))

    # Topics

    def build_topics(self, total):
        """Curated topics (those not yet recorded), then reported events up to `total` new topics."""
        rng = self.rng
        existing = {slug for _, slug, _ in self.base.topics}
        self.topic_ids = [topic_id for topic_id, _, _ in self.base.topics]
        self.topic_names = {topic_id: name for topic_id, _, name in self.base.topics}
        for row in read_table("topics.tsv"):
            if row["slug"] not in existing and len(self.rows["topics"]) < total:
                self.add_topic(row["slug"], row["name"], None, aliases(row["aliases"]))
                existing.add(row["slug"])
        places = [row["text"] for row in rows_where("events.tsv", "part", "place")]
        events = [row["text"] for row in rows_where("events.tsv", "part", "event")]
        while len(self.rows["topics"]) < total:
            place, event = rng.choice(places), rng.choice(events)
            day = FIRST_DAY + datetime.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
            slug = slugify(f"{event} {place.removeprefix('the ')} {day.isoformat()}")[:100]
            if slug in existing:
                continue
            existing.add(slug)
            name = f"{event} near {place} ({long_date(day)})"
            alias = f"{place.removeprefix('the ')} {event.lower()}, {day.year}"
            self.add_topic(slug, name, day, [(alias, "en")])

    def add_topic(self, slug, name, occurred_on, topic_aliases):
        topic_id = self.take_id("topics")
        self.rows["topics"].append((topic_id, slug, name, fold(name), "", occurred_on))
        for alias, language in topic_aliases:
            self.rows["topic aliases"].append((self.take_id("topic aliases"), topic_id, alias, language, fold(alias)))
        self.topic_ids.append(topic_id)
        self.topic_names[topic_id] = name

    # Statements

    def prepare_draws(self):
        """The Zipf draws statements are made from: actors ranked at random, the busiest state first."""
        rng = self.rng
        actor_ids = sorted(self.actor_kinds)
        busy = self.states[0].id

        def ranked(kind_weights, first=None, exponent=1.0):
            order = [actor_id for actor_id in actor_ids if actor_id != first]
            rng.shuffle(order)
            order = ([first] if first else []) + order
            weights = [kind_weights.get(self.actor_kinds[actor_id], OTHER_KIND_WEIGHT) for actor_id in order]
            return Draw.zipf(order, weights, exponent)

        # Flatter for speakers: the busiest speaks in about a tenth of the statements, not a fifth.
        self.speakers = ranked(SPEAKER_KINDS, first=busy, exponent=0.8)
        self.recipients = ranked(RECIPIENT_KINDS)
        self.targets = ranked(TARGET_KINDS)
        # Japanese and Chinese texts come from the actors of Japan and China: the state, then its own in order.
        self.speakers_by_language = {}
        for language in ("ja", "zh-Hans"):
            state = next(state for state in self.states if state.language == language)
            own = [actor_id for actor_id in actor_ids if self.actor_countries[actor_id] == state.id]
            self.speakers_by_language[language] = Draw.zipf([state.id, *own])
        self.topics = Draw.zipf(self.topic_ids)
        self.curators = Draw.zipf(self.base.curators)
        self.categories = Draw(
            [(category_id, code[0]) for category_id, code in self.base.categories],
            [category_weight(code) for _, code in self.base.categories],
        )
        self.stances = {
            family: (Draw(POLARITIES, polarity), Draw((1, 2, 3, 4), intensity))
            for family, (polarity, intensity) in STANCES.items()
        }
        self.other_stance = (Draw(POLARITIES, OTHER_STANCE[0]), Draw((1, 2, 3, 4), OTHER_STANCE[1]))
        self.publishers = Draw.zipf([row["publisher"] for row in read_table("publishers.tsv")])
        self.headline_verbs = {}
        for row in read_table("headlines.tsv"):
            self.headline_verbs.setdefault(row["family"], []).append(row["verb"])
        self.words = Draw.zipf(vocabulary())
        self.cjk = {}
        for row in read_table("cjk_phrases.tsv"):
            self.cjk.setdefault((row["language"], row["part"]), []).append(row["text"])

    def statement_chunks(self, size=CHUNK_SIZE):
        """The statement rows, `size` statements at a time: each chunk maps a table name to its rows."""
        return StatementRows(self).chunks(size)


def category_weight(code):
    """How often a category is tagged: by its family, an act more than its family, a first act more than a fifth."""
    family, act = FAMILIES.get(code[0], 1), code[1:]
    if not act:
        return family * 0.1
    return family / int(act) if act.isdigit() and int(act) > 0 else family * 0.2


def actor_count(count):
    return min(max(count // 20, 400), 5_000)


def topic_count(count):
    return min(max(count // 2_500, 200), 400)


def body_budgets(total, states):
    """How many bodies each state gets, in order of prominence: `STATE_BODIES` for the first (when `total` allows)."""
    bodies = total * 3 // 10
    first = min(STATE_BODIES, total // 10)
    # Flatter than 1/n, and below the first state's tree: the next states get large trees, not larger ones.
    weights = [1 / (rank + 1) ** 0.7 for rank in range(states - 1)]
    share = sum(weights)
    return [first] + [min(first - 1, int((bodies - first) * weight / share)) for weight in weights]


# Statement rows ----------------------------------------------------------------------------------

# A statement is recorded soon after it was made, except for a few entered later from older sources.
BACKFILL_SHARE = 0.15
BACKFILL_DAYS = 730  # how far back a statement entered late may go
# A statement recorded on the day cites a fresh source this often, else one of the last few (~2.5 statements a source).
NEW_SOURCE_SHARE = 0.3
RECENT_SOURCES = 6
DIRECT_QUOTE_SHARE = 0.3


class StatementRows:
    """Builds statement rows one after the other, each recorded (created_at) in the order of its number."""

    def __init__(self, data):
        self.data = data
        # Its own generator, seeded from the seed (a string seed is hashed with SHA-512, the same in every
        # process), so the chunks come out the same each time they are asked for.
        self.rng = random.Random(f"{data.seed}:statements")
        self.next_ids = {name: data.base.first_ids[name] for name in STATEMENT_TABLES}
        self.recent_sources = []
        self.sources_made = 0
        self.channels = Draw.of(CHANNELS)
        self.statuses = Draw.of(STATUSES)
        self.precisions = Draw.of(PRECISIONS)
        self.languages = Draw.of(LANGUAGES)
        self.speaker_counts = Draw.of(SPEAKER_COUNTS)
        self.recipient_counts = Draw.of(RECIPIENT_COUNTS)
        self.topic_counts = Draw.of(TOPIC_COUNTS)
        self.tag_counts = Draw.of(TAG_COUNTS)

    def chunks(self, size):
        for start in range(0, self.data.count, size):
            rows = {name: [] for name in STATEMENT_TABLES}
            for number in range(start, min(start + size, self.data.count)):
                self.add_statement(number, rows)
            yield rows

    def take_id(self, table):
        taken = self.next_ids[table]
        self.next_ids[table] = taken + 1
        return taken

    def add_statement(self, number, rows):
        data, rng, take_id = self.data, self.rng, self.take_id
        # Statements are recorded in date order over the twenty years ("today" moves with the number).
        today = FIRST_DAY.toordinal() + number * (LAST_DAY - FIRST_DAY).days // data.count
        backfill = rng.random() < BACKFILL_SHARE
        if backfill:
            said_on = today - rng.randrange(min(BACKFILL_DAYS, today - FIRST_DAY.toordinal()) + 1)
        else:
            said_on = max(FIRST_DAY.toordinal(), today - rng.randrange(4))
        said_on = datetime.date.fromordinal(said_on)
        precision = self.precisions.one(rng)
        language = self.languages.one(rng)
        channel = self.channels.one(rng)
        speaker_count = self.speaker_counts.one(rng)
        if channel == Channel.JOINT_STATEMENT:
            speaker_count = max(speaker_count, 2)
        speakers = data.speakers_by_language.get(language, data.speakers).distinct(rng, speaker_count)
        recipients = data.recipients.distinct(rng, self.recipient_counts.one(rng), taken=speakers)
        topics = data.topics.distinct(rng, self.topic_counts.one(rng))
        curator = data.curators.one(rng)
        created_at = capped(
            midnight(datetime.date.fromordinal(today)) + datetime.timedelta(seconds=rng.randrange(6 * 3600, 30 * 3600))
        )
        if language == "en":
            text, summary = self.english_text(rng), self.english_summary(rng)
        else:
            text = "".join(self.cjk_sentence(rng, language) for _ in range(rng.randint(2, 4)))
            summary = self.cjk_sentence(rng, language, subject=False)
        statement_id = take_id("statements")
        rows["statements"].append(
            (
                statement_id,
                first_day(said_on, precision),
                precision,
                channel,
                text,
                rng.random() < DIRECT_QUOTE_SHARE,
                language,
                summary,
                self.statuses.one(rng),
                1,  # as on creation: the row was saved once
                curator,
                created_at,
                created_at,
            )
        )
        for actor in speakers:
            rows["statement speakers"].append((take_id("statement speakers"), statement_id, actor))
        for actor in recipients:
            rows["statement recipients"].append((take_id("statement recipients"), statement_id, actor))
        for topic in topics:
            rows["statement topics"].append((take_id("statement topics"), statement_id, topic))
        family = self.add_tags(rng, rows, statement_id, recipients, topics, curator, created_at)
        if backfill or not self.recent_sources or rng.random() < NEW_SOURCE_SHARE:
            source, publisher = self.add_source(rng, rows, said_on, speakers[0], family, topics, recipients)
            if not backfill:
                self.recent_sources = [*self.recent_sources[-RECENT_SOURCES + 1 :], (source, publisher)]
        else:
            source, publisher = rng.choice(self.recent_sources)
        roll = rng.random()
        if roll < 0.45:
            attribution = f"according to {publisher}"
        elif roll < 0.7:
            attribution = f"according to {data.actor_names[speakers[0]]}"
        else:
            attribution = ""
        rows["citations"].append((take_id("citations"), statement_id, source, attribution[:300]))

    def add_tags(self, rng, rows, statement_id, recipients, topics, curator, created_at):
        """One to four tags, no two on the same act and target; returns the first tag's family."""
        data, first_family, tagged = self.data, None, set()
        for _ in range(self.tag_counts.one(rng)):
            for _attempt in range(4):
                (category, family), target_actor, target_topic = data.categories.one(rng), None, None
                roll = rng.random()
                if roll < 0.5:
                    target_actor = (
                        rng.choice(recipients) if recipients and rng.random() < 0.7 else data.targets.one(rng)
                    )
                elif roll < 0.75:
                    target_topic = rng.choice(topics) if topics and rng.random() < 0.7 else data.topics.one(rng)
                if (category, target_actor, target_topic) not in tagged:
                    break
            else:
                continue
            tagged.add((category, target_actor, target_topic))
            first_family = first_family or family
            polarities, intensities = data.stances.get(family, data.other_stance)
            polarity = polarities.one(rng)
            intensity = intensities.one(rng) if polarity in (Polarity.FAVOR, Polarity.AGAINST) else 0
            tag_curator = curator if rng.random() < 0.75 else data.curators.one(rng)
            tagged_at = capped(created_at + datetime.timedelta(seconds=rng.randrange(900)))
            rows["stance tags"].append(
                (
                    self.take_id("stance tags"),
                    statement_id,
                    category,
                    target_actor,
                    target_topic,
                    polarity,
                    intensity,
                    tag_curator,
                    tagged_at,
                )
            )
        return first_family

    def add_source(self, rng, rows, said_on, speaker, family, topics, recipients):
        data = self.data
        self.sources_made += 1
        publisher = data.publishers.one(rng)
        published_on = None if rng.random() < 0.05 else said_on + datetime.timedelta(days=rng.randrange(3))
        if recipients and not topics:
            subject = data.actor_names[recipients[0]]
        else:
            subject = data.topic_names[topics[0] if topics else data.topics.one(rng)]
        verbs = data.headline_verbs.get(family) or data.headline_verbs["S"]
        title = "" if rng.random() < 0.03 else f"{data.actor_names[speaker]} {rng.choice(verbs)} {subject}"
        # The number makes the URL unique; example.org keeps it from ever pointing at a real page.
        url = (
            f"https://example.org/synthetic/{quick_slug(publisher)}/{(published_on or said_on):%Y/%m/%d}/"
            f"{self.sources_made}-{quick_slug(title) or 'report'}"
        )
        source = self.take_id("sources")
        rows["sources"].append((source, url, publisher, title[:500], published_on))
        return source, publisher

    def english_text(self, rng):
        words = self.data.words.many(rng, rng.randint(30, 50))
        if rng.random() < COMMON_SHARE:
            words[rng.randrange(len(words))] = COMMON_WORD
        if rng.random() < RARE_SHARE:
            words[rng.randrange(len(words))] = RARE_WORD
        sentences, start = [], 0
        while start < len(words):
            end = start + rng.randint(8, 16)
            if len(words) - end < 4:  # no two-word sentence at the end
                end = len(words)
            sentence = " ".join(words[start:end])
            sentences.append(f"{sentence[0].upper()}{sentence[1:]}.")
            start = end
        return " ".join(sentences)

    def english_summary(self, rng):
        summary = " ".join(self.data.words.many(rng, rng.randint(8, 15)))
        return summary[0].upper() + summary[1:]

    def cjk_sentence(self, rng, language, subject=True):
        phrases = self.data.cjk
        who = rng.choice(phrases[language, "subject"]) if subject else ""
        what = rng.choice(phrases[language, "object"]) + rng.choice(phrases[language, "about"])
        predicate = rng.choice(phrases[language, "predicate"])
        if language == "ja":
            return f"{who}は{what}、{predicate}。" if subject else f"{what}、{predicate}"
        return f"{who}就{what}{predicate}。" if subject else f"{what}{predicate}"


# Writing -----------------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run wrote (rows per table, in the order of TABLES) and how long each step took."""

    demo_created: int = 0
    curators: int = 0
    created: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # step -> seconds
    rebuilt_indexes: list = field(default_factory=list)

    @contextmanager
    def step(self, name):
        started = time.monotonic()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started

    def add(self, name, rows):
        self.created[name] = self.created.get(name, 0) + len(rows)


def generate(*, count, seed, progress=None, rebuild_indexes=None):
    """Load the demo and add `count` synthetic statements from `seed`, in one transaction; return the Report.

    `progress(n)` is told of every n statements written. Raises GenerationRefused, writing
    nothing, if the database already holds synthetic data; any failure writes nothing.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic():
        demo = load_demo()
        curators = create_curators()
        report = Report(demo_created=demo.total("created"), curators=len(curators))
        if connection.vendor == "postgresql":
            lock_tables()
        with report.step("building actors and topics"):
            data = SyntheticData(read_base(curators), count, seed)
        write(data, report, progress, rebuild_indexes)
    return report


def create_curators():
    """The synthetic curators: inactive users with an unusable password, like the demo curator."""
    User = get_user_model()
    username = User.USERNAME_FIELD
    if User.objects.filter(**{f"{username}__startswith": CURATOR_USERNAME_PREFIX}).exists():
        raise GenerationRefused(
            "this database already holds synthetic statements (its synthetic curators exist). "
            "Generate into a fresh database rather than doubling them."
        )
    curators = []
    for number in range(1, CURATOR_COUNT + 1):
        # Joined on a fixed day, not today; the unusable password's random suffix is Django's own.
        curator = User(**{username: f"{CURATOR_USERNAME_PREFIX}{number:02d}"}, is_active=False, date_joined=RECORDED_AT)
        curator.set_unusable_password()
        curator.save()
        curators.append(curator.pk)
    return curators


def db_tables():
    return [table.model._meta.db_table for table in TABLES.values()]


def quoted(tables):
    return ", ".join(map(connection.ops.quote_name, tables))


def lock_tables():
    """Keep other writers out (readers may go on) while ids are taken after the tables' highest ones."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {quoted(db_tables())} IN EXCLUSIVE MODE")


def write(data, report, progress=None, rebuild_indexes=None):
    """Write every row of `data`, in the caller's transaction: COPY on PostgreSQL, bulk_create elsewhere.

    `rebuild_indexes` (by default, from `REBUILD_INDEXES_FROM` statements on) drops the statement
    tables' secondary indexes before COPY and rebuilds them after; it means nothing elsewhere.
    Other writers wait for the end of the transaction; with the indexes rebuilt, readers of the
    statement tables wait too.
    """
    progress = progress or (lambda statements: None)
    if connection.vendor == "postgresql":
        rebuild = data.count >= REBUILD_INDEXES_FROM if rebuild_indexes is None else rebuild_indexes
        write_with_copy(data, report, progress, rebuild)
    else:
        write_with_orm(data, report, progress)


def tables_of(data):
    """Every (table name, rows) of `data`, reference tables first, then chunk after chunk of statements."""
    yield from data.reference_rows().items()
    for chunk in data.statement_chunks():
        yield from chunk.items()


def write_with_orm(data, report, progress):
    """The rows through `bulk_create`, in batches: SQLite and every database without COPY."""
    with report.step("writing"), timestamps_as_given():
        for name, rows in tables_of(data):
            table = TABLES[name]
            table.model.objects.bulk_create(
                [table.model(**dict(zip(table.columns, row, strict=True))) for row in rows], batch_size=500
            )
            report.add(name, rows)
            if name == "statements":
                progress(len(rows))
    with report.step("sequences"):
        reset_sequences()


@contextmanager
def timestamps_as_given():
    """Let bulk_create keep the generated created_at and updated_at instead of stamping the clock on them.

    The command runs alone in its process, so switching the fields' flags for its length is safe.
    """
    fields = [
        model_field
        for table in TABLES.values()
        for model_field in table.model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    ]
    flags = [(model_field, model_field.auto_now, model_field.auto_now_add) for model_field in fields]
    for model_field in fields:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in flags:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def reset_sequences():
    """Point each table's id sequence past the ids the generator took (nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [table.model for table in TABLES.values()])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# The indexes a bulk load is faster without: neither unique nor backing a constraint, so dropping
# them while the rows go in cannot let a bad row in.
SECONDARY_INDEXES = """
SELECT format('%%I.%%I', indexes.schemaname, indexes.indexname), indexes.indexdef
FROM pg_indexes indexes
JOIN pg_namespace namespace ON namespace.nspname = indexes.schemaname
JOIN pg_class class ON class.relnamespace = namespace.oid AND class.relname = indexes.indexname
JOIN pg_index index ON index.indexrelid = class.oid
WHERE indexes.schemaname = current_schema() AND indexes.tablename = ANY(%s)
  AND NOT index.indisunique AND NOT index.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = index.indexrelid)
ORDER BY indexes.tablename, indexes.indexname
"""


def write_with_copy(data, report, progress, rebuild_indexes):
    """The rows through COPY on PostgreSQL; with `rebuild_indexes`, the statement tables' secondary indexes after."""
    with connection.cursor() as cursor:
        indexes = []
        if rebuild_indexes:
            with report.step("dropping indexes"):
                cursor.execute(SECONDARY_INDEXES, [[TABLES[name].model._meta.db_table for name in STATEMENT_TABLES]])
                indexes = cursor.fetchall()
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {name}")
        with report.step("writing"), connection.connection.cursor() as copier:
            for name, rows in tables_of(data):
                copy(copier, TABLES[name], rows)
                report.add(name, rows)
                if name == "statements":
                    progress(len(rows))
        with report.step("checking foreign keys"):
            # The deferred foreign key checks of every row written, now rather than at commit: an index
            # cannot be built on a table with checks pending, and their time is worth reporting apart.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if indexes:
            with report.step("rebuilding indexes"):
                # For this transaction only: the big indexes build several times faster sorted in memory.
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for _, definition in indexes:
                    cursor.execute(definition)
            report.rebuilt_indexes = [name for name, _ in indexes]
        with report.step("sequences"):
            reset_sequences()
        with report.step("analyze"):
            cursor.execute(f"ANALYZE {quoted(db_tables())}")


def copy(cursor, table, rows):
    """COPY `rows` into `table`, naming the columns: the table may have others, such as a generated search document."""
    if not rows:
        return
    columns = {model_field.attname: model_field.column for model_field in table.model._meta.concrete_fields}
    column_list = ", ".join(connection.ops.quote_name(columns[attname]) for attname in table.columns)
    with cursor.copy(
        f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({column_list}) FROM STDIN"
    ) as copier:
        for row in rows:
            copier.write_row(row)
