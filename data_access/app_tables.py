"""Core table objects for the application's own tables, for queries.

The tables are created and changed only by the Alembic migrations in
``data_access/migrations``; keep these definitions in step with the latest revision.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

app_metadata = MetaData()

app_user = Table(
    "app_user",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("country_code", String(16)),
    Column("division_code", String(32)),
    Column("station_code", String(32)),
    Column("is_active", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", DateTime),
    Column("last_login_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    # Sessions that started before this time end at their next request.
    Column("password_changed_at", DateTime),
)

# One row per login session. The session cookie carries a random session id and
# only its SHA-256 (hex) is stored, so a reader of this table cannot take over a
# session. A session is valid until ``ended_at`` is set or its lifetime passes.
app_session = Table(
    "app_session",
    app_metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("app_user.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    # One of the SESSION_ENDED_BY_* values below.
    Column("end_reason", String(16)),
)
SESSION_ENDED_BY_LOGOUT = "logout"
SESSION_ENDED_BY_EXPIRY = "expired"
SESSION_ENDED_BY_DISABLING = "disabled"
SESSION_ENDED_BY_PASSWORD = "password"

audit_log = Table(
    "audit_log",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(64)),
    Column("action", String(32), nullable=False),
    Column("object", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("remote_addr", String(64)),
)

# Monthly action plans of stations: one per station and month, with status draft,
# submitted, approved or closed.
action_plan = Table(
    "action_plan",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("country_code", String(16), nullable=False),
    Column("station_code", Text, nullable=False),
    Column("division_code", String(32)),
    Column("month", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("approved_by", String(64)),
    Column("approved_at", DateTime),
)

# A problem the plan tackles: where (a WGS84 polygon as WKT), what (ICCS code
# prefixes, comma-separated), when (days, hours) and the target reduction.
plan_priority = Table(
    "plan_priority",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("action_plan.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("problem", Text, nullable=False),
    Column("area_wkt", Text, nullable=False),
    Column("area_source", String(32), nullable=False),
    Column("categories", Text, nullable=False),
    Column("days", Text, nullable=False),
    Column("hour_from", Integer),
    Column("hour_to", Integer),
    Column("stage", String(16), nullable=False),
    Column("offender_notes", Text, nullable=False),
    Column("victim_notes", Text, nullable=False),
    Column("place_notes", Text, nullable=False),
    Column("target_percent", Float, nullable=False),
    Column("carried_from_id", Integer),
)

plan_response = Table(
    "plan_response",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "priority_id",
        ForeignKey("plan_priority.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("action", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("due_date", Date),
    Column("resources", Text, nullable=False),
    Column("patrol_minutes", Integer),
    Column("completion", String(16), nullable=False),
)

# Who changed a plan, when, and what.
plan_history = Table(
    "plan_history",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("action_plan.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),
)
