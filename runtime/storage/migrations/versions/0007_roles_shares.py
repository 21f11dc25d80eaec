"""Departments, roles granted to users, and records shared beyond the row rules.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("metacrm_user") as batch:
        batch.add_column(sa.Column("department", sa.String(100)))
    op.create_table(
        "metacrm_user_role",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(81), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role", name="pk_metacrm_user_role"),
        sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_user_role_user_id_metacrm_user"),
    )
    op.create_table(
        "metacrm_record_share",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("department", sa.String(100)),
        sa.Column("access", sa.String(8), nullable=False),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_record_share"),
        sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_record_share_user_id_metacrm_user"),
        sa.ForeignKeyConstraint(["created_by"], ["metacrm_user.id"], ondelete="SET NULL",
                                name="fk_metacrm_record_share_created_by_metacrm_user"),
    )
    op.create_index("ix_metacrm_record_share_record", "metacrm_record_share", ["app", "entity", "record_id"])
    op.create_index("ix_metacrm_record_share_user", "metacrm_record_share", ["user_id", "app", "entity"])


def downgrade():
    op.drop_index("ix_metacrm_record_share_user", table_name="metacrm_record_share")
    op.drop_index("ix_metacrm_record_share_record", table_name="metacrm_record_share")
    op.drop_table("metacrm_record_share")
    op.drop_table("metacrm_user_role")
    with op.batch_alter_table("metacrm_user") as batch:
        batch.drop_column("department")
