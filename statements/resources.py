"""Statements as a CSV or XLSX table, for the admin's import and export (django-import-export).

Both directions go through the exchange files' own code rather than import-export's per-field
machinery: the export is `exchange.export` (the `statements` shape, built by statement_documents a
batch at a time), and the import hands the uploaded table, as the rows `exchange.read` yields, to
`statements.imports.import_statements`, the one import the command line runs too, then shows its
report in import-export's preview: each statement new, changed or unchanged, every problem on its
line and column.
"""

import csv
import io
from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

import tablib
from import_export import resources
from import_export.fields import Field
from import_export.results import Result, RowResult

from config.admin_files import cell_text, line_of
from config.db import AnyOf
from statements import exchange
from statements.documents import STATEMENT_COLUMNS, statement_documents
from statements.imports import import_statements
from statements.imports.matching import CHANGED, NEW, REJECTED, UNCHANGED
from statements.models import Statement

COLUMNS = {column.name: column for columns in exchange.COLUMNS.values() for column in columns}
IMPORT_TYPES = {
    NEW: RowResult.IMPORT_TYPE_NEW,
    CHANGED: RowResult.IMPORT_TYPE_UPDATE,
    UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
}
# A stored statement keeps when it was first recorded, and its status unless the import takes the file's.
NOT_PREVIEWED = {"created_at", "status"}


def exchange_rows(dataset):
    """The uploaded table as `exchange.read` yields a CSV file: (line, shape, {column: value}, {column: reason}).

    Each cell is first made the text a CSV file holds (a spreadsheet's numbers, dates and booleans
    included), then decoded as `exchange.read` decodes it, so a CSV file and the same table saved as
    XLSX import alike.
    """
    header = dataset.headers
    shape = exchange.detect_shape(header)
    widths = getattr(dataset, "widths", {})
    for index, cells in enumerate(dataset):
        line = line_of(dataset, index)
        row, errors = {}, {}
        width = widths.get(line)
        if width is not None:
            errors["_line"] = f"{width} cells where the header names {len(header)} columns"
            cells = cells[:width]
        for name, cell in zip(header, cells, strict=False):
            if name in COLUMNS:
                try:
                    row[name] = exchange.decode_cell(COLUMNS[name], cell_text(cell))
                except exchange.BadValue as error:
                    errors[name] = str(error)
        yield line, shape, row, errors


def stored_cells(uuids, columns, batch_size=1000):
    """{uuid: {column: the text an export writes}} of the stored statements `uuids`, a batch at a time."""
    uuids, cells = list(uuids), {}
    for start in range(0, len(uuids), batch_size):
        rows = Statement.objects.filter(AnyOf("uuid", uuids[start : start + batch_size])).values(*STATEMENT_COLUMNS)
        for document in statement_documents(list(rows), usernames=True):
            record = exchange.record_of(document)
            cells[record["uuid"]] = {name: exchange.csv_cell(COLUMNS[name], record[name]) for name in columns}
    return cells


class CellDiff(resources.Diff):
    """import-export's highlighted before and after, of cells rather than of a model instance's fields."""

    def __init__(self, before, after, new):
        self.left, self.right, self.new = before, after, new


class StatementResource(resources.Resource):
    """The `statements` shape of the exchange files, imported by `import_statements` with a preview."""

    @classmethod
    def get_display_name(cls):
        return "statements"

    def get_user_visible_fields(self):
        return [Field(column_name=column.name) for column in exchange.COLUMNS["statements"] if not column.readable]

    def export(self, queryset=None, **kwargs):
        # The command line's CSV export read back into a table: the same rows and cells, batch by batch.
        queryset = Statement.objects.all() if queryset is None else queryset.prefetch_related(None)
        text = b"".join(exchange.export(queryset, "csv", "statements")).decode()
        header, *rows = csv.reader(io.StringIO(text))
        return tablib.Dataset(*rows, headers=header)

    def import_data(self, dataset, dry_run=False, raise_errors=False, *, user, status="draft", **kwargs):
        # import-export's transaction and row options do not apply: import_statements runs in its own transaction,
        # and writes nothing at all when any statement is rejected.
        report = import_statements(
            exchange_rows(dataset), user=user, status=status, dry_run=dry_run, source_name=kwargs.get("file_name") or ""
        )
        return self.result_of(report, dataset, previewed_status=status == "file")

    def result_of(self, report, dataset, previewed_status):
        """import-export's Result of an ImportReport: each statement at its first line, each problem on its line."""
        columns = [
            name
            for name in dataset.headers
            if name in COLUMNS
            and not COLUMNS[name].readable
            and (name not in NOT_PREVIEWED or (name == "status" and previewed_status))
        ]
        cells = {
            line_of(dataset, index): {name: cell_text(cell) for name, cell in zip(dataset.headers, row, strict=False)}
            for index, row in enumerate(dataset)
        }
        changed = [outcome.uuid for outcome in report.outcomes.values() if outcome.outcome == CHANGED]
        stored = stored_cells(changed, columns) if changed else {}

        result = Result()
        result.diff_headers = ["line", *columns]
        result.total_rows = len(dataset)
        problems = defaultdict(lambda: defaultdict(list))
        for line, field, reason in report.problems:
            problems[line][field or NON_FIELD_ERRORS].append(reason)
        for line, errors in problems.items():
            values = {"line": line, **cells.get(line, {})}
            result.append_invalid_row(
                line, values, ValidationError({field: list(reasons) for field, reasons in errors.items()})
            )
        for line, outcome in report.outcomes.items():
            row_result = RowResult()
            if outcome.outcome == REJECTED:
                row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            else:
                row_result.import_type = IMPORT_TYPES[outcome.outcome]
                after = [cells[line].get(name, "") for name in columns]
                before = [stored.get(str(outcome.uuid), {}).get(name, "") for name in columns]
                if outcome.outcome == UNCHANGED:
                    before = after
                row_result.diff = [line, *CellDiff(before, after, outcome.outcome == NEW).as_html()]
                row_result.object_repr = str(outcome.uuid)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result
