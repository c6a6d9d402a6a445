"""Exceptions and warnings raised by the analysis functions.

Every exception derives from ``AnalysisError``, itself a ``ValueError``, so a
caller can catch one class for every invalid input to this package.
"""

from __future__ import annotations


class AnalysisError(ValueError):
    """An argument to an analysis function is invalid."""


class InvalidMonth(AnalysisError):
    """A month cannot be read as a calendar month."""


class MissingColumns(AnalysisError):
    """A DataFrame lacks columns that a function needs."""


class TooFewIncidents(AnalysisError):
    """A map layer or statistic needs more incidents than the selection has.

    Attributes
    ----------
    layer
        Name of the layer or statistic, as shown to the user.
    count
        Incidents in the selection.
    minimum
        Fewest incidents the layer needs.
    """

    def __init__(self, layer: str, count: int, minimum: int) -> None:
        self.layer = layer
        self.count = count
        self.minimum = minimum
        super().__init__(
            f"{layer} needs at least {minimum} incidents with coordinates, but the "
            f"selection has {count!r}. Widen the period or the area, or choose "
            "another layer."
        )


class AnalysisWarning(UserWarning):
    """A result is valid but needs care when read, such as a rate on few events."""


def require_columns(frame, columns, argument: str) -> None:
    """Raise ``MissingColumns`` unless ``frame`` has every name in ``columns``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The frame to check.
    columns : iterable of str
        Column names that must be present.
    argument : str
        Name of the argument that contains ``frame``, used in the message.
    """
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise MissingColumns(
            f"{argument} lacks the columns {missing!r}; it has {list(frame.columns)!r}."
        )
