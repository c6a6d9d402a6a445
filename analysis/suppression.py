"""Statistical disclosure control of published counts (cell suppression).

Aggregate-only users must not learn small counts, which can identify victims
in small places. Primary suppression hides every count from 1 to the
threshold; 0 stays shown, because an absence of crime identifies no one.
Secondary suppression then hides more cells so that no hidden count can be
worked out by subtracting the shown cells of a row or column from its total.
Every row and column of the table, the margins included, ends with either no
hidden entry or at least two.

NOTE: two hidden entries per line stop recovery by one subtraction, which is
the usual standard for published tables. They do not stop every attack that
combines several rows and columns; in particular they do not bound how
narrowly a hidden count could be estimated. A full audit would solve a linear
program for each hidden cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError, require_columns

DEFAULT_THRESHOLD = 3

# Label of the total row and column added to suppressed tables.
TOTAL = "Total"


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts with its totals, ready to publish.

    Attributes
    ----------
    values
        The counts with a ``TOTAL`` row and column, dtype ``object``:
        ``None`` in every hidden entry, the count elsewhere.
    mask
        ``True`` where ``values`` is hidden, same shape.
    primary
        ``True`` where an entry is hidden for being from 1 to ``threshold``.
    threshold
        Largest count that is hidden for its own sake.
    """

    values: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame
    threshold: int


@dataclass(frozen=True)
class SuppressedSeries:
    """A list of counts with its total, ready to publish.

    Attributes
    ----------
    values
        The counts and, last, the ``TOTAL`` entry, dtype ``object``, with
        ``None`` in every hidden entry.
    mask, primary
        As in ``SuppressedTable``.
    threshold
        Largest count that is hidden for its own sake.
    """

    values: pd.Series
    mask: pd.Series
    primary: pd.Series
    threshold: int


def primary_mask(counts, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """Return which counts are from 1 to ``threshold`` and so hidden.

    Raises
    ------
    AnalysisError
        If a count is missing, negative or not whole, or ``threshold`` is not a
        positive whole number.
    """
    _check_threshold(threshold)
    values = _counts_array(counts)
    return (values >= 1) & (values <= threshold)


def suppress_table(
    table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD
) -> SuppressedTable:
    """Hide small counts of a two-way table and the cells that would reveal them.

    Row and column totals, and the grand total, are computed from ``table``
    and hidden by the same rules: a total from 1 to ``threshold`` is hidden,
    and the totals column and totals row count as lines like any other. While
    a line has exactly one hidden entry, its smallest non-zero shown cell is
    hidden too, or its total when no such cell is left. The lines are visited
    rows first, top to bottom, then columns, left to right, and again until
    none changes.

    Parameters
    ----------
    table : pandas.DataFrame
        Counts, without totals; rows and columns are the two categories.
    threshold : int, default 3
        Largest count hidden for its own sake.

    Returns
    -------
    SuppressedTable

    Raises
    ------
    AnalysisError
        If a count is missing, negative or not whole, or the index or columns
        already contain ``TOTAL``.
    """
    _check_threshold(threshold)
    counts = _counts_array(table.to_numpy())
    if TOTAL in table.index or TOTAL in table.columns:
        raise AnalysisError(
            f"table already has a {TOTAL!r} row or column; pass the counts "
            "without totals, which are added here."
        )
    full = _with_margins(counts)
    primary = (full >= 1) & (full <= threshold)
    lines = _table_lines(*full.shape)
    mask = _secondary(full, primary, lines)
    index = list(table.index) + [TOTAL]
    columns = list(table.columns) + [TOTAL]
    return SuppressedTable(
        values=pd.DataFrame(_published(full, mask), index=index, columns=columns),
        mask=pd.DataFrame(mask, index=index, columns=columns),
        primary=pd.DataFrame(primary, index=index, columns=columns),
        threshold=threshold,
    )


def suppress_series(
    values, total: int | None = None, threshold: int = DEFAULT_THRESHOLD
) -> SuppressedSeries:
    """Hide small counts of a list published with its total.

    Parameters
    ----------
    values : pandas.Series or array-like
        Counts; a ``Series`` keeps its index labels.
    total : int, optional
        The published total. It must equal the sum of ``values``: add an
        "other" entry for anything the list leaves out. By default the sum.
    threshold : int, default 3
        Largest count hidden for its own sake.

    Returns
    -------
    SuppressedSeries

    Raises
    ------
    AnalysisError
        If a count is invalid or ``total`` differs from the sum.
    """
    _check_threshold(threshold)
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    counts = _counts_array(series.to_numpy())
    if TOTAL in series.index:
        raise AnalysisError(
            f"values already has a {TOTAL!r} entry; pass the "
            "counts without it and give the total as total."
        )
    if total is not None and total != counts.sum():
        raise AnalysisError(
            f"total {total!r} differs from the sum of values, {int(counts.sum())}; "
            "add an 'other' entry so that the values add up to the total."
        )
    full = np.append(counts, counts.sum())
    primary = (full >= 1) & (full <= threshold)
    mask = _secondary(
        full[None, :],
        primary[None, :],
        [list(zip([0] * len(full), range(len(full)), strict=True))],
    )[0]
    index = list(series.index) + [TOTAL]
    return SuppressedSeries(
        values=pd.Series(
            _published(full, mask), index=index, dtype=object, name=series.name
        ),
        mask=pd.Series(mask, index=index),
        primary=pd.Series(primary, index=index),
        threshold=threshold,
    )


def apply_to_long(
    frame: pd.DataFrame,
    value_col: str,
    row_key: str,
    col_key: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Suppress a long-format frame of counts, such as a rollup query's result.

    The frame is pivoted to a table of ``row_key`` by ``col_key`` (or a list
    by ``row_key`` when ``col_key`` is ``None``), suppressed with
    ``suppress_table`` or ``suppress_series``, and turned back into rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per combination of keys with its count. Several rows with the
        same keys are added up, and a combination missing from the frame
        counts zero.
    value_col : str
        Column of the counts.
    row_key, col_key : str
        Columns of the two categories; ``col_key`` may be ``None``.
    threshold : int, default 3
        Largest count hidden for its own sake.

    Returns
    -------
    pandas.DataFrame
        Columns ``row_key``, ``col_key`` (when given), ``value_col`` (dtype
        ``object``, ``None`` where hidden) and ``suppressed``. Every
        combination appears, with the totals as rows whose key is ``TOTAL``,
        so a key column of numbers becomes dtype ``object``.
    """
    keys = [row_key] if col_key is None else [row_key, col_key]
    require_columns(frame, [value_col, *keys], "frame")
    if col_key is None:
        counts = frame.groupby(row_key, sort=True)[value_col].sum()
        result = suppress_series(counts, threshold=threshold)
        return pd.DataFrame(
            {
                row_key: pd.Series(result.values.index, dtype=object),
                value_col: pd.Series(list(result.values), dtype=object),
                "suppressed": result.mask.to_numpy(),
            }
        )
    table = frame.pivot_table(
        index=row_key,
        columns=col_key,
        values=value_col,
        aggfunc="sum",
        fill_value=0,
        observed=True,
    )
    result = suppress_table(table, threshold=threshold)
    return _long(result, row_key, col_key, value_col)


def _check_threshold(threshold: int) -> None:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, np.integer))
        or (threshold < 1)
    ):
        raise AnalysisError(
            f"threshold must be a whole number, 1 or more, but is {threshold!r}."
        )


def _counts_array(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    bad = np.isnan(array) | (array < 0) | (array != np.round(array))
    if bad.any():
        example = float(array[bad][0])
        raise AnalysisError(
            f"counts must be whole numbers of 0 or more, but one is {example!r}; "
            "fill missing counts with 0 before suppression."
        )
    return array.astype("int64")


def _with_margins(counts: np.ndarray) -> np.ndarray:
    """Return the counts with a column of row totals and a row of column totals."""
    rows = np.column_stack([counts, counts.sum(axis=1)])
    return np.vstack([rows, rows.sum(axis=0)])


def _table_lines(row_count: int, column_count: int) -> list[list[tuple[int, int]]]:
    """Return each row, then each column, of a table with margins as positions.

    The last position of every line is its total.
    """
    rows = [[(r, c) for c in range(column_count)] for r in range(row_count)]
    columns = [[(r, c) for r in range(row_count)] for c in range(column_count)]
    return rows + columns


def _secondary(full: np.ndarray, primary: np.ndarray, lines) -> np.ndarray:
    """Hide more entries until no line has exactly one hidden entry."""
    mask = primary.copy()
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(mask[position] for position in line) == 1:
                mask[_complement(full, mask, line)] = True
                changed = True
    return mask


def _complement(full: np.ndarray, mask: np.ndarray, line) -> tuple[int, int]:
    """Return the smallest non-zero shown cell of ``line``, else its total.

    The hidden entry of the line is not 0, so the line's total is not 0 and a
    non-zero shown entry always exists.
    """
    cells = [p for p in line[:-1] if not mask[p] and full[p] > 0]
    if cells:
        return min(cells, key=lambda position: full[position])
    return line[-1]


def _published(full: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Return the entries as Python ints, with ``None`` in place of hidden ones."""
    published = np.empty(full.shape, dtype=object)
    for position in np.ndindex(full.shape):
        published[position] = None if mask[position] else int(full[position])
    return published


def _long(result: SuppressedTable, row_key, col_key, value_col) -> pd.DataFrame:
    values = result.values.stack(future_stack=True)
    mask = result.mask.stack(future_stack=True)
    frame = pd.DataFrame(
        {
            row_key: pd.Series(values.index.get_level_values(0), dtype=object),
            col_key: pd.Series(values.index.get_level_values(1), dtype=object),
            value_col: pd.Series(list(values), dtype=object),
            "suppressed": mask.to_numpy(),
        }
    )
    return frame
