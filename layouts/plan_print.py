"""The printable action plan: an HTML print view and a PDF, both made offline.

The map is drawn with matplotlib (Agg, no display, no internet) into a PNG that
both outputs embed: the station area, its neighbours, the month's incident
points and the numbered priority areas. Plotly's static export needs Kaleido and
a Chrome build, which this project does not install.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from html import escape

import pandas as pd
from fpdf import FPDF
from shapely import wkt as shapely_wkt

PAPERS = {"a4": ("A4", "210mm 297mm"), "letter": ("Letter", "8.5in 11in")}

# Core PDF fonts encode Latin-1 only; these characters are written in ASCII.
_PDF_REPLACEMENTS = {"−": "-", "–": "-", "—": "-", "≤": "<=", "²": "2", "…": "..."}


@dataclass(frozen=True)
class PlanDocument:
    """Everything printed for one plan.

    Attributes
    ----------
    compstat
        Rows of the CompStat table (``group``, ``comparison``, ``current``,
        ``previous``, ``difference``, ``score``, ``flag``, ``percent``) of the
        month read, incidents by month occurred.
    outcomes
        ``(problem, PriorityOutcome)`` of the previous plan's review.
    map_png
        The map as PNG bytes.
    """

    title: str
    station_name: str
    plan: object
    read_month_text: str
    plan_month_text: str
    compstat: pd.DataFrame
    outcomes: list = field(default_factory=list)
    map_png: bytes = b""
    history: list = field(default_factory=list)


def map_png(base: dict, points: pd.DataFrame, areas: list[str]) -> bytes:
    """Draw the station, the points and the numbered priority areas as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 5), dpi=110)
    axes = figure.add_subplot()
    for _, area in base.get("neighbours", []):
        _draw(axes, area, color="#969696", linewidth=0.6)
    _draw(axes, base.get("station"), color="#08306b", linewidth=1.8)
    if not points.empty:
        axes.scatter(points["lon"], points["lat"], s=6, color="#cb181d", alpha=0.7)
    for number, text in enumerate(areas, start=1):
        polygon = shapely_wkt.loads(text)
        _draw(axes, polygon, color="#238b45", linewidth=1.5, fill=True)
        axes.annotate(
            str(number),
            (polygon.centroid.x, polygon.centroid.y),
            fontsize=9,
            weight="bold",
            ha="center",
        )
    station = base.get("station")
    if station is not None:
        xmin, ymin, xmax, ymax = station.bounds
        axes.set_xlim(xmin, xmax)
        axes.set_ylim(ymin, ymax)
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_axis_off()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _draw(axes, geometry, color, linewidth, fill=False):
    if geometry is None:
        return
    parts = getattr(geometry, "geoms", [geometry])
    for part in parts:
        if part.geom_type != "Polygon":
            continue
        x, y = part.exterior.xy
        axes.plot(x, y, color=color, linewidth=linewidth)
        if fill:
            axes.fill(x, y, color=color, alpha=0.25)


def _priority_lines(priority) -> list[tuple[str, str]]:
    when = ", ".join(priority.days) or "every day"
    if priority.hour_from is not None:
        when += f", {priority.hour_from:02d}:00-{priority.hour_to:02d}:59"
    return [
        ("Problem", priority.problem),
        ("What", ", ".join(priority.categories) or "all categories"),
        ("When", when),
        ("Stage", priority.stage),
        ("Target", f"{priority.target_percent:g}% fewer incidents than the baseline"),
        ("Offender", priority.offender_notes),
        ("Victim", priority.victim_notes),
        ("Place", priority.place_notes),
    ]


def _response_cells(response) -> list[str]:
    return [
        response.action,
        response.owner,
        response.due_date.isoformat() if response.due_date else "",
        response.resources,
        "" if response.patrol_minutes is None else str(response.patrol_minutes),
        response.completion,
    ]


RESPONSE_HEAD = ["Action", "Owner", "Due", "Resources", "Patrol min.", "Completion"]
COMPSTAT_HEAD = ["Category", "This month", "Previous", "Score", "Last year", "Score"]


def compstat_cells(rows: pd.DataFrame) -> list[list[str]]:
    """Return the printed CompStat rows: month and year comparisons."""
    cells = []
    for group, frame in rows.groupby("group", sort=False):
        by_key = {row["comparison"]: row for row in frame.to_dict("records")}
        month, year = by_key["month"], by_key["year"]
        cells.append(
            [
                group[:48],
                f"{month['current']:.0f}",
                f"{month['previous']:.0f}",
                f"{month['score']:+.1f}",
                f"{year['previous']:.0f}",
                f"{year['score']:+.1f}",
            ]
        )
    return cells


def _table_html(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


PRINT_CSS = """
body { font-family: sans-serif; font-size: 10pt; margin: 1.5em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; }
img { max-width: 100%; }
.priority { page-break-inside: avoid; }
@media print {
  @page { size: PAPER; margin: 15mm; }
  body { margin: 0; }
  .noprint { display: none; }
}
"""


def print_html(document: PlanDocument, paper: str = "a4") -> str:
    """Return the print view of a plan as a whole HTML page.

    ``paper`` is ``"a4"`` or ``"letter"``; the ``@page`` rule of the print
    style sets that size.
    """
    size = PAPERS.get(paper, PAPERS["a4"])[1]
    plan = document.plan
    parts = [
        f"<h1>{escape(document.title)}</h1>",
        f"<p>Status: <strong>{escape(plan.status)}</strong>. Based on the month "
        f"{escape(document.read_month_text)}, incidents by month occurred.</p>",
        '<p class="noprint"><a href="?paper=a4">A4</a> | '
        '<a href="?paper=letter">Letter</a> | '
        '<a href="javascript:window.print()">Print</a></p>',
    ]
    if document.map_png:
        encoded = base64.b64encode(document.map_png).decode("ascii")
        parts.append(
            f'<img alt="Map of the station" src="data:image/png;base64,{encoded}">'
        )
    parts.append("<h2>CompStat</h2>")
    parts.append(_table_html(COMPSTAT_HEAD, compstat_cells(document.compstat)))
    parts.append("<h2>Priorities</h2>")
    for number, priority in enumerate(plan.priorities, start=1):
        lines = "".join(
            f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
            for k, v in _priority_lines(priority)
        )
        responses = _table_html(
            RESPONSE_HEAD, [_response_cells(r) for r in priority.responses]
        )
        parts.append(
            f'<div class="priority"><h3>Priority {number}</h3><table>{lines}</table>'
            f"{responses}</div>"
        )
    parts.append("<h2>Outcome review of the previous plan</h2>")
    parts.append(_table_html(REVIEW_HEAD, review_cells(document.outcomes)))
    style = PRINT_CSS.replace("PAPER", size)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(document.title)}</title><style>{style}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


REVIEW_HEAD = ["Priority", "Plan month", "Baseline", "Target", "Result", "Responses"]


def review_cells(outcomes) -> list[list[str]]:
    """Return the printed review rows."""
    rows = []
    for problem, outcome in outcomes:
        rows.append(
            [
                problem[:60],
                str(outcome.area.plan_month),
                f"{outcome.area.baseline:.1f}",
                f"at most {outcome.target_count:.1f}",
                "met" if outcome.met else "not met",
                f"{outcome.responses_done} of {outcome.responses_total} done",
            ]
        )
    return rows


def _latin(text: str) -> str:
    for old, new in _PDF_REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


class _PlanPdf(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, f"Page {self.page_no()}", align="C")


def plan_pdf(document: PlanDocument, paper: str = "a4") -> bytes:
    """Return the plan as a PDF on A4 or Letter paper, made with fpdf2."""
    pdf = _PlanPdf(format=PAPERS.get(paper, PAPERS["a4"])[0])
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    _text(pdf, 0, 7, _latin(document.title))
    pdf.set_font("Helvetica", size=9)
    _text(
        pdf,
        0,
        5,
        _latin(
            f"Status: {document.plan.status}. Based on the month "
            f"{document.read_month_text}, incidents by month occurred."
        ),
    )
    if document.map_png:
        pdf.image(io.BytesIO(document.map_png), w=min(pdf.epw, 150))
    _pdf_heading(pdf, "CompStat")
    _pdf_table(pdf, COMPSTAT_HEAD, compstat_cells(document.compstat))
    _pdf_heading(pdf, "Priorities")
    for number, priority in enumerate(document.plan.priorities, start=1):
        pdf.set_font("Helvetica", "B", 10)
        _text(pdf, 0, 6, f"Priority {number}")
        pdf.set_font("Helvetica", size=9)
        for key, value in _priority_lines(priority):
            if value:
                _text(pdf, 0, 5, _latin(f"{key}: {value}"))
        if priority.responses:
            _pdf_table(
                pdf, RESPONSE_HEAD, [_response_cells(r) for r in priority.responses]
            )
    _pdf_heading(pdf, "Outcome review of the previous plan")
    rows = review_cells(document.outcomes)
    if rows:
        _pdf_table(pdf, REVIEW_HEAD, rows)
    else:
        _text(pdf, 0, 5, "No previous plan to review.")
    return bytes(pdf.output())


def _text(pdf: FPDF, _width, height: float, text: str) -> None:
    """Write a paragraph across the page and move to the next line."""
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _pdf_heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    _text(pdf, 0, 7, _latin(text))
    pdf.set_font("Helvetica", size=8)


def _pdf_table(pdf: FPDF, head: list[str], rows: list[list[str]]) -> None:
    pdf.set_font("Helvetica", size=8)
    with pdf.table(line_height=4.5, first_row_as_headings=True) as table:
        for row in [head, *rows]:
            cells = table.row()
            for value in row:
                cells.cell(_latin(str(value)))
    pdf.set_font("Helvetica", size=9)
