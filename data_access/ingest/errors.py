"""Errors of the import path."""

from __future__ import annotations

from dataclasses import dataclass


class IngestError(Exception):
    """An import stopped before writing anything; the message says what to fix."""


class SourceMapError(IngestError):
    """A source map is unreadable or names something invalid."""


class CorrespondenceError(IngestError):
    """A correspondence table has invalid rows; nothing of it was imported."""

    def __init__(self, file_name: str, problems: list[str]):
        self.problems = problems
        listed = "\n".join(f"  {problem}" for problem in problems[:50])
        more = len(problems) - 50
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{file_name}: {len(problems)} invalid row(s); fix them and import the "
            f"table again. Nothing was imported.\n{listed}{tail}"
        )


class UnreadableFileError(IngestError):
    """An export or table cannot be read in the format its name or map declares."""


@dataclass(frozen=True)
class Problem:
    """One invalid cell of an export row."""

    row_number: int
    field: str
    value: str
    reason: str


# Values longer than this are cut in messages, the report and the quarantine table.
MAX_SHOWN_LENGTH = 200


def display_value(value: object, limit: int = MAX_SHOWN_LENGTH) -> str:
    """Return ``value`` as text safe to print and store: NUL bytes shown as ``\\x00``
    and text longer than ``limit`` cut, with its full length noted.
    """
    text = str(value).replace("\x00", "\\x00")
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"
