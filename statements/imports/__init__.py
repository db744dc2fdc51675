"""Importing statements from the exchange files (CSV or NDJSON, either shape) that the export writes.

`import_statements(rows, …)` is the one import engine: `manage.py import_statements` calls it, and
so will the admin (django-import-export, for its preview with `dry_run=True`). What an import does:

1. Reads the file as a stream (`rows` is what `statements.exchange.read(stream, format)` yields), a
   chunk of statements at a time; in the `tags` shape the rows of one statement follow each other
   and must agree on the statement's columns.
2. Checks every line and resolves what it names in bulk (`records`, `references`): actors by slug,
   `scheme:value` or exact name in any script; topics by slug, name or alias; stance categories by
   code; curators by username. Every problem is kept as (line, field, reason), not just the first.
3. Matches each statement with the stored one by uuid or by any of its identifiers, and classifies
   it as new, changed, unchanged or rejected (`matching`, `stored`), applying the rules of status:
   new statements arrive as drafts unless `status` says otherwise; stored ones keep theirs unless
   `status="file"`; publishing, retracting, or changing a published or retracted statement needs
   the permission to publish; a published statement needs a citation.
4. Writes the new and changed statements chunk by chunk (`writer`, `copying`): on PostgreSQL by COPY
   into staging tables and set-based SQL, elsewhere by bulk_create and bulk_update; never a save()
   per row. An unchanged statement is not touched. History rows are written for what changes.

All of it runs in one transaction, so a run killed at any moment leaves the database as it was. On
PostgreSQL the transaction first takes an advisory lock: concurrent imports run one after the other,
and the second finds what the first wrote (each statement ends up stored once). By default nothing
is written if any statement is rejected (writing stops at the first problem, the rest of the file is
still checked, and the transaction is rolled back); `skip_invalid=True` writes the others.

The file is read once, as a stream. Memory holds the chunk being worked on, the names of actors,
topics and curators (read when the import starts), one entry per uuid or identifier seen (to refuse
a statement given twice) and per new source URL, and a compact outcome per statement: about 400 MB
for a million statements. On PostgreSQL each chunk is read and checked while the database still
writes the previous one.
"""

import bisect
import uuid
from array import array
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from statements.imports.matching import CHANGED, NEW, PUBLIC_STATUSES, REJECTED, UNCHANGED, Matcher, may_publish
from statements.imports.reading import chunks, statement_groups
from statements.imports.records import Problem, Records
from statements.imports.references import References
from statements.imports.writer import make_writer
from statements.models import Status

__all__ = [
    "BATCH_SIZE",
    "STATUS_CHOICES",
    "ImportNotAllowed",
    "ImportReport",
    "Outcome",
    "Problem",
    "import_statements",
]

# The statuses an import can give, and "file": each line's own `status`.
STATUS_CHOICES = (*Status.values, "file")
BATCH_SIZE = 5000
# pg_advisory_xact_lock's key for "an import is writing statements": any constant, the same in every process.
IMPORT_LOCK = int.from_bytes(b"imports", "big")

Outcome = namedtuple("Outcome", "outcome uuid")
OUTCOMES = (NEW, CHANGED, UNCHANGED, REJECTED)


class ImportNotAllowed(PermissionDenied):
    """The importing user may not do what the import asks (write statements, publish them)."""


class Outcomes(Mapping):
    """{first line of a statement: Outcome(outcome, uuid)}: what became of each statement of the file.

    Kept compact (an array of lines, a byte per outcome, sixteen per uuid): a million statements
    take about 25 MB. `uuid` is None for a rejected statement without a readable uuid; a new
    statement the file keys by identifiers only shows the uuid it was given (in a dry run, the one
    it would have been given).
    """

    def __init__(self):
        self.lines = array("q")
        self.kinds = bytearray()
        self.uuids = bytearray()

    def add(self, line, outcome, statement_uuid):
        self.lines.append(line)
        self.kinds.append(OUTCOMES.index(outcome))
        self.uuids += statement_uuid.bytes if statement_uuid is not None else bytes(16)

    def __getitem__(self, line):
        index = bisect.bisect_left(self.lines, line)
        if index == len(self.lines) or self.lines[index] != line:
            raise KeyError(line)
        raw = bytes(self.uuids[index * 16 : index * 16 + 16])
        return Outcome(OUTCOMES[self.kinds[index]], uuid.UUID(bytes=raw) if any(raw) else None)

    def __iter__(self):
        return iter(self.lines)

    def __len__(self):
        return len(self.lines)


@dataclass
class ImportReport:
    """What an import found and did, in statements: `read` = inserted + updated + unchanged + rejected.

    The counts and `outcomes` classify every statement of the file against the database; `written`
    says whether that was applied. For a dry run, or a file refused because some statement was
    rejected, nothing was written and the counts say what the import would have done. `problems`
    lists every problem as (line, field, reason), in the order of the file.
    """

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list = field(default_factory=list)
    outcomes: Outcomes = field(default_factory=Outcomes)
    written: bool = False

    def add(self, planned):
        for statement in planned:
            self.read += 1
            outcome = statement.outcome
            if outcome == NEW:
                self.inserted += 1
            elif outcome == CHANGED:
                self.updated += 1
            elif outcome == UNCHANGED:
                self.unchanged += 1
            else:
                self.rejected += 1
                self.problems.extend(statement.record.problems)
            self.outcomes.add(statement.line, outcome, statement.uuid)

    def summary(self):
        return (
            f"read {self.read}, inserted {self.inserted}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


def check_allowed(user, status, dry_run):
    """Refuse, before reading anything, an import the user may not run."""
    if status not in STATUS_CHOICES:
        raise ValueError(f"Unknown status {status!r}: one of {', '.join(STATUS_CHOICES)}.")
    if user is None:
        if not dry_run:
            raise ValueError("An import that writes needs the importing user.")
        return
    username = user.get_username()
    if not dry_run and not user.has_perms(["statements.add_statement", "statements.change_statement"]):
        raise ImportNotAllowed(f"{username} may not add and change statements, which an import does.")
    if status in PUBLIC_STATUSES and not may_publish(user):
        raise ImportNotAllowed(f"{username} may not publish or retract statements (--status {status}).")


def import_statements(
    rows,
    *,
    user,
    status="draft",
    skip_invalid=False,
    dry_run=False,
    curator=None,
    source_name="",
    progress=None,
    batch_size=BATCH_SIZE,
):
    """Import the statements of `rows` (from `statements.exchange.read`) and return an ImportReport.

    - `user`: the importing user (history_user, created_by; whose permissions are checked); may be
      None for a dry run, which then checks the file but not the permissions;
    - `status`: what new statements become ("draft", "in_review", "published", "retracted"), or
      "file" to take each line's `status` for new and stored statements alike;
    - `skip_invalid`: write the valid statements even if others are rejected;
    - `dry_run`: classify everything, write nothing;
    - `curator`: the user who stands in for a tag curator the file does not name or names unknown;
    - `source_name`: the file's name, for the history (history_change_reason "import <source_name>");
    - `progress(n)`: called after each chunk with the number of statements it held;
    - `batch_size`: statements read, checked and written at a time.

    Raises ImportNotAllowed (nothing read) if the user may not write statements or publish them.
    """
    check_allowed(user, status, dry_run)
    if connection.vendor == "sqlite":
        # Each chunk's keys go to SQLite as query parameters, of which it takes 32,766 at most.
        batch_size = min(batch_size, BATCH_SIZE)
    report = ImportReport()
    now = timezone.now()
    with transaction.atomic():
        if not dry_run and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Held to the end of the transaction: a second import waits, then sees what this one wrote.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        records = Records(References(curator=curator), status)
        matcher = Matcher(status=status, user=user, now=now)
        writer = None if dry_run else make_writer(user=user, now=now, source_name=source_name)
        try:
            # Each chunk is read and checked while the database still works on the previous one's writes.
            for groups in chunks(statement_groups(rows), batch_size):
                checked = records.build(groups)
                if writer is not None:
                    writer.wait()
                planned = matcher.plan(checked)
                report.add(planned)
                if writer is not None and (skip_invalid or not report.rejected):
                    writer.write(planned)
                if progress is not None:
                    progress(len(planned))
            if writer is not None:
                writer.close()
        except BaseException:
            if writer is not None:
                # The connection must be idle again before the transaction can be rolled back.
                writer.wait(raise_errors=False)
            raise
        report.written = writer is not None and (skip_invalid or not report.rejected)
        if not report.written:
            transaction.set_rollback(True)
    return report
