"""Account protection: lockout, session generations, TOTP 2FA, recovery codes, password
resets and the security audit log.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

def _user_columns() -> tuple:
    """Fresh Column objects each time: a Column belongs to one table only."""
    return (
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime),
        sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"),
        sa.Column("require_2fa", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("totp_secret", sa.String(255)),
        sa.Column("totp_enabled_at", sa.DateTime),
        sa.Column("totp_last_counter", sa.BigInteger),
    )


def _user_fk(table: str):
    return sa.ForeignKeyConstraint(["user_id"], ["metacrm_user.id"], ondelete="CASCADE",
                                   name=f"fk_{table}_user_id_metacrm_user")


def upgrade():
    with op.batch_alter_table("metacrm_user") as batch:
        for column in _user_columns():
            batch.add_column(column)
    op.create_table(
        "metacrm_recovery_code",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_recovery_code"),
        _user_fk("metacrm_recovery_code"),
    )
    op.create_index("ix_metacrm_recovery_code_user", "metacrm_recovery_code", ["user_id"])
    op.create_table(
        "metacrm_password_reset",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_password_reset"),
        sa.UniqueConstraint("token_hash", name="uq_metacrm_password_reset_token_hash"),
        _user_fk("metacrm_password_reset"),
    )
    op.create_table(
        "metacrm_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("email", sa.String(254)),
        sa.Column("ip", sa.String(45)),
        sa.Column("detail", sa.JSON().with_variant(JSONB(), "postgresql")),
        sa.PrimaryKeyConstraint("id", name="pk_metacrm_audit"),
    )
    op.create_index("ix_metacrm_audit_at", "metacrm_audit", ["at"])
    op.create_index("ix_metacrm_audit_user", "metacrm_audit", ["user_id", "at"])


def downgrade():
    op.drop_index("ix_metacrm_audit_user", table_name="metacrm_audit")
    op.drop_index("ix_metacrm_audit_at", table_name="metacrm_audit")
    op.drop_table("metacrm_audit")
    op.drop_table("metacrm_password_reset")
    op.drop_index("ix_metacrm_recovery_code_user", table_name="metacrm_recovery_code")
    op.drop_table("metacrm_recovery_code")
    with op.batch_alter_table("metacrm_user") as batch:
        for column in reversed(_user_columns()):
            batch.drop_column(column.name)
