"""Builder drafts: an app's unpublished documents, each with its own revision.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

json_type = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "metacrm_draft",
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("base_version", sa.Integer),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("app", name="pk_metacrm_draft"),
        sa.ForeignKeyConstraint(["created_by"], ["metacrm_user.id"], ondelete="SET NULL",
                                name="fk_metacrm_draft_created_by_metacrm_user"),
    )
    op.create_table(
        "metacrm_draft_document",
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("document", json_type),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.Integer),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("app", "path", name="pk_metacrm_draft_document"),
        sa.ForeignKeyConstraint(["app"], ["metacrm_draft.app"], ondelete="CASCADE",
                                name="fk_metacrm_draft_document_app_metacrm_draft"),
        sa.ForeignKeyConstraint(["updated_by"], ["metacrm_user.id"], ondelete="SET NULL",
                                name="fk_metacrm_draft_document_updated_by_metacrm_user"),
    )


def downgrade():
    op.drop_table("metacrm_draft_document")
    op.drop_table("metacrm_draft")
