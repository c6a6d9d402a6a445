"""Create the monthly action plan tables and their change history.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_plan",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("country_code", sa.String(16), nullable=False),
        sa.Column("station_code", sa.Text, nullable=False),
        sa.Column("division_code", sa.String(32)),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("approved_at", sa.DateTime),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'closed')",
            name="ck_action_plan_status_values",
        ),
        sa.UniqueConstraint(
            "country_code", "station_code", "month", name="uq_action_plan_month"
        ),
    )
    op.create_index(
        "ix_action_plan_country_month", "action_plan", ["country_code", "month"]
    )
    op.create_table(
        "plan_priority",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("action_plan.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("area_wkt", sa.Text, nullable=False),
        sa.Column("area_source", sa.String(32), nullable=False),
        sa.Column("categories", sa.Text, nullable=False, server_default=""),
        sa.Column("days", sa.Text, nullable=False, server_default=""),
        sa.Column("hour_from", sa.Integer),
        sa.Column("hour_to", sa.Integer),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("offender_notes", sa.Text, nullable=False, server_default=""),
        sa.Column("victim_notes", sa.Text, nullable=False, server_default=""),
        sa.Column("place_notes", sa.Text, nullable=False, server_default=""),
        sa.Column("target_percent", sa.Float, nullable=False),
        sa.Column("carried_from_id", sa.Integer),
    )
    op.create_table(
        "plan_response",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "priority_id",
            sa.Integer,
            sa.ForeignKey("plan_priority.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False, server_default=""),
        sa.Column("due_date", sa.Date),
        sa.Column("resources", sa.Text, nullable=False, server_default=""),
        sa.Column("patrol_minutes", sa.Integer),
        sa.Column("completion", sa.String(16), nullable=False),
    )
    op.create_table(
        "plan_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("action_plan.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("plan_history")
    op.drop_table("plan_response")
    op.drop_table("plan_priority")
    op.drop_index("ix_action_plan_country_month", table_name="action_plan")
    op.drop_table("action_plan")
