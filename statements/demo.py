"""The seed report as demo data: its actors, roles, topics, source and eight statements with their tags.

`load_demo()` is idempotent. Every row has a natural key (an actor's slug, an identifier's scheme
and value, a role's person, organization, title and start date, a source's URL, …); a row is
created when its key is missing and saved only when a field really differs, so a second run
changes nothing: no ids, no `updated_at`, no `Statement.version`, no history rows. A demo
statement's key is its citation of the demo source plus its summary (fixed below and unique
within the demo), which cannot match a statement a curator recorded from a real source.

Shared reference rows (actors, topics) only gain what the demo lists: names, aliases, identifiers
and roles added by curators are kept. The demo's own statements are brought back to exactly what
is listed here: speakers, recipients and topics as sets, and the tags made by the demo curator.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from actors.models import Actor, ActorIdentifier, ActorKind, ActorName, IdentifierScheme, Role
from statements.models import (
    Channel,
    Citation,
    DatePrecision,
    Polarity,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    Status,
    Topic,
    TopicAlias,
    first_day,
)

DEMO_CURATOR_USERNAME = "demo-curator"

STATE, GOVERNMENT_BODY, MILITARY, PERSON = (
    ActorKind.STATE,
    ActorKind.GOVERNMENT_BODY,
    ActorKind.MILITARY,
    ActorKind.PERSON,
)
ISO, CAMEO, WIKIDATA = IdentifierScheme.ISO3166_ALPHA3, IdentifierScheme.CAMEO, IdentifierScheme.WIKIDATA
FAVOR, AGAINST, NEUTRAL, UNCLEAR = Polarity.FAVOR, Polarity.AGAINST, Polarity.NEUTRAL, Polarity.UNCLEAR


class DemoError(Exception):
    """The database holds rows the demo cannot reconcile with its own (nothing is written)."""


@dataclass(frozen=True)
class DemoActor:
    slug: str
    name: str
    kind: str
    country: str | None = None
    parent: str | None = None
    description: str = ""
    names: tuple = ()
    identifiers: tuple = ()


@dataclass(frozen=True)
class DemoRole:
    person: str
    title: str
    organization: str
    start: datetime.date
    end: datetime.date | None = None


@dataclass(frozen=True)
class DemoTopic:
    slug: str
    name: str
    description: str = ""
    occurred_on: datetime.date | None = None
    aliases: tuple = ()


@dataclass(frozen=True)
class DemoTag:
    code: str
    actor: str | None = None
    topic: str | None = None
    polarity: str = NEUTRAL
    intensity: int = 0


@dataclass(frozen=True)
class DemoStatement:
    summary: str  # the demo's key for this statement: unique among the demo's statements
    speakers: tuple
    date: datetime.date  # for month or year precision, the first day, as Statement.save() keeps it
    channel: str
    text: str
    attribution: str
    recipients: tuple = ()
    date_precision: str = DatePrecision.DAY
    topics: tuple = ()
    tags: tuple = ()
    is_direct_quote: bool = False

    def __post_init__(self):
        # Statement.save() moves a month or year to its first day; a date listed otherwise here
        # would differ from the saved one on every run and break idempotency.
        stored = first_day(self.date, self.date_precision)
        if self.date != stored:
            raise ValueError(f"{self.summary!r}: with {self.date_precision} precision, list the date as {stored}.")


def state(slug, name, code, qid, names=()):
    """A state with its ISO 3166 alpha-3 code (CAMEO uses the same three letters for these) and QID."""
    return DemoActor(slug, name, STATE, names=names, identifiers=((ISO, code), (CAMEO, code), (WIKIDATA, qid)))


# Parents and countries come before the actors that point at them.
ACTORS = [
    state("japan", "Japan", "JPN", "Q17", names=(("日本", "ja"), ("日本国", "ja"))),
    state(
        "china",
        "China",
        "CHN",
        "Q148",
        names=(("中国", "zh-Hans"), ("中华人民共和国", "zh-Hans"), ("People's Republic of China", "en")),
    ),
    state("russia", "Russia", "RUS", "Q159", names=(("Россия", "ru"), ("Russian Federation", "en"))),
    state("united-states", "United States", "USA", "Q30", names=(("United States of America", "en"),)),
    state("united-kingdom", "United Kingdom", "GBR", "Q145", names=(("UK", "en"),)),
    state("germany", "Germany", "DEU", "Q183", names=(("Deutschland", "de"),)),
    state("france", "France", "FRA", "Q142"),
    state("italy", "Italy", "ITA", "Q38", names=(("Italia", "it"),)),
    # Mark Rutte's nationality.
    state("netherlands", "Netherlands", "NLD", "Q55", names=(("Nederland", "nl"),)),
    DemoActor(
        "nato",
        "NATO",
        ActorKind.INTERNATIONAL_ORGANIZATION,
        names=(("North Atlantic Treaty Organization", "en"), ("OTAN", "fr")),
        identifiers=((WIKIDATA, "Q7184"),),
    ),
    DemoActor(
        "government-of-japan",
        "Government of Japan",
        GOVERNMENT_BODY,
        country="japan",
        parent="japan",
        names=(("日本国政府", "ja"),),
    ),
    DemoActor(
        "japan-ministry-of-defense",
        "Ministry of Defense (Japan)",
        GOVERNMENT_BODY,
        country="japan",
        parent="government-of-japan",
        names=(("防衛省", "ja"), ("Japan's Defense Ministry", "en")),
    ),
    DemoActor(
        "japan-joint-staff",
        "Japan Joint Staff",
        MILITARY,
        country="japan",
        parent="japan-ministry-of-defense",
        names=(("統合幕僚監部", "ja"), ("Joint Staff Office", "en")),
    ),
    DemoActor(
        "japan-coast-guard",
        "Japan Coast Guard",
        GOVERNMENT_BODY,
        country="japan",
        parent="government-of-japan",
        names=(("海上保安庁", "ja"),),
    ),
    DemoActor(
        "government-of-italy",
        "Government of Italy",
        GOVERNMENT_BODY,
        country="italy",
        parent="italy",
        names=(("Governo italiano", "it"),),
    ),
    # Under the People's Armed Police, itself under the Central Military Commission, since 2018.
    DemoActor(
        "china-coast-guard",
        "China Coast Guard",
        MILITARY,
        country="china",
        parent="china",
        names=(("中国海警局", "zh-Hans"),),
    ),
    DemoActor(
        "us-department-of-state",
        "U.S. Department of State",
        GOVERNMENT_BODY,
        country="united-states",
        parent="united-states",
        names=(("State Department", "en"),),
    ),
    DemoActor(
        "us-ambassador-to-japan",
        "U.S. Ambassador to Japan",
        GOVERNMENT_BODY,
        country="united-states",
        parent="us-department-of-state",
        description="The office: the seed report does not name the person holding it.",
        names=(("US ambassador in Japan", "en"),),
    ),
    # Persons: `country` is nationality; affiliation comes from their roles on a date.
    DemoActor(
        "shinjiro-koizumi",
        "Shinjiro Koizumi",
        PERSON,
        country="japan",
        names=(("小泉進次郎", "ja"), ("Koizumi Shinjiro", "ja-Latn")),
    ),
    DemoActor(
        "gen-nakatani", "Gen Nakatani", PERSON, country="japan", names=(("中谷元", "ja"), ("Nakatani Gen", "ja-Latn"))
    ),
    DemoActor(
        "sanae-takaichi",
        "Sanae Takaichi",
        PERSON,
        country="japan",
        names=(("高市早苗", "ja"), ("Takaichi Sanae", "ja-Latn")),
    ),
    DemoActor("guido-crosetto", "Guido Crosetto", PERSON, country="italy"),
    DemoActor("mark-rutte", "Mark Rutte", PERSON, country="netherlands"),
]

ROLES = [
    DemoRole(
        "shinjiro-koizumi",
        "Minister of the Environment",
        "government-of-japan",
        datetime.date(2019, 9, 11),
        datetime.date(2021, 10, 4),
    ),
    DemoRole("shinjiro-koizumi", "Minister of Defense", "government-of-japan", datetime.date(2025, 10, 21)),
    DemoRole(
        "gen-nakatani",
        "Minister of Defense",
        "government-of-japan",
        datetime.date(2024, 10, 1),
        datetime.date(2025, 10, 21),
    ),
    DemoRole("sanae-takaichi", "Prime Minister", "government-of-japan", datetime.date(2025, 10, 21)),
    DemoRole("guido-crosetto", "Minister of Defence", "government-of-italy", datetime.date(2022, 10, 22)),
    DemoRole("mark-rutte", "Secretary General", "nato", datetime.date(2024, 10, 1)),
]

TOPICS = [
    DemoTopic("taiwan", "Taiwan", aliases=(("台湾", "ja"), ("台灣", "zh-Hant"))),
    DemoTopic(
        "senkaku-diaoyu-islands",
        "Senkaku/Diaoyu Islands",
        description="Islands in the East China Sea administered by Japan and claimed by China.",
        aliases=(
            ("Senkaku Islands", "en"),
            ("Diaoyu Islands", "en"),
            ("尖閣諸島", "ja"),
            ("钓鱼岛", "zh-Hans"),
        ),
    ),
    DemoTopic("one-china-principle", "One China principle", aliases=(("一个中国原则", "zh-Hans"),)),
    DemoTopic(
        "fire-control-radar-incident-2025-12-06",
        "Fire-control radar incident (6 December 2025)",
        description="China's alleged use of fire-control radar against Japanese fighter jets near Japan's "
        "southern islands.",
        occurred_on=datetime.date(2025, 12, 6),
    ),
    DemoTopic(
        "china-russia-joint-bomber-flight-2025-12-09",
        "China–Russia joint bomber flight (9 December 2025)",
        description="A joint flight by Chinese and Russian bombers south of Okinawa.",
        occurred_on=datetime.date(2025, 12, 9),
    ),
    DemoTopic(
        "japan-china-dispute-2025",
        "Japan–China dispute of 2025",
        description="Triggered by Prime Minister Sanae Takaichi's remarks on Taiwan of 7 November 2025.",
    ),
]

# The report gives no URL: an honest placeholder under example.org, which can never resolve to a real page.
SOURCE_URL = "https://example.org/seed/article-2025-12-japan-china"
SOURCE = {
    "publisher": "News agency feed (seed report)",
    # Derived from the report's first sentence: it carries no headline.
    "title": "Japan's Koizumi conveys “grave concerns” over China and Russia to NATO chief and Italy's defense "
    "minister",
    "published_on": datetime.date(2025, 12, 11),
}

WEDNESDAY = datetime.date(2025, 12, 10)
THURSDAY = datetime.date(2025, 12, 11)
EARLIER_THIS_MONTH = datetime.date(2025, 12, 1)  # month precision: December 2025

# Intensity grades the words: 3 for "grave concerns"; where the report gives no grading words,
# 1 for a stance with a polarity and 0 for a neutral or unclear one.
STATEMENTS = [
    DemoStatement(
        summary="Koizumi conveys grave concerns over China and Russia to NATO's Rutte and Italy's Crosetto",
        speakers=("shinjiro-koizumi",),
        recipients=("mark-rutte", "guido-crosetto"),
        date=WEDNESDAY,
        channel=Channel.VIDEO_CALL,
        text="Koizumi briefed NATO Secretary General Mark Rutte and Italian Defense Minister Guido Crosetto on "
        "China’s alleged use of fire-control radar against Japanese fighter jets, as well as a joint flight by "
        "Chinese and Russian bombers south of Okinawa, conveying “grave concerns” over rising security tensions "
        "involving China and Russia. Koizumi confirmed his intention to strengthen cooperation with both Rutte and "
        "Crosetto. He also reiterated Japan’s stance to respond to developments in a “calm and yet resolute "
        "manner.”",
        attribution="according to Japan's Defense Ministry",
        topics=(
            "fire-control-radar-incident-2025-12-06",
            "china-russia-joint-bomber-flight-2025-12-09",
            "japan-china-dispute-2025",
        ),
        tags=(
            DemoTag("E2"),
            DemoTag("K1", actor="china", polarity=AGAINST, intensity=3),
            DemoTag("K1", actor="russia", polarity=AGAINST, intensity=3),
            DemoTag("C2", actor="nato", polarity=FAVOR, intensity=1),
            DemoTag("C2", actor="italy", polarity=FAVOR, intensity=1),
            DemoTag("S1"),
        ),
    ),
    DemoStatement(
        summary="Japan Joint Staff: the US–Japan exercise over the Sea of Japan reaffirmed the will not to tolerate "
        "unilateral changes to the status quo by force",
        speakers=("japan-joint-staff",),
        date=THURSDAY,
        channel=Channel.WRITTEN_STATEMENT,
        text="US and Japanese military forces conducted a joint exercise in the airspace over the Sea of Japan "
        "Wednesday that reaffirmed the nations’ will “not to tolerate unilateral changes to the status quo by "
        "force.” The drill included two US B-52 bombers and Japanese fighter jets.",
        attribution="according to a statement released Thursday by the Japan Joint Staff",
        tags=(
            DemoTag("X1", actor="united-states", polarity=FAVOR, intensity=1),
            DemoTag("W1", actor="china", polarity=AGAINST, intensity=1),
        ),
    ),
    DemoStatement(
        summary="Takaichi's remarks on Taiwan, the trigger of the Japan–China dispute",
        speakers=("sanae-takaichi",),
        date=datetime.date(2025, 11, 7),
        # "Speech or remarks": the report calls them remarks and does not say where they were made.
        channel=Channel.SPEECH,
        text="Prime Minister Sanae Takaichi’s Nov. 7 remarks on Taiwan triggered the Japan–China dispute.",
        attribution="",
        topics=("taiwan", "japan-china-dispute-2025"),
        # The report does not say what she said, so the stance toward Taiwan is unclear.
        tags=(DemoTag("S1", topic="taiwan", polarity=UNCLEAR),),
    ),
    DemoStatement(
        summary="China seeks the support of the UK, Germany and France for its One China principle",
        speakers=("china",),
        recipients=("united-kingdom", "germany", "france"),
        date=EARLIER_THIS_MONTH,
        date_precision=DatePrecision.MONTH,
        channel=Channel.UNSPECIFIED,
        text="China has reached out to nations including the UK, Germany and France to support its “One China” "
        "principle.",
        attribution="",
        topics=("one-china-principle", "japan-china-dispute-2025"),
        tags=(DemoTag("P1", topic="one-china-principle", polarity=FAVOR, intensity=1),),
    ),
    DemoStatement(
        summary="The US ambassador in Japan flags State Department support for Tokyo",
        speakers=("us-ambassador-to-japan",),
        # The report gives no date ("has flagged"); only the year is certain.
        date=datetime.date(2025, 1, 1),
        date_precision=DatePrecision.YEAR,
        channel=Channel.UNSPECIFIED,
        text="The US ambassador in Japan has flagged State Department support for Tokyo.",
        attribution="",
        topics=("japan-china-dispute-2025",),
        tags=(DemoTag("A1", actor="japan", polarity=FAVOR, intensity=1),),
    ),
    DemoStatement(
        summary="Japan warns China over the Senkaku Islands",
        speakers=("japan",),
        recipients=("china",),
        date=EARLIER_THIS_MONTH,
        date_precision=DatePrecision.MONTH,
        channel=Channel.UNSPECIFIED,
        text="Both countries issued warnings to each other earlier this month over disputed islands in the East "
        "China Sea — known as the Diaoyu in China and the Senkaku in Japan.",
        attribution="",
        topics=("senkaku-diaoyu-islands",),
        tags=(DemoTag("W1", actor="china", polarity=AGAINST, intensity=1),),
    ),
    DemoStatement(
        summary="China warns Japan over the Diaoyu Islands",
        speakers=("china",),
        recipients=("japan",),
        date=EARLIER_THIS_MONTH,
        date_precision=DatePrecision.MONTH,
        channel=Channel.UNSPECIFIED,
        text="Both countries issued warnings to each other earlier this month over disputed islands in the East "
        "China Sea — known as the Diaoyu in China and the Senkaku in Japan.",
        attribution="",
        topics=("senkaku-diaoyu-islands",),
        tags=(DemoTag("W1", actor="japan", polarity=AGAINST, intensity=1),),
    ),
    DemoStatement(
        summary="Japan Coast Guard reports four China Coast Guard vessels in Japanese territorial waters near the "
        "Senkaku Islands",
        speakers=("japan-coast-guard",),
        date=WEDNESDAY,
        channel=Channel.UNSPECIFIED,
        text="Four China Coast Guard vessels entered Japanese territorial waters near the disputed islands.",
        attribution="according to the Japan Coast Guard",
        topics=("senkaku-diaoyu-islands",),
        tags=(DemoTag("X3", actor="china", polarity=AGAINST, intensity=1),),
    ),
]

CREATED, UPDATED, UNCHANGED, REMOVED = "created", "updated", "unchanged", "removed"
KINDS = [
    "users",
    "actors",
    "actor names",
    "actor identifiers",
    "roles",
    "topics",
    "topic aliases",
    "sources",
    "statements",
    "citations",
    "stance tags",
]


@dataclass
class Tally:
    """What a run did, per kind of row, reported in the order of KINDS."""

    counts: dict = field(default_factory=lambda: {kind: Counter() for kind in KINDS})

    def add(self, kind, outcome, number=1):
        self.counts[kind][outcome] += number

    def total(self, outcome):
        return sum(counter[outcome] for counter in self.counts.values())

    def lines(self):
        for kind, counter in self.counts.items():
            line = f"{kind}: {counter[CREATED]} created, {counter[UPDATED]} updated, {counter[UNCHANGED]} unchanged"
            if counter[REMOVED]:
                line += f", {counter[REMOVED]} removed"
            yield line
        yield (
            f"Total: {self.total(CREATED)} created, {self.total(UPDATED)} updated, "
            f"{self.total(UNCHANGED)} unchanged, {self.total(REMOVED)} removed."
        )


def sync(model, lookup, values):
    """The row matching `lookup` with `values`: created, updated (only the fields that differ), or unchanged.

    `values` names foreign keys by their `_id` attribute, so comparing them costs no query.
    Returns the row and the outcome.
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values), CREATED
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        return row, UNCHANGED
    for name in changed:
        setattr(row, name, values[name])
    row.save()
    return row, UPDATED


class DemoLoader:
    def __init__(self):
        self.tally = Tally()
        self.actors = {}
        self.topics = {}

    def record(self, kind, model, lookup, values):
        row, outcome = sync(model, lookup, values)
        self.tally.add(kind, outcome)
        return row, outcome

    def run(self):
        self.curator = self.load_curator()
        self.categories = self.load_categories()
        for actor in ACTORS:
            self.load_actor(actor)
        for role in ROLES:
            self.record(
                "roles",
                Role,
                {
                    "person": self.actors[role.person],
                    "organization": self.actors[role.organization],
                    "title": role.title,
                    "start_date": role.start,
                },
                {"end_date": role.end},
            )
        for topic in TOPICS:
            self.load_topic(topic)
        self.source, _ = self.record("sources", Source, {"url": SOURCE_URL}, SOURCE)
        for statement in STATEMENTS:
            self.load_statement(statement)
        return self.tally

    def load_curator(self):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: DEMO_CURATOR_USERNAME}).first()
        if user is None:
            user = User(**{User.USERNAME_FIELD: DEMO_CURATOR_USERNAME}, is_active=False)
            user.set_unusable_password()
            user.save()
            self.tally.add("users", CREATED)
            return user
        # The demo curator can never log in: inactive, and no password that could match.
        if user.is_active or user.has_usable_password():
            user.is_active = False
            user.set_unusable_password()
            user.save()
            self.tally.add("users", UPDATED)
        else:
            self.tally.add("users", UNCHANGED)
        return user

    def load_categories(self):
        codes = {tag.code for statement in STATEMENTS for tag in statement.tags}
        categories = {
            category.code: category for category in StanceCategory.objects.default_taxonomy().filter(code__in=codes)
        }
        missing = codes - set(categories)
        if missing:
            raise DemoError(f"The default taxonomy lacks the demo's categories: {', '.join(sorted(missing))}.")
        return categories

    def load_actor(self, demo):
        actor, _ = self.record(
            "actors",
            Actor,
            {"slug": demo.slug},
            {
                "name": demo.name,
                "kind": demo.kind,
                "country_id": self.actors[demo.country].pk if demo.country else None,
                "parent_id": self.actors[demo.parent].pk if demo.parent else None,
                "description": demo.description,
            },
        )
        self.actors[demo.slug] = actor
        for name, language in demo.names:
            self.record("actor names", ActorName, {"actor": actor, "name": name, "language": language}, {})
        for scheme, value in demo.identifiers:
            holder = ActorIdentifier.objects.filter(scheme=scheme, value=value).exclude(actor=actor).first()
            if holder is not None:
                # Moving an identifier would silently rewrite a curator's record: stop instead.
                raise DemoError(f"{scheme}:{value} already identifies {holder.actor}, not the demo's {actor}.")
            self.record("actor identifiers", ActorIdentifier, {"actor": actor, "scheme": scheme, "value": value}, {})

    def load_topic(self, demo):
        topic, _ = self.record(
            "topics",
            Topic,
            {"slug": demo.slug},
            {"name": demo.name, "description": demo.description, "occurred_on": demo.occurred_on},
        )
        self.topics[demo.slug] = topic
        for name, language in demo.aliases:
            self.record("topic aliases", TopicAlias, {"topic": topic, "name": name, "language": language}, {})

    def load_statement(self, demo):
        matches = list(Statement.objects.filter(citations__source=self.source, summary=demo.summary)[:2])
        if len(matches) > 1:
            raise DemoError(f"Two statements citing the demo source share the summary {demo.summary!r}.")
        fields = {
            "date": demo.date,
            "date_precision": demo.date_precision,
            "channel": demo.channel,
            "text": demo.text,
            "is_direct_quote": demo.is_direct_quote,
            "language": "en",
            "summary": demo.summary,
            "status": Status.PUBLISHED,
        }
        relations = {
            "speakers": {self.actors[slug].pk for slug in demo.speakers},
            "recipients": {self.actors[slug].pk for slug in demo.recipients},
            "topics": {self.topics[slug].pk for slug in demo.topics},
        }
        if not matches:
            statement = Statement.objects.create(**fields, created_by=self.curator)
            for relation, wanted in relations.items():
                getattr(statement, relation).set(wanted)
            self.load_parts(statement, demo)
            self.tally.add("statements", CREATED)
            return

        statement = matches[0]
        changed = [name for name, value in fields.items() if getattr(statement, name) != value]
        for name in changed:
            setattr(statement, name, fields[name])
        for relation, wanted in relations.items():
            manager = getattr(statement, relation)
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(wanted)
                changed.append(relation)
        if self.load_parts(statement, demo):
            changed.append("parts")
        if changed:
            # One save for all the changes, so `version` and `updated_at` (which incremental sync
            # reads) move once, and also when only a relation or a tag changed.
            statement.save()
            self.tally.add("statements", UPDATED)
        else:
            self.tally.add("statements", UNCHANGED)

    def load_parts(self, statement, demo):
        """Bring the statement's demo citation and demo-curator tags to the listed ones; True if anything changed."""
        _, outcome = self.record(
            "citations", Citation, {"statement": statement, "source": self.source}, {"attribution": demo.attribution}
        )
        changed = outcome != UNCHANGED
        kept = set()
        for tag in demo.tags:
            lookup = {
                "statement": statement,
                "category": self.categories[tag.code],
                "target_actor": self.actors[tag.actor] if tag.actor else None,
                "target_topic": self.topics[tag.topic] if tag.topic else None,
            }
            existing = StanceTag.objects.filter(**lookup).first()
            if existing is not None and existing.curator_id != self.curator.pk:
                # A curator's own judgement on the same act and target stands; the demo leaves it.
                kept.add(existing.pk)
                self.tally.add("stance tags", UNCHANGED)
                continue
            row, outcome = self.record(
                "stance tags",
                StanceTag,
                lookup,
                {"polarity": tag.polarity, "intensity": tag.intensity, "curator_id": self.curator.pk},
            )
            kept.add(row.pk)
            changed = changed or outcome != UNCHANGED
        stale = statement.stance_tags.filter(curator=self.curator).exclude(pk__in=kept)
        removed, _ = stale.delete()
        if removed:
            self.tally.add("stance tags", REMOVED, removed)
            changed = True
        return changed


def load_demo():
    """Load the demo data in one transaction and return the Tally of what was created, updated or left."""
    with transaction.atomic():
        return DemoLoader().run()
