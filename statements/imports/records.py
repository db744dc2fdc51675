"""The rows of each statement of an exchange file turned into a record: checked, the names it uses resolved.

`Records.build()` turns a chunk of `reading.Group`s into `Record`s, resolving every actor, topic,
category and curator through `references` (from memory, no query), and noting every problem of
every line as a `Problem(line, field, reason)`: the field is the file's column (`speakers`,
`stance_tags[2].category`, `sources[1].url`, `tag_category`), the reason plain words that name the value.

A record holds only what its row gives: a column the file lacks is left out (None, or absent from
`columns`), so that comparing with a stored statement keeps what the file does not speak of.
"""

import datetime
import re
from collections import namedtuple
from dataclasses import dataclass, field
from uuid import UUID

from django.utils import timezone

from statements import exchange
from statements.imports.references import Unresolved
from statements.models import Channel, DatePrecision, Polarity, Status, is_language_tag, latest_today

Problem = namedtuple("Problem", "line field reason")
# `number` is the source's place in the row's `sources` (1 for the first), to name it in a problem.
Citation = namedtuple("Citation", "url publisher title published_on attribution number")
Tag = namedtuple("Tag", "category target_actor target_topic polarity intensity curator")

# The statement columns of a file that the import reads (the others are written for people).
STATEMENT_COLUMNS = [
    column.name for column in (*exchange.STATEMENT_COLUMNS, *exchange.TRAILING_COLUMNS) if not column.readable
]
TAG_FIELDS = ("category", "target_actor", "target_topic", "polarity", "intensity", "curator")
TAG_COLUMNS_OF_FIELDS = [(name, f"tag_{name}") for name in TAG_FIELDS]
SOURCE_FIELDS = ("url", "publisher", "title", "published_on", "attribution")

SCHEME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
TOKEN = re.compile(r"^[^\s|]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHANNELS = set(Channel.values)
PRECISIONS = set(DatePrecision.values)
STATUSES = set(Status.values)
POLARITIES = set(Polarity.values)
MAX_LENGTHS = {"language": 35, "url": 1000, "publisher": 200, "title": 500, "published_on": 10, "attribution": 300}


def either(values, last="or"):
    values = list(values)
    return ", ".join(values[:-1]) + f" {last} {values[-1]}"


@dataclass(slots=True)
class Record:
    """One statement of the file, checked: what it gives, resolved to ids, and its problems.

    `columns` holds the statement's own columns the file gives (date, date_precision, channel,
    text, is_direct_quote, language, summary, status, created_at); the parts are None when the
    file does not give them. `lines` are the file lines of the statement (several in the tags shape).
    """

    line: int
    lines: tuple
    uuid: UUID | None = None
    identifiers: frozenset | None = None  # {(scheme, value)}
    columns: dict = field(default_factory=dict)
    speakers: frozenset | None = None
    recipients: frozenset | None = None
    topics: frozenset | None = None
    citations: tuple | None = None
    tags: tuple | None = None
    problems: list = field(default_factory=list)

    def problem(self, field_name, reason, line=None):
        self.problems.append(Problem(line or self.line, field_name, reason))


def raw_tags(group):
    """The statement's tags as [(line, field prefix, {tag field: value as in the file})]."""
    if group.shape == "tags":
        return [
            (line, "tag_", {name: row.get(column) for name, column in TAG_COLUMNS_OF_FIELDS})
            for line, row, _ in group.rows
        ]
    line, row, _ = group.rows[0]
    tags = object_list(row.get("stance_tags")) or ()
    return [(line, f"stance_tags[{number}].", tag) for number, tag in enumerate(tags, 1)]


def is_text(value):
    return type(value) is str


def name_list(value):
    """The names of a list column, stripped, or None when the value is not a list of names."""
    if value is None:
        return []
    if type(value) is not list:
        return None
    names = []
    for item in value:
        if type(item) is not str:
            return None
        item = item.strip()
        if item:
            names.append(item)
    return names


def object_list(value):
    if value is None:
        return []
    if type(value) is not list or not all(type(item) is dict for item in value):
        return None
    return value


class Records:
    """Builds checked `Record`s from groups of rows, a chunk at a time.

    `status` is the import's status mode: with "file" each line's `status` is read; otherwise the
    column is ignored (the import decides the status).
    """

    def __init__(self, references, status):
        self.references = references
        self.status_from_file = status == "file"

    def build(self, groups):
        """The chunk's `Record`s, in file order. Reads nothing from the database: `references` knows every name."""
        return [self.record(group) for group in groups]

    def record(self, group):
        first_line, first, _ = group.rows[0]
        record = Record(line=first_line, lines=tuple(line for line, _, _ in group.rows))
        for line, row, errors in group.rows:
            for name, reason in errors.items():
                record.problem("" if name == "_line" else name, reason, line)
            if line != first_line:
                self.check_agreement(record, line, first, row)
        if not first:  # nothing could be read from the line: its own problem says why
            return record
        self.read_keys(record, first)
        self.read_columns(record, first)
        record.speakers = self.read_actors(record, first, "speakers")
        record.recipients = self.read_actors(record, first, "recipients")
        record.topics = self.read_topics(record, first)
        record.citations = self.read_sources(record, first)
        if group.shape == "tags" or "stance_tags" in first:
            if group.shape == "statements" and object_list(first["stance_tags"]) is None:
                record.problem("stance_tags", "should be a list of tags, each with category, target and curator")
            record.tags = self.read_tags(record, raw_tags(group))
        if "speakers" in first and name_list(first["speakers"]) == []:
            record.problem("speakers", "a statement needs at least one speaker")
        return record

    @staticmethod
    def check_agreement(record, line, first, row):
        for name in STATEMENT_COLUMNS:
            if row.get(name) != first.get(name):
                record.problem(name, f"differs from line {record.line}, the first row of this statement", line)

    def read_keys(self, record, row):
        text = row.get("uuid")
        if text is not None and not is_text(text):
            record.problem("uuid", "should be text")
        elif text and text.strip():
            try:
                record.uuid = UUID(text.strip())
            except ValueError:
                record.problem("uuid", f"{text!r} is not a UUID")
        if "identifiers" in row:
            items = name_list(row["identifiers"])
            if items is None:
                record.problem("identifiers", "should be a list of scheme:value")
                items = []
            identifiers = set()
            for item in items:
                scheme, colon, value = item.partition(":")
                if scheme == "uuid":
                    record.problem("identifiers", f"{item!r}: the statement's own uuid goes in the uuid column")
                elif not colon or not SCHEME.match(scheme) or not TOKEN.match(value) or len(value) > 100:
                    record.problem(
                        "identifiers",
                        f"{item!r} is not scheme:value (a short lower-case scheme, a colon, a value without spaces)",
                    )
                else:
                    identifiers.add((scheme, value))
            record.identifiers = frozenset(identifiers)
        if record.uuid is None and not record.identifiers and not any(p.field == "uuid" for p in record.problems):
            record.problem("uuid", "nothing to key it by: give a uuid or an identifier (scheme:value)")

    def read_columns(self, record, row):
        columns = record.columns
        for name in ("text", "summary"):
            if name in row:
                value = row[name]
                if value is not None and not is_text(value):
                    record.problem(name, "should be text")
                else:
                    columns[name] = value or ""
        if "date" in row:
            value = row["date"]
            date = read_date(value.strip()) if is_text(value) else None
            if not value:
                record.problem("date", "a statement needs its date")
            elif date is None:
                record.problem("date", f"{value!r} is not a date (YYYY-MM-DD)")
            elif date > latest_today():
                record.problem("date", f"{value!r} is after today")
            else:
                columns["date"] = date
        self.choice(record, row, "date_precision", PRECISIONS, "a date precision", DatePrecision.DAY)
        self.choice(record, row, "channel", CHANNELS, "a channel", None)
        if "channel" in row and not row["channel"]:
            record.problem("channel", "a statement needs its channel (unspecified when the source does not say)")
        if "is_direct_quote" in row:
            value = row["is_direct_quote"]
            if not isinstance(value, bool):
                record.problem("is_direct_quote", f"{value!r} is not true or false")
            else:
                columns["is_direct_quote"] = value
        if "language" in row:
            value = row["language"]
            if not value or not is_text(value) or not value.strip():
                record.problem("language", "a statement needs the language of its text (a BCP 47 tag: en, ja, zh-Hans)")
            elif len(value.strip()) > MAX_LENGTHS["language"]:
                record.problem("language", f"{value!r} is too long for a language tag (35 characters at most)")
            elif not is_language_tag(value.strip()):
                record.problem("language", f"{value!r} is not a BCP 47 language tag (en, en-GB, ja, zh-Hans)")
            else:
                columns["language"] = value.strip()
        if self.status_from_file:
            self.choice(record, row, "status", STATUSES, "a status", None)
        if "created_at" in row and row["created_at"]:
            value = row["created_at"]
            try:
                moment = datetime.datetime.fromisoformat(value.strip())
            except (TypeError, ValueError, AttributeError):
                record.problem("created_at", f"{value!r} is not a date and time (ISO 8601: 2025-12-10T09:30:00Z)")
            else:
                columns["created_at"] = moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)

    @staticmethod
    def choice(record, row, name, allowed, what, default):
        """Read a vocabulary column; empty means `default` (when there is one)."""
        if name not in row:
            return
        value = row[name]
        if value is not None and not is_text(value):
            record.problem(name, f"{value!r} is not {what} ({either(sorted(allowed))})")
            return
        text = (value or "").strip()
        if not text and default is not None:
            record.columns[name] = default
        elif text in allowed:
            record.columns[name] = text
        elif text:
            record.problem(name, f"{value!r} is not {what} ({either(sorted(allowed))})")

    def read_actors(self, record, row, column):
        if column not in row:
            return None
        names = name_list(row[column])
        if names is None:
            record.problem(column, "should be a list of actors")
            return frozenset()
        found = set()
        for name in names:
            actor = self.references.actor(name)
            if isinstance(actor, Unresolved):
                record.problem(column, actor.reason)
            else:
                found.add(actor)
        return frozenset(found)

    def read_topics(self, record, row):
        if "topics" not in row:
            return None
        names = name_list(row["topics"])
        if names is None:
            record.problem("topics", "should be a list of topics")
            return frozenset()
        found = set()
        for name in names:
            topic = self.references.topic(name)
            if isinstance(topic, Unresolved):
                record.problem("topics", topic.reason)
            else:
                found.add(topic)
        return frozenset(found)

    def read_sources(self, record, row):
        if "sources" not in row:
            return None
        sources = object_list(row["sources"])
        if sources is None:
            record.problem("sources", "should be a list of sources, each with url, publisher, title, published_on")
            return ()
        citations, urls = [], set()
        for number, source in enumerate(sources, 1):
            prefix = f"sources[{number}]."
            problems = len(record.problems)
            values = []
            for name in SOURCE_FIELDS:
                value = source.get(name)
                if value is None:
                    value = ""
                elif type(value) is not str:
                    record.problem(prefix + name, "should be text")
                    value = ""
                else:
                    value = value.strip()
                    if len(value) > MAX_LENGTHS[name]:
                        record.problem(prefix + name, f"is {len(value)} characters long: {MAX_LENGTHS[name]} at most")
                values.append(value)
            url, publisher, title, published_on, attribution = values
            if not url:
                record.problem(prefix + "url", "a source needs its URL")
            if published_on:
                published_on = read_date(published_on)
                if published_on is None:
                    record.problem(prefix + "published_on", f"{values[3]!r} is not a date (YYYY-MM-DD)")
            else:
                published_on = None
            if url in urls:
                record.problem(prefix + "url", f"cites {url} twice")
            if len(record.problems) == problems:
                urls.add(url)
                citations.append(Citation(url, publisher, title, published_on, attribution, number))
        return tuple(citations)

    def read_tags(self, record, raw_tags):
        """The tags of `raw_tags` ([(line, field prefix, {field: value})]), each checked and resolved."""
        references, problem = self.references, record.problem
        tags, targets = [], {}
        for line, prefix, raw in raw_tags:
            problems = len(record.problems)
            category = raw.get("category")
            if type(category) is not str or not category.strip():
                problem(prefix + "category", "a tag needs its stance category (a code: K1)", line)
            else:
                category = references.category(category)
                if type(category) is Unresolved:
                    problem(prefix + "category", category.reason, line)
            target_actor = self.target(record, raw.get("target_actor"), references.actor, prefix + "target_actor", line)
            target_topic = self.target(record, raw.get("target_topic"), references.topic, prefix + "target_topic", line)
            if target_actor is not None and target_topic is not None:
                problem(prefix + "target_topic", "a tag has one target: an actor or a topic, not both", line)
            polarity = raw.get("polarity")
            if not polarity:
                polarity = Polarity.NEUTRAL.value
            elif type(polarity) is not str or polarity not in POLARITIES:
                problem(prefix + "polarity", f"{polarity!r} is not a polarity ({either(Polarity.values)})", line)
            intensity = raw.get("intensity")
            if type(intensity) is str and intensity.strip().isdigit():
                intensity = int(intensity)
            if intensity is None or intensity == "":
                intensity = 0
            elif type(intensity) is not int or not 0 <= intensity <= 4:
                problem(prefix + "intensity", f"{intensity!r} is not an intensity (a whole number from 0 to 4)", line)
            curator = raw.get("curator")
            curator = references.curator(curator.strip() if type(curator) is str else "")
            if type(curator) is Unresolved:
                problem(prefix + "curator", curator.reason, line)
            if len(record.problems) > problems:
                continue
            target = (category, target_actor, target_topic)
            if target in targets:
                first = targets[target]
                problem(
                    prefix + "category",
                    f"repeats the tag of line {first}: one tag per category and target"
                    if first != line
                    else "repeats another tag of this statement: one tag per category and target",
                    line,
                )
                continue
            targets[target] = line
            tags.append(Tag(category, target_actor, target_topic, polarity, intensity, curator))
        return tuple(tags)

    @staticmethod
    def target(record, value, resolve, field_name, line):
        if value is None:
            return None
        if type(value) is not str:
            record.problem(field_name, "should be text", line)
            return None
        value = value.strip()
        if not value:
            return None
        found = resolve(value)
        if type(found) is Unresolved:
            record.problem(field_name, found.reason, line)
            return None
        return found


def read_date(text):
    """The date of a YYYY-MM-DD text, or None."""
    if not DATE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
