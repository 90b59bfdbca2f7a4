"""Alembic environment: always given an open connection by ``dashboard.store.database``."""

from __future__ import annotations

from alembic import context

from dashboard.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run the scenario store's migrations with dashboard.store.migrate(), "
        "which passes the connection (and takes the start-up lock)."
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
