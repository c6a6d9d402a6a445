"""Errors of the import path."""

from __future__ import annotations


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
