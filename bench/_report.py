"""The results table of the whole-product benchmark: rows, budgets and verdicts.

Each row has an area, an item, what was measured, the budget and the result:
``met``, ``NOT MET`` or ``-`` where no budget applies.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from _common import percentile

CALLBACK_BUDGET_MS = 150.0
MAP_BUDGET_BYTES = 300_000
FIRST_LOAD_BUDGET_BYTES = 1_500_000
QUERY_BUDGET_MS = 30.0
WIDTHS = (10, 46, 58, 16)


@dataclass
class Row:
    """One line of the results table."""

    area: str
    item: str
    measured: str
    budget: str = "-"
    result: str = "-"


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def p50_p95(values: list[float]) -> tuple[float, float]:
    """Return the median and the 95th percentile (nearest rank)."""
    if not values:
        return float("nan"), float("nan")
    return statistics.median(values), percentile(values, 0.95)


def callback_rows(cold: list, warm: list | None) -> list[Row]:
    """Return one row per callback case: cold and warm server times, bytes.

    The result follows the cold p95 and any status other than 200 or 204;
    ``(warm met)`` marks a case that meets the budget with the cache on only.
    """
    warm_by_label = {result.label: result for result in warm or []}
    rows = []
    for result in cold:
        warm_result = warm_by_label.get(result.label)
        met = _within_budget(result)
        text = _times_text("cold", result)
        if warm_result is not None:
            text += ", " + _times_text("warm", warm_result)
        text += f"; {result.size:,d} B"
        budget = "p95 < 150 ms"
        if "map" in result.label:
            met = met and result.size < MAP_BUDGET_BYTES
            budget = "p95<150ms,<300KB"
        outcome = verdict(met)
        if not met and warm_result is not None and _within_budget(warm_result):
            outcome += " (warm met)"
        rows.append(Row("callback", result.label, text, budget, outcome))
    return rows


def _times_text(name: str, result) -> str:
    p50, p95 = p50_p95(result.server_ms)
    text = f"{name} {p50:.0f}/{p95:.0f} ms"
    errors = _errors(result.statuses)
    return f"{text} (HTTP {errors})" if errors else text


def _within_budget(result) -> bool:
    p95 = p50_p95(result.server_ms)[1]
    return p95 < CALLBACK_BUDGET_MS and not _errors(result.statuses)


def _errors(statuses: Counter) -> str:
    bad = {status: n for status, n in statuses.items() if status not in (200, 204)}
    return ", ".join(f"{status} x{n}" for status, n in sorted(bad.items()))


def first_load_rows(loads: dict) -> list[Row]:
    """Return two rows per page: bytes as served and bytes if gzip-compressed."""
    rows = []
    for page, fetched in loads.items():
        served = sum(item.transferred for item in fetched)
        gzipped = sum(item.gzipped for item in fetched)
        raw = sum(item.raw for item in fetched)
        budget = "< 1.5 MB"
        rows.append(
            Row(
                "first load",
                f"{page}: as served",
                f"{served:,d} B in {len(fetched)} responses ({raw:,d} B decoded)",
                budget,
                verdict(served < FIRST_LOAD_BUDGET_BYTES),
            )
        )
        rows.append(
            Row(
                "first load",
                f"{page}: if gzip-compressed",
                f"{gzipped:,d} B",
                budget,
                verdict(gzipped < FIRST_LOAD_BUDGET_BYTES),
            )
        )
    return rows


def query_rows(timed: list) -> list[Row]:
    """Return one row per distinct warehouse read, in the order given."""
    rows = []
    for number, (call, times) in enumerate(timed, start=1):
        p50, p95 = p50_p95(times)
        rows.append(
            Row(
                "query",
                f"Q{number} {call.name.removeprefix('data_access.')}",
                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
                "p95 < 30 ms",
                verdict(p95 < QUERY_BUDGET_MS),
            )
        )
    return rows


def format_table(rows: list[Row]) -> str:
    """Return the rows as a fixed-width text table with a header."""
    header = Row("area", "item", "measured", "budget", "result")
    lines = []
    for row in [header, *rows]:
        cells = (row.area, row.item, row.measured, row.budget)
        text = " ".join(
            _fit(cell, width) for cell, width in zip(cells, WIDTHS, strict=True)
        )
        lines.append(f"{text} {row.result}")
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    if len(text) > width:
        text = text[: width - 1] + "~"
    return f"{text:<{width}}"
