"""The report an import prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from data_access.ingest.errors import display_value


@dataclass
class ImportReport:
    """What one import read, wrote and rejected."""

    file_name: str
    import_id: int | None = None
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    superseded: int = 0
    rejected_by_reason: Counter = field(default_factory=Counter)
    # Quarantined cells of imported rows, such as coordinates out of range.
    flagged_by_reason: Counter = field(default_factory=Counter)
    # Cells found again that an earlier import had quarantined, so not stored again.
    already_quarantined: int = 0
    unmapped_codes: dict[str, int] = field(default_factory=dict)
    without_coordinates: int = 0
    outside_station_areas: int = 0
    # (row number, line number) of each row where a quote opens a cell and never
    # closes.
    unclosed_quotes: list[tuple[int, int]] = field(default_factory=list)

    def format(self) -> str:
        """Return the report as lines of text for the terminal."""
        lines = [
            f"Import of {self.file_name} (import {self.import_id})",
            f"  rows read:                {self.rows_read}",
            f"  incidents inserted:       {self.inserted}",
            f"  incidents updated:        {self.updated}",
            f"  incidents unchanged:      {self.unchanged}",
            f"  earlier versions skipped: {self.superseded}",
            f"  rows rejected:            {self.rejected}",
        ]
        for reason, count in self.rejected_by_reason.most_common():
            lines.append(f"    {count:>8}  {reason}")
        if self.unclosed_quotes:
            lines.append(self._unclosed_quote_line())
        lines.append(f"  rows without usable coordinates: {self.without_coordinates}")
        for reason, count in self.flagged_by_reason.most_common():
            lines.append(f"    {count:>8}  {reason}")
        lines.append(f"  rows outside every station area: {self.outside_station_areas}")
        lines.append(
            f"  offence codes missing from the correspondence table: "
            f"{len(self.unmapped_codes)}"
        )
        for code, count in sorted(self.unmapped_codes.items())[:30]:
            lines.append(f"    {display_value(code, 60)!r}: {count} offence(s)")
        if not self.rows_read:
            lines.append(
                "The file has a header and no data rows; check that the export "
                "is complete before the next import."
            )
        if self.rejected:
            lines.append(
                "Rejected rows are in the quarantine table with their row number, "
                f"field, value and reason (import {self.import_id})."
            )
        if self.already_quarantined:
            lines.append(
                f"{self.already_quarantined} of the quarantined cells were already "
                "in the quarantine from an earlier import of the same rows, and are "
                "listed there under that import."
            )
        if self.flagged_by_reason:
            lines.append(
                "Coordinates out of range or swapped are in the quarantine table "
                f"too (import {self.import_id}); their incidents were imported "
                "without a map location."
            )
        return "\n".join(lines)

    def _unclosed_quote_line(self) -> str:
        places = [
            f"row {row}" if row == line else f"row {row} (line {line})"
            for row, line in self.unclosed_quotes[:10]
        ]
        more = len(self.unclosed_quotes) - len(places)
        listed = ", ".join(places) + (f" and {more} more" if more > 0 else "")
        return (
            f"  unclosed quotes in {self.file_name}: {listed}. Each row is in the "
            "quarantine, and reading went on from the line after its quote; close "
            "or remove the quote and import the file again."
        )
