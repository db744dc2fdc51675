"""Records matched with what is stored, and each classified: new, changed, unchanged or rejected.

A record matches a stored statement by its uuid or by any of its identifiers. Two records of one
file with a key in common, or keys that name two different stored statements, are errors. A
record takes what it does not give from the stored statement (a new one from the defaults), then
the whole is compared: the statement's own columns (the date as `save()` stores it for its
precision; the status only when the file's is taken), and the sets of speakers, recipients,
topics, identifiers, citations (source URL and attribution) and stance tags. `created_at` comes
from the file for a new statement and is kept for a stored one.

The rules of status are applied here too: what status an imported statement gets, that a
published statement needs a citation, and that publishing, retracting or changing a published or
retracted statement needs the permission to publish.
"""

import re
from dataclasses import dataclass
from uuid import UUID, uuid4

from statements.imports.records import Citation, Tag
from statements.imports.stored import COMPARED_COLUMNS, Among, find_keys, read_stored
from statements.models import DatePrecision, Source, Status, first_day

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
PUBLIC_STATUSES = {Status.PUBLISHED, Status.RETRACTED}
PUBLISH_PERMISSION = "statements.publish_statement"
# A web address: a scheme, a host, then anything without spaces. Django's URLValidator, at a million
# rows, costs more than the rest of a row's checks together.
URL = re.compile(r"^(?:https?|ftp)://[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)

# What a new statement is when the file does not say.
DEFAULTS = {
    "date_precision": DatePrecision.DAY.value,
    "text": "",
    "is_direct_quote": False,
    "language": "en",
    "summary": "",
}


@dataclass(slots=True)
class Planned:
    """A record's statement as it will be stored, and what writing it means (`outcome`).

    `id` is the stored statement's (None for a new one until a writer gives it one); `stored` is
    what the database held before, for a changed statement.
    """

    record: object
    outcome: str
    uuid: UUID | None
    id: int | None = None
    columns: dict | None = None
    speakers: frozenset = frozenset()
    recipients: frozenset = frozenset()
    topics: frozenset = frozenset()
    identifiers: frozenset = frozenset()
    citations: tuple = ()
    tags: tuple = ()
    stored: object = None

    @property
    def line(self):
        return self.record.line


def may_publish(user):
    """Whether `user` may publish and retract statements (and change published or retracted ones)."""
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


class Matcher:
    """Classifies the records of one import, chunk after chunk, remembering every key the file used.

    `status` is the import's status mode ("draft", …, or "file"); `user` the importing user, whose
    permission to publish is checked unless `user` is None (a dry run without a user checks the
    file, not the permissions); `now` the moment given to new statements that carry no `created_at`.
    """

    def __init__(self, *, status, user, now):
        self.status = status
        self.user = user
        self.check_permissions = user is not None
        self.may_publish = may_publish(user)
        self.now = now
        self.seen = {}  # key (uuid as int, or "scheme:value") -> the line that used it first
        self.introduced_sources = set()  # URLs of sources the file itself describes (it creates them)

    def plan(self, records):
        """One `Planned` per record, in order."""
        for record in records:
            self.note_keys(record)
        self.check_sources(records)
        valid = [record for record in records if not record.problems]
        keys = find_keys(
            {record.uuid for record in valid if record.uuid},
            {identifier for record in valid for identifier in record.identifiers or ()},
        )
        matches = {record.line: self.match(record, keys) for record in valid}
        stored = read_stored({match[0] for match in matches.values() if match})
        planned = []
        for record in records:
            match = matches.get(record.line)
            if record.problems:  # its own, or keys that disagree with what is stored
                planned.append(Planned(record, REJECTED, record.uuid))
            else:
                planned.append(self.classify(record, stored[match[0]] if match else None))
        return planned

    def note_keys(self, record):
        """Refuse a key another record of the file already used (a statement is in a file once)."""
        if record.uuid is not None:
            first = self.seen.setdefault(record.uuid.int, record.line)
            if first != record.line:
                record.problem("uuid", f"{record.uuid} is also the uuid of line {first}: a statement appears once")
        for scheme, value in sorted(record.identifiers or ()):
            key = f"{scheme}:{value}"
            first = self.seen.setdefault(key, record.line)
            if first != record.line:
                record.problem("identifiers", f"{key} is also an identifier of line {first}: a statement appears once")

    def check_sources(self, records):
        """A source the database does not hold is created from the file: it needs a URL and its publisher.

        A URL an earlier statement of the file described with a publisher counts as known, whether that
        statement was written yet or not: a dry run and a real run judge the file alike.
        """
        urls = {citation.url for record in records for citation in record.citations or ()}
        stored = set(Source.objects.filter(Among("url", urls)).values_list("url", flat=True)) if urls else set()
        for record in records:
            for citation in record.citations or ():
                url = citation.url
                if url in stored or url in self.introduced_sources:
                    continue
                prefix = f"sources[{citation.number}]."
                if not URL.match(url):
                    record.problem(prefix + "url", f"{url!r} is not a URL")
                elif not citation.publisher:
                    record.problem(prefix + "publisher", f"a new source needs its publisher ({url} is not recorded)")
                else:
                    self.introduced_sources.add(url)

    @staticmethod
    def match(record, keys):
        """(id, uuid) of the stored statement the record names, or None; a problem if its keys disagree."""
        named = {}
        if record.uuid is not None and record.uuid in keys.by_uuid:
            named[keys.by_uuid[record.uuid]] = "its uuid"
        for scheme, value in sorted(record.identifiers or ()):
            found = keys.by_identifier.get((scheme, value))
            if found is not None:
                named.setdefault(found, f"{scheme}:{value}")
        if len(named) > 1:
            listed = "; ".join(f"{key} names {stored_uuid}" for (_, stored_uuid), key in named.items())
            record.problem("identifiers", f"its keys name different stored statements ({listed})")
            return None
        if named and record.uuid is not None and record.uuid not in keys.by_uuid:
            (_, stored_uuid), key = next(iter(named.items()))
            record.problem("identifiers", f"{key} identifies the stored statement {stored_uuid}, not {record.uuid}")
            return None
        return next(iter(named), None)

    def classify(self, record, stored):
        """The record merged over `stored` (or the defaults), checked by the rules, compared, classified."""
        given = record.columns
        if stored is None:
            columns = {**DEFAULTS, "created_at": self.now, **given}
            for name in ("date", "channel"):
                if name not in columns:
                    record.problem(name, f"a statement needs its {name}")
            if record.speakers is None:
                record.problem("speakers", "a statement needs at least one speaker")
            columns["status"] = given.get("status", Status.DRAFT) if self.status == "file" else self.status
        else:
            columns = {**stored.columns, **given}
            # When a statement was first recorded does not change; the file's version of it is ignored.
            columns["created_at"] = stored.created_at
        if "date" in columns:
            columns["date"] = first_day(columns["date"], columns["date_precision"])
        planned = Planned(
            record,
            NEW,
            record.uuid if record.uuid is not None else (stored.uuid if stored else uuid4()),
            id=stored.id if stored else None,
            columns=columns,
            speakers=self.part(record.speakers, stored, "speakers"),
            recipients=self.part(record.recipients, stored, "recipients"),
            topics=self.part(record.topics, stored, "topics"),
            identifiers=self.part(record.identifiers, stored, "identifiers"),
            stored=stored,
        )
        planned.citations = record.citations if record.citations is not None else self.stored_citations(stored)
        if record.tags is not None:
            planned.tags = record.tags
        elif stored is not None:
            planned.tags = tuple(Tag(*tag) for tag in stored.tags)
        if stored is not None:
            planned.outcome = CHANGED if self.differs(planned, stored) else UNCHANGED
        if planned.outcome != UNCHANGED and not record.problems:
            self.check_rules(planned)
        if record.problems:
            planned.outcome = REJECTED
        return planned

    @staticmethod
    def part(given, stored, name):
        if given is not None:
            return given
        return frozenset(getattr(stored, name)) if stored is not None else frozenset()

    @staticmethod
    def stored_citations(stored):
        """The stored citations as the record would give them: the source itself is not compared."""
        if stored is None:
            return ()
        return tuple(Citation(url, "", "", None, attribution, 0) for url, attribution in stored.citations)

    @staticmethod
    def differs(planned, stored):
        columns = planned.columns
        if any(columns[name] != stored.columns[name] for name in COMPARED_COLUMNS):
            return True
        return (
            planned.speakers != stored.speakers.keys()
            or planned.recipients != stored.recipients.keys()
            or planned.topics != stored.topics.keys()
            or planned.identifiers != stored.identifiers.keys()
            or {(citation.url, citation.attribution) for citation in planned.citations} != stored.citations.keys()
            or set(planned.tags) != stored.tags.keys()
        )

    def check_rules(self, planned):
        """A new or changed statement: a direct quote has words, a published one a citation, and the user may."""
        record, columns = planned.record, planned.columns
        if columns["is_direct_quote"] and not columns["text"].strip():
            record.problem("text", "a direct quote needs its words")
        status = columns["status"]
        if status == Status.PUBLISHED and not planned.citations:
            record.problem("sources", "a published statement needs at least one citation")
        if not self.check_permissions or self.may_publish:
            return
        stored_status = planned.stored.columns["status"] if planned.stored else None
        username = self.user.get_username()
        if stored_status in PUBLIC_STATUSES:
            record.problem(
                "status",
                f"the stored statement is {stored_status}: changing it needs the permission to publish "
                f"statements, which {username} lacks",
            )
        elif status in PUBLIC_STATUSES:
            record.problem(
                "status",
                f"a {status} statement needs the permission to publish statements, which {username} lacks",
            )
