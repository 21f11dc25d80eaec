"""Record attachments ("Notes & Attachments"): files linked to a record, removed only by marking.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metacrm_attachment",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("deleted_by", sa.Integer),
        sa.Column("deleted_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_attachment"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["metacrm_user.id"],
            ondelete="SET NULL",
            name="fk_metacrm_attachment_created_by_metacrm_user",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"],
            ["metacrm_user.id"],
            ondelete="SET NULL",
            name="fk_metacrm_attachment_deleted_by_metacrm_user",
        ),
    )
    op.create_index(
        "ix_metacrm_attachment_record", "metacrm_attachment", ["app", "entity", "record_id", "id"]
    )


def downgrade():
    op.drop_index("ix_metacrm_attachment_record", table_name="metacrm_attachment")
    op.drop_table("metacrm_attachment")
