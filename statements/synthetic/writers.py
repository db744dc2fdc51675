"""Writing the synthetic rows, in the caller's transaction: COPY on PostgreSQL, `bulk_create` elsewhere.

Both writers take the same rows, so they cannot disagree. On PostgreSQL the tables are locked
before ids are taken, a large run drops the statement tables' secondary indexes and rebuilds them
from their saved definitions, and the sequences are set past the ids taken; the curators the rows
name are created here too.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection

from statements.synthetic.draws import RECORDED_AT
from statements.synthetic.tables import STATEMENT_TABLES, TABLES, GenerationRefused

CURATOR_USERNAME_PREFIX = "synthetic-curator-"
CURATOR_COUNT = 12

# Below this many statements, dropping and rebuilding the indexes costs more than it saves.
REBUILD_INDEXES_FROM = 50_000


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
