"""The product's own tables (users, apps, published versions, archives, counters, history).

They are created and upgraded by the Alembic migrations in ``migrations/``;
the ``Table`` objects here are what the code queries. Generated per-app tables
live elsewhere (``tables.py``) and are never touched by these migrations.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import Engine
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")

system_metadata = MetaData(naming_convention=NAMING_CONVENTION)

users = Table(
    "metacrm_user",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("display_name", String(200)),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("language", String(8), nullable=False, default="en"),
    Column("manager_id", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("created_at", DateTime, nullable=False),
)

apps = Table(
    "metacrm_app",
    system_metadata,
    Column("name", String(40), primary_key=True),
    Column("label", JsonType, nullable=False),
    Column("current_version", Integer),
    Column("installed_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

app_versions = Table(
    "metacrm_app_version",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("app", String(40), ForeignKey("metacrm_app.name"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("version_label", String(40), nullable=False),
    Column("metadata", JsonType, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("author", String(254)),
    Column("changes", JsonType, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("app", "number"),
)

archives = Table(
    "metacrm_archive",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("field", String(40)),
    Column("kind", String(10), nullable=False),
    Column("table_name", String(63), nullable=False),
    Column("archived_name", String(63), nullable=False),
    Column("definition", JsonType, nullable=False),
    Column("archived_in", Integer, nullable=False),
    Column("restored_in", Integer),
    Column("created_at", DateTime, nullable=False),
)

sequences = Table(
    "metacrm_sequence",
    system_metadata,
    Column("app", String(40), primary_key=True),
    Column("entity", String(40), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

history = Table(
    "metacrm_history",
    system_metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    # set on one entry that records the creation of a batch of records (imports): the
    # ids record_id..last_record_id, each one's changes under changes["rows"][id]
    Column("last_record_id", BigInteger),
    Column("action", String(10), nullable=False),
    Column("user_id", Integer),
    Column("at", DateTime, nullable=False),
    Column("changes", JsonType, nullable=False),
    Index("ix_metacrm_history_record", "app", "entity", "record_id"),
)

api_tokens = Table(
    "metacrm_api_token",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(12), nullable=False),
    Column("scope", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
)

jobs = Table(
    "metacrm_job",
    system_metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("status", String(12), nullable=False),
    Column("params", JsonType, nullable=False),
    Column("user_id", Integer),
    Column("processed", Integer, nullable=False, default=0),
    Column("total", Integer),
    Column("result", JsonType),
    Column("error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
)

files = Table(
    "metacrm_file",
    system_metadata,
    Column("id", String(36), primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("field", String(40), nullable=False),
    Column("record_id", Integer),
    Column("name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_by", Integer),
    Column("created_at", DateTime, nullable=False),
    Index("ix_metacrm_file_record", "app", "entity", "record_id"),
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "metacrm_alembic_version"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the system tables to ``revision`` in one transaction; safe to repeat."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()
