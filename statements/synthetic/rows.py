"""The reference rows built from a seed (actors with their names, identifiers and roles; topics): `SyntheticData`.

A pure function of the seed and of the `Base` it builds on: `random.Random(seed)`, nothing read in
set order, every value `save()` would derive already set. `SyntheticData` then hands its draws to
`StatementRows` for the statements, a chunk at a time.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils.text import slugify

from actors.models import ActorKind, IdentifierScheme
from config.models import fold
from statements.synthetic.draws import (
    FAMILIES,
    FIRST_DAY,
    LAST_DAY,
    OTHER_KIND_WEIGHT,
    OTHER_STANCE,
    POLARITIES,
    RECIPIENT_KINDS,
    RECORDED_AT,
    ROLE_COUNTS,
    SPEAKER_KINDS,
    STANCES,
    TARGET_KINDS,
    Draw,
    long_date,
)
from statements.synthetic.statement_rows import StatementRows
from statements.synthetic.tables import REFERENCE_TABLES, GenerationRefused
from statements.synthetic.vocabulary import aliases, read_table, rows_where, vocabulary

# The state whose actors speak most; it also has the big tree of bodies that makes `country=` heavy.
BUSY_STATE_SLUG = "china"
STATE_WITH_BODIES = BUSY_STATE_SLUG
STATE_BODIES = 200

# How many statements' rows are built, and held in memory, at a time.
CHUNK_SIZE = 10_000

STATE, PERSON = ActorKind.STATE, ActorKind.PERSON
ISO, CAMEO = IdentifierScheme.ISO3166_ALPHA3, IdentifierScheme.CAMEO


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
