"""The PostgreSQL writer: each chunk COPYed into TEMP staging tables, then moved by set-based SQL.

Per chunk: new statements take their ids from the table's sequence in one query; the statements
(their full new state) and every part they want go into `import_*` staging tables by COPY; then a
fixed number of statements, whatever the chunk's size, does the rest:
- sources: INSERT … ON CONFLICT (url) DO NOTHING, then the staged citations learn their source ids;
- statements: UPDATE … FROM the staged changed ones (version + 1, updated_at now), INSERT … SELECT
  the new ones;
- each part: DELETE … USING the changed statements of what the stage no longer holds, and INSERT …
  SELECT of what is staged and not stored, each with its history rows written by the same
  statement (a data-modifying CTE: `WITH gone AS (DELETE … RETURNING …) INSERT INTO history …`);
- history of the statements, with the snapshots of their speakers, recipients and topics, by one
  INSERT … SELECT … RETURNING chained into three more.
The staging tables are TEMP (never WAL-logged, private to the session) and dropped at the end of
the transaction, and by PostgreSQL itself if the process dies.

The set-based statements of a chunk are sent in one go without waiting for them (libpq's
send_query): PostgreSQL runs them while Python reads and checks the next chunk of the file, and
`wait()` collects their results (raising the first error) before the connection is used again.
That overlap, not a thread (which the two would fight over the GIL in), keeps an import within
twice the time of a plain COPY of the same rows.
"""

import select

from django.db import connection

import psycopg
from psycopg import errors, pq

from statements.imports.matching import CHANGED, NEW
from statements.imports.writer import HISTORY_COLUMNS, PARTS, WRITTEN_COLUMNS, new_sources, tracked_columns
from statements.models import Source, Statement

STATEMENT_STAGE = "import_statement"
SOURCE_STAGE = "import_source"
SOURCE_COLUMNS = ("url", "publisher", "title", "published_on")


def q(name):
    return connection.ops.quote_name(name)


def db_type(model, attname):
    for model_field in model._meta.concrete_fields:
        if model_field.attname == attname:
            return model_field.db_type(connection)
    raise LookupError(f"{model.__name__} has no column {attname}")


# Parts whose columns are ids and vocabulary words, never a tab, a line break or a backslash: their
# COPY text is joined here, several times faster than a write_row per row.
PLAIN_PARTS = {"speakers", "recipients", "topics", "tags"}
NULL = "\\N"


def plain_copy_text(part, statements):
    """The COPY text (position, statement_id, is_new, columns…) of a part in PLAIN_PARTS."""
    lines, position = [], 0
    for statement in statements:
        prefix = f"\t{statement.id}\t{'t' if statement.outcome == NEW else 'f'}\t"
        for key in part.keys(statement):
            values = key if isinstance(key, tuple) else (key,)
            cells = "\t".join(NULL if value is None else str(value) for value in values)
            lines.append(f"{position}{prefix}{cells}\n")
            position += 1
    return "".join(lines)


def stage_of(part):
    return f"import_{part.name}"


def staged_columns(part):
    """The stage's columns beyond position, statement_id and is_new: a citation is staged by URL."""
    return ("url", "attribution") if part.name == "citations" else part.columns


class CopyWriter:
    """Writes chunks of planned statements through staging tables (see the module's docstring)."""

    def __init__(self, *, user_id, now, reason):
        self.parameters = {"now": now, "reason": reason, "user": user_id}
        self.prepared = False
        self.pending = False  # statements sent and not yet waited for

    def prepare(self, cursor):
        """Create the staging tables, once per import, and check foreign keys as each statement ends.

        Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every row written would queue a check
        for the commit, and TRUNCATE (through CheckTableNotInUse) walks that queue for its table, so each
        chunk's TRUNCATE would take longer than the last (half a second a chunk by 300,000 statements).
        Checked at once, the queue stays empty, and the checks run while the next chunk is read.
        """
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        columns = ", ".join(f"{q(name)} {db_type(Statement, name)}" for name in WRITTEN_COLUMNS)
        cursor.execute(
            f"CREATE TEMP TABLE {STATEMENT_STAGE} (id bigint PRIMARY KEY, is_new boolean NOT NULL, uuid uuid NOT NULL, "
            f"{columns}) ON COMMIT DROP"
        )
        columns = ", ".join(f"{q(name)} {db_type(Source, name)}" for name in SOURCE_COLUMNS)
        cursor.execute(f"CREATE TEMP TABLE {SOURCE_STAGE} (position bigint NOT NULL, {columns}) ON COMMIT DROP")
        for part in PARTS:
            types = {name: db_type(part.model, name) for name in part.columns}
            if part.name == "citations":
                types = {"url": db_type(Source, "url"), **types}
            columns = ", ".join(f"{q(name)} {kind}" for name, kind in types.items())
            cursor.execute(
                f"CREATE TEMP TABLE {stage_of(part)} (position bigint NOT NULL, statement_id bigint NOT NULL, "
                f"is_new boolean NOT NULL, {columns}) ON COMMIT DROP"
            )
        self.prepared = True

    def stages(self):
        return [STATEMENT_STAGE, SOURCE_STAGE, *(stage_of(part) for part in PARTS)]

    def write(self, planned):
        new = [statement for statement in planned if statement.outcome == NEW]
        changed = [statement for statement in planned if statement.outcome == CHANGED]
        if not new and not changed:
            return
        self.wait()
        with connection.cursor() as cursor:
            if not self.prepared:
                self.prepare(cursor)
            cursor.execute(f"TRUNCATE {', '.join(self.stages())}")
            if new:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [Statement._meta.db_table, len(new)],
                )
                for statement, (pk,) in zip(new, cursor.fetchall(), strict=True):
                    statement.id = pk
            # No ANALYZE: a truncated table counts as never analyzed, so the planner measures its pages.
            self.copy(cursor.connection, new + changed)
        self.send(self.moves(bool(new), bool(changed)))

    def send(self, statements):
        """Send `statements` (with the writer's parameters) as one query, without waiting for them."""
        raw = connection.connection
        with psycopg.ClientCursor(raw) as renderer:
            text = ";\n".join(renderer.mogrify(sql, self.parameters) for sql in statements)
        raw.pgconn.send_query(text.encode(raw.info.encoding))
        self.pending = True

    def wait(self, raise_errors=True):
        """Wait for the statements `send()` sent and raise the first error among them (as Django's error)."""
        if not self.pending:
            return
        self.pending = False
        raw = connection.connection
        pgconn, error = raw.pgconn, None
        while True:
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            if result.status == pq.ExecStatus.FATAL_ERROR and error is None:
                error = errors.error_from_result(result, encoding=raw.info.encoding)
        if error is not None and raise_errors:
            with connection.wrap_database_errors:
                raise error

    def copy(self, raw_connection, statements):
        """COPY the chunk's statements, sources and parts into the stages."""
        with raw_connection.cursor() as cursor:
            with cursor.copy(
                f"COPY {STATEMENT_STAGE} (id, is_new, uuid, {', '.join(map(q, WRITTEN_COLUMNS))}) FROM STDIN"
            ) as copier:
                for statement in statements:
                    columns = statement.columns
                    copier.write_row(
                        (statement.id, statement.outcome == NEW, statement.uuid, *(columns[n] for n in WRITTEN_COLUMNS))
                    )
            with cursor.copy(f"COPY {SOURCE_STAGE} (position, {', '.join(SOURCE_COLUMNS)}) FROM STDIN") as copier:
                for position, (url, citation) in enumerate(new_sources(statements).items()):
                    copier.write_row((position, url, citation.publisher, citation.title, citation.published_on))
            for part in PARTS:
                columns = ", ".join(map(q, staged_columns(part)))
                with cursor.copy(
                    f"COPY {stage_of(part)} (position, statement_id, is_new, {columns}) FROM STDIN"
                ) as copier:
                    if part.name in PLAIN_PARTS:
                        copier.write(plain_copy_text(part, statements))
                        continue
                    position = 0
                    for statement in statements:
                        is_new = statement.outcome == NEW
                        for key in part.keys(statement):
                            copier.write_row((position, statement.id, is_new, *part.values(key)))
                            position += 1

    def moves(self, any_new, any_changed):
        """The statements that move the stages into the tables, with history: a fixed number per chunk."""
        statements = []
        run = statements.append
        statement_table = q(Statement._meta.db_table)
        source_columns = ", ".join(SOURCE_COLUMNS)
        run(
            f"INSERT INTO {q(Source._meta.db_table)} ({source_columns}) "
            f"SELECT {source_columns} FROM {SOURCE_STAGE} ORDER BY position ON CONFLICT (url) DO NOTHING"
        )
        run(
            f"UPDATE import_citations AS wanted SET source_id = source.id FROM {q(Source._meta.db_table)} AS source "
            "WHERE source.url = wanted.url"
        )
        if any_changed:
            assignments = ", ".join(f"{q(name)} = staged.{q(name)}" for name in WRITTEN_COLUMNS if name != "created_at")
            run(
                f"UPDATE {statement_table} AS statement SET {assignments}, version = statement.version + 1, "
                f"updated_at = %(now)s FROM {STATEMENT_STAGE} AS staged WHERE staged.id = statement.id "
                "AND NOT staged.is_new"
            )
        if any_new:
            columns = ", ".join(map(q, WRITTEN_COLUMNS))
            run(
                f"INSERT INTO {statement_table} (id, uuid, {columns}, version, created_by_id, updated_at) "
                f"SELECT id, uuid, {columns}, 1, %(user)s, %(now)s FROM {STATEMENT_STAGE} WHERE is_new ORDER BY id"
            )
        for part in PARTS:
            if any_changed:
                run(self.remove_sql(part))
            run(self.add_sql(part))
        run(self.history_sql())
        return statements

    @staticmethod
    def same(part, stored, wanted):
        """The SQL condition that a stored row and a staged one are the same part of the same statement."""
        conditions = [f"{stored}.statement_id = {wanted}.statement_id"]
        for name in part.columns:
            nullable = part.model._meta.get_field(name.removesuffix("_id")).null
            operator = "IS NOT DISTINCT FROM" if nullable else "="
            conditions.append(f"{stored}.{q(name)} {operator} {wanted}.{q(name)}")
        return " AND ".join(conditions)

    def with_history(self, part, rows_sql, history_type):
        """`rows_sql` (a DELETE or INSERT on the part's table as `stored`), each row it touches recorded in history."""
        if part.history is None:
            return rows_sql
        tracked = ", ".join(map(q, tracked_columns(part.history)))
        returned = ", ".join(f"stored.{q(name)}" for name in tracked_columns(part.history))
        return (
            f"WITH touched AS ({rows_sql} RETURNING {returned}) "
            f"INSERT INTO {q(part.history._meta.db_table)} ({tracked}, {', '.join(HISTORY_COLUMNS)}) "
            f"SELECT {tracked}, %(now)s, %(reason)s, '{history_type}', %(user)s FROM touched"
        )

    def remove_sql(self, part):
        """Delete the changed statements' rows of `part` that the stage does not hold."""
        table = q(part.model._meta.db_table)
        return self.with_history(
            part,
            f"DELETE FROM {table} AS stored USING {STATEMENT_STAGE} AS staged "
            "WHERE stored.statement_id = staged.id AND NOT staged.is_new "
            f"AND NOT EXISTS (SELECT FROM {stage_of(part)} AS wanted WHERE {self.same(part, 'stored', 'wanted')})",
            "-",
        )

    def add_sql(self, part):
        """Insert the staged rows of `part` that are not stored, in the file's order."""
        table = q(part.model._meta.db_table)
        columns = ", ".join(map(q, (*part.columns, *part.stamped)))
        values = ", ".join([*(f"wanted.{q(name)}" for name in part.columns), *("%(now)s" for _ in part.stamped)])
        return self.with_history(
            part,
            f"INSERT INTO {table} AS stored (statement_id, {columns}) SELECT wanted.statement_id, {values} "
            f"FROM {stage_of(part)} AS wanted WHERE wanted.is_new OR NOT EXISTS "
            f"(SELECT FROM {table} AS present WHERE {self.same(part, 'present', 'wanted')}) ORDER BY wanted.position",
            "+",
        )

    @staticmethod
    def history_sql():
        """A HistoricalStatement per staged statement as stored now, and the snapshots of its links.

        One statement: `recorded` inserts the HistoricalStatement rows and returns their ids, which
        the snapshot inserts of the speakers, recipients and topics (chained CTEs) then use.
        """
        model = Statement.history.model
        tracked = tracked_columns(model)
        columns = ", ".join(map(q, tracked))
        selected = ", ".join(f"statement.{q(name)}" for name in tracked)
        recorded = (
            f"INSERT INTO {q(model._meta.db_table)} ({columns}, {', '.join(HISTORY_COLUMNS)}) "
            f"SELECT {selected}, %(now)s, %(reason)s, CASE WHEN staged.is_new THEN '+' ELSE '~' END, %(user)s "
            f"FROM {q(Statement._meta.db_table)} AS statement JOIN {STATEMENT_STAGE} AS staged "
            "ON staged.id = statement.id ORDER BY statement.id RETURNING history_id, id"
        )
        snapshots = []
        for part in PARTS:
            if part.m2m_history is not None:
                (target,) = part.columns
                snapshots.append(
                    f"INSERT INTO {q(part.m2m_history._meta.db_table)} (id, statement_id, {q(target)}, history_id) "
                    f"SELECT link.id, link.statement_id, link.{q(target)}, recorded.history_id "
                    f"FROM {q(part.model._meta.db_table)} AS link JOIN recorded ON recorded.id = link.statement_id "
                    # As an array the ids reach the link table's index; joined, PostgreSQL would scan the table.
                    f"WHERE link.statement_id = ANY(ARRAY(SELECT id FROM {STATEMENT_STAGE}))"
                )
        *chained, last = snapshots
        ctes = ", ".join([f"recorded AS ({recorded})", *(f"link_{n} AS ({sql})" for n, sql in enumerate(chained))])
        return f"WITH {ctes} {last}"

    def close(self):
        """Wait for the last chunk, then drop the staging tables now: a caller's outer transaction may go on."""
        self.wait()
        if self.prepared:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(self.stages())}")
                # Back to Django's way for the rest of a caller's transaction.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            self.prepared = False
