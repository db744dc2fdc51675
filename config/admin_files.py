"""The admin's CSV and XLSX import and export (django-import-export), shared by every app's workbench.

Files are read as the command-line import reads them: blank lines skipped, every row keeping the
line it stands on in the file (the header is line 1), and spreadsheet cells turned back into the
text a CSV file holds for them, so a CSV file and the same table saved as XLSX import alike.
"""

import csv
import datetime
import io
import re

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.urls import reverse

import openpyxl
import tablib
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm
from import_export.results import Result
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import IllegalCharacterError

CARRIAGE_RETURN = re.compile("_x000d_", re.IGNORECASE)


class LinedDataset(tablib.Dataset):
    """A table of the file's non-blank rows, each cut or padded to the header's width.

    `lines[i]` is the line in the file of row `i`; `widths` holds, by line, how many cells a CSV row
    had where that differs from the header's count (tablib pads a short row silently and refuses the
    whole file over one long row).
    """

    @classmethod
    def of(cls, header, numbered_rows):
        """The table of `header` and the (line, cells) of `numbered_rows`."""
        header = [cell_text(name).strip().lstrip("\ufeff") for name in header]
        dataset = cls(headers=header)
        dataset.lines, dataset.widths = [], {}
        for line, cells in numbered_rows:
            if not any(cell_text(cell).strip() for cell in cells):
                continue
            cells = list(cells)
            if len(cells) != len(header):
                dataset.widths[line] = len(cells)
            dataset.lines.append(line)
            dataset.append((cells + [None] * len(header))[: len(header)])
        return dataset


def line_of(dataset, index):
    """The line in the file of the dataset's row `index` (0 for the first row), the header being line 1."""
    lines = getattr(dataset, "lines", None)
    return lines[index] if lines is not None else index + 2


def cell_text(value):
    """A cell as the text a CSV export holds for it: spreadsheets hand back numbers, dates and booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.tzinfo is None and value.time() == datetime.time():
        # Spreadsheets keep a date as a moment at midnight.
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


class LinedCSV(base_formats.CSV):
    """CSV read into a LinedDataset, with the csv module's defaults, as `statements.exchange.read` reads it."""

    def is_binary(self):
        # Read as bytes and decoded here: a text-mode read would turn a "\r\n" inside a quoted cell into "\n".
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        text = in_stream.decode("utf-8-sig") if isinstance(in_stream, bytes) else in_stream
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        # line_num is read once each row is parsed: a quoted cell may span lines.
        return LinedDataset.of(header, ((reader.line_num, cells) for cells in reader))


class LinedXLSX(base_formats.XLSX):
    """The first sheet read into a LinedDataset (lines are the sheet's row numbers), and written with text as text."""

    def create_dataset(self, in_stream):
        workbook = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = workbook.active.iter_rows(values_only=True)
            header = list(next(rows, ()))
            # A sheet's used range may run past the header over formatted, empty columns.
            while header and header[-1] is None:
                header.pop()
            width = len(header)
            # Every row cut or padded to the header: only a CSV row can have a wrong number of cells.
            padded = ((line, (cells + (None,) * width)[:width]) for line, cells in enumerate(rows, start=2))
            return LinedDataset.of(header, ((line, [self.read(cell) for cell in cells]) for line, cells in padded))
        finally:
            workbook.close()

    def export_data(self, dataset, **kwargs):
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(title="export")
        try:
            for row in [dataset.headers, *dataset]:
                sheet.append([self.cell(sheet, value) for value in row])
        except IllegalCharacterError:
            raise ValueError("A cell holds a control character, which XLSX cannot store: export as CSV.") from None
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    @staticmethod
    def cell(sheet, value):
        if not isinstance(value, str):
            return WriteOnlyCell(sheet, value=value)
        # XML reads a carriage return as a line break; spreadsheets write it as _x000D_, which openpyxl leaves be.
        cell = WriteOnlyCell(sheet, value=value.replace("\r", "_x000D_"))
        # openpyxl takes a text beginning with "=" for a formula: a spreadsheet would run it, and read it back empty.
        cell.data_type = "s"
        return cell

    @staticmethod
    def read(value):
        return CARRIAGE_RETURN.sub("\r", value) if isinstance(value, str) else value


class LinedResult(Result):
    """An import's result whose rows are named by their line in the file, as the renumbering in `number_lines` sets."""

    def row_errors(self):
        return [(row.errors[0].number, row.errors) for row in self.rows if row.errors]


def number_lines(dataset, result):
    """Name the failed rows of an import-export `result` by their line in the file rather than their position."""
    for row in [*result.invalid_rows, *result.error_rows]:
        row.number = line_of(dataset, row.number - 1)
    for row in result.rows:
        for error in row.errors:
            if error.number is not None:
                error.number = line_of(dataset, error.number - 1)


class FileImportExportMixin(ImportExportMixin):
    """CSV and XLSX import and export on a ModelAdmin: import needs add and change, export needs view.

    An import is previewed (a dry run) and written only once confirmed; if the confirmed run fails
    after all (the database changed since the preview), it is rolled back whole and says so.
    """

    formats = [LinedCSV, LinedXLSX]
    # The columns are the file format's: exporting some of them would make a file the import misreads.
    export_form_class = ExportForm

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = [
            f"line {row.number}" + (f", {field}" if field != NON_FIELD_ERRORS else "") + f": {' '.join(errors)}"
            for row in result.invalid_rows
            for field, errors in row.error_dict.items()
        ]
        problems += [f"line {line}: {error.error}" for line, errors in result.row_errors() for error in errors]
        problems += [str(error.error) for error in result.base_errors]
        messages.error(
            request, f"Nothing was imported: the file no longer imports cleanly ({'; '.join(problems[:10])})."
        )
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:{app_label}_{model_name}_import"))
