"""System tables: users, apps, app versions, archives, sequences.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

json_type = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "metacrm_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(200)),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("manager_id", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["metacrm_user.id"], ondelete="SET NULL",
            name="fk_metacrm_user_manager_id_metacrm_user",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_user"),
        sa.UniqueConstraint("email", name="uq_metacrm_user_email"),
    )
    op.create_table(
        "metacrm_app",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("label", json_type, nullable=False),
        sa.Column("current_version", sa.Integer),
        sa.Column("installed_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_metacrm_app"),
    )
    op.create_table(
        "metacrm_app_version",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("version_label", sa.String(40), nullable=False),
        sa.Column("metadata", json_type, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("author", sa.String(254)),
        sa.Column("changes", json_type, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_app_version"),
        sa.ForeignKeyConstraint(["app"], ["metacrm_app.name"], name="fk_metacrm_app_version_app_metacrm_app"),
        sa.UniqueConstraint("app", "number", name="uq_metacrm_app_version_app_number"),
    )
    op.create_table(
        "metacrm_archive",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40)),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("table_name", sa.String(63), nullable=False),
        sa.Column("archived_name", sa.String(63), nullable=False),
        sa.Column("definition", json_type, nullable=False),
        sa.Column("archived_in", sa.Integer, nullable=False),
        sa.Column("restored_in", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_archive"),
    )
    op.create_table(
        "metacrm_sequence",
        sa.Column("app", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("app", "entity", "field", "period", name="pk_metacrm_sequence"),
    )


def downgrade():
    for name in ("metacrm_sequence", "metacrm_archive", "metacrm_app_version", "metacrm_app", "metacrm_user"):
        op.drop_table(name)
