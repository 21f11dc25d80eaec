"""Record history: one append-only row per create/update/delete/restore/purge.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

json_type = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "metacrm_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("changes", json_type, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_history"),
    )
    op.create_index("ix_metacrm_history_record", "metacrm_history", ["app", "entity", "record_id"])


def downgrade():
    op.drop_index("ix_metacrm_history_record", table_name="metacrm_history")
    op.drop_table("metacrm_history")
