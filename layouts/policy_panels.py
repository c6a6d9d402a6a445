"""Panels of the policy and regional pages: released tables and their metadata.

A ``Panel`` contains one table as it leaves the server. The builders here turn
panels into components; they format values and never query. A hidden count
shows as an en dash, an unstable rate (20 events or fewer) is marked with an
asterisk, and a rate on an estimated or projected population with "e".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

HIDDEN = "–"
UNSTABLE_MARK = "*"
ESTIMATE_MARK = "e"
LEGEND = (
    f"{HIDDEN} hidden to protect small counts; {UNSTABLE_MARK} unstable rate "
    f"(20 events or fewer); {ESTIMATE_MARK} population estimated or projected; "
    "n/a no population figure."
)


@dataclass(frozen=True)
class Panel:
    """One table as it leaves the server: released values and their metadata.

    Attributes
    ----------
    key
        Short name, used as the sheet and file name of exports.
    title
        Title on screen and in exports.
    table
        The rows; counts and rates are empty where hidden.
    metadata
        Counting unit, date basis, population, youth definition and
        suppression rule, as ``(field, text)`` pairs.
    note
        A caveat shown under the table, or empty.
    """

    key: str
    title: str
    table: pd.DataFrame
    metadata: tuple[tuple[str, str], ...]
    note: str = ""


def is_missing(value) -> bool:
    """Return whether a table value is empty (``None`` or NaN)."""
    return value is None or (isinstance(value, float) and pd.isna(value))


def count_text(value) -> str:
    """Return a count as text, or the hidden mark."""
    return HIDDEN if is_missing(value) else f"{int(value):,}"


def rate_text(row, rate_col: str = "per_100k", count_col: str = "incidents") -> str:
    """Return ``"12.3* (45)"``: the rate, its marks and its count."""
    count = row.get(count_col)
    if is_missing(count):
        return HIDDEN
    rate = row.get(rate_col)
    text = "n/a" if is_missing(rate) else f"{rate:,.1f}"
    if row.get("unstable") is True or row.get("unstable") == 1:
        text += UNSTABLE_MARK
    if row.get("population_estimate") is True and not is_missing(rate):
        text += ESTIMATE_MARK
    return f"{text} ({int(count):,})"


def percent_text(value) -> str:
    """Return a share from 0 to 1 as a whole percentage, or the hidden mark."""
    return HIDDEN if is_missing(value) else f"{value * 100:.0f}%"


def wide_table(
    frame: pd.DataFrame,
    row_label: Callable[[pd.Series], str],
    row_keys: Sequence[str],
    cell: Callable[[pd.Series], str],
    table_id: str | None = None,
) -> dbc.Table:
    """Build a table with one row per key and one column per year.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long rows with a ``year`` column.
    row_label : callable
        Label of a row from its first record.
    row_keys : sequence of str
        Columns that identify a row.
    cell : callable
        Text of one record. Records are dicts of the row's values, which are
        much faster to build than one ``pandas.Series`` per row.
    """
    years = sorted(frame["year"].unique()) if len(frame) else []
    header = html.Thead(html.Tr([html.Th("")] + [html.Th(str(y)) for y in years]))
    body = []
    for records in _row_groups(frame, row_keys):
        by_year = {record["year"]: record for record in records}
        cells = [html.Td(cell(by_year[y]) if y in by_year else "") for y in years]
        body.append(html.Tr([html.Th(row_label(records[0]), scope="row"), *cells]))
    extra = {"id": table_id} if table_id else {}
    return dbc.Table(
        [header, html.Tbody(body)],
        size="sm",
        bordered=True,
        hover=True,
        responsive=True,
        className="small",
        **extra,
    )


def records(frame: pd.DataFrame) -> list[dict]:
    """Return the rows of ``frame`` as dicts of plain Python values.

    The same values as ``DataFrame.to_dict("records")``, built column by
    column, which takes a fraction of the time.
    """
    columns = list(frame.columns)
    values = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _row_groups(frame: pd.DataFrame, row_keys: Sequence[str]) -> list[list[dict]]:
    """Return the records of ``frame`` grouped by ``row_keys``, in order of first row.

    Rows with a missing key are left out, as ``DataFrame.groupby`` leaves them.
    """
    groups: dict[tuple, list[dict]] = {}
    for record in records(frame):
        key = tuple(record[name] for name in row_keys)
        if not any(is_missing(value) for value in key):
            groups.setdefault(key, []).append(record)
    return list(groups.values())


def long_table(
    frame: pd.DataFrame, columns: Sequence[tuple[str, str, Callable]]
) -> dbc.Table:
    """Build a table with one row per record: ``(column, header, format)``."""
    header = html.Thead(html.Tr([html.Th(title) for _, title, _ in columns]))
    body = [
        html.Tr([html.Td(fmt(row.get(name))) for name, _, fmt in columns])
        for row in records(frame)
    ]
    return dbc.Table(
        [header, html.Tbody(body)],
        size="sm",
        bordered=True,
        hover=True,
        responsive=True,
        className="small",
    )


def metadata_block(panel: Panel) -> html.Details:
    """Build the folded list of a panel's metadata."""
    items = [html.Li([html.Strong(f"{name}: "), text]) for name, text in panel.metadata]
    return html.Details(
        [html.Summary("About these figures"), html.Ul(items, className="mb-1")],
        className="small text-muted mb-2",
    )


def panel_card(panel: Panel, body, card_id: str | None = None) -> dbc.Card:
    """Build the card of a panel: title, table or chart, note and metadata."""
    children = [html.H2(panel.title, className="h6"), body]
    if panel.note:
        children.append(html.P(panel.note, className="small mb-1"))
    children.append(html.P(LEGEND, className="small text-muted mb-1"))
    children.append(metadata_block(panel))
    extra = {"id": card_id} if card_id else {}
    return dbc.Card(dbc.CardBody(children), className="mb-3", **extra)


def plain(value) -> str:
    """Return a value as text, empty when missing."""
    return "" if is_missing(value) else str(value)


def number(value, decimals: int = 1) -> str:
    """Return a number with thousands separators, or the hidden mark."""
    return HIDDEN if is_missing(value) else f"{value:,.{decimals}f}"
