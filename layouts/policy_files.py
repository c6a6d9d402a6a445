"""Export files of the policy and regional pages: CSV in a zip, Excel and PDF.

Every writer takes released panels (``layouts.policy_panels.Panel``), so a
hidden count is an empty cell in every file, never a value.

- CSV: a zip with one ``<panel>.csv`` per table and ``metadata.csv``, whose
  rows are ``table, field, value`` for each table's metadata. A separate
  metadata file keeps every data file a plain table that any tool reads.
- Excel: a ``metadata`` sheet first, then one sheet per table.

Names in the tables can come from imported files, such as the admin area names of
a geography folder. A CSV cell that a spreadsheet would run as a formula gets a
leading ``'`` (``layouts.spreadsheet_cells``), and an Excel cell that starts with
``=`` is stored as text, not as a formula.
- PDF: a printable report made on the server, with no internet, in the core
  PDF fonts (Latin-1 only, so other characters are written in ASCII).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Font

from layouts.policy_panels import Panel, is_missing
from layouts.spreadsheet_cells import csv_cell_text

# Most rows of one table printed in the PDF report; the files have them all.
PDF_MAX_ROWS = 120
_ASCII = str.maketrans({"–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "…": "..."})


def _cell(value):
    """Return a value as written to a file: empty when missing, else plain."""
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    # A count column with a hidden cell is float in pandas; write 25, not 25.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _rows(table: pd.DataFrame) -> list[list]:
    return [[_cell(value) for value in row] for row in table.itertuples(index=False)]


def csv_zip(panels: Sequence[Panel], title: str) -> bytes:
    """Return a zip with one CSV per panel and ``metadata.csv``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        metadata = io.StringIO()
        writer = _SafeCsvWriter(metadata)
        writer.writerow(["table", "field", "value"])
        writer.writerow(["", "Report", title])
        for panel in panels:
            writer.writerow([panel.key, "Title", panel.title])
            for name, text in panel.metadata:
                writer.writerow([panel.key, name, text])
            if panel.note:
                writer.writerow([panel.key, "Note", panel.note])
            archive.writestr(f"{panel.key}.csv", _csv_text(panel.table))
        archive.writestr("metadata.csv", metadata.getvalue())
    return buffer.getvalue()


class _SafeCsvWriter:
    """A ``csv.writer`` whose text cells pass through ``csv_cell_text``."""

    def __init__(self, handle):
        self._writer = csv.writer(handle)

    def writerow(self, row) -> None:
        self._writer.writerow([csv_cell_text(value) for value in row])


def _csv_text(table: pd.DataFrame) -> str:
    text = io.StringIO()
    writer = _SafeCsvWriter(text)
    writer.writerow(list(table.columns))
    for row in _rows(table):
        writer.writerow(["" if value is None else value for value in row])
    return text.getvalue()


def xlsx(panels: Sequence[Panel], title: str) -> bytes:
    """Return an Excel workbook: a metadata sheet, then one sheet per panel."""
    book = Workbook()
    sheet = book.active
    sheet.title = "metadata"
    sheet.append(["table", "field", "value"])
    sheet.append(["", "Report", title])
    for panel in panels:
        sheet.append([panel.key, "Title", panel.title])
        for name, text in panel.metadata:
            sheet.append([panel.key, name, text])
        if panel.note:
            sheet.append([panel.key, "Note", panel.note])
    for panel in panels:
        data = book.create_sheet(panel.key[:31])
        data.append(list(panel.table.columns))
        for cell in data[1]:
            cell.font = Font(bold=True)
        for row in _rows(panel.table):
            data.append(row)
    for worksheet in book.worksheets:
        _store_formulas_as_text(worksheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _store_formulas_as_text(worksheet) -> None:
    """Store as text every cell that openpyxl took for a formula.

    openpyxl stores any text that starts with ``=`` as a formula. No cell of
    these files is meant to be one, so each is typed as text and keeps its value.
    """
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _ascii(text) -> str:
    return str(text).translate(_ASCII).encode("latin-1", "replace").decode("latin-1")


def _pdf_value(value) -> str:
    value = _cell(value)
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def report_pdf(panels: Sequence[Panel], title: str) -> bytes:
    """Return the printable report: each table with its metadata, A4 landscape."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, _ascii(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        _ascii(
            f"Made on {date.today().isoformat()}. '-' marks a hidden or empty value."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for panel in panels:
        _pdf_panel(pdf, panel)
    return bytes(pdf.output())


def _pdf_panel(pdf: FPDF, panel: Panel) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, _ascii(panel.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=7)
    for name, text in panel.metadata:
        pdf.multi_cell(
            0, 3.5, _ascii(f"{name}: {text}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    if panel.note:
        pdf.multi_cell(0, 3.5, _ascii(panel.note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    table = panel.table.head(PDF_MAX_ROWS)
    if table.empty:
        return
    pdf.set_font("Helvetica", size=6)
    with pdf.table(
        first_row_as_headings=True, line_height=3.2, text_align="LEFT"
    ) as grid:
        grid.row([_ascii(column) for column in table.columns])
        for row in table.itertuples(index=False):
            grid.row([_ascii(_pdf_value(value)) for value in row])
    if len(panel.table) > PDF_MAX_ROWS:
        pdf.multi_cell(
            0,
            4,
            f"First {PDF_MAX_ROWS} of {len(panel.table)} rows; the Excel and CSV "
            "exports have them all.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
