"""The two tables: scenarios (one row each, never deleted) and their versions.

The Alembic migrations in ``migrations/versions`` create exactly these; a test checks
that the migrated database matches this metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["metadata", "scenarios", "versions"]

#: Constraint names fixed here so that migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("ics", String(16), nullable=False),
    Column("vintage", String(8), nullable=False),
    Column("place_definition", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("author", String(320), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("visibility", String(8), nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("latest_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("visibility IN ('private', 'shared')", name="visibility"),
    CheckConstraint("latest_version >= 1", name="latest_version"),
    Index("ix_scenarios_ics", "ics"),
    Index("ix_scenarios_author", "author"),
    Index("ix_scenarios_updated_at", "updated_at"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_id", String(32), ForeignKey("scenarios.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("saved_by", String(320), nullable=False),
    Column("saved_by_name", String(200), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    # Two concurrent saves can never both become version N.
    UniqueConstraint("scenario_id", "version", name="uq_versions_scenario_version"),
    CheckConstraint("version >= 1", name="version"),
)
