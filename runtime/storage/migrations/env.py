"""Alembic environment for the system tables; always run on a given connection."""

from alembic import context

from runtime.storage.system import VERSION_TABLE
from runtime.storage.system import system_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=system_metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
