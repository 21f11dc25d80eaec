"""API tokens, background jobs with progress, uploaded files.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

json_type = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "metacrm_api_token",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_api_token"),
        sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_api_token_user_id_metacrm_user"),
        sa.UniqueConstraint("token_hash", name="uq_metacrm_api_token_token_hash"),
    )
    op.create_table(
        "metacrm_job",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("params", json_type, nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("processed", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer),
        sa.Column("result", json_type),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_job"),
    )
    op.create_table(
        "metacrm_file",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("record_id", sa.Integer),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_file"),
    )
    op.create_index("ix_metacrm_file_record", "metacrm_file", ["app", "entity", "record_id"])


def downgrade():
    op.drop_index("ix_metacrm_file_record", table_name="metacrm_file")
    for name in ("metacrm_file", "metacrm_job", "metacrm_api_token"):
        op.drop_table(name)
