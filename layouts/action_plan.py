"""The action plan section of the Station workspace: editor, review and list.

The commander reads month M and writes the plan for month M + 1; the review
shows how the plan of month M did. Builders here take plain values (plans from
``data_access.action_plans``, outcomes from ``analysis.plan_outcome``).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data_access.reference import load_iccs_codes
from layouts import station_ids as ids

STAGES = ("scanning", "analysis", "response", "assessment")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COMPLETIONS = ("planned", "in_progress", "done", "dropped")
STATUS_COLOURS = {
    "draft": "secondary",
    "submitted": "info",
    "approved": "success",
    "closed": "dark",
}
NEW_PRIORITY = "new"
AREA_HINT = (
    "Pick where: click a hot-spot cell or a top place on the map, or draw an area "
    "with the map's box or lasso select."
)

RESPONSE_FIELDS = (
    (ids.RESPONSE_ACTION, "action", "Action", 3),
    (ids.RESPONSE_OWNER, "owner", "Owner", 2),
    (ids.RESPONSE_DUE, "due_date", "Due", 2),
    (ids.RESPONSE_RESOURCES, "resources", "Resources", 2),
    (ids.RESPONSE_MINUTES, "patrol_minutes", "Patrol min. per hot spot", 1),
)


def _category_choices() -> list[dict]:
    return [
        {"label": f"{row['code']} {row['name']}", "value": row["code"]}
        for row in load_iccs_codes()
        if row["level"] <= 2
    ]


def plan_section() -> dbc.Card:
    """Build the plan card: status and actions, the priority form, review, list."""
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Action plan", className="h5 mb-0")),
            dbc.CardBody(
                [
                    dcc.Store(id=ids.PLAN_ID),
                    plan_actions(),
                    html.Div(id=ids.PLAN_MESSAGE),
                    html.Div(id=ids.PLAN_VIEW, className="mb-3"),
                    priority_form(),
                    html.H3("Outcome review of last month's plan", className="h6 mt-4"),
                    html.Div(id=ids.REVIEW),
                    html.H3(
                        "Plans in your scope for the plan month", className="h6 mt-4"
                    ),
                    html.Div(id=ids.PLAN_LIST),
                ]
            ),
        ],
        className="mb-4",
    )


def plan_actions() -> html.Div:
    """Build the plan's status badge, workflow buttons and export links."""
    button = {"size": "sm", "className": "me-2 mb-2"}
    return html.Div(
        [
            html.Span(id=ids.PLAN_STATUS, className="me-3"),
            dbc.Button("Create plan", id=ids.PLAN_CREATE, color="primary", **button),
            dbc.Button(
                "Carry over unfinished priorities",
                id=ids.PLAN_CARRY,
                color="secondary",
                **button,
            ),
            dbc.Button("Submit", id=ids.PLAN_SUBMIT, color="info", **button),
            dbc.Button("Approve", id=ids.PLAN_APPROVE, color="success", **button),
            dbc.Button(
                "Return to draft", id=ids.PLAN_RETURN, color="warning", **button
            ),
            dbc.Button("Close", id=ids.PLAN_CLOSE, color="dark", **button),
            html.A("Print view", id=ids.PLAN_PRINT, target="_blank", className="me-3"),
            html.A("PDF", id=ids.PLAN_PDF, target="_blank"),
        ],
        className="mb-2",
    )


def _field(label: str, component, component_id: str, **col) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, html_for=component_id), component], className="mb-2", **col
    )


def priority_form() -> html.Div:
    """Build the form of one priority and its responses."""
    return html.Div(
        [
            dbc.Row(
                [
                    _field(
                        "Priority",
                        dcc.Dropdown(
                            id=ids.PRIORITY_PICK,
                            options=[{"label": "New priority", "value": NEW_PRIORITY}],
                            value=NEW_PRIORITY,
                            clearable=False,
                        ),
                        ids.PRIORITY_PICK,
                        md=4,
                    ),
                    _field(
                        "Stage of the problem-solving cycle",
                        dbc.RadioItems(
                            id=ids.PRIORITY_STAGE,
                            options=[{"label": s.title(), "value": s} for s in STAGES],
                            value="scanning",
                            inline=True,
                        ),
                        ids.PRIORITY_STAGE,
                        md=8,
                    ),
                ]
            ),
            _field(
                "Problem statement",
                dbc.Textarea(id=ids.PRIORITY_PROBLEM, rows=2),
                ids.PRIORITY_PROBLEM,
            ),
            dcc.Store(id=ids.PRIORITY_AREA),
            dcc.Store(id=ids.PRIORITY_AREA_SOURCE),
            dbc.Alert(
                AREA_HINT, id=ids.PRIORITY_AREA_NOTE, color="light", className="py-2"
            ),
            dbc.Row(
                [
                    _field(
                        "What (ICCS categories; none: all)",
                        dcc.Dropdown(
                            id=ids.PRIORITY_CATEGORIES,
                            options=_category_choices(),
                            multi=True,
                        ),
                        ids.PRIORITY_CATEGORIES,
                        md=6,
                    ),
                    _field(
                        "Target: fewer incidents than the baseline (%)",
                        dbc.Input(
                            id=ids.PRIORITY_TARGET,
                            type="number",
                            min=1,
                            max=100,
                            value=20,
                        ),
                        ids.PRIORITY_TARGET,
                        md=3,
                    ),
                ]
            ),
            dbc.Row(
                [
                    _field(
                        "When: days",
                        dbc.Checklist(
                            id=ids.PRIORITY_DAYS,
                            options=[{"label": d, "value": d} for d in DAYS],
                            value=[],
                            inline=True,
                        ),
                        ids.PRIORITY_DAYS,
                        md=6,
                    ),
                    _field(
                        "When: hours",
                        dcc.RangeSlider(
                            id=ids.PRIORITY_HOURS,
                            min=0,
                            max=23,
                            step=1,
                            value=[0, 23],
                            marks={h: f"{h:02d}" for h in range(0, 24, 3)},
                        ),
                        ids.PRIORITY_HOURS,
                        md=6,
                    ),
                ]
            ),
            dbc.Row(
                [
                    _field(
                        "Offender notes",
                        dbc.Textarea(id=ids.PRIORITY_OFFENDER, rows=2),
                        ids.PRIORITY_OFFENDER,
                        md=4,
                    ),
                    _field(
                        "Victim notes",
                        dbc.Textarea(id=ids.PRIORITY_VICTIM, rows=2),
                        ids.PRIORITY_VICTIM,
                        md=4,
                    ),
                    _field(
                        "Place notes",
                        dbc.Textarea(id=ids.PRIORITY_PLACE, rows=2),
                        ids.PRIORITY_PLACE,
                        md=4,
                    ),
                ]
            ),
            html.H3("Responses", className="h6"),
            html.Div(id=ids.RESPONSES, children=response_rows_layout([])),
            dbc.Button(
                "Add response", id=ids.RESPONSE_ADD, size="sm", className="mt-2 me-2"
            ),
            dbc.Button(
                "Save priority",
                id=ids.PRIORITY_SAVE,
                color="primary",
                size="sm",
                className="mt-2 me-2",
            ),
            dbc.Button(
                "Delete priority",
                id=ids.PRIORITY_DELETE,
                color="danger",
                outline=True,
                size="sm",
                className="mt-2",
            ),
        ]
    )


def status_badge(plan, plan_month_text: str) -> html.Span:
    """Return the plan's status badge, or a note that the month has no plan yet."""
    if plan is None:
        return html.Span(f"No plan for {plan_month_text} yet.", className="fw-bold")
    return html.Span(
        [
            html.Span(f"Plan for {plan_month_text}: ", className="fw-bold"),
            dbc.Badge(plan.status, color=STATUS_COLOURS[plan.status]),
        ]
    )


def message(text: str, colour: str = "danger") -> dbc.Alert:
    """Return a message shown above the plan after an action."""
    return dbc.Alert(text, color=colour, className="py-2", dismissable=True)


def _when_text(priority) -> str:
    days = ", ".join(priority.days) or "every day"
    if priority.hour_from is None:
        return days
    return f"{days}, {priority.hour_from:02d}:00–{priority.hour_to:02d}:59"


def plan_view(plan) -> html.Div:
    """Build the table of a plan's priorities and responses."""
    if plan is None or not plan.priorities:
        return html.P("The plan has no priorities yet.", className="text-muted")
    rows = []
    for number, priority in enumerate(plan.priorities, start=1):
        done = sum(r.completion == "done" for r in priority.responses)
        rows.append(
            html.Tr(
                [
                    html.Td(number),
                    html.Td(priority.problem),
                    html.Td(", ".join(priority.categories) or "all"),
                    html.Td(_when_text(priority)),
                    html.Td(priority.stage),
                    html.Td(f"−{priority.target_percent:g}%"),
                    html.Td(f"{done} of {len(priority.responses)} done"),
                ]
            )
        )
    head = ["#", "Problem", "What", "When", "Stage", "Target", "Responses"]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        size="sm",
        className="small",
    )


def priority_options(plan) -> list[dict]:
    """Return the priority picker options: new, then the plan's priorities."""
    options = [{"label": "New priority", "value": NEW_PRIORITY}]
    if plan is not None:
        options += [
            {"label": f"{n}. {p.problem[:50]}", "value": str(p.id)}
            for n, p in enumerate(plan.priorities, start=1)
        ]
    return options


def response_rows(priority) -> list[dict]:
    """Return a priority's responses as rows of the responses table."""
    return [
        {
            "id": r.id,
            "action": r.action,
            "owner": r.owner,
            "due_date": r.due_date.isoformat() if r.due_date else "",
            "resources": r.resources,
            "patrol_minutes": r.patrol_minutes,
            "completion": r.completion,
        }
        for r in priority.responses
    ]


def _change(counts) -> str:
    change = counts.change_percent
    return "–" if change is None else f"{change:+.0f}%"


def review_table(outcomes: list[tuple[str, object]], plan_month_text: str) -> html.Div:
    """Build the outcome review: one row per priority of the reviewed plan.

    ``outcomes`` contains ``(problem, PriorityOutcome)`` pairs.
    """
    if not outcomes:
        return html.P(
            f"No plan with priorities for {plan_month_text} to review.",
            className="text-muted",
        )
    head = [
        "Priority",
        "Area: plan month",
        "Previous month",
        "Same month last year",
        "Change vs baseline",
        "Target",
        "Result",
        "Rest of station (plan / baseline)",
        "Responses done",
    ]
    rows = []
    for problem, outcome in outcomes:
        area, rest = outcome.area, outcome.rest
        result = "met" if outcome.met else "not met"
        if outcome.displacement:
            result += "; rest of station rose (possible displacement)"
        rows.append(
            html.Tr(
                [
                    html.Td(problem),
                    html.Td(area.plan_month),
                    html.Td(area.previous_month),
                    html.Td(area.year_before),
                    html.Td(_change(area)),
                    html.Td(
                        f"−{outcome.target_percent:g}% (at most "
                        f"{outcome.target_count:.1f})"
                    ),
                    html.Td(result, className="table-success" if outcome.met else ""),
                    html.Td(f"{rest.plan_month} / {rest.baseline:.1f}"),
                    html.Td(f"{outcome.responses_done} of {outcome.responses_total}"),
                ]
            )
        )
    note = (
        f"Incidents of each priority's categories, by month occurred, plan month "
        f"{plan_month_text}. Baseline: mean of the previous month and the same "
        "month last year."
    )
    return html.Div(
        [
            html.P(note, className="small text-muted"),
            dbc.Table(
                [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                size="sm",
                className="small",
                responsive=True,
            ),
        ]
    )


def plan_list_table(plans: pd.DataFrame) -> html.Div:
    """Build the table of plans in the user's scope with status and progress."""
    if plans.empty:
        return html.P("No plans in your scope for this month.", className="text-muted")
    head = [
        "Station",
        "Division",
        "Status",
        "Priorities",
        "Responses done",
        "Approved by",
    ]
    rows = [
        html.Tr(
            [
                html.Td(f"{row['country_code']} {row['station_code']}"),
                html.Td(row["division_code"] or ""),
                html.Td(dbc.Badge(row["status"], color=STATUS_COLOURS[row["status"]])),
                html.Td(row["priorities"]),
                html.Td(f"{row['responses_done']} of {row['responses']}"),
                html.Td(row["approved_by"] or ""),
            ]
        )
        for row in plans.to_dict("records")
    ]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        size="sm",
        className="small",
    )


def response_row(index: int, row: dict) -> dbc.Row:
    """Build the inputs of one response; ids carry the row number."""
    columns = [
        dcc.Store(id={"type": ids.RESPONSE_ROW_ID, "index": index}, data=row.get("id"))
    ]
    for kind, key, label, width in RESPONSE_FIELDS:
        input_type = {"due_date": "date", "patrol_minutes": "number"}.get(key, "text")
        columns.append(
            dbc.Col(
                dbc.Input(
                    id={"type": kind, "index": index},
                    type=input_type,
                    value=row.get(key),
                    placeholder=label,
                    size="sm",
                    **({"min": 1} if key == "patrol_minutes" else {}),
                ),
                md=width,
            )
        )
    columns.append(
        dbc.Col(
            dbc.Select(
                id={"type": ids.RESPONSE_COMPLETION, "index": index},
                options=[
                    {"label": c.replace("_", " "), "value": c} for c in COMPLETIONS
                ],
                value=row.get("completion") or "planned",
                size="sm",
            ),
            md=2,
        )
    )
    return dbc.Row(columns, className="g-1 mb-1")


def response_rows_layout(rows: list[dict]) -> list:
    """Build the responses editor: a header and one line of inputs per row."""
    header = dbc.Row(
        [dbc.Col(html.Small(label), md=width) for _, _, label, width in RESPONSE_FIELDS]
        + [dbc.Col(html.Small("Completion"), md=2)],
        className="g-1 text-muted",
    )
    return [header, *(response_row(i, row) for i, row in enumerate(rows))]
