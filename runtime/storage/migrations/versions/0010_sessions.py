"""Server-side sign-in sessions: signing out, "log out everywhere", idle and absolute timeouts
and step-up re-authentication all need a record the server can end, not just a signed cookie.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metacrm_session",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("authenticated_at", sa.DateTime, nullable=False),
        sa.Column("remember", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("ip", sa.String(45)),
        sa.Column("user_agent", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_session"),
        sa.UniqueConstraint("key_hash", name="uq_metacrm_session_key_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_session_user_id_metacrm_user"),
    )
    op.create_index("ix_metacrm_session_user", "metacrm_session", ["user_id", "last_seen_at"])


def downgrade():
    op.drop_index("ix_metacrm_session_user", table_name="metacrm_session")
    op.drop_table("metacrm_session")
