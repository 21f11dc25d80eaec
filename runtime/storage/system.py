"""The product's own tables (users, apps, versions, archives, counters, history, comments, views).

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

#: The largest id of a system table with an INTEGER key (users, tokens, shares, views, versions).
MAX_INTEGER_ID = 2**31 - 1

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
    Column("department", String(100)),
    Column("created_at", DateTime, nullable=False),
    # sign-in protection (migration 0008): lockout, "log out everywhere", TOTP
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("session_generation", Integer, nullable=False, default=0),
    Column("require_2fa", Boolean, nullable=False, default=False),
    Column("totp_secret", String(255)),  # encrypted; set at enrollment, in force once enabled
    Column("totp_enabled_at", DateTime),
    Column("totp_last_counter", BigInteger),  # last accepted time step: no code is used twice
)

#: One-time 2FA recovery codes, each stored as sha256(salt + code).
recovery_codes = Table(
    "metacrm_recovery_code",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    Column("salt", String(32), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("used_at", DateTime),
    Index("ix_metacrm_recovery_code_user", "user_id"),
)

#: Single-use password reset tokens, stored as their sha256.
password_resets = Table(
    "metacrm_password_reset",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
)

#: Security events (sign-ins, lockouts, 2FA and password changes) for audits.
audit_log = Table(
    "metacrm_audit",
    system_metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("event", String(30), nullable=False),
    Column("user_id", Integer),
    Column("email", String(254)),
    Column("ip", String(45)),
    Column("detail", JsonType),
    Index("ix_metacrm_audit_at", "at"),
    Index("ix_metacrm_audit_user", "user_id", "at"),
)

#: Roles granted to users, by qualified name ``<app>.<role>`` (roles are app metadata).
user_roles = Table(
    "metacrm_user_role",
    system_metadata,
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(81), primary_key=True),
)

#: Admins' per-role sign-in policy (migration 0009): a role here with ``require_2fa`` makes
#: everyone holding it use two-step verification.
role_policy = Table(
    "metacrm_role_policy",
    system_metadata,
    Column("role", String(81), primary_key=True),
    Column("require_2fa", Boolean, nullable=False, default=False),
)

#: A record shared with a user or a whole department beyond what the roles' row rules allow.
record_shares = Table(
    "metacrm_record_share",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE")),
    Column("department", String(100)),
    Column("access", String(8), nullable=False),  # "read" or "edit"
    Column("created_by", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("created_at", DateTime, nullable=False),
    Index("ix_metacrm_record_share_record", "app", "entity", "record_id"),
    Index("ix_metacrm_record_share_user", "user_id", "app", "entity"),
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

#: Ids of the busy tables: BIGINT on PostgreSQL, INTEGER on SQLite (its only autoincrement key).
_BigId = BigInteger().with_variant(Integer(), "sqlite")

comments = Table(
    "metacrm_comment",
    system_metadata,
    Column("id", _BigId, primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("author_id", Integer, ForeignKey("metacrm_user.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("edited_at", DateTime),
    Column("deleted_at", DateTime),
    Index("ix_metacrm_comment_record", "app", "entity", "record_id", "id"),
)

notifications = Table(
    "metacrm_notification",
    system_metadata,
    Column("id", _BigId, primary_key=True),
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("actor_id", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("comment_id", _BigId, ForeignKey("metacrm_comment.id", ondelete="CASCADE")),
    Column("created_at", DateTime, nullable=False),
    Column("read_at", DateTime),
    Index("ix_metacrm_notification_inbox", "user_id", "read_at", "id"),
)

#: Files attached to a record ("Notes & Attachments", migration 0011): the bytes are the same
#: content-addressed blobs as file fields'; removing one only marks it, so nothing is lost silently.
attachments = Table(
    "metacrm_attachment",
    system_metadata,
    Column("id", _BigId, primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_by", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("created_at", DateTime, nullable=False),
    Column("deleted_by", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("deleted_at", DateTime),
    Index("ix_metacrm_attachment_record", "app", "entity", "record_id", "id"),
)

saved_views = Table(
    "metacrm_saved_view",
    system_metadata,
    Column("id", Integer, primary_key=True),
    Column("app", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("name", String(100), nullable=False),
    Column("owner_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    Column("shared", Boolean, nullable=False, default=False),
    Column("spec", JsonType, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("app", "entity", "owner_id", "name"),
)

recent_records = Table(
    "metacrm_recent_record",
    system_metadata,
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), primary_key=True),
    Column("app", String(40), primary_key=True),
    Column("entity", String(40), primary_key=True),
    Column("record_id", BigInteger, primary_key=True),
    Column("viewed_at", DateTime, nullable=False),
    Index("ix_metacrm_recent_record_user", "user_id", "viewed_at"),
)

drafts = Table(
    "metacrm_draft",
    system_metadata,
    Column("app", String(40), primary_key=True),
    Column("base_version", Integer),  # the version in force when the draft began (None: a new app)
    Column("created_by", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

draft_documents = Table(
    "metacrm_draft_document",
    system_metadata,
    Column("app", String(40), ForeignKey("metacrm_draft.app", ondelete="CASCADE"), primary_key=True),
    Column("path", String(200), primary_key=True),
    Column("document", JsonType),  # None: removed in the draft
    Column("revision", Integer, nullable=False),
    Column("updated_by", Integer, ForeignKey("metacrm_user.id", ondelete="SET NULL")),
    Column("updated_at", DateTime, nullable=False),
)

#: Server-side sign-in sessions (migration 0010): the browser holds a random key, this table only its
#: SHA-256, so signing out, "log out everywhere" and timeouts end a session even if its cookie was copied.
#: A session lives while unrevoked, its ``generation`` is its user's ``session_generation`` and it is
#: within its idle and absolute timeouts.
sessions = Table(
    "metacrm_session",
    system_metadata,
    Column("id", _BigId, primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("metacrm_user.id", ondelete="CASCADE"), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),  # written at most once a minute
    Column("authenticated_at", DateTime, nullable=False),  # last password (and 2FA) check
    Column("remember", Boolean, nullable=False, default=False),  # "keep me signed in": longer timeouts
    Column("revoked_at", DateTime),
    Column("ip", String(45)),
    Column("user_agent", String(200)),
    Index("ix_metacrm_session_user", "user_id", "last_seen_at"),
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
