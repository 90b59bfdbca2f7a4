"""Scenarios and their versions.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``scenarios`` and ``versions``."""
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ics", sa.String(16), nullable=False),
        sa.Column("vintage", sa.String(8), nullable=False),
        sa.Column("place_definition", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
        sa.CheckConstraint("visibility IN ('private', 'shared')", name="ck_scenarios_visibility"),
        sa.CheckConstraint("latest_version >= 1", name="ck_scenarios_latest_version"),
    )
    op.create_index("ix_scenarios_ics", "scenarios", ["ics"])
    op.create_index("ix_scenarios_author", "scenarios", ["author"])
    op.create_index("ix_scenarios_updated_at", "scenarios", ["updated_at"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scenario_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(320), nullable=False),
        sa.Column("saved_by_name", sa.String(200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], name="fk_versions_scenario_id"),
        sa.UniqueConstraint("scenario_id", "version", name="uq_versions_scenario_version"),
        sa.CheckConstraint("version >= 1", name="ck_versions_version"),
    )


def downgrade() -> None:
    """Drop both tables (used only by the migration tests)."""
    op.drop_table("versions")
    op.drop_index("ix_scenarios_updated_at", table_name="scenarios")
    op.drop_index("ix_scenarios_author", table_name="scenarios")
    op.drop_index("ix_scenarios_ics", table_name="scenarios")
    op.drop_table("scenarios")
