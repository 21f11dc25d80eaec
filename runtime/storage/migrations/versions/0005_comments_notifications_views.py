"""Comments with mentions, notifications, saved list views, recently viewed records.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

json_type = sa.JSON().with_variant(JSONB(), "postgresql")
big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "metacrm_comment",
        sa.Column("id", big_id, nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("author_id", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("edited_at", sa.DateTime),
        sa.Column("deleted_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_comment"),
        sa.ForeignKeyConstraint(["author_id"], ["metacrm_user.id"],
                                name="fk_metacrm_comment_author_id_metacrm_user"),
    )
    op.create_index("ix_metacrm_comment_record", "metacrm_comment", ["app", "entity", "record_id", "id"])
    op.create_table(
        "metacrm_notification",
        sa.Column("id", big_id, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("actor_id", sa.Integer),
        sa.Column("comment_id", big_id),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("read_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_notification"),
        sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_notification_user_id_metacrm_user"),
        sa.ForeignKeyConstraint(["actor_id"], ["metacrm_user.id"], ondelete="SET NULL",
                                name="fk_metacrm_notification_actor_id_metacrm_user"),
        sa.ForeignKeyConstraint(["comment_id"], ["metacrm_comment.id"], ondelete="CASCADE",
                                name="fk_metacrm_notification_comment_id_metacrm_comment"),
    )
    op.create_index("ix_metacrm_notification_inbox", "metacrm_notification", ["user_id", "read_at", "id"])
    op.create_table(
        "metacrm_saved_view",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("owner_id", sa.Integer, nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("spec", json_type, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_saved_view"),
        sa.ForeignKeyConstraint(["owner_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_saved_view_owner_id_metacrm_user"),
        sa.UniqueConstraint("app", "entity", "owner_id", "name",
                            name="uq_metacrm_saved_view_app_entity_owner_id_name"),
    )
    op.create_table(
        "metacrm_recent_record",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("viewed_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "app", "entity", "record_id", name="pk_metacrm_recent_record"),
        sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                name="fk_metacrm_recent_record_user_id_metacrm_user"),
    )
    op.create_index("ix_metacrm_recent_record_user", "metacrm_recent_record", ["user_id", "viewed_at"])


def downgrade():
    op.drop_index("ix_metacrm_recent_record_user", table_name="metacrm_recent_record")
    op.drop_index("ix_metacrm_notification_inbox", table_name="metacrm_notification")
    op.drop_index("ix_metacrm_comment_record", table_name="metacrm_comment")
    for name in ("metacrm_recent_record", "metacrm_saved_view", "metacrm_notification", "metacrm_comment"):
        op.drop_table(name)
