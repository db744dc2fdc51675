"""Writing the planned statements of a chunk, with their history, in the caller's transaction.

Two writers take the same `Planned` statements (new or changed; nothing else is written) and
leave the same rows behind:
- `CopyWriter` (PostgreSQL, in `statements.imports.copying`): COPY into TEMP staging tables, then
  set-based INSERT … SELECT, UPDATE … FROM and DELETE … USING;
- `BulkWriter` (every other database): `bulk_create`, `bulk_update` and deletes by id lists.
Neither calls `save()` per row nor lets a model signal write history row by row: history rows are
written in bulk like the rest.

What a write does, on both:
- a new statement is inserted with version 1, `created_by` the importing user, its `created_at`
  from the file (or the import's moment), and all its parts;
- a changed statement gets the file's columns, `version` + 1 and `updated_at` now; each of its parts
  (speakers, recipients, topics, identifiers, citations, stance tags) is replaced set-wise: rows no
  longer wanted are deleted, rows not yet stored inserted, the others left as they are;
- sources are found by URL and created from the file when missing; a stored source is never changed;
- history (django-simple-history): one HistoricalStatement row per statement ('+' new, '~' changed)
  with the snapshots of its speakers, recipients and topics that HistoricalRecords(m2m_fields=…)
  keeps, and '+'/'-' rows for the identifiers, citations and tags inserted or deleted; every one
  with history_user the importing user and history_change_reason "import <file>".
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import connection

from config.db import AnyOf
from statements.imports.matching import CHANGED, NEW
from statements.imports.stored import COMPARED_COLUMNS, TAG_COLUMNS
from statements.models import (
    Citation,
    Source,
    StanceTag,
    Statement,
    StatementIdentifier,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
)

HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
# The statement's columns an import writes; the rest (id, uuid, version, created_by, updated_at) it sets itself.
WRITTEN_COLUMNS = (*COMPARED_COLUMNS, "created_at")
REASON_LENGTH = 100  # history_change_reason's max_length
BULK_BATCH = 1000


@dataclass(frozen=True)
class Part:
    """A kind of row a statement owns: which model, which columns an import compares and writes.

    `stamped` columns take the import's moment on insert (a tag's `created_at`); `name` is the
    attribute of `Planned` and `Stored` that lists the statement's parts. The historical models are
    looked up once: simple-history builds a new manager class on every `Model.history` access.
    """

    name: str
    model: type
    columns: tuple
    stamped: tuple = ()

    @cached_property
    def history(self):
        """The part's own historical model, or None for the links whose history is the statement's snapshot."""
        manager = getattr(self.model, "history", None)
        return manager.model if manager is not None else None

    @cached_property
    def m2m_history(self):
        """For a link (speaker, recipient, topic): the model of the snapshots kept with each HistoricalStatement."""
        return getattr(Statement.history.model, self.name).model if self.history is None else None

    def keys(self, planned):
        """What the statement wants of this part, as the keys `Stored` uses, in the order to insert them."""
        wanted = getattr(planned, self.name)
        if self.name == "citations":
            return [(citation.url, citation.attribution) for citation in wanted]
        if self.name == "tags":
            return list(wanted)
        return sorted(wanted)

    def values(self, key, source_ids=None):
        """The row's `columns` for a key (a citation's URL becomes its source's id)."""
        if self.name == "citations":
            url, attribution = key
            return (source_ids[url] if source_ids is not None else url, attribution)
        return key if isinstance(key, tuple) else (key,)


PARTS = (
    Part("speakers", StatementSpeaker, ("actor_id",)),
    Part("recipients", StatementRecipient, ("actor_id",)),
    Part("topics", StatementTopic, ("topic_id",)),
    Part("identifiers", StatementIdentifier, ("scheme", "value")),
    Part("citations", Citation, ("source_id", "attribution")),
    Part("tags", StanceTag, TAG_COLUMNS, stamped=("created_at",)),
)


def tracked_columns(history_model):
    """The columns a historical model copies from its model (every one but its own history_* columns)."""
    return [
        model_field.column
        for model_field in history_model._meta.concrete_fields
        if not model_field.name.startswith("history_") and model_field.name != "m2m_history_id"
    ]


def new_sources(planned):
    """{url: Citation} of every source the chunk cites, the first citation of each URL giving its metadata."""
    sources = {}
    for statement in planned:
        for citation in statement.citations:
            sources.setdefault(citation.url, citation)
    return sources


def make_writer(*, user, now, source_name):
    """The writer for this database: `CopyWriter` on PostgreSQL, `BulkWriter` elsewhere."""
    options = {"user_id": user.pk if user is not None else None, "now": now, "reason": f"import {source_name}"}
    options["reason"] = options["reason"][:REASON_LENGTH]
    if connection.vendor == "postgresql":
        from statements.imports.copying import CopyWriter

        return CopyWriter(**options)
    return BulkWriter(**options)


class BulkWriter:
    """Writes through `bulk_create`, `bulk_update` and deletes by id: SQLite and databases without COPY."""

    def __init__(self, *, user_id, now, reason):
        self.user_id, self.now, self.reason = user_id, now, reason

    def history(self, model, history_type, **values):
        return model(
            history_date=self.now,
            history_change_reason=self.reason,
            history_type=history_type,
            history_user_id=self.user_id,
            **values,
        )

    def write(self, planned):
        written = [statement for statement in planned if statement.outcome in (NEW, CHANGED)]
        # A thousand statements at a time keep every id list within SQLite's parameters per query.
        for start in range(0, len(written), BULK_BATCH):
            self.write_batch(written[start : start + BULK_BATCH])

    def write_batch(self, written):
        new = [statement for statement in written if statement.outcome == NEW]
        changed = [statement for statement in written if statement.outcome == CHANGED]
        source_ids = self.write_sources(new_sources(new + changed))
        created = Statement.objects.bulk_create(
            [
                Statement(uuid=statement.uuid, version=1, created_by_id=self.user_id, **self.columns(statement))
                for statement in new
            ]
        )
        for statement, row in zip(new, created, strict=True):
            statement.id = row.pk
        Statement.objects.bulk_update(
            [
                Statement(
                    pk=statement.id,
                    version=statement.stored.version + 1,
                    updated_at=self.now,
                    **self.columns(statement),
                )
                for statement in changed
            ],
            [*COMPARED_COLUMNS, "version", "updated_at"],
            batch_size=500,
        )
        for part in PARTS:
            self.remove_parts(part, changed)
            self.add_parts(part, new + changed, source_ids)
        self.record_statements([statement.id for statement in new + changed], {statement.id for statement in new})

    @staticmethod
    def columns(statement):
        return {name: statement.columns[name] for name in WRITTEN_COLUMNS}

    @staticmethod
    def write_sources(cited):
        """{url: source id} for every URL cited, creating the sources not yet stored."""
        source_ids = dict(Source.objects.filter(AnyOf("url", cited)).values_list("url", "pk"))
        missing = [
            Source(url=url, publisher=citation.publisher, title=citation.title, published_on=citation.published_on)
            for url, citation in cited.items()
            if url not in source_ids
        ]
        for source in Source.objects.bulk_create(missing):
            source_ids[source.url] = source.pk
        return source_ids

    def remove_parts(self, part, changed):
        """Delete the stored rows the changed statements no longer want, with '-' history for those that keep it."""
        removed = []
        for statement in changed:
            wanted = set(part.keys(statement))
            removed.extend(pk for key, pk in getattr(statement.stored, part.name).items() if key not in wanted)
        if not removed:
            return
        rows = part.model.objects.filter(AnyOf("pk", removed))
        if part.history is not None:
            columns = tracked_columns(part.history)
            part.history.objects.bulk_create(
                [self.history(part.history, "-", **values) for values in rows.values(*columns)]
            )
        # A queryset's delete() would send post_delete per row, and the history receiver save a row each.
        rows._raw_delete(rows.db)

    def add_parts(self, part, statements, source_ids):
        """Insert the rows the statements want and do not have, with '+' history for those that keep it."""
        rows = []
        for statement in statements:
            stored = getattr(statement.stored, part.name) if statement.outcome == CHANGED else {}
            for key in part.keys(statement):
                if key not in stored:
                    values = dict(zip(part.columns, part.values(key, source_ids), strict=True))
                    values.update(dict.fromkeys(part.stamped, self.now))
                    rows.append(part.model(statement_id=statement.id, **values))
        created = part.model.objects.bulk_create(rows)
        if part.history is not None and created:
            columns = tracked_columns(part.history)
            part.history.objects.bulk_create(
                [self.history(part.history, "+", **{name: getattr(row, name) for name in columns}) for row in created]
            )

    def record_statements(self, ids, new_ids):
        """A HistoricalStatement per statement written, as stored now, with snapshots of its links."""
        model = Statement.history.model
        columns = tracked_columns(model)
        stored = Statement.objects.filter(AnyOf("pk", ids)).order_by("pk").values(*columns)
        records = model.objects.bulk_create(
            [self.history(model, "+" if values["id"] in new_ids else "~", **values) for values in stored]
        )
        history_ids = {record.id: record.pk for record in records}
        for part in PARTS:
            if part.m2m_history is None:
                continue
            (column,) = part.columns
            links = part.model.objects.filter(AnyOf("statement", ids)).order_by("pk")
            part.m2m_history.objects.bulk_create(
                [
                    part.m2m_history(
                        id=pk, statement_id=statement_id, history_id=history_ids[statement_id], **{column: target}
                    )
                    for pk, statement_id, target in links.values_list("pk", "statement_id", column)
                ]
            )

    def wait(self, raise_errors=True):
        """Nothing to wait for: every write is done when `write()` returns."""

    def close(self):
        """Nothing to clean up: every row went straight to its table."""
